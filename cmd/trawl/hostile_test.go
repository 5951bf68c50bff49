//go:build linux

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui"
	"github.com/trawl-news/trawl/tui/reader"
)

// hostileFetchTimeout is the per-feed timeout the hostile suite sets in
// config.toml, so servers that never finish cost seconds, not minutes.
const hostileFetchTimeout = 3 * time.Second

// Sizes of the hostile bodies.
const (
	bulkItems   = 10000    // entries in the bulk feed; trawl keeps max_items (1000)
	hugeBytes   = 60 << 20 // the 60 MB feed; trawl's default cap is 16 MiB
	bombMembers = 1024     // gzip members of 1 MiB each: 1 GiB decompressed
)

// hostileOutlets serves good feeds, feeds whose content is hostile, and
// servers that misbehave, each on its own path.
type hostileOutlets struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int // by path
	sent     map[string]int64
}

func (o *hostileOutlets) count(path string, sent int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests[path]++
	o.sent[path] += sent
}

func newHostileOutlets(t *testing.T) *hostileOutlets {
	t.Helper()
	o := &hostileOutlets{requests: map[string]int{}, sent: map[string]int64{}}
	// quit ends the handlers that would otherwise never return, so the
	// server can close at the end of the test.
	quit := make(chan struct{})
	file := func(dir, name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	serve := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n, _ := w.Write(body)
			o.count(r.URL.Path, int64(n))
		}
	}
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-quit:
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/good/policy.rss.xml", serve(file("testdata", "policy.rss.xml")))
	mux.Handle("/good/gadgets.atom.xml", serve(file("testdata", "gadgets.atom.xml")))
	for _, name := range []string{"escapes.rss.xml", "hostile.atom.xml", "hostile.json", "malformed.xml", "page.html", "billion-laughs.xml", "external-entity.xml"} {
		mux.Handle("/hostile/"+name, serve(file(filepath.Join("testdata", "hostile"), name)))
	}
	mux.Handle("/bulk.rss.xml", serve(bulkFeed()))
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { o.count(r.URL.Path, 0) })
	bomb := gzipBomb(t)
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		n, _ := w.Write(bomb)
		o.count(r.URL.Path, int64(n))
	})
	huge := func(withLength bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if withLength {
				w.Header().Set("Content-Length", fmt.Sprint(hugeBytes))
			}
			n := writeHugeFeed(w, hugeBytes)
			o.count(r.URL.Path, n)
		}
	}
	mux.HandleFunc("/huge", huge(false))
	mux.HandleFunc("/huge-length", huge(true))
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) {
		o.count(r.URL.Path, 0)
		wait(r) // never a status line
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		n, _ := fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Stalled</title><item><title>half`)
		w.(http.Flusher).Flush()
		o.count(r.URL.Path, int64(n))
		wait(r) // and the rest never comes
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		o.count(r.URL.Path, 0)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Drip`)
		for {
			select {
			case <-r.Context().Done():
				return
			case <-quit:
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	// Half a response, then the connection ends: closed, or reset.
	cut := func(reset bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			o.count(r.URL.Path, 0)
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>")
			buf.Flush()
			if reset {
				conn.(*net.TCPConn).SetLinger(0)
			}
			conn.Close()
		}
	}
	mux.HandleFunc("/hangup", func(w http.ResponseWriter, r *http.Request) {
		o.count(r.URL.Path, 0)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close() // not a byte of an answer
		}
	})
	mux.HandleFunc("/cut", cut(false))
	mux.HandleFunc("/reset", cut(true))
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		o.count(r.URL.Path, 0)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		o.count(r.URL.Path, 0)
		http.Redirect(w, r, "file:///etc/passwd", http.StatusMovedPermanently)
	})
	status := func(code int, header ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			o.count(r.URL.Path, 0)
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			http.Error(w, "\x1b]0;status page\x07"+http.StatusText(code), code)
		}
	}
	mux.HandleFunc("/gone", status(http.StatusGone))
	mux.HandleFunc("/busy", status(http.StatusTooManyRequests, "Retry-After", "3600"))
	mux.HandleFunc("/broken", status(http.StatusInternalServerError))
	o.Server = httptest.NewServer(mux)
	t.Cleanup(o.Close)
	t.Cleanup(func() { close(quit) }) // runs first: cleanups run last-in first-out
	return o
}

