package export

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// commonMark is a real CommonMark parser with the GitHub extensions
// (tables, strikethrough, bare-URL autolinks, task lists) and the other
// syntax goldmark offers, so the export is checked against the widest
// grammar a reader may use.
func commonMark() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, extension.DefinitionList, extension.Footnote))
}

// shape is what a markdown document turned into.
type shape struct {
	kinds map[string]int // node kind -> count
	links []string       // where the rendered links go, in document order
	html  string
}

func parseMarkdown(t testing.TB, src []byte) shape {
	t.Helper()
	md := commonMark()
	doc := md.Parser().Parse(text.NewReader(src))
	s := shape{kinds: map[string]int{}}
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		s.kinds[n.Kind().String()]++
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		t.Fatal(err)
	}
	s.html = buf.String()
	for _, m := range href.FindAllStringSubmatch(s.html, -1) {
		s.links = append(s.links, percentDecode(html.UnescapeString(m[1])))
	}
	return s
}

var href = regexp.MustCompile(`<a href="([^"]*)"`)

// percentDecode decodes the valid %XX escapes of u and leaves the rest, so
// that a URL and its percent-encoded form compare equal.
func percentDecode(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		if u[i] == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]) {
			b.WriteByte(unhex(u[i+1])<<4 | unhex(u[i+2]))
			i += 2
			continue
		}
		b.WriteByte(u[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// onlyKinds reports node kinds outside allowed.
func (s shape) onlyKinds(allowed ...string) []string {
	var bad []string
	for k := range s.kinds {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	return bad
}

var htmlTag = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)([^>]*)>`)

// checkHTML checks that every tag in the rendered HTML is one the export
// itself produces, and that links point only at web URLs. Story text cannot
// produce a tag: goldmark writes text with < escaped.
func checkHTML(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "<!--") {
		t.Errorf("raw HTML in the export (goldmark omitted it):\n%s", out)
	}
	for _, m := range htmlTag.FindAllStringSubmatch(out, -1) {
		name, attrs := m[2], strings.TrimSpace(m[3])
		switch name {
		case "h1", "h2", "h3", "p", "blockquote":
			if attrs != "" {
				t.Errorf("unexpected attributes in %s", m[0])
			}
		case "a":
			if m[1] == "/" {
				continue
			}
			if !strings.HasPrefix(attrs, `href="https://`) && !strings.HasPrefix(attrs, `href="http://`) || strings.Count(attrs, `"`) != 2 {
				t.Errorf("link that is not a plain web link: %s", m[0])
			}
		default:
			t.Errorf("unexpected element %s", m[0])
		}
	}
}

