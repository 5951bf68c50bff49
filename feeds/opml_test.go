package feeds_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds"
)

func readOPMLFixture(t *testing.T, name string) (*feeds.OPML, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "opml", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return feeds.ReadOPML(f)
}

func TestReadOPML(t *testing.T) {
	doc, err := readOPMLFixture(t, "nested.opml")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Exported from another reader" {
		t.Errorf("title = %q", doc.Title)
	}
	want := []feeds.Subscription{
		{URL: "https://gadgetbench.example/atom.xml", Title: "Gadget Bench", Tags: []string{"tech-news"}},
		{URL: "https://modelwatch.example/rss", Title: "Model Watch", Tags: []string{"tech-news", "ai-data"}},
		// Listed in two folders: one subscription with both folders' tags.
		{URL: "https://policydesk.example/feed", Title: "Policy Desk", Tags: []string{"tech-news", "ai-data", "policy"}},
		// Tags from the category attribute.
		{URL: "https://toplevel.example/rss", Title: "Top level", Tags: []string{"law", "courts", "data"}},
	}
	if !reflect.DeepEqual(doc.Feeds, want) {
		t.Errorf("feeds:\n%+v\nwant\n%+v", doc.Feeds, want)
	}
	if len(doc.Rejected) != 1 || doc.Rejected[0].URL != "ftp://files.example/feed" || !errors.Is(doc.Rejected[0].Err, feeds.ErrBadFeedURL) {
		t.Errorf("rejected = %+v, want the ftp feed", doc.Rejected)
	}
}

func TestReadOPMLLatin1(t *testing.T) {
	doc, err := readOPMLFixture(t, "latin1.opml")
	if err != nil {
		t.Fatal(err)
	}
	want := []feeds.Subscription{{URL: "https://zuerich.example/rss", Title: "Zürich Zeitung", Tags: []string{"nachrichten-für-alle"}}}
	if !reflect.DeepEqual(doc.Feeds, want) {
		t.Errorf("feeds = %+v, want %+v", doc.Feeds, want)
	}
}

func TestReadOPMLErrors(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"page.html", "root element is <html>"},
		{"truncated.opml", "XML syntax error"},
	}
	for _, tt := range tests {
		_, err := readOPMLFixture(t, tt.file)
		if !errors.Is(err, feeds.ErrNotOPML) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want ErrNotOPML saying %q", tt.file, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tt.file, err)
		}
	}
	for _, in := range []string{"", "just text", `{"json": true}`, "<rss version=\"2.0\"></rss>"} {
		if _, err := feeds.ReadOPML(strings.NewReader(in)); !errors.Is(err, feeds.ErrNotOPML) {
			t.Errorf("ReadOPML(%q): %v, want ErrNotOPML", in, err)
		}
	}
}

// TestOPMLRoundTrip: what trawl exports, trawl (and any reader that reads
// OPML 2.0 folders) imports with the same URLs, titles and tags.
func TestOPMLRoundTrip(t *testing.T) {
	subs := []feeds.Subscription{
		{URL: "https://a.example/rss", Title: "A & <Co> \"quoted\""},
		{URL: "https://b.example/rss?x=1&y=2", Tags: []string{"ai", "policy"}},
		{URL: "https://c.example/rss", Title: "C", Tags: []string{"ai"}},
		{URL: "https://d.example/rss", Title: "D", Tags: []string{"media"}},
	}
	var buf bytes.Buffer
	if err := feeds.WriteOPML(&buf, "trawl subscriptions", subs, testNow); err != nil {
		t.Fatal(err)
	}
	// Plain encoding/xml, as another reader would see it: folders hold
	// the feeds of their first tag.
	var generic struct {
		Version string `xml:"version,attr"`
		Title   string `xml:"head>title"`
		Outline []struct {
			Text    string `xml:"text,attr"`
			XMLURL  string `xml:"xmlUrl,attr"`
			Type    string `xml:"type,attr"`
			Outline []struct {
				Text   string `xml:"text,attr"`
				XMLURL string `xml:"xmlUrl,attr"`
			} `xml:"outline"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &generic); err != nil {
		t.Fatalf("export is not XML: %v\n%s", err, buf.String())
	}
	if generic.Version != "2.0" || generic.Title != "trawl subscriptions" || len(generic.Outline) != 3 {
		t.Fatalf("export structure:\n%s", buf.String())
	}
	if o := generic.Outline[0]; o.Type != "rss" || o.XMLURL != subs[0].URL || o.Text != subs[0].Title {
		t.Errorf("untagged feed outline = %+v", o)
	}
	if o := generic.Outline[1]; o.Text != "ai" || len(o.Outline) != 2 || o.Outline[0].XMLURL != subs[1].URL || o.Outline[0].Text != subs[1].URL {
		t.Errorf("ai folder = %+v", o)
	}
	back, err := feeds.ReadOPML(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// An untitled feed comes back untitled: the URL the export gave other
	// readers as its text is not taken for a title.
	want := append([]feeds.Subscription(nil), subs...)
	if !reflect.DeepEqual(back.Feeds, want) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", back.Feeds, want)
	}
}

func TestTagFromName(t *testing.T) {
	tests := map[string]string{
		"Tech News":              "tech-news",
		"AI & Data":              "ai-data",
		"  --Policy!!--  ":       "policy",
		"snake_case":             "snake_case",
		"Ünïcode Ñame":           "ünïcode-ñame",
		"\x1b[31mred\x1b[0m":     "red",
		"!!!":                    "",
		strings.Repeat("a", 100): strings.Repeat("a", 64),
		// A separator that would not leave room for what follows it is
		// not written: a tag never ends in '-' or passes 64 bytes.
		strings.Repeat("a", 64) + " b": strings.Repeat("a", 64),
		strings.Repeat("a", 63) + " b": strings.Repeat("a", 63),
		strings.Repeat("a", 62) + " b": strings.Repeat("a", 62) + "-b",
		strings.Repeat("a", 62) + " é": strings.Repeat("a", 62),
	}
	for in, want := range tests {
		if got := feeds.TagFromName(in); got != want {
			t.Errorf("TagFromName(%q) = %q, want %q", in, got, want)
		}
	}
}

// What lax exporters write still imports: url= on a feed outline, HTML
// entities; and a file cannot give one feed more tags than a line holds.
func TestReadOPMLLenient(t *testing.T) {
	var cats []string
	for i := range 40 {
		cats = append(cats, "topic"+strings.Repeat("x", i))
	}
	doc := `<?xml version="1.0"?><opml version="1.0"><head><title>Old&nbsp;reader</title></head><body>
<outline type="rss" text="Url attribute" url="https://old.example/rss"/>
<outline type="link" text="A web page" url="https://site.example/"/>
<outline type="rss" text="Many tags" xmlUrl="https://tags.example/rss" category="` + strings.Join(cats, ",") + `"/>
</body></opml>`
	got, err := feeds.ReadOPML(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Old reader" && got.Title != "Old\u00a0reader" {
		t.Errorf("title %q", got.Title)
	}
	if len(got.Feeds) != 2 || got.Feeds[0].URL != "https://old.example/rss" || got.Feeds[1].URL != "https://tags.example/rss" {
		t.Fatalf("feeds %+v", got.Feeds)
	}
	if n := len(got.Feeds[1].Tags); n != 16 {
		t.Errorf("%d tags on one feed, want at most 16", n)
	}
}
