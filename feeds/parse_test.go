package feeds_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

// testNow is the clock of the feeds tests; fixtures are dated just before.
var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func parseFixture(t *testing.T, name string) *feeds.Feed {
	t.Helper()
	body := readTestdata(t, name)
	f, err := feeds.NewParser(0).ParseSource(body, feeds.Source{URL: "https://subscribed.example/" + name}, testNow)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return f
}

// wantItem is what a test checks of one parsed entry; empty fields and nil
// slices are checked too, so each row says the whole story.
type wantItem struct {
	title, link, guid, author, summary string
	categories                         []string
	published, updated                 time.Time
	contentHas, contentLacks           []string
}

func checkItem(t *testing.T, got item.Item, want wantItem) {
	t.Helper()
	if got.Title != want.title {
		t.Errorf("title = %q, want %q", got.Title, want.title)
	}
	if got.Link != want.link {
		t.Errorf("%q: link = %q, want %q", want.title, got.Link, want.link)
	}
	if got.GUID != want.guid {
		t.Errorf("%q: guid = %q, want %q", want.title, got.GUID, want.guid)
	}
	if got.Author != want.author {
		t.Errorf("%q: author = %q, want %q", want.title, got.Author, want.author)
	}
	if got.Summary != want.summary {
		t.Errorf("%q: summary = %q, want %q", want.title, got.Summary, want.summary)
	}
	if strings.Join(got.Categories, "|") != strings.Join(want.categories, "|") {
		t.Errorf("%q: categories = %q, want %q", want.title, got.Categories, want.categories)
	}
	if !got.Published.Equal(want.published) {
		t.Errorf("%q: published = %s, want %s", want.title, got.Published, want.published)
	}
	if !got.Updated.Equal(want.updated) {
		t.Errorf("%q: updated = %s, want %s", want.title, got.Updated, want.updated)
	}
	for _, s := range want.contentHas {
		if !strings.Contains(got.Content, s) {
			t.Errorf("%q: content lacks %q: %q", want.title, s, got.Content)
		}
	}
	for _, s := range want.contentLacks {
		if strings.Contains(got.Content, s) {
			t.Errorf("%q: content keeps %q: %q", want.title, s, got.Content)
		}
	}
	if got.ID == "" {
		t.Errorf("%q: no ID", want.title)
	}
}

