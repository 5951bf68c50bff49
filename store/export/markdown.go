package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MarkdownOptions tune the built-in markdown.
type MarkdownOptions struct {
	// FrontMatter starts the document with a YAML front matter block
	// (title, date, generated, filters, stories, groups).
	FrontMatter bool
}

// Date and time layouts of the built-in markdown.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02 15:04 MST"
)

// WriteMarkdown renders doc as CommonMark. Every string that came from a
// feed or from the user is escaped (see EscapeLine), so the only links in
// the output are the stories' own http(s) links, and nothing in a story
// can add a heading, a list, a table, an image or raw HTML.
//
// The layout, one "###" section per story:
//
//	# Starred stories, 2026-11-29
//
//	Starred stories · tag training-data · 2 stories
//
//	## training-data
//
//	### [Title](https://example.com/story)
//
//	Outlet · by Author · 2026-11-28 · training-data, api-pricing
//
//	> the note
//
//	Link: [https://example.com/story](https://example.com/story)
func WriteMarkdown(w io.Writer, doc Document, opts MarkdownOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if opts.FrontMatter {
		writeFrontMatter(bw, doc)
	}
	fmt.Fprintf(bw, "# %s, %s\n\n", EscapeLine(doc.Title), doc.Generated.Format(dateLayout))
	bw.WriteString(EscapeLine(describeFilters(doc)))
	bw.WriteString("\n")
	for _, g := range doc.Groups {
		fmt.Fprintf(bw, "\n## %s\n", EscapeLine(g.Name))
		for i := range g.Stories {
			writeEntry(bw, &g.Stories[i])
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: write markdown: %w", err)
	}
	return nil
}

func writeEntry(w *bufio.Writer, e *Entry) {
	// Build made Link a web URL, but a Document can be built by hand.
	web, ok := WebURL(e.Link)
	w.WriteString("\n### ")
	w.WriteString(link(e.Title, web, ok))
	w.WriteString("\n\n")
	w.WriteString(EscapeLine(metaLine(e)))
	w.WriteString("\n")
	if e.Note != "" {
		w.WriteString("\n")
		w.WriteString(Quote(e.Note))
		w.WriteString("\n")
	}
	switch {
	case ok:
		fmt.Fprintf(w, "\nLink: %s\n", link(web, web, ok))
	case e.LinkText != "":
		// Shown so the reader knows there was one, but never clickable.
		fmt.Fprintf(w, "\nLink (not a web address, not linked): %s\n", EscapeLine(e.LinkText))
	}
}

// metaLine is "Outlet · by Author · date · tags", unescaped.
func metaLine(e *Entry) string {
	parts := make([]string, 0, 4)
	if e.Outlet != "" {
		parts = append(parts, e.Outlet)
	}
	if e.Author != "" {
		parts = append(parts, "by "+e.Author)
	}
	parts = append(parts, e.Published.Format(dateLayout))
	if len(e.Tags) > 0 {
		parts = append(parts, strings.Join(e.Tags, ", "))
	} else {
		parts = append(parts, "no tags")
	}
	return strings.Join(parts, " · ")
}

// describeFilters says in words what the export holds, unescaped.
func describeFilters(doc Document) string {
	f := doc.Filters
	parts := []string{"Starred stories"}
	if f.All {
		parts = []string{"All stories"}
	}
	if f.Tag != "" {
		parts = append(parts, "tag "+f.Tag)
	}
	if !f.Since.IsZero() {
		since := "published since " + f.Since.Format(dateTimeLayout)
		if f.SinceText != "" {
			since += " (last " + f.SinceText + ")"
		}
		parts = append(parts, since)
	}
	switch doc.Count {
	case 0:
		parts = append(parts, "no stories match")
	case 1:
		parts = append(parts, "1 story")
	default:
		parts = append(parts, strconv.Itoa(doc.Count)+" stories")
	}
	return strings.Join(parts, " · ")
}

// writeFrontMatter writes a YAML block. Strings are written as JSON
// strings, which YAML reads as double-quoted scalars, so no feed text can
// end the block or add a key.
func writeFrontMatter(w *bufio.Writer, doc Document) {
	f := doc.Filters
	w.WriteString("---\n")
	fmt.Fprintf(w, "title: %s\n", YAMLString(doc.Title))
	fmt.Fprintf(w, "date: %s\n", YAMLString(doc.Generated.Format(dateLayout)))
	fmt.Fprintf(w, "generated: %s\n", YAMLString(doc.Generated.Format(time.RFC3339)))
	w.WriteString("filters:\n")
	fmt.Fprintf(w, "  starred_only: %t\n", !f.All)
	if f.Tag != "" {
		fmt.Fprintf(w, "  tag: %s\n", YAMLString(f.Tag))
	}
	if !f.Since.IsZero() {
		fmt.Fprintf(w, "  since: %s\n", YAMLString(f.Since.Format(time.RFC3339)))
	}
	fmt.Fprintf(w, "stories: %d\n", doc.Count)
	names := make([]string, len(doc.Groups))
	for i, g := range doc.Groups {
		names[i] = YAMLString(g.Name)
	}
	fmt.Fprintf(w, "groups: [%s]\n", strings.Join(names, ", "))
	w.WriteString("---\n\n")
}

// YAMLString quotes s as a YAML double-quoted scalar (JSON being a subset
// of YAML 1.2).
func YAMLString(s string) string {
	raw, err := json.Marshal(s)
	if err != nil {
		// json.Marshal of a string cannot fail; invalid UTF-8 is replaced.
		return `""`
	}
	return string(raw)
}
