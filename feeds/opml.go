package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// ErrNotOPML means a file is not an OPML document at all.
var ErrNotOPML = errors.New("not an OPML file")

// maxOPMLBytes bounds an import: subscription lists are kilobytes, and an
// import must not read a disk image into memory because of a typo.
const maxOPMLBytes = 16 << 20

// OPML is a subscription list read from an OPML file.
type OPML struct {
	Title string
	// Feeds are the subscriptions in document order, one per URL: a feed
	// listed in several folders appears once with the tags of each.
	Feeds []Subscription
	// Rejected are outlines with a feed URL trawl will not fetch.
	Rejected []Rejected
}

// Rejected is an outline an import left out, and why.
type Rejected struct {
	Title string
	URL   string
	Err   error
}

// opmlDoc mirrors the parts of OPML 1.0/2.0 that carry subscriptions.
type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    struct {
		Title   string `xml:"title"`
		Created string `xml:"dateCreated,omitempty"`
	} `xml:"head"`
	Body struct {
		Outlines []opmlOutline `xml:"outline"`
	} `xml:"body"`
}

type opmlOutline struct {
	// Readers disagree on attribute case (xmlUrl, xmlurl, XMLURL), so
	// attributes are read by hand; see attr.
	Attrs    []xml.Attr    `xml:",any,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

func (o *opmlOutline) attr(name string) string {
	for _, a := range o.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// ReadOPML reads an OPML subscription list. Nested outlines (folders) and
// category attributes become the feeds' tags. A document that is not
// OPML, or not well-formed XML, is one error; a feed whose URL trawl
// cannot fetch is listed in Rejected and the rest still import.
func ReadOPML(r io.Reader) (*OPML, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxOPMLBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxOPMLBytes {
		return nil, fmt.Errorf("%w: larger than %s", ErrNotOPML, byteSize(maxOPMLBytes))
	}
	if err := checkRoot(raw); err != nil {
		return nil, err
	}
	var doc opmlDoc
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.CharsetReader = charset.NewReaderLabel
	// Exporters that build OPML by hand write HTML's entities (&nbsp;).
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotOPML, sanitize.Line(err.Error()))
	}
	out := &OPML{Title: sanitize.Line(doc.Head.Title)}
	index := map[string]int{} // URL -> position in out.Feeds
	var walk func(outlines []opmlOutline, folders []string)
	walk = func(outlines []opmlOutline, folders []string) {
		for i := range outlines {
			o := &outlines[i]
			name := truncateRunes(sanitize.Line(firstNonEmpty(o.attr("title"), o.attr("text"))), 200)
			feedURL := o.attr("xmlUrl")
			if feedURL == "" && (strings.EqualFold(o.attr("type"), "rss") || strings.EqualFold(o.attr("type"), "atom")) {
				// Older and hand-made files name the feed url=; in
				// other outlines url= is a web page, not a feed.
				feedURL = o.attr("url")
			}
			if feedURL == "" {
				// A folder: its name tags every feed inside.
				inner := folders
				if tag := TagFromName(name); tag != "" {
					inner = append(folders[:len(folders):len(folders)], tag)
				}
				walk(o.Outlines, inner)
				continue
			}
			u, err := CheckFeedURL(feedURL)
			if err != nil {
				out.Rejected = append(out.Rejected, Rejected{Title: name, URL: sanitize.Line(feedURL), Err: err})
				continue
			}
			if name == u || name == strings.TrimSpace(feedURL) {
				// Readers (trawl among them) write an untitled feed's URL
				// as its text, since OPML asks for one; it is no title.
				name = ""
			}
			tags := append([]string(nil), folders...)
			for _, cat := range strings.Split(o.attr("category"), ",") {
				for _, part := range strings.Split(cat, "/") {
					if tag := TagFromName(part); tag != "" {
						tags = append(tags, tag)
					}
				}
			}
			if at, dup := index[u]; dup {
				s := &out.Feeds[at]
				s.Tags = limitTags(mergeTags(s.Tags, tags))
				s.Title = firstNonEmpty(s.Title, name)
			} else {
				index[u] = len(out.Feeds)
				out.Feeds = append(out.Feeds, Subscription{URL: u, Title: name, Tags: limitTags(mergeTags(nil, tags))})
			}
			// Outlines inside a feed are unusual but legal; keep them.
			walk(o.Outlines, folders)
		}
	}
	walk(doc.Body.Outlines, nil)
	return out, nil
}

// checkRoot names the root element when it is not <opml>, which is the
// usual mistake (an HTML page or an RSS feed saved by hand), before
// encoding/xml reports it less helpfully.
func checkRoot(raw []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: the file has no XML elements", ErrNotOPML)
			}
			return fmt.Errorf("%w: %s", ErrNotOPML, sanitize.Line(err.Error()))
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "opml" {
				return fmt.Errorf("%w: its root element is <%s>, not <opml>", ErrNotOPML, sanitize.Line(truncateRunes(se.Name.Local, 40)))
			}
			return nil
		}
	}
}

func mergeTags(have, add []string) []string {
	for _, t := range add {
		dup := false
		for _, h := range have {
			if h == t {
				dup = true
				break
			}
		}
		if !dup {
			have = append(have, t)
		}
	}
	return have
}

// maxImportTags is the most tags an import gives one feed, folders
// first: a feed line stays short however deep or wide a file's folders
// and categories are.
const maxImportTags = 16

func limitTags(tags []string) []string {
	return tags[:min(len(tags), maxImportTags)]
}

// TagFromName turns a folder or category name into a valid tag: lower
// case, runs of anything but letters and digits folded to '-', at most 64
// bytes. It returns "" when nothing usable is left.
func TagFromName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(sanitize.Line(name)) {
		switch {
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			sep := dash && b.Len() > 0
			dash = false
			// The separator and the rune fit together or not at all: a
			// tag never ends in '-' nor runs past the limit.
			if n := b.Len() + utf8.RuneLen(r); n > 64 || sep && n+1 > 64 {
				return b.String()
			}
			if sep {
				b.WriteByte('-')
			}
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// WriteOPML writes subs as an OPML 2.0 document that other feed readers
// import: feeds with tags sit in a folder named after their first tag,
// and every tag is also listed in the category attribute, so that a
// round trip through trawl keeps them all.
func WriteOPML(w io.Writer, title string, subs []Subscription, now time.Time) error {
	doc := opmlDoc{Version: "2.0"}
	doc.Head.Title = title
	doc.Head.Created = now.UTC().Format(time.RFC1123Z)
	folders := map[string]int{} // tag -> index in doc.Body.Outlines
	for _, s := range subs {
		o := feedOutline(s)
		if len(s.Tags) == 0 {
			doc.Body.Outlines = append(doc.Body.Outlines, o)
			continue
		}
		at, ok := folders[s.Tags[0]]
		if !ok {
			at = len(doc.Body.Outlines)
			folders[s.Tags[0]] = at
			doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{Attrs: []xml.Attr{
				{Name: xml.Name{Local: "text"}, Value: s.Tags[0]},
				{Name: xml.Name{Local: "title"}, Value: s.Tags[0]},
			}})
		}
		doc.Body.Outlines[at].Outlines = append(doc.Body.Outlines[at].Outlines, o)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	return nil
}

func feedOutline(s Subscription) opmlOutline {
	text := sanitize.Line(firstNonEmpty(s.Title, s.URL))
	attrs := []xml.Attr{
		{Name: xml.Name{Local: "type"}, Value: "rss"},
		{Name: xml.Name{Local: "text"}, Value: text},
		{Name: xml.Name{Local: "title"}, Value: text},
		{Name: xml.Name{Local: "xmlUrl"}, Value: s.URL},
	}
	if len(s.Tags) > 0 {
		cats := make([]string, len(s.Tags))
		for i, t := range s.Tags {
			cats[i] = "/" + t
		}
		attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "category"}, Value: strings.Join(cats, ",")})
	}
	return opmlOutline{Attrs: attrs}
}
