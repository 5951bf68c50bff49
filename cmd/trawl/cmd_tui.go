package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/classify"
	"github.com/trawl-news/trawl/feeds/demo"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/store/export"
	"github.com/trawl-news/trawl/tui"
)

const tuiDetail = `
Keys: j/k or arrows move, enter opens a story, tab switches views, s stars,
n writes a note (ctrl+s saves), x dismisses, u undoes, / searches, r
refreshes in the background, f shows the feeds, o opens the link in the
browser ([ui] browser in config.toml, else $BROWSER, else xdg-open/open),
y copies it (OSC 52), e exports the starred stories, ? shows every key,
q quits from the list and ctrl+c from anywhere. NO_COLOR is respected.`

const demoDetail = `
Starts a loopback server with eight fictional outlets, fetches them into a
temporary cache through the real pipeline, and opens the reader on it; r
refreshes from the same server. No network is needed and nothing is left
behind except what you export.`

func runTUI(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "tui")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if !e.isTerminal {
		return errNoTerminal
	}
	a, err := setup(e, g, true)
	if err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()
	cls, err := a.classifier()
	if err != nil {
		return err
	}
	opts := tuiOptions(a)
	opts.Refresh = func(ctx context.Context, progress func(feeds.Event)) (feeds.Summary, error) {
		// The subscriptions are read at each refresh, so feeds added from
		// another terminal are picked up.
		list, err := a.subscriptions()
		if err != nil {
			return feeds.Summary{}, err
		}
		sum, err := feeds.NewRefresher(a.db, cls, a.refreshOptions(progress)).Refresh(ctx, list.Feeds())
		// Moves are those of feeds whose new state was stored, even
		// when the refresh as a whole stopped early.
		_, merr := followMoves(list.Path(), sum.Moved)
		return sum, errors.Join(err, merr)
	}
	opts.Subscriptions = func() ([]feeds.Subscription, error) {
		list, err := a.subscriptions()
		if err != nil {
			return nil, err
		}
		return list.Feeds(), nil
	}
	return runProgram(e, tui.New(opts))
}

// followMoves rewrites the subscriptions file at path for feeds that moved
// permanently, merging a moved feed into an existing subscription to the
// same URL. It reads the file afresh, so that what was added or edited
// while the refresh ran is kept, and returns the moves it made, for the
// caller to report, and any it could not make.
func followMoves(path string, moved map[string]string) ([]feeds.Move, error) {
	if len(moved) == 0 {
		return nil, nil
	}
	list, err := feeds.LoadSubscriptions(path)
	if err != nil {
		return nil, err
	}
	moves, err := list.ApplyMoves(moved)
	if len(moves) > 0 {
		if serr := list.Save(); serr != nil {
			return nil, serr
		}
	}
	return moves, err
}

var errNoTerminal = errors.New("the reader needs a terminal; for scripts use 'trawl list'")

// tuiOptions is what the real and the demo reader share: the cache, the
// clock, colours decided from the environment, and the browser, clipboard
// and export hooks.
func tuiOptions(a *app) tui.Options {
	e := a.env
	return tui.Options{
		Context:  e.ctx,
		Source:   a.db,
		Now:      e.now,
		Renderer: newRenderer(e, e.stdout),
		CoreTags: classify.CoreTags(),
		Export:   func() (string, error) { return exportForTUI(a) },
		OpenURL:  browserOpener(a.cfg.UI.Browser, e.getenv),
		Copy:     clipboardWriter(e),
	}
}

// runProgram runs the interface on the real terminal. Bubble Tea restores
// the terminal when the program ends, including after a panic in Update,
// View or a command; the caller's deferred Close then closes the cache.
func runProgram(e *env, m *tui.Model) error {
	if !e.isTerminal {
		return errNoTerminal
	}
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(tui.MemoryLimit)
	}
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(e.ctx))
	_, err := p.Run()
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		return fmt.Errorf("reader crashed (your stars and notes are saved as you make them): %w", err)
	case errors.Is(err, tea.ErrProgramKilled):
		return nil // interrupted or terminated: a normal way out
	case err != nil:
		return fmt.Errorf("reader: %w", err)
	}
	return nil
}

// termEnviron lets termenv read the environment through env, so colour
// decisions (NO_COLOR, CLICOLOR, TERM, COLORTERM) follow what the command
// was given.
type termEnviron struct{ getenv func(string) string }

func (t termEnviron) Environ() []string      { return nil }
func (t termEnviron) Getenv(k string) string { return t.getenv(k) }

// newRenderer decides the colours of the interface from the environment:
// none with NO_COLOR or on a terminal without colour. Its questions to the
// terminal (the background colour, for light and dark themes) are asked
// now, before the reader owns the keyboard and would take the answers for
// key presses.
func newRenderer(e *env, w io.Writer) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w, termenv.WithEnvironment(termEnviron{e.getenv}), termenv.WithTTY(e.isTerminal))
	if r.ColorProfile() != termenv.Ascii {
		r.HasDarkBackground()
	}
	return r
}

