package main

// Longer --help texts.
const explainDetail = ""
const evalDetail = ""
const retagDetail = ""

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
