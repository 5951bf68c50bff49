package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/rivo/uniseg"

	"github.com/trawl-news/trawl/feeds/htmltext"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

// Limits on what one feed can put in the cache.
const (
	DefaultMaxItems = 1000
	maxTitleRunes   = 400
	maxSummaryRunes = 2000
	maxSummaryInput = 32 << 10 // bytes of HTML read to make a summary
	maxAuthorRunes  = 200
	maxGUIDRunes    = 1000
	maxLinkBytes    = 4096
	maxContentBytes = 512 << 10
	maxCategories   = 16
	maxCategoryRune = 80
	// futureSlack is how far ahead of the clock a date may be before it is
	// treated as wrong: feeds in other time zones that mislabel their
	// offset are common, a story from next year is not.
	futureSlack = 24 * time.Hour
)

// earliestDate is older than any web feed: a date before it is a bug in
// the feed (a zero Unix time, year 1), not a story's age.
var earliestDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrNotAFeed means the body parsed as none of the feed formats.
var ErrNotAFeed = errors.New("not a feed (RSS, Atom or JSON Feed); is the URL a web page?")

// ErrMalformed wraps the parser's complaint about a feed it recognised but
// could not read.
var ErrMalformed = errors.New("malformed feed")

// Feed is a parsed and normalised feed.
type Feed struct {
	Title string
	Link  string
	Items []item.Item
	// Dropped counts entries beyond the item limit.
	Dropped int
}

// Source says where a feed document came from.
type Source struct {
	// URL is the subscription's URL: each item's Feed, and the base for
	// relative links when the feed gives none of its own.
	URL string
	// Origin keys the IDs of stories whose GUID is not a URL; empty means
	// URL. It stays the same when the subscription moves, so stories
	// keep their IDs (see item.FeedState.Origin).
	Origin string
	// Outlet is the display name; empty means the feed's own title.
	Outlet string
	// Base is where the document came from, after any temporary
	// redirect: what its relative links are relative to. Empty means URL.
	Base string
}

// Parser turns feed documents into items. It is safe for concurrent use.
type Parser struct {
	policy   *bluemonday.Policy
	maxItems int
}

// NewParser returns a Parser that keeps at most maxItems entries per feed
// (DefaultMaxItems if maxItems <= 0).
func NewParser(maxItems int) *Parser {
	if maxItems <= 0 {
		maxItems = DefaultMaxItems
	}
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(false)
	return &Parser{policy: p, maxItems: maxItems}
}

// Parse reads one feed document. feedURL is the subscription's URL (used
// for IDs and to resolve relative links) and outlet its display name, or
// empty to use the feed's own title.
func (p *Parser) Parse(r io.Reader, feedURL, outlet string, now time.Time) (*Feed, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	return p.ParseSource(body, Source{URL: feedURL, Outlet: outlet}, now)
}

// ParseBytes is Parse over a body already in memory.
func (p *Parser) ParseBytes(body []byte, feedURL, outlet string, now time.Time) (*Feed, error) {
	return p.ParseSource(body, Source{URL: feedURL, Outlet: outlet}, now)
}