// bulkFeed is an RSS feed of bulkItems entries, dated before every other
// fixture so that they sort last.
func bulkFeed() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bulk Wire</title><link>https://bulk.example/</link>`)
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range bulkItems {
		fmt.Fprintf(&b, "<item><title>Bulk story %d on a quiet beat</title><link>https://bulk.example/story/%d</link><guid isPermaLink=\"false\">bulk-%d</guid><pubDate>%s</pubDate><description>Nothing happened in part %d.</description></item>\n",
			i, i, i, start.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), i)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// gzipBomb is a gzip body that decompresses to 1 GiB of spaces: the same
// member, 1 MiB of spaces compressed, bombMembers times over (a gzip
// stream may hold several members, and decoders read them all).
func gzipBomb(t *testing.T) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), bombMembers)
}

// writeHugeFeed streams a well-formed RSS feed of exactly size bytes, or
// as much of it as the client reads; it returns the bytes written.
func writeHugeFeed(w http.ResponseWriter, size int) int64 {
	const head = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Huge</title>`
	const tail = "</channel></rss>\n"
	var sent int64
	write := func(s string) bool {
		n, err := w.Write([]byte(s))
		sent += int64(n)
		return err == nil
	}
	if !write(head) {
		return sent
	}
	filler := strings.Repeat("words ", 150)
	for i := 0; ; i++ {
		entry := fmt.Sprintf("<item><title>Huge %d</title><guid>huge-%d</guid><description>%s</description></item>\n", i, i, filler)
		left := int64(size) - sent - int64(len(tail))
		if int64(len(entry)) > left {
			write(strings.Repeat(" ", int(left)) + tail)
			return sent
		}
		if !write(entry) {
			return sent
		}
	}
}

// hostileFeed is one subscription of the suite and what it must come to.
type hostileFeed struct {
	path    string
	stories int    // stories stored from it
	err     string // in its stored last error; "" for a feed that must succeed
}

var hostileFeeds = []hostileFeed{
	// good feeds: all their stories are stored
	{"/good/policy.rss.xml", 3, ""},
	{"/good/gadgets.atom.xml", 2, ""},
	// hostile content: stored, cleaned
	{"/hostile/escapes.rss.xml", 27, ""}, // 29 entries, two of them repeat a GUID
	{"/hostile/hostile.atom.xml", 2, ""},
	{"/hostile/hostile.json", 2, ""},
	{"/hostile/billion-laughs.xml", 1, ""},  // entities are not expanded
	{"/hostile/external-entity.xml", 1, ""}, // nor fetched
	{"/bulk.rss.xml", 1000, ""},             // max_items
	// bad feeds: one clear stored error each
	{"/hostile/malformed.xml", 0, "malformed feed: XML syntax error on line 4"},
	{"/hostile/page.html", 0, "not a feed (RSS, Atom or JSON Feed); is the URL a web page?"},
	{"/empty", 0, "not a feed (RSS, Atom or JSON Feed)"},
	{"/bomb", 0, "feed is larger than the size limit (16 MiB, after decompression)"},
	{"/huge", 0, "feed is larger than the size limit (16 MiB, after decompression)"},
	{"/huge-length", 0, "feed is larger than the size limit (16 MiB, after decompression)"},
	{"/silent", 0, "timed out after 3s"},
	{"/stall", 0, "timed out after 3s"},
	{"/drip", 0, "timed out after 3s"},
	{"/hangup", 0, "the server closed the connection without answering (EOF)"},
	{"/cut", 0, "the connection broke before the whole feed arrived (unexpected EOF)"},
	{"/reset", 0, "the connection broke before the whole feed arrived (connection reset by peer)"},
	{"/loop", 0, "too many redirects (more than 5; a redirect loop?)"},
	{"/to-file", 0, "redirect to a non-http(s) URL: file"},
	{"/gone", 0, "HTTP 410 Gone: the feed was removed for good"},
	{"/busy", 0, "HTTP 429 Too Many Requests (server asks to wait 1h0m0s)"},
	{"/broken", 0, "HTTP 500 Internal Server Error"},
}

// TestHostileFeedsEndToEnd refreshes good and hostile feeds in one `trawl
// fetch`, run as its own process, and then reads the cache back through
// every way trawl shows it: nothing the feeds sent may drive the terminal
// or add links to an export, the good stories must all be there, each bad
// feed must have a clear stored error, and the refresh must stay bounded
// in time and memory.
func TestHostileFeedsEndToEnd(t *testing.T) {
	o := newHostileOutlets(t)
	c := newCLI(t)
	c.configure(fmt.Sprintf("[fetch]\ntimeout = %q\nconnect_timeout = \"1s\"\nper_host = 64\n", hostileFetchTimeout))
	var subs strings.Builder
	for _, f := range hostileFeeds {
		subs.WriteString(o.URL + f.path + "\n")
	}
	if err := os.WriteFile(c.subsFile(), []byte(subs.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	fetch := c.runChild(3*time.Minute, childSpec{args: []string{"fetch"}, measure: true})
	t.Logf("trawl fetch of %d feeds: %s, peak RSS %.0f MiB (race detector: %t)", len(hostileFeeds), fetch.wall.Round(time.Millisecond), float64(fetch.maxRSS)/(1<<20), raceEnabled)
	t.Logf("fetch stderr:\n%s", fetch.stderr)
	// Guards against a hang or a runaway, not timing requirements.
	if limit := 90 * time.Second; fetch.wall > limit {
		t.Errorf("the refresh took %s, more than %s", fetch.wall, limit)
	}
	// About 100 MiB measured (400 MiB with the race detector): the bound
	// is loose, but a body held past the 16 MiB cap (the 1 GiB bomb, the
	// 60 MB feed and its 180,000 entries) would break it.
	memLimit := int64(256 << 20)
	if raceEnabled {
		memLimit = 1 << 30
	}
	if fetch.maxRSS > memLimit {
		t.Errorf("the refresh peaked at %d MiB of memory, more than %d MiB", fetch.maxRSS>>20, memLimit>>20)
	}
	if fetch.code != exitFailed {
		t.Errorf("fetch: exit %d, want %d (some feeds failed)", fetch.code, exitFailed)
	}
	var failed int
	for _, f := range hostileFeeds {
		if f.err != "" {
			failed++
		}
	}
	wantSummary := fmt.Sprintf("fetched %d feeds, 0 not modified, %d failed, %d new stories\n", len(hostileFeeds)-failed, failed, 1038)
	if fetch.stdout != wantSummary {
		t.Errorf("fetch stdout = %q, want %q", fetch.stdout, wantSummary)
	}
	assertClean(t, "fetch stdout", fetch.stdout)
	assertClean(t, "fetch stderr", fetch.stderr)
	// One line per feed, and one saying the cache was created.
	if n := strings.Count(fetch.stderr, "\n"); n != len(hostileFeeds)+1 {
		t.Errorf("fetch wrote %d lines on stderr, want %d", n, len(hostileFeeds)+1)
	}
	for _, f := range hostileFeeds {
		lines := linesAbout(fetch.stderr, o.URL+f.path+")")
		lines = append(lines, linesAbout(fetch.stderr, o.URL+f.path+":")...)
		if len(lines) != 1 || (f.err != "" && !strings.Contains(lines[0], f.err)) {
			t.Errorf("fetch said about %s: %q; want one line saying %q", f.path, lines, f.err)
		}
	}
	if n := linesAbout(fetch.stderr, o.URL+"/bulk.rss.xml"); len(n) != 1 || !strings.Contains(n[0], "1000 stories, 1000 new (9000 more entries over the per-feed limit left out)") {
		t.Errorf("the bulk feed's line: %q", n)
	}
	o.mu.Lock()
	if n := o.requests["/loop"]; n > 6 {
		t.Errorf("the redirect loop was followed %d times", n)
	}
	if n := o.sent["/huge"]; n >= hugeBytes {
		t.Errorf("trawl read the whole 60 MB feed (%d bytes sent)", n)
	}
	o.mu.Unlock()

	checkStoredFeeds(t, c, o)
	stories := checkStoredStories(t, c, o)
	checkCommandOutput(t, c, stories)
	checkExports(t, c, stories)
	checkTUIFrames(t, c, len(stories))
}

// cachePath is where the CLI tests' cache lives.
func (c *cli) cachePath() string {
	return filepath.Join(c.home, ".local", "share", "trawl", "trawl.db")
}

// checkStoredFeeds reads each feed's state straight from the cache.
func checkStoredFeeds(t *testing.T, c *cli, o *hostileOutlets) {
	t.Helper()
	db, err := store.Open(c.cachePath(), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	counts, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range hostileFeeds {
		url := o.URL + f.path
		st, ok := states[url]
		switch {
		case !ok:
			t.Errorf("%s: no stored state", f.path)
		case f.err == "" && (st.LastError != "" || st.Failures != 0 || !st.LastSuccess.Equal(c.now)):
			t.Errorf("%s: stored as failing: %+v", f.path, st)
		case f.err != "" && (!strings.Contains(st.LastError, f.err) || st.Failures != 1):
			t.Errorf("%s: stored error %q (%d failures), want one failure saying %q", f.path, st.LastError, st.Failures, f.err)
		}
		assertClean(t, f.path+" stored error", st.LastError)
		assertClean(t, f.path+" stored title", st.Title)
		if got := counts.Feeds[url]; got != f.stories {
			t.Errorf("%s: %d stories stored, want %d", f.path, got, f.stories)
		}
	}
	if st := states[o.URL+"/gone"]; !st.Gone {
		t.Errorf("the 410 feed is not marked gone: %+v", st)
	}
	if st := states[o.URL+"/busy"]; !st.NextTry.Equal(c.now.Add(time.Hour)) {
		t.Errorf("the 429 feed's next try is %s, want the hour its Retry-After asked for", st.NextTry)
	}
}

// storyKey names a story of the suite by its feed and GUID.
type storyKey struct{ path, guid string }

// checkStoredStories checks what `list --json` gives for the stories
// whose fate is known, and returns every stored story.
func checkStoredStories(t *testing.T, c *cli, o *hostileOutlets) []listedStory {
	t.Helper()
	r := c.run("list", "--json", "--limit", "0")
	if r.code != 0 {
		t.Fatalf("list --json: exit %d, %q", r.code, r.stderr)
	}
	// Decoded, so that a control character escaped as \u001b counts.
	var generic []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &generic); err != nil {
		t.Fatalf("list --json: %v", err)
	}
	for _, obj := range generic {
		walkStrings(obj, func(s string) { assertClean(t, fmt.Sprintf("list --json story %v", obj["id"]), s) })
	}
	var stories []listedStory
	if err := json.Unmarshal([]byte(r.stdout), &stories); err != nil {
		t.Fatal(err)
	}
	if len(stories) != 1038 {
		t.Errorf("list --json shows %d stories, want 1038", len(stories))
	}
	byID := map[string]listedStory{}
	for _, s := range stories {
		byID[s.ID] = s
		if s.Link != "" && !strings.HasPrefix(s.Link, "http://") && !strings.HasPrefix(s.Link, "https://") {
			t.Errorf("story %q has the link %q", s.Title, s.Link)
		}
		if s.Published.Before(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) || s.Published.After(c.now.Add(24*time.Hour)) {
			t.Errorf("story %q is dated %s", s.Title, s.Published)
		}
		if n := utf8.RuneCountInString(s.Title); n > 401 {
			t.Errorf("a title of %d characters was stored", n)
		}
	}
	// The good feeds, whole.
	for _, title := range []string{
		"Authors sue a startup for training its AI on pirated books",
		"Forum platform will charge developers for API access starting in January",
		"City council approves new bike lanes downtown",
		"Hands-on with a folding phone that finally feels finished",
		"Photo site blocks AI crawlers after finding its archive in a training dataset",
	} {
		if !slices.ContainsFunc(stories, func(s listedStory) bool { return s.Title == title }) {
			t.Errorf("good story %q is missing", title)
		}
	}
	// What the hostile entries became: their text, without the sequences.
	for key, want := range map[storyKey]struct{ title, link string }{
		{"/hostile/escapes.rss.xml", "raw-csi"}:       {"Screen clear by raw CSI", "https://escapes.example/raw-csi"},
		{"/hostile/escapes.rss.xml", "raw-osc-title"}: {"Window title by raw OSC", "https://escapes.example/raw-osc-title"},
		{"/hostile/escapes.rss.xml", "raw-osc52"}:     {"Clipboard by raw OSC 52", "https://escapes.example/raw-osc52"},
		{"/hostile/escapes.rss.xml", "raw-dcs"}:       {"Terminal query by raw DCS", "https://escapes.example/raw-dcs"},
		{"/hostile/escapes.rss.xml", "ref-esc"}:       {"Decimal clear, hex and refs", "https://escapes.example/ref-esc"},
		{"/hostile/escapes.rss.xml", "cdata-raw"}:     {"CDATA clipboard", "https://escapes.example/cdata-raw"},
		{"/hostile/escapes.rss.xml", "cdata-ref"}:     {"CDATA holding and as text", "https://escapes.example/cdata-ref"},
		{"/hostile/escapes.rss.xml", "bidi"}:          {"Invoice gnp.exe with isolate rtl fs mark and embeds", "https://escapes.example/bidi"},
		{"/hostile/escapes.rss.xml", "invisible"}:     {"Zerowidth and tag chars gone", "https://escapes.example/invisible"},
		{"/hostile/escapes.rss.xml", "badutf8"}:       {"Broken bytes ( in title", "https://escapes.example/badutf8"},
		{"/hostile/escapes.rss.xml", "nul"}:           {"Nul byte title", "https://escapes.example/nul"},
		{"/hostile/escapes.rss.xml", "md-link"}:       {"[click me](javascript:alert(1)) and ![pixel](https://evil.example/p.png)", "https://escapes.example/md-link"},
		{"/hostile/escapes.rss.xml", "link-js"}:       {"Link to javascript", ""},
		{"/hostile/escapes.rss.xml", "link-js-case"}:  {"Link to javascript in mixed case", ""},
		{"/hostile/escapes.rss.xml", "link-data"}:     {"Link to data", ""},
		{"/hostile/escapes.rss.xml", "link-file"}:     {"Link to file", ""},
		{"/hostile/escapes.rss.xml", "link-tab"}:      {"Link with a tab in the scheme", ""},
		{"/hostile/escapes.rss.xml", "dated-1970"}:    {"Dated 1970", "https://escapes.example/dated-1970"},
		{"/hostile/escapes.rss.xml", "dated-2100"}:    {"Dated 2100", "https://escapes.example/dated-2100"},
		{"/hostile/escapes.rss.xml", "dup-guid"}:      {"Duplicate A", "https://escapes.example/dup-A"},
		{"/hostile/hostile.json", "json-1"}:           {"JSON clipboard nul", ""},
		{"/hostile/billion-laughs.xml", "laughs-1"}:   {"Entity &lol9; expansion", ""},
		{"/hostile/external-entity.xml", "xxe-1"}:     {"External &xxe; entity", ""},
	} {
		id := item.NewID(o.URL+key.path, key.guid, "", "", time.Time{})
		s, ok := byID[id]
		if !ok {
			t.Errorf("story %s of %s is missing", key.guid, key.path)
			continue
		}
		if s.Title != want.title || s.Link != want.link {
			t.Errorf("story %s of %s stored as %q <%s>, want %q <%s>", key.guid, key.path, s.Title, s.Link, want.title, want.link)
		}
		if strings.HasPrefix(key.guid, "dated-") && !s.Published.Equal(c.now) {
			t.Errorf("story %s is dated %s; a date that cannot be right should become the time trawl first saw it (%s)", key.guid, s.Published, c.now)
		}
	}
	for _, s := range stories {
		switch {
		case s.Title == "Duplicate B" || s.Title == "Duplicate C":
			t.Errorf("a second entry with the same GUID was stored: %q", s.Title)
		case strings.HasPrefix(s.Title, "Long "):
			if !strings.HasSuffix(s.Title, "…") || utf8.RuneCountInString(s.Title) > 401 {
				t.Errorf("the 10,000-character title was stored as %d characters", utf8.RuneCountInString(s.Title))
			}
		case strings.Contains(s.Title, "lol") && !strings.Contains(s.Title, "&lol9;"), strings.Contains(s.Summary, "lollol"):
			t.Errorf("an entity was expanded: %q / %q", s.Title, s.Summary)
		case strings.Contains(s.Summary, "root:"):
			t.Errorf("an external entity was read: %q", s.Summary)
		}
	}
	return stories
}

// walkStrings calls fn on every string in a decoded JSON value.
func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case []any:
		for _, x := range v {
			walkStrings(x, fn)
		}
	case map[string]any:
		for k, x := range v {
			fn(k)
			walkStrings(x, fn)
		}
	}
}

// hostileShown is how many of the newest stories the suite opens one by
// one: every story of the hostile feeds and the good ones, which sort
// before the bulk feed.
const hostileShown = 37

// checkCommandOutput runs the commands that print stories: list, show,
// explain, feeds list and feeds export.
func checkCommandOutput(t *testing.T, c *cli, stories []listedStory) {
	t.Helper()
	outputs := map[string]result{
		"list":          c.run("list", "--limit", "0"),
		"list --search": c.run("list", "--search", "e"),
		"feeds list":    c.run("feeds", "list"),
		"feeds export":  c.run("feeds", "export"),
	}
	for i, s := range stories[:hostileShown] {
		outputs[fmt.Sprintf("show %d", i)] = c.run("show", s.ID)
		outputs[fmt.Sprintf("show --json %d", i)] = c.run("show", "--json", s.ID)
		outputs[fmt.Sprintf("explain %d", i)] = c.run("explain", s.ID)
		if i < 10 {
			if r := c.run("star", s.ID); r.code != 0 {
				t.Fatalf("star: %q", r.stderr)
			}
			if r := c.run("note", s.ID, "--", "checked "+s.Title); r.code != 0 {
				t.Fatalf("note: %q", r.stderr)
			}
		}
	}
	for name, r := range outputs {
		if r.code != 0 {
			t.Errorf("%s: exit %d, %q", name, r.code, r.stderr)
		}
		assertClean(t, name+" stdout", r.stdout)
		assertClean(t, name+" stderr", r.stderr)
		if strings.HasPrefix(name, "show --json") {
			var obj map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &obj); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			walkStrings(obj, func(s string) { assertClean(t, name+" (decoded)", s) })
		}
		for _, l := range strings.Split(r.stdout, "\n") {
			if link, ok := strings.CutPrefix(l, "link:      "); ok && !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
				t.Errorf("%s shows the link %q", name, link)
			}
		}
	}
	if !strings.Contains(outputs["feeds list"].stdout, "gone (410)") || !strings.Contains(outputs["feeds list"].stdout, "Escape Gazette") {
		t.Errorf("feeds list:\n%s", outputs["feeds list"].stdout)
	}
}

