package feeds_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/trawl-news/trawl/feeds"
)

// TestParseTitlesKeepText: a title that names an HTML tag keeps it, in
// every format, while real inline markup in an HTML title still goes.
func TestParseTitlesKeepText(t *testing.T) {
	tests := []struct {
		name, doc  string
		feedTitle  string
		titles     []string
		categories []string // of the first entry
	}{
		{"rss",
			`<rss version="2.0"><channel><title>Tags &amp;amp; &lt;Markup&gt;</title>
<item><title>New in Chrome: the &lt;dialog&gt; element</title><link>https://x.example/1</link>
<category>&lt;dialog&gt;</category><category>&lt;b&gt;HTML&lt;/b&gt;</category></item>
<item><title>&lt;em&gt;Big&lt;/em&gt; news</title><link>https://x.example/2</link></item>
<item><title><![CDATA[Why the <script> tag blocks rendering]]></title><link>https://x.example/3</link></item>
<item><title>AT&amp;amp;T &amp;#8212; the &amp;lt;b&amp;gt; tag, escaped twice</title><link>https://x.example/4</link></item>
<item><title>Line&lt;br&gt;break and a &lt;!-- comment</title><link>https://x.example/5</link></item>
</channel></rss>`,
			"Tags & <Markup>",
			[]string{
				"New in Chrome: the <dialog> element",
				"Big news",
				"Why the <script> tag blocks rendering",
				"AT&T — the <b> tag, escaped twice",
				"Line break and a <!-- comment",
			},
			[]string{"<dialog>", "HTML"}},
		{"atom",
			`<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">The &lt;head&gt; Report</title>
<entry><id>urn:1</id><title type="text">Styling the &lt;title&gt; element: a guide</title><link href="https://x.example/1"/></entry>
<entry><id>urn:2</id><title>Why the &lt;script&gt; tag blocks rendering</title><link href="https://x.example/2"/></entry>
<entry><id>urn:3</id><title type="html">&lt;em&gt;Big&lt;/em&gt; news about &amp;lt;dialog&amp;gt;</title><link href="https://x.example/3"/></entry>
<entry><id>urn:4</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Bold</b> move</div></title><link href="https://x.example/4"/></entry>
</feed>`,
			"The <head> Report",
			[]string{
				"Styling the <title> element: a guide",
				"Why the <script> tag blocks rendering",
				"Big news about <dialog>",
				"Bold move",
			},
			nil},
		{"json",
			`{"version":"https://jsonfeed.org/version/1.1","title":"<Plain> & simple","items":[
{"id":"1","url":"https://x.example/1","title":"Why the <script> tag blocks rendering, and what to do","content_text":"body"},
{"id":"2","url":"https://x.example/2","title":"Use <em> for emphasis, not AT&amp;T&#8217;s <b>","content_text":"body"},
{"id":"3","url":"https://x.example/3","title":"  spaced \n out  ","content_text":"body"}]}`,
			"<Plain> & simple",
			[]string{
				"Why the <script> tag blocks rendering, and what to do",
				// Plain text by the spec, so tags are text; but feeds
				// made from HTML titles still spell characters as
				// entities, which are decoded.
				"Use <em> for emphasis, not AT&T’s <b>",
				"spaced out",
			},
			nil},
	}
	p := feeds.NewParser(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := p.ParseSource([]byte(tt.doc), feeds.Source{URL: "https://x.example/feed"}, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != tt.feedTitle {
				t.Errorf("feed title = %q, want %q", f.Title, tt.feedTitle)
			}
			if len(f.Items) != len(tt.titles) {
				t.Fatalf("%d items, want %d", len(f.Items), len(tt.titles))
			}
			for i, want := range tt.titles {
				if got := f.Items[i].Title; got != want {
					t.Errorf("item %d: title = %q, want %q", i, got, want)
				}
			}
			if got := f.Items[0].Categories; strings.Join(got, "|") != strings.Join(tt.categories, "|") {
				t.Errorf("categories = %q, want %q", got, tt.categories)
			}
		})
	}
}

