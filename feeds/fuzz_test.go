package feeds_test

import (
	"errors"
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