// checkExports writes the starred and the full export, to stdout and to a
// file, and parses them as CommonMark: the only links are trawl's own
// http(s) links, there is no image or raw HTML, and every story has
// exactly one heading.
func checkExports(t *testing.T, c *cli, stories []listedStory) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "all.md")
	for _, args := range [][]string{{"export"}, {"export", "--all"}, {"export", "--all", "--front-matter"}, {"export", "--all", "-o", file}} {
		r := c.run(args...)
		name := strings.Join(args, " ")
		if r.code != 0 {
			t.Errorf("%s: exit %d, %q", name, r.code, r.stderr)
			continue
		}
		doc := r.stdout
		want := 10
		if slices.Contains(args, "--all") {
			want = len(stories)
		}
		if slices.Contains(args, "-o") {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc = string(raw)
		}
		assertClean(t, name, doc)
		assertClean(t, name+" stderr", r.stderr)
		checkMarkdown(t, name, doc, want)
	}
}

// checkMarkdown parses an export as CommonMark with GitHub's extensions.
func checkMarkdown(t *testing.T, name, doc string, stories int) {
	t.Helper()
	src := []byte(doc)
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	root := md.Parser().Parse(text.NewReader(src))
	headings := map[int]int{}
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			headings[n.Level]++
		case *ast.Link:
			if dest := string(n.Destination); !strings.HasPrefix(dest, "https://") && !strings.HasPrefix(dest, "http://") {
				t.Errorf("%s: a link to %q", name, dest)
			}
		case *ast.AutoLink:
			if u := string(n.URL(src)); !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				t.Errorf("%s: an autolink to %q", name, u)
			}
		case *ast.Image:
			t.Errorf("%s: an image of %q", name, n.Destination)
		case *ast.RawHTML, *ast.HTMLBlock:
			t.Errorf("%s: raw HTML %q", name, n.Text(src))
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if headings[1] != 1 || headings[3] != stories {
		t.Errorf("%s: headings by level %v; want one title and %d story headings", name, headings, stories)
	}
}