func TestParseFormats(t *testing.T) {
	date := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		file      string
		feedTitle string
		items     []wantItem
	}{
		{"rss091.xml", "Old Wire", []wantItem{
			// Latin-1 decoded as declared; no dates at all in 0.91.
			{title: "Café chain sells customer data to model builder", link: "http://oldwire.example/stories/cafe-data.html",
				summary: "The chain's loyalty records ended up in a training set, a filing shows."},
			{title: "Weather service adds pollen counts for Zürich", link: "http://oldwire.example/stories/pollen.html",
				summary: "Forecasts now include grass and tree pollen."},
		}},
		{"rss10.rdf", "RDF Daily", []wantItem{
			{title: "Archive opts out of AI crawlers", link: "https://rdfdaily.example/a/1", author: "R. Reporter",
				summary: "The national archive now blocks GPTBot.", categories: []string{"crawlers"},
				published: date("2026-11-28T07:30:00Z"), updated: date("2026-11-28T07:30:00Z")},
			{title: "Second story", link: "https://rdfdaily.example/a/2", summary: "No date on this one."},
		}},
		{"rss20.xml", "Policy & Platforms", []wantItem{
			{title: "Forum will charge for API access", link: "https://policyplatforms.example/news/2026/forum-api", guid: "pp-2001",
				author: "Dana Desk", summary: "Third-party apps face per-call fees.\n\nSecond paragraph.",
				categories: []string{"API", "Pricing"}, published: date("2026-11-27T09:00:00Z"),
				contentHas:   []string{"<p>Full", `<a href="/news/more">story</a>`, `alt="chart"`},
				contentLacks: []string{"onclick", "onmouseover", "<script", "alert", "javascript:"}},
			{title: "Story dated with Dublin Core only", link: "https://policyplatforms.example/news/2026/dc-only",
				guid: "https://policyplatforms.example/news/2026/dc-only", author: "Sam Writer", summary: "Plain text summary.",
				published: date("2026-11-26T09:15:00Z"), updated: date("2026-11-26T09:15:00Z")},
			// A date in the far future is no date: the store dates the
			// story by when it first saw it, which stays put.
			{title: "Story from the year 2100", link: "https://policyplatforms.example/news/2100/typo", summary: "A typo in the year."},
			{title: "Story with no date", link: "https://policyplatforms.example/news/undated", summary: "Undated."},
			// A zero Unix time is no date at all.
			{title: "Story from 1970", link: "https://policyplatforms.example/news/epoch", summary: "A zero timestamp."},
			// An untitled entry is named by its text.
			{title: "An untitled microblog post about dataset licensing.", guid: "pp-2006",
				summary: "An untitled microblog post about dataset licensing.", published: date("2026-11-25T10:00:00Z")},
			// The second copy of the same GUID is dropped.
			{title: "Same story twice (first copy)", link: "https://policyplatforms.example/news/dup", guid: "pp-dup",
				published: date("2026-11-24T10:00:00Z")},
		}},
		{"atom.xml", "Kernel & Cloud", []wantItem{
			{title: "Token prices drop for the big model", link: "https://kernelcloud.example/blog/posts/token-prices",
				guid: "tag:kernelcloud.example,2026:entry-77", author: "Ada Author", summary: "Input tokens now cost half.",
				categories: []string{"pricing", "Models"},
				published:  date("2026-11-28T15:00:00Z"), updated: date("2026-11-28T16:00:00Z"),
				contentHas: []string{"<em>per million tokens</em>"}, contentLacks: []string{"iframe", "evil"}},
			// Published falls back to updated; text content keeps its '<'.
			{title: "Only updated, never published", link: "https://kernelcloud.example/blog/posts/updated-only",
				guid: "tag:kernelcloud.example,2026:entry-78", summary: "Plain text content <not markup>.",
				published: date("2026-11-27T07:00:00Z"), updated: date("2026-11-27T07:00:00Z"),
				contentHas: []string{"&lt;not markup&gt;"}},
		}},
		{"feed.json", "Byte Notes", []wantItem{
			{title: "Publishers sue over scraped archives", link: "https://bytenotes.example/2026/scrapers", guid: "bn-501",
				author: "Jo Journalist", summary: "Publishers say their archives were copied.",
				categories: []string{"lawsuit", "scraping"}, published: date("2026-11-28T06:00:00Z"),
				contentHas: []string{`<a href="https://bytenotes.example/docs">crawler</a>`}, contentLacks: []string{"<form", "<input"}},
			{title: "Modified only", link: "https://bytenotes.example/2026/modified-only", guid: "bn-502",
				summary:   "Text content\nwith a line break.",
				published: date("2026-11-27T06:00:00Z"), updated: date("2026-11-27T06:00:00Z"),
				contentHas: []string{"Text content<br>with a line break."}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := parseFixture(t, tt.file)
			if f.Title != tt.feedTitle {
				t.Errorf("feed title = %q, want %q", f.Title, tt.feedTitle)
			}
			if len(f.Items) != len(tt.items) {
				t.Fatalf("%d items, want %d", len(f.Items), len(tt.items))
			}
			for i, want := range tt.items {
				checkItem(t, f.Items[i], want)
				if f.Items[i].Outlet != tt.feedTitle {
					t.Errorf("outlet = %q, want the feed's title %q", f.Items[i].Outlet, tt.feedTitle)
				}
				if f.Items[i].Feed != "https://subscribed.example/"+tt.file {
					t.Errorf("feed = %q, want the subscription URL", f.Items[i].Feed)
				}
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		file string
		want error
	}{
		{"page.html", feeds.ErrNotAFeed},
		{"malformed.xml", feeds.ErrMalformed},
	}
	for _, tt := range tests {
		body := readTestdata(t, tt.file)
		_, err := feeds.NewParser(0).ParseSource(body, feeds.Source{URL: "https://x.example/feed"}, testNow)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.file, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tt.file, err)
		}
	}
}

// TestParseOutletName: the subscription's title wins over the feed's own,
// and a feed with no title is named by its host.
func TestParseOutletName(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><link>https://untitled.example/</link><item><title>t</title><link>https://untitled.example/1</link></item></channel></rss>`)
	p := feeds.NewParser(0)
	f, err := p.ParseSource(body, feeds.Source{URL: "https://untitled.example/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Items[0].Outlet; got != "untitled.example" {
		t.Errorf("outlet of an untitled feed = %q, want the host", got)
	}
	f, err = p.ParseSource(body, feeds.Source{URL: "https://untitled.example/rss", Outlet: "My \x1b[31mName"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Items[0].Outlet; got != "My Name" {
		t.Errorf("outlet with a subscription title = %q, want it sanitised", got)
	}
}

func TestParseLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>Big</title><link>https://big.example/</link>`)
	long := strings.Repeat("word ", 1000)
	for i := range 30 {
		fmt.Fprintf(&b, "<item><title>%d %s</title><link>https://big.example/%d</link><description>%s</description>", i, long, i, strings.Repeat("<p>"+long+"</p>", 10))
		for c := range 40 {
			fmt.Fprintf(&b, "<category>c%d</category>", c)
		}
		b.WriteString("</item>")
	}
	b.WriteString("</channel></rss>")
	f, err := feeds.NewParser(10).ParseSource([]byte(b.String()), feeds.Source{URL: "https://big.example/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 10 || f.Dropped != 20 {
		t.Errorf("kept %d items and dropped %d, want 10 and 20", len(f.Items), f.Dropped)
	}
	it := f.Items[0]
	if n := len([]rune(it.Title)); n > 401 {
		t.Errorf("title kept %d runes", n)
	}
	if !strings.HasPrefix(it.Title, "0 word word") || !strings.HasSuffix(it.Title, "…") {
		t.Errorf("title not cut with an ellipsis: %q...", it.Title[:40])
	}
	if n := len([]rune(it.Summary)); n > 2001 {
		t.Errorf("summary kept %d runes", n)
	}
	if len(it.Categories) != 16 {
		t.Errorf("kept %d categories, want 16", len(it.Categories))
	}
	if it.Content == "" || len(it.Content) > 512<<10 {
		t.Errorf("long description as content: %d bytes", len(it.Content))
	}
}

// TestParseHostile feeds every display field escape sequences, controls,
// bidi overrides and invalid UTF-8 in the ways feeds can carry them (raw
// in CDATA, as character references, as 8-bit C1), and bad link schemes.
func TestParseHostile(t *testing.T) {
	evil := "A\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07B\u009b31mC\u202eD\xff\u2066E\x1b]0;title\x1b\\F"
	refs := "&#x1b;[2J&#27;]52;c;eA==&#7;&#x202E;&#x9b;G"
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title><![CDATA[%s]]></title><link>https://hostile.example/</link>`, evil)
	for i, link := range []string{"javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "https://ok.example/\x1b[2J", "https://ok.example/fine"} {
		fmt.Fprintf(&b, `<item><title><![CDATA[%s %d]]></title><link><![CDATA[%s]]></link><guid isPermaLink="false"><![CDATA[g%d%s]]></guid>`, evil, i, link, i, evil)
		fmt.Fprintf(&b, `<author><![CDATA[%s]]></author><category><![CDATA[%s]]></category><category>%s</category>`, evil, evil, refs)
		fmt.Fprintf(&b, `<description>%s &lt;b&gt;%s&lt;/b&gt;</description>`, refs, refs)
		fmt.Fprintf(&b, `<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p title="%s">%s</p><a href="javascript:x()">j</a>]]></content:encoded></item>`, evil, evil)
	}
	b.WriteString("</channel></rss>")
	f, err := feeds.NewParser(0).ParseSource([]byte(b.String()), feeds.Source{URL: "https://hostile.example/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 5 {
		t.Fatalf("%d items, want 5", len(f.Items))
	}
	for i, it := range f.Items {
		assertClean(t, it)
		if i < 3 && it.Link != "" {
			t.Errorf("item %d: link with an unsafe scheme kept: %q", i, it.Link)
		}
		if strings.Contains(it.Content, "javascript") {
			t.Errorf("item %d: javascript link in content: %q", i, it.Content)
		}
	}
	// The escape sequence is cut from the link before parsing, leaving
	// a harmless address.
	if got := f.Items[3].Link; got != "https://ok.example/" {
		t.Errorf("link with an escape sequence = %q", got)
	}
	if got := f.Items[4].Link; got != "https://ok.example/fine" {
		t.Errorf("safe link = %q", got)
	}
	if got := f.Items[0].Title; got != "ABCDEF 0" {
		t.Errorf("hostile title = %q, want the visible text only", got)
	}
	if sanitize.HasControl(f.Title) {
		t.Errorf("feed title %q has control characters", f.Title)
	}
}

// assertClean fails if any display string of it has a control character.
func assertClean(t *testing.T, it item.Item) {
	t.Helper()
	fields := map[string]string{"id": it.ID, "feed": it.Feed, "outlet": it.Outlet, "guid": it.GUID, "title": it.Title,
		"link": it.Link, "author": it.Author, "summary": it.Summary, "content": it.Content}
	for i, c := range it.Categories {
		fields[fmt.Sprintf("category %d", i)] = c
	}
	for name, v := range fields {
		if sanitize.HasControl(v) {
			t.Errorf("%s has control characters: %q", name, v)
		}
		if name != "summary" && name != "content" && strings.ContainsAny(v, "\n\t") {
			t.Errorf("%s is not one line: %q", name, v)
		}
	}
}

// TestParseIDsFollowOrigin: a feed that moved keeps its stories' IDs when
// parsed with its original URL as Origin, including stories whose GUIDs
// are not URLs (which are keyed on the feed).
func TestParseIDsFollowOrigin(t *testing.T) {
	body := readTestdata(t, "rss20.xml")
	p := feeds.NewParser(0)
	before, err := p.ParseSource(body, feeds.Source{URL: "https://old.example/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	after, err := p.ParseSource(body, feeds.Source{URL: "https://new.example/rss", Origin: "https://old.example/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := p.ParseSource(body, feeds.Source{URL: "https://new.example/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for i := range before.Items {
		if before.Items[i].ID != after.Items[i].ID {
			t.Errorf("%q: ID %s became %s after the move", before.Items[i].Title, before.Items[i].ID, after.Items[i].ID)
		}
		if after.Items[i].Feed != "https://new.example/rss" {
			t.Errorf("%q: feed = %q, want the new URL", after.Items[i].Title, after.Items[i].Feed)
		}
	}
	// Without the origin, GUID "pp-2001" in another feed is another story.
	if before.Items[0].ID == elsewhere.Items[0].ID {
		t.Errorf("a non-URL GUID in another feed got the same ID")
	}
}

// Links never carry credentials, whether the feed wrote them, a permalink
// GUID did, or a relative link picked up the subscription's own.
func TestParseLinksDropCredentials(t *testing.T) {
	doc := `<?xml version="1.0"?><rss version="2.0"><channel><title>Creds</title>
<item><title>Looks like the bank</title><link>https://www.bank.example:login@evil.example/x</link></item>
<item><title>Permalink GUID</title><guid>https://u:p@creds.example/g</guid></item>
<item><title>Relative</title><link>/post/1</link></item>
</channel></rss>`
	f, err := feeds.NewParser(0).ParseSource([]byte(doc), feeds.Source{URL: "https://alice:s3cret@private.example/feed"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://evil.example/x", "https://creds.example/g", "https://private.example/post/1"}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items", len(f.Items))
	}
	for i, it := range f.Items {
		if it.Link != want[i] {
			t.Errorf("%q: link %q, want %q", it.Title, it.Link, want[i])
		}
	}
}

// Relative links in a feed without a link of its own resolve against
// where the document came from, after a temporary redirect.
func TestParseRelativeToFinalURL(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>Moved</title><item><title>A</title><link>post/1</link></item></channel></rss>`
	f, err := feeds.NewParser(0).ParseSource([]byte(doc), feeds.Source{URL: "https://a.example/old/feed", Base: "https://b.example/new/feed"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Items[0].Link; got != "https://b.example/new/post/1" {
		t.Errorf("link %q, want it relative to the final URL", got)
	}
	if got := f.Items[0].Feed; got != "https://a.example/old/feed" {
		t.Errorf("story belongs to %q, want the subscription", got)
	}
}

// A story with neither GUID nor link is known by its title and date; a
// date in the future is dropped rather than replaced by the clock, so the
// story keeps one ID from one refresh to the next.
func TestParseFutureDateKeepsTheID(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>T</title><item><title>Keynote</title><pubDate>Mon, 01 Jan 2035 10:00:00 +0000</pubDate></item></channel></rss>`
	p := feeds.NewParser(0)
	var ids []string
	for _, now := range []time.Time{testNow, testNow.Add(time.Hour)} {
		f, err := p.ParseSource([]byte(doc), feeds.Source{URL: "https://t.example/rss"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if it := f.Items[0]; !it.Published.IsZero() || !it.Updated.IsZero() {
			t.Errorf("future date kept as %s / %s", it.Published, it.Updated)
		}
		ids = append(ids, f.Items[0].ID)
	}
	if ids[0] != ids[1] {
		t.Errorf("the story's ID changed between refreshes: %v", ids)
	}
}
