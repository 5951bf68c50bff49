package main

// Commands of the CLI contract whose implementation has not landed yet.
// Each parses its real flags, so --help documents it and a bad flag is a
// usage error, and then says plainly that it is not built yet.

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

func runExplain(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "explain")
	fs.String("title", "", "classify this title instead of a stored story")
	fs.String("summary", "", "with --title: the summary to classify")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return errNotYet
}

func runEval(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "eval")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return errNotYet
}

func runRetag(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "retag")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return errNotYet
}