// ParseSource parses body and normalises every entry into an item whose
// strings are all safe to print: see the field comments of item.Item.
func (p *Parser) ParseSource(body []byte, src Source, now time.Time) (*Feed, error) {
	if !isUTF16(body) {
		body = sanitize.Document(body)
	}
	if !utf8.Valid(body) && declaresUTF8(body) {
		// One bad byte from a broken CMS must not cost the whole feed:
		// the XML decoder rejects invalid UTF-8 outright, so drop it
		// here, as the sanitiser would have anyway.
		body = bytes.ToValidUTF8(body, nil)
	}
	gp := gofeed.NewParser()
	// The translator would otherwise parse every entry's HTML a second
	// time looking for an image trawl does not show.
	gp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	// The original says which Atom and JSON Feed fields are plain text,
	// which the universal form forgets.
	gp.KeepOriginalFeed = true
	gf, err := gp.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, ErrNotAFeed
		}
		return nil, fmt.Errorf("%w: %s", ErrMalformed, firstLine(err.Error()))
	}
	origin := firstNonEmpty(src.Origin, src.URL)
	base, _ := url.Parse(firstNonEmpty(src.Base, src.URL))
	// Relative links are in practice relative to the site the feed links
	// to, Atom's too (RFC 4287 says the document's address, but feeds
	// served from a feed host or a mirror link to the site they mirror);
	// gofeed has already applied any xml:base.
	if gf.Link != "" {
		if l, err := base.Parse(strings.TrimSpace(gf.Link)); err == nil && (l.Scheme == "http" || l.Scheme == "https") {
			base = l
		}
	}
	plainTitle, plain := plainFields(gf)
	f := &Feed{Title: lineField(gf.Title, plainTitle, maxTitleRunes), Link: safeLink(base, gf.Link)}
	outlet := firstNonEmpty(sanitize.Line(src.Outlet), f.Title)
	if outlet == "" && base != nil {
		outlet = sanitize.Line(base.Hostname())
	}
	n := len(gf.Items)
	if n > p.maxItems {
		f.Dropped = n - p.maxItems
		n = p.maxItems
	}
	f.Items = make([]item.Item, 0, n)
	seen := make(map[string]bool, n)
	for i, gi := range gf.Items[:n] {
		if gi == nil {
			continue
		}
		it := p.normalise(gi, plain(i), base, src.URL, origin, outlet, now)
		if seen[it.ID] {
			// The same story twice in one feed: the first (usually
			// the newest) copy wins.
			continue
		}
		seen[it.ID] = true
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// isUTF16 reports a document in UTF-16, where NUL bytes are part of every
// ASCII character and must not be stripped as controls.
func isUTF16(body []byte) bool {
	return len(body) >= 2 && (body[0] == 0xfe && body[1] == 0xff || body[0] == 0xff && body[1] == 0xfe ||
		body[0] == 0 || body[1] == 0)
}

// declaresUTF8 reports whether body is meant to be UTF-8: JSON, or XML
// whose declaration names UTF-8 or no encoding. Other declared encodings
// (ISO-8859-1, windows-1252) are decoded by the parser.
func declaresUTF8(body []byte) bool {
	head := bytes.TrimSpace(body[:min(len(body), 512)])
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return true
	}
	decl, _, ok := bytes.Cut(head, []byte("?>"))
	if !ok {
		return true
	}
	_, enc, ok := bytes.Cut(bytes.ToLower(decl), []byte("encoding="))
	if !ok || len(enc) < 2 {
		return true
	}
	enc = bytes.Trim(enc, `"' `)
	if i := bytes.IndexAny(enc, `"' `); i >= 0 {
		enc = enc[:i]
	}
	return string(enc) == "utf-8" || string(enc) == "utf8"
}

// textKinds says which of an entry's fields are plain text rather than
// HTML: a '<' or '&' in them is a character, not markup.
type textKinds struct {
	title, description, content bool
}

// plainFields reads the format-specific feed for what is plain text: the
// feed's own title (plainTitle), and per entry Atom content of type
// "text" and JSON Feed's titles, summary and content_text. RSS says
// nothing, and in practice its fields are HTML. Atom titles are plain by
// default too, but gofeed (v1.4.2) decodes them by their type without
// keeping it, so they go through htmltext.Line, which keeps any tag it
// does not know as text.
func plainFields(gf *gofeed.Feed) (plainTitle bool, entry func(i int) textKinds) {
	none := func(int) textKinds { return textKinds{} }
	switch orig := gf.OriginalFeed().(type) {
	case *atom.Feed:
		if len(orig.Entries) != len(gf.Items) {
			return false, none
		}
		return false, func(i int) textKinds {
			c := orig.Entries[i].Content
			return textKinds{content: c != nil && (c.Type == "" || strings.EqualFold(c.Type, "text"))}
		}
	case *jsonfeed.Feed:
		if len(orig.Items) != len(gf.Items) {
			return true, none
		}
		return true, func(i int) textKinds {
			it := orig.Items[i]
			return textKinds{title: true, description: true, content: it.ContentHTML == "" && it.ContentText != ""}
		}
	}
	return false, none
}

func (p *Parser) normalise(gi *gofeed.Item, plain textKinds, base *url.URL, feedURL, origin, outlet string, now time.Time) item.Item {
	it := item.Item{
		Feed:   feedURL,
		Outlet: outlet,
		GUID:   sanitize.Line(truncateRunes(strings.TrimSpace(gi.GUID), maxGUIDRunes)),
		Title:  lineField(gi.Title, plain.title, maxTitleRunes),
		Link:   safeLink(base, gi.Link),
	}
	if it.Link == "" {
		for _, l := range gi.Links {
			if it.Link = safeLink(base, l); it.Link != "" {
				break
			}
		}
	}
	if it.Link == "" && item.IsWebURL(it.GUID) {
		// RSS permalink GUIDs are the story's address when there is no link.
		it.Link = safeLink(base, it.GUID)
	}
	it.Author = author(gi)
	seen := map[string]bool{}
	for _, c := range gi.Categories {
		c = lineField(c, false, maxCategoryRune)
		key := strings.ToLower(c)
		if c == "" || seen[key] || len(it.Categories) >= maxCategories {
			continue
		}
		seen[key] = true
		it.Categories = append(it.Categories, c)
	}
	// Published falls back to Updated; with neither, the store uses the
	// time it first saw the story, which keeps it from jumping around.
	it.Published = clampDate(gi.PublishedParsed, now)
	it.Updated = clampDate(gi.UpdatedParsed, now)
	if it.Published.IsZero() {
		it.Published = it.Updated
	}
	// Plain-text fields become HTML here, so that everything below deals
	// in HTML and a '<' in a plain-text field survives as a character.
	description, content := gi.Description, gi.Content
	if plain.description {
		description = textToHTML(description)
	}
	if plain.content {
		content = textToHTML(content)
	}
	summarySource := description
	if summarySource == "" {
		summarySource = content
	}
	if len(summarySource) > maxSummaryInput {
		// The summary keeps maxSummaryRunes; converting a whole article
		// to cut most of it off is wasted work.
		summarySource = summarySource[:maxSummaryInput]
	}
	it.Summary = truncateRunes(sanitize.Text(htmltext.Convert(summarySource)), maxSummaryRunes)
	if content == "" && len(description) > 2*len(it.Summary) {
		// Some feeds put the whole article in the description.
		content = description
	}
	if content != "" {
		if len(content) > maxContentBytes {
			content = content[:maxContentBytes]
		}
		it.Content = sanitize.Text(p.policy.Sanitize(content))
	}
	if it.Title == "" {
		// An untitled entry (common in microblog feeds) is shown by the
		// start of its text, or failing that by its address.
		it.Title = truncateRunes(firstNonEmpty(sanitize.Line(it.Summary), it.Link), 100)
		if it.Title == "" {
			it.Title = "(untitled)"
		}
	}
	it.ID = item.NewID(origin, it.GUID, it.Link, it.Title, it.Published)
	return it
}

