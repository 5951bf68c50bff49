package feeds_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds"
)

func writeSubs(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "feeds.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSubscriptions(t *testing.T) {
	path := writeSubs(t, `# my feeds
https://a.example/rss
https://b.example/feed.xml "B Daily" +ai +policy

   # indented comment
https://c.example/atom	"Tab \"quoted\" title"   # trailing comment
http://d.example/rss +ünicode_tag-1
`)
	l, err := feeds.LoadSubscriptions(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []feeds.Subscription{
		{URL: "https://a.example/rss"},
		{URL: "https://b.example/feed.xml", Title: "B Daily", Tags: []string{"ai", "policy"}},
		{URL: "https://c.example/atom", Title: `Tab "quoted" title`},
		{URL: "http://d.example/rss", Tags: []string{"ünicode_tag-1"}},
	}
	if got := l.Feeds(); !reflect.DeepEqual(got, want) {
		t.Errorf("Feeds() = %+v\nwant %+v", got, want)
	}
	if !l.Exists() {
		t.Error("Exists() = false for a file that exists")
	}
}

func TestLoadSubscriptionsErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"not http", "ftp://x.example/feed\n", ":1: "},
		{"no scheme", "# c\nexample.com/feed\n", ":2: "},
		{"bare word after URL", "https://x.example/feed Title\n", `unexpected "Title"`},
		{"unclosed title", `https://x.example/feed "Title` + "\n", "no closing double quote"},
		{"two titles", `https://x.example/feed "A" "B"` + "\n", "two titles"},
		{"bad tag", "https://x.example/feed +no/slash\n", `bad tag "+no/slash"`},
		{"duplicate", "https://x.example/feed\nhttps://x.example/feed\n", "already on line 1"},
		{"control character", "https://x.example/feed?\u009d52;c;aGk=\u009c\n", "control characters must be percent-encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeSubs(t, tt.text)
			_, err := feeds.LoadSubscriptions(path)
			if err == nil {
				t.Fatalf("no error for %q", tt.text)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q should name %s and say %q", err, path, tt.want)
			}
		})
	}
}

