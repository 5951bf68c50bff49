package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// fixedNow is the clock of the CLI tests: the fixture feeds are dated just
// before it.
var fixedNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// cli runs the real trawl command code against a private home directory.
type cli struct {
	t    *testing.T
	home string
	now  time.Time
	vars map[string]string // environment besides HOME
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	home := t.TempDir()
	c := &cli{t: t, home: home, now: fixedNow}
	// Start with an empty subscriptions file so tests never reach for the
	// real outlets of the default list.
	subs := filepath.Join(home, ".config", "trawl", "feeds.txt")
	if err := os.MkdirAll(filepath.Dir(subs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(subs, []byte("# test subscriptions\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(subs), "config.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

type result struct {
	stdout, stderr string
	code           int
}

func (c *cli) run(args ...string) result {
	return c.runWithInput("", args...)
}

func (c *cli) runWithInput(stdin string, args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(c.env(strings.NewReader(stdin), &out, &errOut), args)
	return result{out.String(), errOut.String(), code}
}

// runOnTerminal runs a command as if stdout were a terminal, as the
// reader needs before it opens the cache.
func (c *cli) runOnTerminal(args ...string) result {
	c.t.Helper()
	return c.runEnv(func(e *env) { e.isTerminal = true }, args...)
}

// runEnv runs a command in an environment set changes: a terminal, its
// width, a context to cancel.
func (c *cli) runEnv(set func(*env), args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	e := c.env(strings.NewReader(""), &out, &errOut)
	set(e)
	code := run(e, args)
	return result{out.String(), errOut.String(), code}
}

// env is the outside world of one command: the private home, the clock,
// and any variables set in c.vars.
func (c *cli) env(stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: func(k string) string {
			if v, ok := c.vars[k]; ok {
				return v
			}
			if k == "HOME" {
				return c.home
			}
			return ""
		},
		now: func() time.Time { return c.now },
		ctx: context.Background(),
	}
}

// serveFixtures serves testdata files by name and counts requests.
func serveFixtures(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(r.URL.Path)
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchAndListEndToEnd(t *testing.T) {
	srv := serveFixtures(t)
	c := newCLI(t)
	c.addFeeds(srv.URL+"/policy.rss.xml", srv.URL+"/gadgets.atom.xml")
	r := c.run("fetch")
	if r.code != 0 {
		t.Fatalf("fetch: exit %d, stderr %q", r.code, r.stderr)
	}
	if want := "fetched 2 feeds, 0 not modified, 0 failed, 5 new stories\n"; r.stdout != want {
		t.Errorf("fetch summary = %q, want %q", r.stdout, want)
	}

	stories := listJSON(t, c)
	wantTags := map[string][]string{
		"Authors sue a startup for training its AI on pirated books":                    {"training-data"},
		"Forum platform will charge developers for API access starting in January":      {"api-pricing"},
		"City council approves new bike lanes downtown":                                 {},
		"Hands-on with a folding phone that finally feels finished":                     {},
		"Photo site blocks AI crawlers after finding its archive in a training dataset": {"training-data"},
	}
	if len(stories) != len(wantTags) {
		t.Fatalf("list shows %d stories, want %d: %+v", len(stories), len(wantTags), stories)
	}
	for i, s := range stories {
		want, ok := wantTags[s.Title]
		if !ok {
			t.Errorf("unexpected story %q", s.Title)
			continue
		}
		if strings.Join(s.Tags, ",") != strings.Join(want, ",") {
			t.Errorf("story %q tags = %v, want %v", s.Title, s.Tags, want)
		}
		if i > 0 && s.Published.After(stories[i-1].Published) {
			t.Errorf("list not newest first: %q (%s) after %q (%s)", s.Title, s.Published, stories[i-1].Title, stories[i-1].Published)
		}
	}
	if got := stories[0].Link; got != "https://gadgetbench.example/2026/folding-phone" {
		t.Errorf("relative Atom link resolved to %q", got)
	}

	// The table output names the tags too.
	table := c.run("list")
	if !strings.Contains(table.stdout, "[api-pricing]") || !strings.Contains(table.stdout, "Forum platform will charge") {
		t.Errorf("list table lacks the api-pricing story with its tag:\n%s", table.stdout)
	}

	// A second fetch of the same feeds adds nothing.
	r = c.run("fetch")
	if r.code != 0 {
		t.Fatalf("second fetch: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.HasSuffix(r.stdout, " 0 new stories\n") {
		t.Errorf("second fetch summary = %q, want 0 new stories", r.stdout)
	}
	if again := listJSON(t, c); len(again) != len(stories) {
		t.Errorf("after a second fetch list shows %d stories, want %d", len(again), len(stories))
	}
}

func TestFetchReportsUnreachableFeedAndKeepsOthers(t *testing.T) {
	srv := serveFixtures(t)
	// A port that was just free: connecting to it is refused.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/feed.xml"
	dead.Close()

	c := newCLI(t)
	c.addFeeds(srv.URL+"/policy.rss.xml", deadURL)
	r := c.run("fetch")
	if r.code != exitFailed {
		t.Errorf("fetch with a dead feed: exit %d, want %d", r.code, exitFailed)
	}
	about := linesAbout(r.stderr, "feed")
	if len(about) != 1 || !strings.Contains(about[0], deadURL) || !strings.Contains(about[0], "cannot connect") || !strings.Contains(about[0], "refused") {
		t.Errorf("stderr should have one line naming %s and the reason, got %q", deadURL, r.stderr)
	}
	if want := "fetched 1 feed, 0 not modified, 1 failed, 3 new stories\n"; r.stdout != want {
		t.Errorf("summary = %q, want %q", r.stdout, want)
	}
	if got := len(listJSON(t, c)); got != 3 {
		t.Errorf("the good feed's stories: %d stored, want 3", got)
	}
}

func TestFeedsAddRefusesNonHTTP(t *testing.T) {
	c := newCLI(t)
	for _, u := range []string{"ftp://example.com/feed.xml", "file:///etc/passwd", "javascript:alert(1)", "example.com/feed"} {
		r := c.run("feeds", "add", u)
		if r.code != exitFailed {
			t.Errorf("feeds add %s: exit %d, want %d", u, r.code, exitFailed)
		}
		if !strings.Contains(r.stderr, "not an http(s) feed URL") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("feeds add %s: stderr %q, want one line saying it is not an http(s) URL", u, r.stderr)
		}
	}
	subs, err := os.ReadFile(filepath.Join(c.home, ".config", "trawl", "feeds.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(subs), "example.com") || strings.Contains(string(subs), "passwd") {
		t.Errorf("a refused URL reached the subscriptions file:\n%s", subs)
	}
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"list", "--no-such-flag"}, exitUsage},
		{[]string{"--no-such-global"}, exitUsage},
		{[]string{"list", "--limit", "-3"}, exitUsage},
		{[]string{"feeds"}, exitUsage},
		{[]string{"feeds", "add"}, exitUsage},
		{[]string{"prune"}, exitUsage},
	}
	for _, tt := range tests {
		r := c.run(tt.args...)
		if r.code != tt.code {
			t.Errorf("trawl %s: exit %d, want %d (stderr %q)", strings.Join(tt.args, " "), r.code, tt.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "usage") {
			t.Errorf("trawl %s: stderr lacks usage: %q", strings.Join(tt.args, " "), r.stderr)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	c := newCLI(t)
	for _, cmd := range commands() {
		if cmd.run == nil {
			continue
		}
		r := c.run(cmd.name, "--help")
		if r.code != 0 {
			t.Errorf("trawl %s --help: exit %d, stderr %q", cmd.name, r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stdout, "usage: trawl "+cmd.name) {
			t.Errorf("trawl %s --help printed %q", cmd.name, r.stdout)
		}
	}
	if r := c.run("--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "trawl ") {
		t.Errorf("trawl --version: exit %d, %q", r.code, r.stdout)
	}
}

func listJSON(t *testing.T, c *cli) []listedStory {
	t.Helper()
	r := c.run("list", "--json", "--limit", "0")
	if r.code != 0 {
		t.Fatalf("list --json: exit %d, stderr %q", r.code, r.stderr)
	}
	var out []listedStory
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("list --json output is not JSON: %v\n%s", err, r.stdout)
	}
	return out
}

func TestFirstRunCreatesFilesAndSaysWhere(t *testing.T) {
	c := &cli{t: t, home: t.TempDir(), now: fixedNow}
	r := c.run("feeds", "list")
	if r.code != 0 {
		t.Fatalf("feeds list on a fresh home: exit %d, stderr %q", r.code, r.stderr)
	}
	cfgDir := filepath.Join(c.home, ".config", "trawl")
	for _, f := range []string{"config.toml", "feeds.txt"} {
		path := filepath.Join(cfgDir, f)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("first run did not create %s: %v", path, err)
		}
		if !strings.Contains(r.stderr, path) {
			t.Errorf("first run did not say it created %s: %q", path, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "The Verge") || !strings.Contains(r.stdout, "404 Media") {
		t.Errorf("feeds list on first run should show the default outlets:\n%s", r.stdout)
	}
	// The second run is quiet.
	if r := c.run("feeds", "list"); strings.Contains(r.stderr, "created") {
		t.Errorf("second run still creating files: %q", r.stderr)
	}
}

func TestPathOverrides(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "elsewhere.db")
	if r := c.run("--db", db, "list"); r.code != 0 {
		t.Fatalf("list --db: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("--db %s was not used: %v", db, err)
	}
	cfg := filepath.Join(dir, "conf", "config.toml")
	if r := c.run("--config", cfg, "feeds", "add", "https://example.org/feed.xml"); r.code != 0 {
		t.Fatalf("feeds add --config: exit %d, %q", r.code, r.stderr)
	}
	subs, err := os.ReadFile(filepath.Join(dir, "conf", "feeds.txt"))
	if err != nil || !strings.Contains(string(subs), "https://example.org/feed.xml") {
		t.Errorf("--config did not move the subscriptions beside it: %v %q", err, subs)
	}
}

// assertClean fails the test for every character in s that must never
// reach a terminal or an export: C0 controls other than newline and tab,
// DEL, C1 controls, ESC, bidi controls and invalid UTF-8. Written apart
// from the sanitiser on purpose, so that the sanitiser is checked rather
// than trusted.
func assertClean(t *testing.T, where, s string) {
	t.Helper()
	if bad := unsafeChars(s, 3); len(bad) > 0 {
		t.Errorf("%s carries %s", where, strings.Join(bad, "; "))
	}
}

// unsafeChars describes up to limit of the unsafe characters in s, each with
// some context.
func unsafeChars(s string, limit int) []string {
	var bad []string
	for i := 0; i < len(s) && len(bad) < limit; {
		r, n := utf8.DecodeRuneInString(s[i:])
		what := ""
		switch {
		case r == utf8.RuneError && n == 1:
			what = fmt.Sprintf("invalid UTF-8 (byte %#x)", s[i])
		case r == '\n' || r == '\t':
		case r == 0x1b:
			what = "ESC"
		case r < 0x20 || r == 0x7f:
			what = fmt.Sprintf("control %U", r)
		case r >= 0x80 && r <= 0x9f:
			what = fmt.Sprintf("C1 control %U", r)
		case r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			what = fmt.Sprintf("bidi control %U", r)
		case r == 0xad || r == 0x200b || r >= 0x2060 && r <= 0x2064 || r >= 0xe0000 && r <= 0xe007f:
			what = fmt.Sprintf("invisible %U", r)
		}
		if what != "" {
			from, to := max(i-20, 0), min(len(s), i+n+20)
			bad = append(bad, fmt.Sprintf("%s at byte %d in %q", what, i, s[from:to]))
		}
		i += n
	}
	return bad
}

// A bad flag gets its one-line error and the usage line on stderr, not the
// command's whole help ahead of them.
func TestBadFlagIsShort(t *testing.T) {
	c := newCLI(t)
	r := c.run("list", "--no-such-flag")
	want := "trawl list: flag provided but not defined: --no-such-flag\nusage: trawl list "
	if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 2 {
		t.Errorf("exit %d, stdout %q, stderr %q; want only %q...", r.code, r.stdout, r.stderr, want)
	}
}

func (c *cli) showJSON(id string) listedStory {
	c.t.Helper()
	r := c.run("show", "--json", id)
	if r.code != 0 {
		c.t.Fatalf("show %s: exit %d, %q", id, r.code, r.stderr)
	}
	var s listedStory
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		c.t.Fatalf("show --json: %v", err)
	}
	return s
}

// quickRaceExit is the GORACE setting for a child process. Built with
// -race, a process that exits with status 0 first sleeps for
// atexit_sleep_ms, 1 s by default; the suites start dozens of children
// that succeed. The parent's own GORACE settings come after and win.
func quickRaceExit() string {
	return "GORACE=" + strings.TrimSpace("atexit_sleep_ms=0 "+os.Getenv("GORACE"))
}

// assertLockedOut runs each command (through run) while another process
// holds the cache, and checks that each fails with want on stderr. Each
// waits out the lock timeout, so they run all at once and the group waits
// about once; parallel subtests would run only GOMAXPROCS at a time.
func (c *cli) assertLockedOut(run func(args ...string) result, want string, commands ...[]string) {
	c.t.Helper()
	var wg sync.WaitGroup
	for _, args := range commands {
		wg.Go(func() {
			start := time.Now()
			r := run(args...)
			if r.code != exitFailed || r.stderr != want {
				c.t.Errorf("trawl %s while another process holds the cache: exit %d, stderr %q; want exit 1 and %q",
					strings.Join(args, " "), r.code, r.stderr, want)
			}
			// Only a guard against hanging, not a timing requirement.
			if waited := time.Since(start); waited > 30*time.Second {
				c.t.Errorf("trawl %s waited %s for the lock", strings.Join(args, " "), waited)
			}
		})
	}
	wg.Wait()
}