// frameRecorder stands between teatest and the reader's root model: it
// keeps every frame the model draws and counts the stories it loads.
type frameRecorder struct {
	inner tea.Model
	mu    sync.Mutex
	// frames drawn since the last take
	frames []string
	loads  int
}

func (f *frameRecorder) Init() tea.Cmd { return f.inner.Init() }

func (f *frameRecorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(reader.StoryLoadedMsg); ok {
		f.mu.Lock()
		f.loads++
		f.mu.Unlock()
	}
	var cmd tea.Cmd
	f.inner, cmd = f.inner.Update(msg)
	return f, cmd
}

func (f *frameRecorder) View() string {
	v := f.inner.View()
	f.mu.Lock()
	f.frames = append(f.frames, v)
	f.mu.Unlock()
	return v
}

// take returns the frames drawn since the last take and the stories
// loaded so far.
func (f *frameRecorder) take() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	frames := f.frames
	f.frames = nil
	return frames, f.loads
}

// checkTUIFrames drives the real reader over the same cache: the list,
// every hostile story in the reader, search, the feeds screen and help.
// With the ASCII profile the interface draws no escape sequence of its
// own, so any control character in a frame came from a feed.
func checkTUIFrames(t *testing.T, c *cli, total int) {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	a, err := setup(c.env(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), &globals{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.open(false); err != nil {
		t.Fatal(err)
	}
	defer a.close()
	rec := &frameRecorder{inner: tui.New(tuiOptions(a))}
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(120, 50))
	seen := 0
	// check checks the frames drawn since the last check and returns the
	// last of them, "" if there was none, and the stories loaded so far.
	check := func(step string) (string, int) {
		t.Helper()
		frames, loads := rec.take()
		for _, f := range frames {
			assertClean(t, "TUI frame after "+step, f)
		}
		seen += len(frames)
		if len(frames) == 0 {
			return "", loads
		}
		return frames[len(frames)-1], loads
	}
	waitFrames := func(step string, ok func(frame string, loads int) bool) string {
		t.Helper()
		var last string
		deadline := time.Now().Add(45 * time.Second)
		for {
			f, loads := check(step)
			if f != "" {
				last = f
			}
			if last != "" && ok(last, loads) {
				return last
			}
			if time.Now().After(deadline) {
				t.Fatalf("TUI: no frame after %s; last frame:\n%s", step, last)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	key := func(k string) tea.KeyMsg {
		switch k {
		case "enter":
			return tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			return tea.KeyMsg{Type: tea.KeyEsc}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
	}
	all := fmt.Sprintf("[All %d]", total)
	// The counts come before the first page of the list: wait for both.
	list := waitFrames("start", func(f string, _ int) bool {
		return strings.Contains(f, all) && !strings.Contains(f, "loading…")
	})
	for _, want := range []string{"Clipboard by raw OSC 52", "Screen clear by raw CSI", "Escape Gazette"} {
		if !strings.Contains(list, want) {
			t.Errorf("the first screen lacks %q:\n%s", want, list)
		}
	}
	// Every hostile story in the reader, one after the other.
	tm.Send(key("enter"))
	waitFrames("enter", func(_ string, loads int) bool { return loads == 1 })
	for i := 2; i <= hostileShown; i++ {
		tm.Send(key("J"))
		waitFrames(fmt.Sprintf("J to story %d", i), func(_ string, loads int) bool { return loads == i })
	}
	tm.Send(key("esc"))
	for _, k := range []string{"/", "e", "v", "i", "l"} {
		tm.Send(key(k))
	}
	waitFrames("search", func(f string, _ int) bool { return strings.Contains(f, "evil") })
	tm.Send(key("esc"))
	tm.Send(key("f"))
	waitFrames("feeds screen", func(f string, _ int) bool { return strings.Contains(f, "HTTP 410") })
	tm.Send(key("esc"))
	tm.Send(key("?"))
	waitFrames("help", func(f string, _ int) bool { return strings.Contains(f, "quit") })
	tm.Send(key("esc"))
	tm.Send(key("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(45*time.Second))
	check("quit")
	t.Logf("checked %d TUI frames", seen)
}