func TestMissingSubscriptionsFile(t *testing.T) {
	l, err := feeds.LoadSubscriptions(filepath.Join(t.TempDir(), "none", "feeds.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Exists() || len(l.Feeds()) != 0 {
		t.Errorf("missing file: exists %v, %d feeds", l.Exists(), len(l.Feeds()))
	}
	// Saving creates it, with the explanatory header.
	if err := l.Add(feeds.Subscription{URL: "https://a.example/rss", Title: "A", Tags: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), "# trawl subscriptions") || !strings.HasSuffix(string(raw), "\nhttps://a.example/rss \"A\" +x\n") {
		t.Errorf("new file:\n%s", raw)
	}
}

// TestEditsKeepTheFile: add, remove and rename leave comments, blank lines,
// order and untouched lines exactly as the user wrote them.
func TestEditsKeepTheFile(t *testing.T) {
	original := "# keep me\n\nhttps://a.example/rss   \"A\"  +one   # odd spacing kept\n# between\nhttps://b.example/rss\nhttps://c.example/rss +three # moves\n"
	path := writeSubs(t, original)
	l, err := feeds.LoadSubscriptions(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Remove("https://b.example/rss"); err != nil {
		t.Fatal(err)
	}
	if err := l.Rename("https://c.example/rss", "https://c.example/new-rss"); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(feeds.Subscription{URL: "https://d.example/rss", Title: `D "quoted"`}); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# keep me\n\nhttps://a.example/rss   \"A\"  +one   # odd spacing kept\n# between\nhttps://c.example/new-rss +three # moves\nhttps://d.example/rss \"D \\\"quoted\\\"\"\n"
	if string(raw) != want {
		t.Errorf("file after edits:\n%s\nwant:\n%s", raw, want)
	}
	// What was written reads back the same.
	again, err := feeds.LoadSubscriptions(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Feeds(), l.Feeds()) {
		t.Errorf("read back %+v, want %+v", again.Feeds(), l.Feeds())
	}
	// No temporary files are left beside it.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after save, want just feeds.txt", len(entries))
	}
}

func TestSubscriptionEditErrors(t *testing.T) {
	l, err := feeds.LoadSubscriptions(writeSubs(t, "https://a.example/rss\nhttps://b.example/rss\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(feeds.Subscription{URL: " https://a.example/rss "}); !errors.Is(err, feeds.ErrDuplicate) {
		t.Errorf("adding a duplicate: %v", err)
	}
	for _, bad := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://", "https://x.example/a b", "https://x.example/f?\u009b2J", "https://x.example/\u202egnp.exe"} {
		if err := l.Add(feeds.Subscription{URL: bad}); !errors.Is(err, feeds.ErrBadFeedURL) {
			t.Errorf("adding %q: %v", bad, err)
		}
	}
	if err := l.Remove("https://z.example/rss"); !errors.Is(err, feeds.ErrNotFound) {
		t.Errorf("removing an unknown feed: %v", err)
	}
	if err := l.Rename("https://a.example/rss", "https://b.example/rss"); !errors.Is(err, feeds.ErrDuplicate) {
		t.Errorf("renaming onto another subscription: %v", err)
	}
}

func TestApplyMoves(t *testing.T) {
	path := writeSubs(t, "# top\nhttps://a.example/rss \"A\" +x\nhttps://b.example/rss\nhttps://c.example/rss\nhttps://d.example/rss\n")
	l, err := feeds.LoadSubscriptions(path)
	if err != nil {
		t.Fatal(err)
	}
	moves, err := l.ApplyMoves(map[string]string{
		"https://a.example/rss":    "https://a.example/feed",
		"https://b.example/rss":    "https://c.example/rss",      // onto a feed already followed
		"https://gone.example/rss": "https://x.example/",         // not subscribed: ignored
		"https://d.example/rss":    "https://d.example/?q=\"x\"", // cannot be written down: left, and said
	})
	if err == nil || !strings.Contains(err.Error(), "move https://d.example/rss") || !errors.Is(err, feeds.ErrBadFeedURL) {
		t.Errorf("a move that cannot be made: error %v", err)
	}
	want := []feeds.Move{
		{From: "https://a.example/rss", To: "https://a.example/feed"},
		{From: "https://b.example/rss", To: "https://c.example/rss", Merged: true},
	}
	if !reflect.DeepEqual(moves, want) {
		t.Errorf("moves = %+v, want %+v", moves, want)
	}
	wantFeeds := []feeds.Subscription{
		{URL: "https://a.example/feed", Title: "A", Tags: []string{"x"}},
		{URL: "https://c.example/rss"},
		{URL: "https://d.example/rss"},
	}
	if got := l.Feeds(); !reflect.DeepEqual(got, wantFeeds) {
		t.Errorf("after moves: %+v, want %+v", got, wantFeeds)
	}
}

// Saving rewrites a symbolic link's target, not the link, and keeps the
// file's permissions: a private feeds.txt stays private.
func TestSaveKeepsLinkAndMode(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "feeds.txt")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("https://a.example/rss\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "feeds.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	l, err := feeds.LoadSubscriptions(link)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(feeds.Subscription{URL: "https://b.example/rss"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi, err)
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after save %v, want -rw-------", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://a.example/rss\nhttps://b.example/rss\n"; string(raw) != want {
		t.Errorf("target after save %q, want %q", raw, want)
	}
}

// A feed is one subscription however its scheme and host are spelled, and
// remove takes a URL as add does.
func TestSubscriptionSpellings(t *testing.T) {
	l, err := feeds.LoadSubscriptions(writeSubs(t, "https://one.example/rss\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dup := range []string{"HTTPS://One.Example/rss", "https://one.example:443/rss", " https://one.example/rss "} {
		if err := l.Add(feeds.Subscription{URL: dup}); !errors.Is(err, feeds.ErrDuplicate) {
			t.Errorf("adding %q: %v, want a duplicate", dup, err)
		}
	}
	// Another resource: not folded.
	if err := l.Add(feeds.Subscription{URL: "https://one.example/rss/"}); err != nil {
		t.Errorf("adding the URL with a trailing slash: %v", err)
	}
	if err := l.Add(feeds.Subscription{URL: "https://x.example/ä"}); err != nil {
		t.Fatal(err)
	}
	for _, spelling := range []string{"https://x.example/ä", "HTTPS://one.example:443/rss"} {
		if err := l.Remove(spelling); err != nil {
			t.Errorf("removing %q: %v", spelling, err)
		}
	}
	if got := l.Feeds(); len(got) != 1 || got[0].URL != "https://one.example/rss/" {
		t.Errorf("left %+v", got)
	}
	long := "https://x.example/" + strings.Repeat("a", 5000)
	if err := l.Add(feeds.Subscription{URL: long}); !errors.Is(err, feeds.ErrBadFeedURL) || len(err.Error()) > 200 {
		t.Errorf("a 5 KB URL: %v", err)
	}
}

// A byte order mark, as some editors write, is not part of the first line.
func TestLoadSubscriptionsWithBOM(t *testing.T) {
	l, err := feeds.LoadSubscriptions(writeSubs(t, "\ufeff# mine\r\nhttps://a.example/rss\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Feeds(); len(got) != 1 || got[0].URL != "https://a.example/rss" {
		t.Errorf("feeds %+v", got)
	}
}

// A link whose target does not exist yet gets its target written.
func TestSaveThroughDanglingLink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "feeds.txt")
	if err := os.Symlink(filepath.Join("dots", "feeds.txt"), link); err != nil {
		t.Fatal(err)
	}
	l, err := feeds.LoadSubscriptions(link)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(feeds.Subscription{URL: "https://a.example/rss"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "dots", "feeds.txt")); err != nil || !strings.Contains(string(raw), "https://a.example/rss\n") {
		t.Errorf("target: %q, %v", raw, err)
	}
}

// A feed that moves to another spelling of its own URL is renamed, not
// merged into itself and lost.
func TestApplyMovesToOwnSpelling(t *testing.T) {
	l, err := feeds.LoadSubscriptions(writeSubs(t, "https://Example.com:443/feed \"E\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	moves, err := l.ApplyMoves(map[string]string{"https://Example.com:443/feed": "https://example.com/feed"})
	if err != nil || len(moves) != 1 || moves[0].Merged {
		t.Fatalf("moves %+v, %v", moves, err)
	}
	if got := l.Feeds(); len(got) != 1 || got[0].URL != "https://example.com/feed" || got[0].Title != "E" {
		t.Errorf("feeds after the move: %+v", got)
	}
}