// textToHTML turns plain text into the HTML that shows it: characters
// escaped, blank lines as paragraphs, single line breaks kept.
func textToHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

func author(gi *gofeed.Item) string {
	var name string
	switch {
	case gi.Author != nil:
		name = firstNonEmpty(gi.Author.Name, gi.Author.Email)
	case len(gi.Authors) > 0 && gi.Authors[0] != nil:
		name = firstNonEmpty(gi.Authors[0].Name, gi.Authors[0].Email)
	}
	return lineField(name, false, maxAuthorRunes)
}

// lineField makes a one-line field safe to show. A plain field is text by
// its format's definition, so a '<' in it is never a tag; but feeds made
// from HTML titles often still spell characters as entities (&#8217;),
// and a title meaning a literal "&amp;" is far rarer, so those are decoded.
func lineField(s string, plain bool, maxRunes int) string {
	if plain {
		s = html.UnescapeString(s)
	} else {
		s = htmltext.Line(s)
	}
	return truncateRunes(sanitize.Line(s), maxRunes)
}

// clampDate keeps a feed's date honest: in UTC, and zero (no date, so the
// store dates the story by when it first saw it) when it is implausibly
// old or more than a day ahead of now. A future date would pin the story
// to the top for months; replacing it with now would change on every
// refresh, and with it the ID of a story that has no GUID or link.
func clampDate(t *time.Time, now time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	u := t.UTC()
	if u.Before(earliestDate) {
		return time.Time{}
	}
	if u.After(now.Add(futureSlack)) {
		return time.Time{}
	}
	return u
}

// safeLink resolves raw against base and keeps it only if it is http(s).
func safeLink(base *url.URL, raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	var u *url.URL
	var err error
	if base != nil {
		u, err = base.Parse(raw)
	} else {
		u, err = url.Parse(raw)
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	// Credentials never belong in a shown link: "https://bank.example:
	// login@evil.example/" reads as the bank, and a relative link in a
	// feed fetched with a password would carry the user's own.
	u.User = nil
	s := u.String()
	if sanitize.HasControl(s) || len(s) > maxLinkBytes {
		return ""
	}
	return s
}

// truncateRunes cuts s to at most n runes, marking the cut with an
// ellipsis. The cut falls between characters as the reader sees them
// (grapheme clusters), so an accent written as a combining mark stays on
// its letter and a flag or a joined emoji is kept whole or dropped whole.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			cut := clusterStart(s, i)
			if cut == 0 {
				// One character of over n runes: only hostile text
				// has those, and cutting it keeps something to show.
				cut = i
			}
			return strings.TrimSpace(s[:cut]) + "…"
		}
		count++
	}
	return s
}

// clusterStart is the start of the grapheme cluster that holds s[i]. It
// segments from the last point before i known to be a boundary, not from
// the start: between two ASCII characters there is always one, except
// inside a CR LF pair.
func clusterStart(s string, i int) int {
	from := 0
	for j := i - 1; j > 0; j-- {
		if s[j] < utf8.RuneSelf && s[j-1] < utf8.RuneSelf && (s[j-1] != '\r' || s[j] != '\n') {
			from = j
			break
		}
	}
	rest, state := s[from:], -1
	for at := from; rest != ""; {
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if at+len(cluster) > i {
			return at
		}
		at += len(cluster)
	}
	return i
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return sanitize.Line(truncateRunes(s, 200))
}