func TestMarkdownRendersOnlyItsOwnStructure(t *testing.T) {
	db := openFixture(t)
	for _, f := range []Filters{{}, {All: true}} {
		stories, err := Select(db, f)
		if err != nil {
			t.Fatal(err)
		}
		doc := Build(stories, Options{Now: testNow, Filters: f, CoreTags: coreTags})
		var buf bytes.Buffer
		if err := WriteMarkdown(&buf, doc, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		got := parseMarkdown(t, buf.Bytes())

		// Exactly the stories' web links, each twice (title and Link line),
		// in document order; the javascript: link of the hostile story is
		// not among them.
		var wantLinks []string
		notes, entries := 0, 0
		for _, g := range doc.Groups {
			for _, e := range g.Stories {
				entries++
				if e.Note != "" {
					notes++
				}
				if e.Link != "" {
					wantLinks = append(wantLinks, percentDecode(e.Link), percentDecode(e.Link))
				}
			}
		}
		if !slices.Equal(got.links, wantLinks) {
			t.Errorf("links:\n got %q\nwant %q", got.links, wantLinks)
		}
		if bad := got.onlyKinds("Document", "Heading", "Paragraph", "Text", "String", "Link", "Blockquote"); len(bad) > 0 {
			t.Errorf("story text produced %v:\n%s", bad, got.html)
		}
		if n := got.kinds["Heading"]; n != 1+len(doc.Groups)+entries {
			t.Errorf("%d headings, want 1 + %d groups + %d stories", n, len(doc.Groups), entries)
		}
		if n := got.kinds["Blockquote"]; n != notes {
			t.Errorf("%d block quotes, want one per note (%d)", n, notes)
		}
		checkHTML(t, got.html)
		if strings.Contains(got.html, `href="javascript`) || strings.Contains(got.html, "<img") || strings.Contains(got.html, "<script") {
			t.Errorf("dangerous HTML:\n%s", got.html)
		}

		// Escaping loses nothing: each story heading reads as the title.
		var titles []string
		for _, g := range doc.Groups {
			for _, e := range g.Stories {
				titles = append(titles, e.Title)
			}
		}
		h3 := regexp.MustCompile(`<h3>(.*)</h3>`).FindAllStringSubmatch(got.html, -1)
		if len(h3) != len(titles) {
			t.Fatalf("%d story headings, want %d", len(h3), len(titles))
		}
		for i, m := range h3 {
			if text := html.UnescapeString(htmlTag.ReplaceAllString(m[1], "")); text != titles[i] {
				t.Errorf("heading %d reads %q, want %q", i, text, titles[i])
			}
		}
	}
}

// htmlText is how goldmark writes text: & < > " escaped.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// checkEscapeLine renders EscapeLine(s) in the places an export puts text
// and checks it reads back as exactly the sanitised s, with no markup.
func checkEscapeLine(t *testing.T, s string) {
	t.Helper()
	want := sanitize.Line(s)
	esc := EscapeLine(s)
	contexts := []struct{ src, wantHTML string }{
		{esc, "<p>" + htmlText(want) + "</p>\n"},
		{"### " + esc, "<h3>" + htmlText(want) + "</h3>\n"},
		{"Outlet · " + esc + " · 2026", "<p>Outlet · " + htmlText(want) + " · 2026</p>\n"},
		{"> " + esc, "<blockquote>\n<p>" + htmlText(want) + "</p>\n</blockquote>\n"},
	}
	if want == "" {
		contexts[0].wantHTML = ""
		contexts[3].wantHTML = "<blockquote>\n</blockquote>\n"
	}
	for _, c := range contexts {
		got := parseMarkdown(t, []byte(c.src))
		if got.html != c.wantHTML {
			t.Errorf("input %q escaped as %q; rendered\n%q\nwant\n%q", s, esc, got.html, c.wantHTML)
		}
	}
}

// checkQuote renders Quote(s) and checks it is one block quote holding the
// lines of s as text.
func checkQuote(t *testing.T, s string) {
	t.Helper()
	var paras []string
	var cur []string
	for _, l := range append(textLines(s), "") {
		if l == "" {
			if len(cur) > 0 {
				paras = append(paras, "<p>"+htmlText(strings.Join(cur, "\n"))+"</p>\n")
			}
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	want := ""
	if q := Quote(s); q != "" {
		want = "<blockquote>\n" + strings.Join(paras, "") + "</blockquote>\n"
	}
	got := parseMarkdown(t, []byte(Quote(s)))
	if got.html != want {
		t.Errorf("note %q quoted as %q; rendered\n%q\nwant\n%q", s, Quote(s), got.html, want)
	}
}

// checkLink renders Link(text, u): a link to u exactly when u is a web
// URL, whose label reads as the text.
func checkLink(t *testing.T, label, u string) {
	t.Helper()
	src := "### " + Link(label, u)
	got := parseMarkdown(t, []byte(src))
	web, ok := WebURL(u)
	want := []string(nil)
	if ok {
		// goldmark resolves entity references in a destination even after
		// an escaped & (the spec says it should not), so "&amp;" in a URL
		// comes out as "&": compare modulo entities.
		want = []string{percentDecode(html.UnescapeString(web))}
		for i, l := range got.links {
			got.links[i] = html.UnescapeString(l)
		}
	}
	if !slices.Equal(got.links, want) {
		t.Errorf("Link(%q, %q) = %q: links %q, want %q", label, u, src, got.links, want)
	}
	if bad := got.onlyKinds("Document", "Heading", "Text", "String", "Link"); len(bad) > 0 {
		t.Errorf("Link(%q, %q) = %q produced %v", label, u, src, bad)
	}
	text := sanitize.Line(label)
	if text == "" {
		text = "(untitled)"
	}
	if read := html.UnescapeString(htmlTag.ReplaceAllString(got.html, "")); read != text+"\n" {
		t.Errorf("Link(%q, %q) reads %q, want %q", label, u, read, text)
	}
}

// hostile are strings that try every markup CommonMark and GFM know.
var hostile = []string{
	"",
	"plain words",
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"<!-- comment -->",
	"<?php x ?>",
	"<![CDATA[x]]>",
	"[link](https://evil.example)",
	"[link](javascript:alert(1))",
	"![image](https://evil.example/i.png)",
	"[ref][1]\n\n[1]: https://evil.example",
	"[1]: https://evil.example",
	"[^note]",
	"<https://evil.example>",
	"<mailto:x@evil.example>",
	"https://evil.example/a",
	"HTTP://EVIL.EXAMPLE",
	"ftp://evil.example/x",
	"www.evil.example",
	"WWW.evil.example/path",
	"x@evil.example",
	"mailto:x@evil.example",
	"`code`",
	"``double``",
	"*em* _em_ **strong** __strong__ ~~strike~~ ~single~",
	"# heading",
	"###### six",
	"Title ###",
	"heading\n===",
	"heading\n---",
	"- item",
	"+ item",
	"* item",
	"1. item",
	"1) item",
	"123456789. item",
	"- [ ] task",
	"> quote",
	"| a | b |\n|---|---|\n| c | d |",
	"a | b\n--- | ---",
	"***",
	"---",
	"___",
	"    indented code",
	"\tindented code",
	"```\nfence\n```",
	"~~~\nfence\n~~~",
	"term\n: definition",
	"&amp; &#60; &#x3C; &copy;",
	"trailing backslash\\",
	"hard break  \nnext",
	"a\\*b",
	"\\\\",
	"line one\nline two\n\n\n\nline after blanks",
	"\x1b]52;c;cm0gLXJmIH4=\x07osc52",
	"\x1b[2J\x1b[Hclear",
	"\u202eevil\u202c bidi",
	"\x9b31mC1 CSI",
	"zero\u200bwidth",
	"{#id .class}",
	"Q&A: what's next? (part 1) 50% off!",
	"2026. A year",
	"1.5 billion, 2) two, 3.",
	"1234567890. ten digits",
	"7)",
	"=== not a heading",
	": colon start",
	"!!! [brackets]",
}

func TestEscapeHostileStrings(t *testing.T) {
	for _, s := range hostile {
		checkEscapeLine(t, s)
		checkQuote(t, s)
		checkLink(t, s, "https://example.com/a_(b)?c=1&amp;d=<e> f`g")
		checkLink(t, s, "javascript:alert(1)")
	}
}

func TestWebURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://example.com/a", true},
		{"http://example.com", true},
		{"HTTPS://EXAMPLE.COM/", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{" javascript:alert(1)", false},
		{"data:text/html,<b>x</b>", false},
		{"file:///etc/passwd", false},
		{"vbscript:x", false},
		{"//evil.example/x", false},
		{"/relative/path", false},
		{"https:///no-host", false},
		{"https://", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, ok := WebURL(tt.in); ok != tt.ok {
			t.Errorf("WebURL(%q) ok = %t, want %t", tt.in, ok, tt.ok)
		}
	}
	if got, ok := WebURL("https://www.bank.example:login@evil.example/x"); !ok || got != "https://evil.example/x" {
		t.Errorf("a link with credentials became %q, %t", got, ok)
	}
}

// FuzzEscape checks that any string, escaped, renders through a real
// CommonMark parser as exactly its own text: no link, image, autolink, HTML,
// code, emphasis, heading, list, quote or table can come out of it.
func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, "https://example.com/story")
	}
	f.Add("title", "javascript:alert(1)")
	f.Add("title", "https://example.com/a_(b)?c=1&amp;d")
	f.Add("https://example.com/x", "https://example.com/x")
	f.Fuzz(func(t *testing.T, s, u string) {
		checkEscapeLine(t, s)
		checkQuote(t, s)
		checkLink(t, s, u)
		checkLink(t, u, u)
	})
}
