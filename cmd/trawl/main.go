// Command trawl is a terminal news reader for the AI training-data and
// API-pricing beat. See README.md for the tour; `trawl help` for commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes of the CLI contract.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	programName = "trawl"
)

// env is everything a command may touch of the outside world, so tests
// can run the real command code with their own streams, environment and
// clock.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	ctx    context.Context
	// isTerminal reports whether stdout is a terminal (the TUI);
	// stderrTerminal whether stderr is (progress bars).
	isTerminal     bool
	stderrTerminal bool
	// stderrWidth is the width in columns of the terminal on stderr, 0
	// when unknown.
	stderrWidth int
}

// globals are the flags every command accepts.
type globals struct {
	db     string
	config string
}

// usageError is a mistake in how trawl was called: exit 2 with usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errNotYet marks commands of the contract that are not built yet: they
// say so and fail rather than silently doing nothing.
var errNotYet = errors.New("not implemented yet in this version of trawl")

type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	run     func(e *env, g *globals, args []string) error
	detail  string // longer help, shown by --help; each lives beside its command
}

func commands() []command {
	return []command{
		{"tui", "", "open the reader on the cache (the default command)", runTUI, tuiDetail},
		{"fetch", "[--force]", "refresh every feed; progress on a terminal, a summary line always", runFetch, fetchDetail},
		{"list", "[--tag T] [--starred] [--unread] [--search Q] [--since DUR] [--limit N] [--json]", "print stored stories, newest first", runList, listDetail},
		{"show", "ID", "one story: title, outlet, date, link, tags with evidence, note", runShow, showDetail},
		{"star", "ID", "star a story", runStar, starDetail},
		{"unstar", "ID", "remove a story's star", runUnstar, starDetail},
		{"note", "ID TEXT | ID - | ID --clear", "set a story's note (- reads stdin)", runNote, noteDetail},
		{"export", "[--tag T] [--all] [--since DUR] [-o FILE] [--front-matter] [--template FILE]", "starred stories (or all matching) as markdown", runExport, exportDetail},
		{"feeds", "list | add URL | remove URL | import FILE.opml | export", "manage subscriptions", runFeeds, feedsDetail},
		{"explain", "ID | --title T [--summary S]", "show why a story gets its tags", runExplain, explainDetail},
		{"eval", "FILE.tsv", "precision / recall / F1 per tag on labelled data", runEval, evalDetail},
		{"retag", "", "re-run the classifier over the cache after a rules change", runRetag, retagDetail},
		{"demo", "", "the reader on bundled sample stories; no network needed", runDemo, demoDetail},
		{"prune", "--older-than DUR", "drop old stories that are neither starred nor annotated", runPrune, pruneDetail},
		{"db", "check | compact", "verify or shrink the cache", runDB, dbDetail},
		{"version", "", "print trawl's version", runVersion, ""},
		{"help", "[COMMAND]", "show help for trawl or a command", nil, ""},
	}
}

func main() {
	// No stop: os.Exit below ends the process, signal handling with it.
	ctx, _ := interruptContext(os.Stderr)
	e := &env{
		stdin:          os.Stdin,
		stdout:         os.Stdout,
		stderr:         os.Stderr,
		getenv:         os.Getenv,
		now:            time.Now,
		ctx:            ctx,
		isTerminal:     isTerminal(os.Stdout),
		stderrTerminal: isTerminal(os.Stderr),
		stderrWidth:    terminalWidth(os.Stderr),
	}
	os.Exit(run(e, os.Args[1:]))
}

