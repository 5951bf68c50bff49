package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/tui"
)

// demoEnv is a command environment for the demo: fixed clock, no
// terminal, HOME in a temporary directory.
func demoEnv(t *testing.T, vars map[string]string) *env {
	home := t.TempDir()
	return &env{stdout: io.Discard, stderr: io.Discard, ctx: context.Background(),
		now: func() time.Time { return fixedNow },
		getenv: func(k string) string {
			if k == "HOME" {
				return home
			}
			return vars[k]
		}}
}

// startDemo fills the demo cache and runs the demo's reader at 80×24.
func startDemo(t *testing.T) *teatest.TestModel {
	lipgloss.SetColorProfile(termenv.Ascii)
	e := demoEnv(t, nil)
	db, srv, err := prepareDemo(e, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); db.Close() })
	counts, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if counts.All < 60 || counts.Tags["training-data"] == 0 || counts.Tags["api-pricing"] == 0 {
		t.Fatalf("demo cache: %d stories, tags %v; want 60+ with both core tags", counts.All, counts.Tags)
	}
	opts, err := demoOptions(e, db, srv)
	if err != nil {
		t.Fatal(err)
	}
	return teatest.NewTestModel(t, tui.New(opts), teatest.WithInitialTermSize(80, 24))
}

// waitOutput waits until the program has drawn every one of texts. The
// output read while waiting is gone for the next wait, so texts that may
// arrive together are waited for together.
func waitOutput(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, text := range texts {
			if !bytes.Contains(b, []byte(text)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(45*time.Second))
}

func TestDemoFirstScreen(t *testing.T) {
	tm := startDemo(t)
	// The counts come before the first page of the list: wait for both.
	waitOutput(t, tm, "[All 78]", "Leaked specs point to an AMD handheld")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(45*time.Second))
	final := tm.FinalModel(t).(*tui.Model)
	golden.RequireEqual(t, []byte(final.View()))
}

// TestDemoRefresh presses r in the demo: the refresh runs against the
// demo's loopback server, and every bundled feed answers (unchanged, since
// the first fetch just read them).
func TestDemoRefresh(t *testing.T) {
	tm := startDemo(t)
	waitOutput(t, tm, "[All 78]")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	waitOutput(t, tm, "unchanged")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(45*time.Second))
	view := tm.FinalModel(t).(*tui.Model).View()
	if !strings.Contains(view, "refreshed 9 feeds: 0 new, 9 unchanged") {
		t.Errorf("status after refresh:\n%s", view)
	}
}

// TestColoursFollowEnvironment checks that NO_COLOR (and only NO_COLOR)
// takes the colour out of a colour terminal.
func TestColoursFollowEnvironment(t *testing.T) {
	colour := map[string]string{"TERM": "xterm-256color", "COLORTERM": "truecolor"}
	noColour := map[string]string{"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}
	for _, tc := range []struct {
		name    string
		vars    map[string]string
		profile termenv.Profile
	}{
		{"colour terminal", colour, termenv.TrueColor},
		{"NO_COLOR", noColour, termenv.Ascii},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := demoEnv(t, tc.vars)
			e.isTerminal = true
			r := newRenderer(e, io.Discard)
			if got := r.ColorProfile(); got != tc.profile {
				t.Fatalf("profile = %v, want %v", got, tc.profile)
			}
			// The demo's first screen, drawn as the reader would draw it.
			db, srv, err := prepareDemo(e, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { srv.Close(); db.Close() }()
			opts, err := demoOptions(e, db, srv)
			if err != nil {
				t.Fatal(err)
			}
			tm := teatest.NewTestModel(t, tui.New(opts), teatest.WithInitialTermSize(80, 24))
			waitOutput(t, tm, "78]")
			tm.Quit()
			view := tm.FinalModel(t, teatest.WithFinalTimeout(45*time.Second)).View()
			if hasColour := strings.Contains(view, "\x1b["); hasColour != (tc.profile != termenv.Ascii) {
				t.Errorf("profile %v, frame with escape sequences: %v\n%q", tc.profile, hasColour, view)
			}
		})
	}
}

func TestBrowserCommand(t *testing.T) {
	const link = "https://example.com/a?b=c"
	for _, tc := range []struct {
		name, configured, browserEnv, goos string
		want                               []string
	}{
		{"config wins", "firefox --new-tab", "chromium", "linux", []string{"firefox", "--new-tab", link}},
		{"$BROWSER", "", "chromium", "linux", []string{"chromium", link}},
		{"$BROWSER list takes the first", "", "w3m:lynx", "linux", []string{"w3m", link}},
		{"%s placeholder", "", "open -a Safari %s --bg", "darwin", []string{"open", "-a", "Safari", link, "--bg"}},
		{"linux default", "", "", "linux", []string{"xdg-open", link}},
		{"mac default", "", "", "darwin", []string{"open", link}},
		// A link is one argument whatever it holds: no shell ever sees it.
		{"no shell", "", "sh", "linux", []string{"sh", link}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := browserCommand(tc.configured, func(string) string { return tc.browserEnv }, tc.goos, link)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("argv = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := browserCommand("", func(string) string { return "" }, "windows", link); err == nil {
		t.Error("windows without a browser configured: no error")
	}
	open := browserOpener("true", func(string) string { return "" })
	for _, bad := range []string{"file:///etc/passwd", "javascript:alert(1)", "-x"} {
		if err := open(bad); err == nil {
			t.Errorf("opened %q", bad)
		}
	}
	if err := open(link); err != nil {
		t.Errorf("open %s with true(1): %v", link, err)
	}
}

func TestClipboardOSC52(t *testing.T) {
	var buf bytes.Buffer
	e := demoEnv(t, nil)
	e.stderr, e.stderrTerminal = &buf, true
	if err := clipboardWriter(e)("https://example.com/x"); err != nil {
		t.Fatal(err)
	}
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("https://example.com/x")) + "\a"
	if buf.String() != want {
		t.Errorf("wrote %q, want %q", buf.String(), want)
	}
	e.stderrTerminal = false
	if clipboardWriter(e) != nil {
		t.Error("a clipboard writer for a stderr that is not a terminal")
	}
}
