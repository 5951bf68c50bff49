package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// badOutlets serves the CLI fixtures as good feeds plus one path per
// server behaviour trawl fetch must report. It records the User-Agent.
type badOutlets struct {
	*httptest.Server
	mu        sync.Mutex
	userAgent string
}

func newBadOutlets(t *testing.T) *badOutlets {
	t.Helper()
	o := &badOutlets{}
	serve := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"fixture"`)
			if r.Header.Get("If-None-Match") == `"fixture"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(body)
		}
	}
	bomb := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(bytes.Repeat([]byte(" "), 3<<20))
		zw.Close()
		return b.Bytes()
	}()
	mux := http.NewServeMux()
	mux.Handle("/policy.rss.xml", serve(readTestdata(t, "policy.rss.xml")))
	mux.Handle("/gadgets.atom.xml", serve(readTestdata(t, "gadgets.atom.xml")))
	mux.Handle("/old-gadgets", http.RedirectHandler("/gadgets.atom.xml", http.StatusPermanentRedirect))
	// A retired feed sent on to the site's home page.
	mux.Handle("/retired", http.RedirectHandler("/page", http.StatusMovedPermanently))
	mux.Handle("/loop", http.RedirectHandler("/loop", http.StatusFound))
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "retired", http.StatusGone) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat([]byte(" "), 2<<20)) })
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!DOCTYPE html><html><head><title>Home</title></head><body>hi</body></html>"))
	})
	mux.HandleFunc("/malformed", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title></item</channel></rss>`))
	})
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.userAgent = r.Header.Get("User-Agent")
		o.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

// configure writes config.toml with short limits so the bad outlets fail
// fast.
func (c *cli) configure(text string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.home, ".config", "trawl", "config.toml"), []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cli) subsFile() string {
	return filepath.Join(c.home, ".config", "trawl", "feeds.txt")
}

// readSubs returns feeds.txt as it is now.
func (c *cli) readSubs() []byte {
	c.t.Helper()
	raw, err := os.ReadFile(c.subsFile())
	if err != nil {
		c.t.Fatal(err)
	}
	return raw
}

// linesAbout returns the stderr lines that mention s.
func linesAbout(stderr, s string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// TestFetchTellsTheUser runs trawl fetch over good feeds and every kind of
// bad one, and checks what each gets on stderr, the one summary line on
// stdout, the exit status, feeds.txt after a move, and trawl feeds list.
func TestFetchTellsTheUser(t *testing.T) {
	o := newBadOutlets(t)
	c := newCLI(t)
	c.configure("[fetch]\ntimeout = \"500ms\"\nmax_feed_mb = 1\n")
	paths := []string{"/policy.rss.xml", "/old-gadgets", "/gone", "/busy", "/broken", "/slow", "/loop", "/huge", "/bomb", "/page", "/malformed", "/retired"}
	for _, p := range paths {
		c.addFeeds(o.URL + p)
	}
	r := c.run("fetch")
	if r.code != exitFailed {
		t.Errorf("exit %d, want %d", r.code, exitFailed)
	}
	if want := "fetched 2 feeds, 0 not modified, 10 failed, 5 new stories\n"; r.stdout != want {
		t.Errorf("stdout = %q, want only the summary %q", r.stdout, want)
	}
	told := []struct{ path, says string }{
		{"/policy.rss.xml", "ok Policy Desk (" + o.URL + "/policy.rss.xml): 3 stories, 3 new"},
		{"/gone", "HTTP 410 Gone: the feed was removed for good; trawl will stop fetching it (remove it with 'trawl feeds remove " + o.URL + "/gone')"},
		{"/busy", "HTTP 429 Too Many Requests (server asks to wait 2h0m0s) (1 failure in a row, next try at 14:00)"},
		{"/broken", "feed " + o.URL + "/broken: HTTP 500 Internal Server Error"},
		{"/slow", "timed out after 500ms"},
		{"/loop", "too many redirects"},
		{"/huge", "feed is larger than the size limit (1 MiB, after decompression) (raise max_feed_mb in config.toml"},
		{"/bomb", "feed is larger than the size limit (1 MiB, after decompression)"},
		{"/page", "not a feed (RSS, Atom or JSON Feed); is the URL a web page?"},
		{"/malformed", "malformed feed: XML syntax error"},
		// Not a move: the subscription stays where it was.
		{"/retired", "not a feed (RSS, Atom or JSON Feed); is the URL a web page?"},
	}
	for _, tt := range told {
		lines := linesAbout(r.stderr, o.URL+tt.path)
		if len(lines) != 1 || !strings.Contains(lines[0], tt.says) || !strings.HasPrefix(lines[0], "trawl: ") {
			t.Errorf("%s: stderr lines %q, want one saying %q", tt.path, lines, tt.says)
		}
	}
	// The move: reported, feeds.txt rewritten, stories stored.
	moved := linesAbout(r.stderr, "moved permanently")
	if len(moved) != 1 || !strings.Contains(moved[0], o.URL+"/old-gadgets moved permanently to "+o.URL+"/gadgets.atom.xml; updated "+c.subsFile()) {
		t.Errorf("move report: %q", moved)
	}
	subs := c.readSubs()
	if strings.Contains(string(subs), "/old-gadgets") || !strings.Contains(string(subs), o.URL+"/gadgets.atom.xml\n") || !strings.Contains(string(subs), o.URL+"/retired\n") || !strings.HasPrefix(string(subs), "# test subscriptions\n") {
		t.Errorf("feeds.txt after the move:\n%s", subs)
	}
	if got := len(listJSON(t, c)); got != 5 {
		t.Errorf("%d stories stored, want the good feeds' 5", got)
	}
	if ua := o.userAgent; ua != "trawl/"+version+" (+https://github.com/trawl-news/trawl)" {
		t.Errorf("User-Agent = %q", ua)
	}

	// feeds list shows each feed's state.
	list := c.run("feeds", "list")
	if list.code != 0 {
		t.Fatalf("feeds list: %d %q", list.code, list.stderr)
	}
	rows := map[string][]string{
		"/policy.rss.xml":   {"Policy Desk", "ok", "now", "3", "next fetch"},
		"/gadgets.atom.xml": {"Gadget Bench", "ok", "2", "next fetch"},
		"/gone":             {"gone (410)", "never", "HTTP 410 Gone"},
		"/busy":             {"failing (1)", "at 14:00", "HTTP 429"},
		"/broken":           {"failing (1)", "next fetch", "HTTP 500"},
	}
	for p, want := range rows {
		line := linesAbout(list.stdout, o.URL+p+" ")
		if len(line) != 1 {
			t.Errorf("feeds list has %d rows for %s:\n%s", len(line), p, list.stdout)
			continue
		}
		for _, w := range want {
			if !strings.Contains(line[0], w) {
				t.Errorf("feeds list row for %s lacks %q: %q", p, w, line[0])
			}
		}
	}

	// Ten minutes later: 304s for the good feeds, the gone and the
	// rate-limited feed skipped with the reason and the next try.
	c.now = c.now.Add(10 * time.Minute)
	r = c.run("fetch")
	if want := "fetched 0 feeds, 2 not modified, 8 failed, 2 skipped, 0 new stories\n"; r.stdout != want {
		t.Errorf("second fetch: stdout %q, want %q", r.stdout, want)
	}
	for _, tt := range []struct{ path, says string }{
		{"/policy.rss.xml", "not modified Policy Desk"},
		{"/gone", "skipped " + o.URL + "/gone: gone: the server said the feed was removed (HTTP 410), so trawl no longer fetches it; remove it with"},
		{"/busy", "skipped " + o.URL + "/busy: backing off after 1 failure: HTTP 429 Too Many Requests (server asks to wait 2h0m0s); next try at 14:00 (or now with --force)"},
		{"/broken", "HTTP 500 Internal Server Error (2 failures in a row, next try at 12:25)"},
		{"/huge", "(2 failures in a row, next try at 12:25; raise max_feed_mb in config.toml if it is a feed you trust)"},
	} {
		lines := linesAbout(r.stderr, o.URL+tt.path)
		if len(lines) != 1 || !strings.Contains(lines[0], tt.says) {
			t.Errorf("second fetch, %s: %q, want one line saying %q", tt.path, lines, tt.says)
		}
	}
}

// TestFetchProgressOnTerminal: on a terminal the per-feed lines give way
// to a progress bar on stderr, cleared at the end; failures still get a
// line and the summary is still printed.
func TestFetchProgressOnTerminal(t *testing.T) {
	o := newBadOutlets(t)
	c := newCLI(t)
	c.addFeeds(o.URL+"/policy.rss.xml", o.URL+"/gadgets.atom.xml", o.URL+"/broken")
	r := c.runEnv(func(e *env) { e.stderrTerminal = true }, "fetch")
	if r.code != exitFailed {
		t.Errorf("exit %d", r.code)
	}
	stderr := r.stderr
	if !strings.Contains(stderr, "\r\x1b[2K") || !strings.Contains(stderr, "3/3") || !strings.Contains(stderr, "█") {
		t.Errorf("no progress bar on the terminal: %q", stderr)
	}
	if strings.Contains(stderr, "ok Policy Desk") {
		t.Errorf("per-feed success lines on a terminal: %q", stderr)
	}
	if len(linesAbout(stderr, "HTTP 500")) != 1 {
		t.Errorf("failure line missing on a terminal: %q", stderr)
	}
	if !strings.HasSuffix(stderr, "\r\x1b[2K") {
		t.Errorf("progress bar not cleared at the end: %q", stderr)
	}
	if want := "fetched 2 feeds, 0 not modified, 1 failed, 5 new stories\n"; r.stdout != want {
		t.Errorf("stdout = %q", r.stdout)
	}
}

// The progress bar fits the terminal whatever its width and the feeds'
// names (wide characters take two columns): a line that wraps cannot be
// redrawn in place.
func TestFetchProgressFitsTheTerminal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>日本語のニュースサイトの長い名前とその説明</title><item><title>a</title><link>https://x.example/a</link></item></channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	for _, width := range []int{12, 20, 40, 80, 0} {
		c := newCLI(t)
		c.addFeeds(srv.URL+"/f0", srv.URL+"/f1", srv.URL+"/f2")
		r := c.runEnv(func(e *env) { e.stderrTerminal, e.stderrWidth = true, width }, "fetch")
		if r.code != exitOK {
			t.Fatalf("width %d: exit %d, %q", width, r.code, r.stderr)
		}
		limit := width - 1
		if width == 0 {
			limit = 79
		}
		draws := strings.Split(r.stderr, "\r\x1b[2K")
		if len(draws) < 3 || !strings.Contains(r.stderr, "3/3") {
			t.Errorf("width %d: no progress drawn: %q", width, r.stderr)
		}
		for _, d := range draws {
			if strings.Contains(d, "\n") {
				continue // a message line, printed once; only the bar is redrawn
			}
			if w := ansi.StringWidth(d); w > limit {
				t.Errorf("width %d: a %d-column bar: %q", width, w, d)
			}
		}
	}
}

func TestFeedsImportExport(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	opml := filepath.Join(dir, "subs.opml")
	if err := os.WriteFile(opml, []byte(`<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="AI News"><outline type="rss" text="Model `+"\u009b2J\u202e"+` Watch" xmlUrl="https://modelwatch.example/rss"/></outline>
<outline type="rss" text="Desk" xmlUrl="https://desk.example/feed"/>
<outline type="rss" text="Old" xmlUrl="file:///etc/passwd"/>
</body></opml>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := c.run("feeds", "add", "https://desk.example/feed", "My Desk"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := c.run("feeds", "import", opml)
	if r.code != 0 {
		t.Fatalf("import: exit %d, %q", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "imported 1 feed from "+opml+" (1 already subscribed, 1 not usable)") {
		t.Errorf("import said %q", r.stdout)
	}
	if lines := linesAbout(r.stderr, "file:///etc/passwd"); len(lines) != 1 || !strings.Contains(lines[0], "not an http(s) feed URL") {
		t.Errorf("unusable outline: %q", r.stderr)
	}
	subs := c.readSubs()
	// The feed's title arrived with a CSI screen clear and a bidi
	// override, both gone before the title reaches the file.
	want := "# test subscriptions\nhttps://desk.example/feed \"My Desk\"\nhttps://modelwatch.example/rss \"Model Watch\" +ai-news\n"
	if string(subs) != want {
		t.Errorf("feeds.txt after import:\n%q\nwant\n%q", subs, want)
	}
	// Importing again adds nothing and leaves the file alone.
	if r := c.run("feeds", "import", opml); r.code != 0 || !strings.HasPrefix(r.stdout, "imported 0 feeds") {
		t.Errorf("second import: %d %q %q", r.code, r.stdout, r.stderr)
	}

	exp := c.run("feeds", "export")
	if exp.code != 0 || exp.stderr != "" {
		t.Fatalf("export: %d %q", exp.code, exp.stderr)
	}
	for _, s := range []string{`<opml version="2.0">`, `xmlUrl="https://desk.example/feed"`, `text="My Desk"`, `<outline text="ai-news" title="ai-news">`, `category="/ai-news"`} {
		if !strings.Contains(exp.stdout, s) {
			t.Errorf("export lacks %s:\n%s", s, exp.stdout)
		}
	}
	// What trawl exports, a fresh trawl imports in full.
	c2 := newCLI(t)
	round := filepath.Join(dir, "round.opml")
	if err := os.WriteFile(round, []byte(exp.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := c2.run("feeds", "import", round); r.code != 0 || !strings.HasPrefix(r.stdout, "imported 2 feeds") {
		t.Errorf("re-import: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestFeedsImportRejectsBadFiles(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	tests := []struct{ name, text, says string }{
		{"page.html", "<!DOCTYPE html><html><body>hi</body></html>", "not an OPML file: its root element is <html>"},
		{"cut.opml", `<?xml version="1.0"?><opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/`, "not an OPML file: XML syntax error"},
		{"empty.opml", `<opml version="2.0"><head/><body/></opml>`, "lists no feeds"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		r := c.run("feeds", "import", path)
		if r.code != exitFailed || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, tt.says) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("import %s: exit %d, stderr %q; want one line naming the file and saying %q", tt.name, r.code, r.stderr, tt.says)
		}
	}
	if r := c.run("feeds", "import", filepath.Join(dir, "missing.opml")); r.code != exitFailed || !strings.Contains(r.stderr, "missing.opml") {
		t.Errorf("missing file: %d %q", r.code, r.stderr)
	}
	subs := c.readSubs()
	if string(subs) != "# test subscriptions\n" {
		t.Errorf("a failed import changed feeds.txt:\n%s", subs)
	}
}

// followMoves reads the subscriptions afresh: a feed added from another
// terminal while the refresh ran survives the rewrite for a moved one,
// and a move it cannot write down leaves the others made.
func TestFollowMovesKeepsEditsMadeDuringTheRefresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feeds.txt")
	if err := os.WriteFile(path, []byte("https://a.example/rss # mine\nhttps://c.example/rss\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The refresh read the file above; then 'trawl feeds add' ran.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("https://b.example/rss\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	moves, err := followMoves(path, map[string]string{
		"https://a.example/rss": "https://a.example/feed",
		"https://c.example/rss": "https://c.example/?q=\"x\"",
	})
	if err == nil || !strings.Contains(err.Error(), "https://c.example/rss") {
		t.Errorf("a move that cannot be written down: error %v", err)
	}
	if len(moves) != 1 || moves[0].To != "https://a.example/feed" {
		t.Errorf("moves = %+v", moves)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://a.example/feed # mine\nhttps://c.example/rss\nhttps://b.example/rss\n"; string(raw) != want {
		t.Errorf("feeds.txt after the moves:\n%q\nwant\n%q", raw, want)
	}
}

// Ctrl-C during a fetch: no line per feed in flight, a summary that counts
// them as cancelled rather than failed, "interrupted", and exit status 1
// (the operation did not finish).
func TestFetchInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	arrived := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		if arrived == 3 {
			cancel() // all three are in flight: the user presses Ctrl-C
		}
		mu.Unlock()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	c := newCLI(t)
	c.addFeeds(srv.URL+"/hang/0", srv.URL+"/hang/1", srv.URL+"/hang/2")
	r := c.runEnv(func(e *env) { e.ctx = ctx }, "fetch")
	if r.code != exitFailed {
		t.Errorf("exit %d, want %d", r.code, exitFailed)
	}
	if want := "fetched 0 feeds, 0 not modified, 0 failed, 3 cancelled, 0 new stories\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	// The first fetch also says where it created the cache.
	if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); lines[len(lines)-1] != "trawl: interrupted" || len(linesAbout(r.stderr, srv.URL)) != 0 {
		t.Errorf("stderr %q, want no line per feed and to end with \"trawl: interrupted\"", r.stderr)
	}
}

// addFeeds subscribes to each URL with 'trawl feeds add'.
func (c *cli) addFeeds(urls ...string) {
	c.t.Helper()
	for _, u := range urls {
		if r := c.run("feeds", "add", u); r.code != 0 {
			c.t.Fatalf("feeds add %s: %q", u, r.stderr)
		}
	}
}

// An error that quotes what it was given (an argument, a file name) is
// cleaned for the terminal like any other text.
func TestErrorsAreCleaned(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"feeds", "remove", "https://x.example/\x1b]0;PWNED\x07\x1b[2J"}, "not subscribed"},
		{[]string{"feeds", "import", "/x/\x1b[31mred\u202e.opml"}, "no such file"},
	} {
		r := c.run(tc.args...)
		if r.code != exitFailed || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%q: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
		assertClean(t, fmt.Sprintf("the error for %q", tc.args), r.stderr)
	}
}