// browserOpener starts the configured browser, else $BROWSER, else the
// platform's opener, on http(s) links only and never through a shell.
func browserOpener(configured string, getenv func(string) string) func(string) error {
	return func(link string) error {
		web, ok := export.WebURL(link)
		if !ok {
			return fmt.Errorf("refusing to open %q: not an http(s) link", link)
		}
		link = web
		argv, err := browserCommand(configured, getenv, runtime.GOOS, link)
		if err != nil {
			return err
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		// The browser must not draw on or read from the reader's terminal.
		cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", argv[0], err)
		}
		go cmd.Wait() // reap it; a browser that keeps running is fine
		return nil
	}
}

// browserCommand is the argv that opens link. $BROWSER may list several
// commands separated by ':'; the first is used. A command containing %s
// gets the link there, otherwise at the end.
func browserCommand(configured string, getenv func(string) string, goos, link string) ([]string, error) {
	spec := strings.TrimSpace(configured)
	if spec == "" {
		spec, _, _ = strings.Cut(getenv("BROWSER"), ":")
		spec = strings.TrimSpace(spec)
	}
	if spec == "" {
		switch goos {
		case "darwin":
			spec = "open"
		case "windows":
			return nil, errors.New("no browser configured: set [ui] browser in config.toml or $BROWSER")
		default:
			spec = "xdg-open"
		}
	}
	argv := strings.Fields(spec)
	placed := false
	for i, a := range argv {
		if strings.Contains(a, "%s") {
			argv[i] = strings.ReplaceAll(a, "%s", link)
			placed = true
		}
	}
	if !placed {
		argv = append(argv, link)
	}
	return argv, nil
}

// clipboardWriter copies text with an OSC 52 escape sequence, which
// terminals (and ssh sessions) pass to the system clipboard without any
// helper program. It goes to stderr, which is the same terminal as the
// screen but not the stream Bubble Tea draws on. Inside tmux the sequence
// is wrapped for tmux to pass on (needs allow-passthrough or set-clipboard).
func clipboardWriter(e *env) func(string) error {
	if !e.stderrTerminal {
		return nil
	}
	inTmux := e.getenv("TMUX") != ""
	return func(text string) error {
		seq := osc52.New(text)
		if inTmux {
			seq = seq.Tmux()
		}
		if _, err := io.WriteString(e.stderr, seq.String()); err != nil {
			return fmt.Errorf("write to the terminal: %w", err)
		}
		return nil
	}
}

func runDemo(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "demo")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("demo takes no arguments")
	}
	if !e.isTerminal {
		return errNoTerminal
	}
	dir, err := os.MkdirTemp("", "trawl-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	db, srv, err := prepareDemo(e, dir)
	if err != nil {
		return err
	}
	defer srv.Close()
	defer db.Close()
	opts, err := demoOptions(e, db, srv)
	if err != nil {
		return err
	}
	return runProgram(e, tui.New(opts))
}

// demoOptions wires the reader to the demo's cache and loopback server.
func demoOptions(e *env, db *store.DB, srv *demo.Server) (tui.Options, error) {
	a := &app{env: e, db: db}
	cls, err := a.classifier()
	if err != nil {
		return tui.Options{}, err
	}
	opts := tuiOptions(a)
	opts.Title = "trawl demo"
	opts.Refresh = func(ctx context.Context, progress func(feeds.Event)) (feeds.Summary, error) {
		return feeds.NewRefresher(db, cls, a.refreshOptions(progress)).Refresh(ctx, srv.Subscriptions())
	}
	opts.Subscriptions = func() ([]feeds.Subscription, error) { return srv.Subscriptions(), nil }
	return opts, nil
}

// prepareDemo fills a fresh cache in dir from the bundled outlets, served
// on loopback and fetched through the real refresh path.
func prepareDemo(e *env, dir string) (*store.DB, *demo.Server, error) {
	srv, err := demo.Start(e.now())
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(filepath.Join(dir, "demo.db"), store.Options{Now: e.now, NoSync: true})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	a := &app{env: e, db: db}
	cls, err := a.classifier()
	if err != nil {
		db.Close()
		srv.Close()
		return nil, nil, err
	}
	r := feeds.NewRefresher(db, cls, a.refreshOptions(nil))
	sum, err := r.Refresh(e.ctx, srv.Subscriptions())
	if err == nil && sum.Failed > 0 {
		err = fmt.Errorf("demo: %d bundled feeds failed to load", sum.Failed)
	}
	if err != nil {
		db.Close()
		srv.Close()
		return nil, nil, err
	}
	return db, srv, nil
}
