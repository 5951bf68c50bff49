package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"

	"github.com/trawl-news/trawl/feeds/htmltext"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

// Limits on what one feed can put in the cache.
const (
	DefaultMaxItems = 1000
	maxTitleRunes   = 400
	maxSummaryRunes = 2000
	maxContentBytes = 512 << 10
	maxCategories   = 16
	// futureSlack is how far ahead of the clock a date may be before it is
	// treated as wrong: feeds in other time zones that mislabel their
	// offset are common, a story from next year is not.
	futureSlack = 24 * time.Hour
)

// ErrNotAFeed means the body parsed as none of the feed formats.
var ErrNotAFeed = errors.New("not a feed (RSS, Atom or JSON Feed); is the URL a web page?")

// Feed is a parsed and normalised feed.
type Feed struct {
	Title string
	Link  string
	Items []item.Item
	// Dropped counts entries beyond the item limit.
	Dropped int
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
	return p.ParseBytes(body, feedURL, outlet, now)
}

// ParseBytes is Parse over a body already in memory.
func (p *Parser) ParseBytes(body []byte, feedURL, outlet string, now time.Time) (*Feed, error) {
	if !utf8.Valid(body) && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("<?xml")) {
		// XML with a declared encoding is decoded by gofeed; anything
		// else must be UTF-8 and is repaired rather than rejected.
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	gf, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, ErrNotAFeed
		}
		return nil, fmt.Errorf("malformed feed: %s", firstLine(err.Error()))
	}
	base, _ := url.Parse(feedURL)
	if gf.Link != "" {
		if l, err := base.Parse(strings.TrimSpace(gf.Link)); err == nil && (l.Scheme == "http" || l.Scheme == "https") {
			base = l
		}
	}
	f := &Feed{Title: cleanLine(gf.Title, maxTitleRunes), Link: safeLink(base, gf.Link)}
	if outlet == "" {
		outlet = f.Title
	}
	if outlet == "" && base != nil {
		outlet = base.Host
	}
	n := len(gf.Items)
	if n > p.maxItems {
		f.Dropped = n - p.maxItems
		n = p.maxItems
	}
	f.Items = make([]item.Item, 0, n)
	for _, gi := range gf.Items[:n] {
		if gi == nil {
			continue
		}
		f.Items = append(f.Items, p.normalise(gi, base, feedURL, outlet, now))
	}
	return f, nil
}

func (p *Parser) normalise(gi *gofeed.Item, base *url.URL, feedURL, outlet string, now time.Time) item.Item {
	it := item.Item{
		Feed:   feedURL,
		Outlet: outlet,
		GUID:   sanitize.Line(truncateRunes(gi.GUID, 1000)),
		Title:  cleanLine(gi.Title, maxTitleRunes),
		Link:   safeLink(base, gi.Link),
	}
	if it.Link == "" {
		for _, l := range gi.Links {
			if it.Link = safeLink(base, l); it.Link != "" {
				break
			}
		}
	}
	if gi.Author != nil {
		it.Author = cleanLine(firstNonEmpty(gi.Author.Name, gi.Author.Email), 200)
	} else if len(gi.Authors) > 0 && gi.Authors[0] != nil {
		it.Author = cleanLine(gi.Authors[0].Name, 200)
	}
	seen := map[string]bool{}
	for _, c := range gi.Categories {
		c = cleanLine(c, 80)
		if c == "" || seen[strings.ToLower(c)] || len(it.Categories) >= maxCategories {
			continue
		}
		seen[strings.ToLower(c)] = true
		it.Categories = append(it.Categories, c)
	}
	it.Published = clampDate(gi.PublishedParsed, now)
	it.Updated = clampDate(gi.UpdatedParsed, now)
	if it.Published.IsZero() {
		it.Published = it.Updated
	}
	description := gi.Description
	content := gi.Content
	if description == "" && content != "" {
		description = content
	}
	it.Summary = truncateRunes(sanitize.Text(htmltext.Convert(description)), maxSummaryRunes)
	if content == "" && len(gi.Description) > 2*len(it.Summary) {
		// some feeds put the whole article in the description
		content = gi.Description
	}
	if content != "" {
		if len(content) > maxContentBytes {
			content = content[:maxContentBytes]
		}
		it.Content = sanitize.Text(p.policy.Sanitize(content))
	}
	if it.Title == "" {
		// An untitled entry (common in microblog feeds) is shown by the
		// start of its text.
		it.Title = truncateRunes(sanitize.Line(it.Summary), 100)
	}
	it.ID = item.NewID(feedURL, it.GUID, it.Link, it.Title, it.Published)
	return it
}

// cleanLine decodes markup in a one-line field and makes it safe to show.
func cleanLine(s string, maxRunes int) string {
	return truncateRunes(sanitize.Line(htmltext.Convert(s)), maxRunes)
}

func clampDate(t *time.Time, now time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	u := t.UTC()
	if u.After(now.Add(futureSlack)) {
		return now.UTC()
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
	s := u.String()
	if sanitize.HasControl(s) || len(s) > 4096 {
		return ""
	}
	return s
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return strings.TrimSpace(s[:i]) + "…"
		}
		count++
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return sanitize.Line(truncateRunes(s, 200))
}