// TestLongTextsCutBetweenCharacters: a title or summary over its limit is
// cut where one character, as the reader sees it, ends and the next
// begins: never between a letter and its accent, the halves of a flag or
// the parts of a joined emoji.
func TestLongTextsCutBetweenCharacters(t *testing.T) {
	const titleRunes, summaryRunes = 400, 2000
	a := func(n int) string { return strings.Repeat("a", n) }
	// 16 runes a round, no two ASCII characters in a row past the start,
	// and rune 400 is the vowel sign of रि.
	devanagari := "abc" + strings.Repeat("नमस्ते क्षत्रिय ", 40)
	tests := []struct {
		name, title, summary string
		wantTitle            string // "" to check only that the cut is clean
		wantSummary          string
		oneHugeCharacter     bool // hostile: over the limit in one cluster
	}{
		{name: "flag split", title: a(titleRunes-1) + "🇫🇷 and more", wantTitle: a(titleRunes-1) + "…"},
		{name: "flag kept whole", title: a(titleRunes-2) + "🇫🇷 and more", wantTitle: a(titleRunes-2) + "🇫🇷…"},
		{name: "combining accent", title: a(titleRunes-1) + "e\u0301tude", wantTitle: a(titleRunes-1) + "…"},
		{name: "joined emoji", title: a(titleRunes-1) + "👩\u200d👩\u200d👧 family", wantTitle: a(titleRunes-1) + "…"},
		{name: "skin tone", title: a(titleRunes-1) + "👍🏽 ok", wantTitle: a(titleRunes-1) + "…"},
		{name: "ascii", title: a(titleRunes + 10), wantTitle: a(titleRunes) + "…"},
		{name: "devanagari", title: devanagari},
		{name: "one huge character", title: "Z" + strings.Repeat("\u0301", 450) + " breaking",
			wantTitle: "Z" + strings.Repeat("\u0301", titleRunes-1) + "…", oneHugeCharacter: true},
		{name: "summary flag", title: "t", summary: a(summaryRunes-1) + "🇯🇵 rest",
			wantTitle: "t", wantSummary: a(summaryRunes-1) + "…"},
	}
	p := feeds.NewParser(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := json.Marshal(map[string]any{
				"version": "https://jsonfeed.org/version/1.1", "title": "Long",
				"items": []map[string]string{{"id": "1", "url": "https://x.example/1", "title": tt.title, "content_text": tt.summary}},
			})
			if err != nil {
				t.Fatal(err)
			}
			f, err := p.ParseSource(doc, feeds.Source{URL: "https://x.example/feed"}, testNow)
			if err != nil {
				t.Fatal(err)
			}
			it := f.Items[0]
			if tt.wantTitle != "" && it.Title != tt.wantTitle {
				t.Errorf("title = …%q, want …%q", tail(it.Title), tail(tt.wantTitle))
			}
			if tt.wantSummary != "" && it.Summary != tt.wantSummary {
				t.Errorf("summary = …%q, want …%q", tail(it.Summary), tail(tt.wantSummary))
			}
			if !tt.oneHugeCharacter {
				assertCleanCut(t, tt.title, it.Title, titleRunes)
			}
		})
	}
}

// assertCleanCut checks that got is in's first whole characters
// (grapheme clusters), with any trailing space trimmed and "…" added, and
// no longer than limit runes before the "…".
func assertCleanCut(t *testing.T, in, got string, limit int) {
	t.Helper()
	if got == in {
		return
	}
	kept, ok := strings.CutSuffix(got, "…")
	if !ok || !strings.HasPrefix(in, kept) || utf8.RuneCountInString(kept) > limit {
		t.Fatalf("%q is not a cut of %q at %d runes", tail(got), tail(in), limit)
	}
	end, rest := 0, in
	for end < len(kept) {
		cluster, r, _, _ := uniseg.FirstGraphemeClusterInString(rest, -1)
		end, rest = end+len(cluster), r
	}
	if end != len(kept) {
		t.Errorf("cut inside a character: kept …%q of …%q", tail(kept), tail(in[:end]))
	}
}

func tail(s string) string {
	if r := []rune(s); len(r) > 12 {
		return string(r[len(r)-12:])
	}
	return s
}
