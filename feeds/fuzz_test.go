package feeds_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/htmltext"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

// FuzzParse runs arbitrary documents through parse, normalise and
// sanitise. Whatever comes in, nothing panics, every string that comes
// out is free of control characters, and the limits hold. The seed corpus
// is in testdata/fuzz/FuzzParse: the fixtures, and hostile variants of
// each format.
func FuzzParse(f *testing.F) {
	p := feeds.NewParser(50)
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := p.ParseSource(body, feeds.Source{URL: "https://fuzz.example/feed"}, testNow)
		if err != nil {
			if msg := err.Error(); sanitize.HasControl(msg) || strings.Contains(msg, "\n") {
				t.Errorf("error is not one clean line: %q", msg)
			}
			if !errors.Is(err, feeds.ErrNotAFeed) && !errors.Is(err, feeds.ErrMalformed) {
				t.Errorf("error of no known kind: %v", err)
			}
			return
		}
		if sanitize.HasControl(feed.Title) || sanitize.HasControl(feed.Link) {
			t.Errorf("feed title or link not clean: %q %q", feed.Title, feed.Link)
		}
		if len(feed.Items) > 50 {
			t.Errorf("%d items kept, limit 50", len(feed.Items))
		}
		ids := map[string]bool{}
		for _, it := range feed.Items {
			assertClean(t, it)
			// The reader shows content through htmltext and Text.
			if shown := sanitize.Text(htmltext.Convert(it.Content)); sanitize.HasControl(shown) {
				t.Errorf("content as shown is not clean: %q", shown)
			}
			if ids[it.ID] {
				t.Errorf("duplicate ID %s in one feed", it.ID)
			}
			ids[it.ID] = true
			if utf8.RuneCountInString(it.Title) > 401 || it.Title == "" {
				t.Errorf("title of %d runes", utf8.RuneCountInString(it.Title))
			}
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Errorf("link %q is not http(s)", it.Link)
			}
			if it.Published.After(testNow.Add(24*time.Hour)) || it.Updated.After(testNow.Add(24*time.Hour)) {
				t.Errorf("date in the far future: %s %s", it.Published, it.Updated)
			}
		}
	})
}

// FuzzReadOPML: whatever an OPML file holds, the feeds it yields can be
// added to a subscriptions file and read back unchanged.
func FuzzReadOPML(f *testing.F) {
	for _, name := range []string{"nested.opml", "latin1.opml", "page.html", "truncated.opml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "opml", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := feeds.ReadOPML(bytes.NewReader(doc))
		if err != nil {
			if !errors.Is(err, feeds.ErrNotOPML) || strings.Contains(err.Error(), "\n") || sanitize.HasControl(err.Error()) {
				t.Errorf("error %q", err)
			}
			return
		}
		path := filepath.Join(t.TempDir(), "feeds.txt")
		list, err := feeds.LoadSubscriptions(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got.Feeds {
			if sanitize.HasControl(s.Title) {
				t.Errorf("title %q not clean", s.Title)
			}
			if err := list.Add(s); err != nil {
				t.Fatalf("cannot subscribe to an imported feed %+v: %v", s, err)
			}
		}
		assertSaveReloads(t, list)
	})
}

// assertSaveReloads saves list and checks that it reads back the same.
func assertSaveReloads(t *testing.T, list *feeds.SubscriptionList) {
	t.Helper()
	if err := list.Save(); err != nil {
		t.Fatal(err)
	}
	back, err := feeds.LoadSubscriptions(list.Path())
	if err != nil {
		t.Fatalf("the saved file does not load: %v", err)
	}
	if !reflect.DeepEqual(back.Feeds(), list.Feeds()) {
		t.Errorf("read back %+v, wrote %+v", back.Feeds(), list.Feeds())
	}
}

// FuzzSubscriptions: a subscriptions file either loads or is one error
// naming its line; one that loads survives a save unchanged.
func FuzzSubscriptions(f *testing.F) {
	f.Add("# c\nhttps://a.example/rss \"A\" +x +y\n\nhttp://b.example/feed # note\n")
	f.Add("https://a.example/rss \"unterminated\n")
	f.Add("https://a.example/rss\t\"tab\" +ü\n")
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(t.TempDir(), "feeds.txt")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		list, err := feeds.LoadSubscriptions(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		assertSaveReloads(t, list)
	})
}
