package main

// Longer --help texts.
const exportDetail = ""

func runExport(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "export")
	fs.String("tag", "", "only stories with this tag")
	fs.Bool("all", false, "all matching stories, not only starred ones")
	fs.String("o", "", "write to FILE (atomically) instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return errNotYet
}
