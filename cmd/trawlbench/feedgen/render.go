package feedgen

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"time"
)

// Render returns feed i as a complete RSS 2.0 or Atom document.
func (c Corpus) Render(i int) []byte {
	f := c.Feed(i)
	var b bytes.Buffer
	b.Grow(c.opts.Items * 900)
	b.WriteString(xml.Header)
	if f.Format == Atom {
		c.renderAtom(&b, f)
	} else {
		c.renderRSS(&b, f)
	}
	return b.Bytes()
}

func (c Corpus) renderRSS(b *bytes.Buffer, f Feed) {
	b.WriteString(`<rss version="2.0"><channel>` + "\n")
	fmt.Fprintf(b, "<title>%s</title>\n<link>https://%s.example/</link>\n", esc(f.Title), f.Slug)
	fmt.Fprintf(b, "<description>%s from %s</description>\n", esc(sections[f.Index%len(sections)]), esc(f.Outlet))
	fmt.Fprintf(b, "<lastBuildDate>%s</lastBuildDate>\n", f.Updated.Format(time.RFC1123Z))
	for j := 0; j < c.opts.Items; j++ {
		s := c.Story(f.Index, j)
		b.WriteString("<item>\n")
		fmt.Fprintf(b, "<title>%s</title>\n<link>%s</link>\n", esc(s.Title), esc(s.Link))
		fmt.Fprintf(b, "<guid isPermaLink=\"true\">%s</guid>\n", esc(s.Link))
		fmt.Fprintf(b, "<pubDate>%s</pubDate>\n", s.Published.Format(time.RFC1123Z))
		fmt.Fprintf(b, "<category>%s</category>\n", esc(s.Category))
		fmt.Fprintf(b, "<description>%s</description>\n", esc("<p>"+esc(s.Summary)+"</p>"))
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel></rss>\n")
}

func (c Corpus) renderAtom(b *bytes.Buffer, f Feed) {
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">` + "\n")
	fmt.Fprintf(b, "<title>%s</title>\n<id>https://%s.example/feeds/%d</id>\n", esc(f.Title), f.Slug, f.Index)
	fmt.Fprintf(b, "<link href=\"https://%s.example/\"/>\n<updated>%s</updated>\n", f.Slug, f.Updated.Format(time.RFC3339))
	for j := 0; j < c.opts.Items; j++ {
		s := c.Story(f.Index, j)
		b.WriteString("<entry>\n")
		fmt.Fprintf(b, "<title>%s</title>\n<link href=\"%s\"/>\n<id>%s</id>\n", esc(s.Title), esc(s.Link), esc(s.Link))
		fmt.Fprintf(b, "<published>%s</published>\n<updated>%s</updated>\n", s.Published.Format(time.RFC3339), s.Published.Format(time.RFC3339))
		fmt.Fprintf(b, "<author><name>%s desk</name></author>\n", esc(f.Outlet))
		fmt.Fprintf(b, "<category term=\"%s\"/>\n", esc(s.Category))
		fmt.Fprintf(b, "<summary type=\"html\">%s</summary>\n", esc("<p>"+esc(s.Summary)+"</p>"))
		b.WriteString("</entry>\n")
	}
	b.WriteString("</feed>\n")
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b bytes.Buffer
	// EscapeText only fails when the writer does; a bytes.Buffer does not.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func sortNewestFirst(stories []Story) {
	slices.SortFunc(stories, func(a, b Story) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		if a.Feed != b.Feed {
			return a.Feed - b.Feed
		}
		return a.Index - b.Index
	})
}