// run is trawl's whole command line: it returns the exit code.
func run(e *env, args []string) int {
	if e.ctx == nil {
		e.ctx = context.Background()
	}
	g := &globals{}
	fs := flag.NewFlagSet(programName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	help := fs.Bool("help", false, "show help")
	fs.BoolVar(help, "h", false, "show help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(e.stderr, "%s: %s\n", programName, err)
		printUsage(e.stderr)
		return exitUsage
	}
	if *showVersion {
		fmt.Fprintf(e.stdout, "%s %s\n", programName, version)
		return exitOK
	}
	rest := fs.Args()
	if *help {
		printUsage(e.stdout)
		return exitOK
	}
	name := "tui"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if name == "help" {
		return runHelp(e, rest)
	}
	cmd, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(e.stderr, "%s: unknown command %q\n", programName, name)
		printUsage(e.stderr)
		return exitUsage
	}
	err := cmd.run(e, g, rest)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "%s %s: %s\n", programName, cmd.name, sanitize.Line(err.Error()))
		fmt.Fprintf(e.stderr, "usage: %s %s %s\n", programName, cmd.name, cmd.args)
		return exitUsage
	case errors.Is(err, errQuietFailure):
		return exitFailed
	case errors.Is(err, context.Canceled):
		// Ctrl-C: what was done before it is kept, and saying more
		// than that would be noise. The status stays one of the
		// contract's three: the operation did not finish.
		fmt.Fprintf(e.stderr, "%s: interrupted\n", programName)
		return exitFailed
	case errors.Is(err, errNotYet):
		fmt.Fprintf(e.stderr, "%s %s: %s\n", programName, cmd.name, sanitize.Line(err.Error()))
		return exitFailed
	default:
		// Errors quote what they were given (an argument, a file name,
		// a server's words): cleaned like any text for the terminal.
		fmt.Fprintf(e.stderr, "%s: %s\n", programName, sanitize.Line(err.Error()))
		return exitFailed
	}
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.db, "db", g.db, "cache file (env TRAWL_DB)")
	fs.StringVar(&g.config, "config", g.config, "config file (env TRAWL_CONFIG)")
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return c, true
		}
	}
	return command{}, false
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s [--db PATH] [--config PATH] [COMMAND] [ARGS]\n\n", programName)
	fmt.Fprintln(w, "trawl follows how AI companies get their training data and what platforms")
	fmt.Fprintln(w, "charge for API and data access. With no command it opens the reader.")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nglobal flags:")
	fmt.Fprintln(w, "  --db PATH       cache file (env TRAWL_DB; default under $XDG_DATA_HOME/trawl)")
	fmt.Fprintln(w, "  --config PATH   config file (env TRAWL_CONFIG; default $XDG_CONFIG_HOME/trawl/config.toml)")
	fmt.Fprintln(w, "  --version       print the version")
	fmt.Fprintf(w, "\nRun '%s help COMMAND' or '%s COMMAND --help' for a command's flags.\n", programName, programName)
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stdout)
		return exitOK
	}
	cmd, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(e.stderr, "%s help: unknown command %q\n", programName, args[0])
		return exitUsage
	}
	return run(e, []string{cmd.name, "--help"})
}

// newFlagSet returns a command's flag set; --help prints the command's
// usage to stdout and stops it with flag.ErrHelp.
func newFlagSet(e *env, g *globals, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package writes a parse error's message here and then calls
	// Usage, as it does for --help. A bad flag gets one line and the usage
	// line from run, not the whole help ahead of them on stdout.
	failed := &wroteFlag{}
	fs.SetOutput(failed)
	g.register(fs)
	fs.Usage = func() {
		if failed.wrote {
			return
		}
		cmd, _ := findCommand(name)
		fmt.Fprintf(e.stdout, "usage: %s %s %s\n\n%s\n", programName, name, cmd.args, capitalise(cmd.summary)+".")
		if cmd.detail != "" {
			fmt.Fprintf(e.stdout, "\n%s\n", strings.TrimSpace(cmd.detail))
		}
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		sort.Strings(flags)
		fmt.Fprintln(e.stdout, "\nflags:")
		for _, n := range flags {
			f := fs.Lookup(n)
			fmt.Fprintf(e.stdout, "  --%-12s %s\n", f.Name, f.Usage)
		}
	}
	return fs
}

// flagDashes rewrites the flag package's one-dash flag names in its
// errors ("not defined: -x", "for flag -x") the way trawl writes them.
var flagDashes = strings.NewReplacer("not defined: -", "not defined: --", "for flag -", "for flag --")

// wroteFlag records that the flag package wrote an error message.
type wroteFlag struct{ wrote bool }

func (w *wroteFlag) Write(p []byte) (int, error) {
	w.wrote = true
	return len(p), nil
}

// parseFlags parses a command's flags, mapping --help and errors to the
// CLI's conventions.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// Allow flags after positional arguments (trawl note ID --clear), the
	// way people type them.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return flag.ErrHelp // the flag package has printed the usage
			}
			// The flag package names a flag with one dash; trawl's
			// help and README write two.
			return usageError{flagDashes.Replace(err.Error())}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// terminalWidth is f's width in columns if it is a terminal, else 0.
func terminalWidth(f *os.File) int {
	w, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return w
}