// 'feeds import -' reads the OPML from standard input.
func TestFeedsImportFromStdin(t *testing.T) {
	c := newCLI(t)
	r := c.runWithInput(`<opml version="2.0"><body><outline type="rss" text="https://a.example/rss" xmlUrl="https://a.example/rss"/></body></opml>`, "feeds", "import", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "imported 1 feed from standard input") {
		t.Fatalf("exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	subs := c.readSubs()
	// The URL given as the outline's text is not taken for a title.
	if !strings.HasSuffix(string(subs), "\nhttps://a.example/rss\n") {
		t.Errorf("feeds.txt:\n%s", subs)
	}
}

// A feed removed after it was gone, and added again when it came back, is
// fetched: adding it is the user's decision to try it anew.
func TestReaddedFeedStartsAfresh(t *testing.T) {
	var back atomic.Bool
	body := readTestdata(t, "policy.rss.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !back.Load() {
			http.Error(w, "retired", http.StatusGone)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c := newCLI(t)
	url := srv.URL + "/policy"
	c.addFeeds(url)
	if r := c.run("fetch"); r.code != exitFailed || len(linesAbout(r.stderr, "HTTP 410")) != 1 {
		t.Fatalf("first fetch: %d %q", r.code, r.stderr)
	}
	if r := c.run("feeds", "remove", url); r.code != 0 {
		t.Fatal(r.stderr)
	}
	back.Store(true)
	c.addFeeds(url)
	r := c.run("fetch")
	if r.code != 0 || r.stdout != "fetched 1 feed, 0 not modified, 0 failed, 3 new stories\n" {
		t.Errorf("fetch after adding it again: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// readTestdata returns a file of testdata.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
