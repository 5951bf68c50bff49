package feeds

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// The fuzz targets for the subscription formats work in memory: the file
// round trip (Save's fsync) would make each run a disk write.

// FuzzReadOPML: whatever an OPML file holds, it is one clear error or
// feeds that can be added to a subscriptions file and read back unchanged.
func FuzzReadOPML(f *testing.F) {
	for _, name := range []string{"nested.opml", "latin1.opml", "page.html", "truncated.opml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "opml", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// A folder name that reaches the tag length limit at a word break.
	f.Add([]byte(`<opml version="2.0"><body><outline text="` + strings.Repeat("a", 64) + ` b"><outline type="rss" text="x" xmlUrl="https://x.example/feed"/></outline></body></opml>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := ReadOPML(bytes.NewReader(doc))
		if err != nil {
			if !errors.Is(err, ErrNotOPML) || strings.Contains(err.Error(), "\n") || sanitize.HasControl(err.Error()) {
				t.Errorf("error %q", err)
			}
			return
		}
		list := &SubscriptionList{path: "feeds.txt"}
		for _, s := range got.Feeds {
			if sanitize.HasControl(s.Title) {
				t.Errorf("title %q not clean", s.Title)
			}
			if err := list.Add(s); err != nil {
				t.Fatalf("cannot subscribe to an imported feed %+v: %v", s, err)
			}
		}
		assertRereads(t, list)
	})
}

// FuzzSubscriptions: a subscriptions file either loads or is one error
// naming its file and line; one that loads is written back the same.
func FuzzSubscriptions(f *testing.F) {
	f.Add("# c\nhttps://a.example/rss \"A\" +x +y\n\nhttp://b.example/feed # note\n")
	f.Add("https://a.example/rss \"unterminated\n")
	f.Add("https://a.example/rss\t\"tab\" +ü\n")
	f.Fuzz(func(t *testing.T, text string) {
		list, err := readSubscriptions("feeds.txt", strings.NewReader(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "subscriptions feeds.txt:") && !strings.HasPrefix(err.Error(), "read subscriptions feeds.txt:") {
				t.Errorf("error %q does not name the file and line", err)
			}
			return
		}
		assertRereads(t, list)
	})
}

// assertRereads checks that what Save would write reads back the same.
func assertRereads(t *testing.T, list *SubscriptionList) {
	t.Helper()
	back, err := readSubscriptions(list.path, strings.NewReader(list.text()))
	if err != nil {
		t.Fatalf("the written file does not load: %v\n%s", err, list.text())
	}
	if !reflect.DeepEqual(back.Feeds(), list.Feeds()) {
		t.Errorf("read back %+v, wrote %+v", back.Feeds(), list.Feeds())
	}
}
