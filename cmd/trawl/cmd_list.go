package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
)

// Longer --help texts.
const listDetail = `
Filters combine: --starred --tag training-data lists starred stories with
that tag. Dismissed stories are left out, except that --starred shows every
starred story, dismissed or not. --search matches title, summary and outlet,
ignoring case. --since takes 90m, 36h, 7d, 2w. Newest first.

--json prints an array of objects with the fields
  id, feed, outlet, title, link, published (RFC 3339, UTC), tags (names),
  starred, read, dismissed, note, summary
which scripts can rely on. IDs are stable; every command that takes an ID
accepts a unique prefix of it.`

// errStop ends a walk over the cache early.
var errStop = errors.New("stop")

// listedStory is one element of `list --json`; its field names are part
// of the CLI contract.
type listedStory struct {
	ID        string    `json:"id"`
	Feed      string    `json:"feed"`
	Outlet    string    `json:"outlet"`
	Title     string    `json:"title"`
	Link      string    `json:"link"`
	Published time.Time `json:"published"`
	Tags      []string  `json:"tags"`
	Starred   bool      `json:"starred"`
	Read      bool      `json:"read"`
	Dismissed bool      `json:"dismissed"`
	Note      string    `json:"note"`
	Summary   string    `json:"summary"`
}

func runList(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "list")
	tag := fs.String("tag", "", "only stories with this tag (training-data, api-pricing, ...)")
	starred := fs.Bool("starred", false, "only starred stories")
	unread := fs.Bool("unread", false, "only unread stories")
	search := fs.String("search", "", "only stories whose title, summary or outlet contains this text")
	since := fs.String("since", "", "only stories published within this long (e.g. 24h, 7d)")
	limit := fs.Int("limit", 50, "at most this many stories (0 for all)")
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("list takes no arguments (did you mean --search?)")
	}
	if *limit < 0 {
		return usagef("--limit must not be negative")
	}
	cutoff, err := parseSince(e, *since)
	if err != nil {
		return err
	}
	a, err := openCache(e, g, true)
	if err != nil {
		return err
	}
	defer a.close()

	view, err := listView(a.db, *starred, *unread, *tag)
	if err != nil {
		return err
	}
	needle := strings.ToLower(*search)
	var out []store.Story
	err = a.db.Each(view, func(s store.Story) error {
		if !cutoff.IsZero() && s.Published.Before(cutoff) {
			return errStop // newest first: everything after is older
		}
		if *tag != "" && !s.HasTag(*tag) || *unread && s.Read || *starred && !s.Starred {
			return nil
		}
		if needle != "" && !containsFold(s, needle) {
			return nil
		}
		out = append(out, s)
		if *limit > 0 && len(out) >= *limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if *asJSON {
		return printJSON(e, out)
	}
	if len(out) == 0 {
		if c, err := a.db.Counts(); err == nil && c.All+c.Dismissed == 0 { // All leaves out the dismissed
			fmt.Fprintln(e.stderr, emptyCacheHint(a))
			return nil
		}
		fmt.Fprintln(e.stderr, "no stories match")
		return nil
	}
	now := e.now()
	var tb table
	for _, s := range out {
		marks := ""
		if s.Starred {
			marks += "*"
		}
		if s.Note != "" {
			marks += "n"
		}
		tags := ""
		if len(s.Tags) > 0 {
			tags = "[" + strings.Join(s.TagNames(), ",") + "]"
		}
		tb.row(shortID(s.ID), marks, common.Age(now, s.Published),
			common.Truncate(sanitize.Line(s.Outlet), 20), common.Truncate(sanitize.Line(s.Title), 90), sanitize.Line(tags))
	}
	return tb.write(e.stdout)
}

// parseSince turns a --since DUR into the earliest publication time to
// keep; zero when DUR is "".
func parseSince(e *env, since string) (time.Time, error) {
	if since == "" {
		return time.Time{}, nil
	}
	d, err := parseDuration(since)
	if err != nil {
		return time.Time{}, usagef("--since: %s", err)
	}
	return e.now().Add(-d), nil
}

// listView picks the index to walk: the starred stories when asked for
// (dismissed ones included, as the Starred view does), else the smaller of
// the tag's and the unread stories, else all. The other filters are then
// checked story by story, so they combine whatever the index.
func listView(db *store.DB, starred, unread bool, tag string) (store.View, error) {
	switch {
	case starred:
		return store.Starred, nil
	case tag != "" && unread:
		nTag, err := db.Count(store.TagView(tag))
		if err != nil {
			return store.View{}, err
		}
		nUnread, err := db.Count(store.Unread)
		if err != nil {
			return store.View{}, err
		}
		if nUnread < nTag {
			return store.Unread, nil
		}
		return store.TagView(tag), nil
	case tag != "":
		return store.TagView(tag), nil
	case unread:
		return store.Unread, nil
	}
	return store.All, nil
}

// shortID is the part of an ID the table shows: enough to be a unique
// prefix in any real cache.
func shortID(id string) string {
	if len(id) > 10 {
		return id[:10]
	}
	return id
}

func containsFold(s store.Story, needle string) bool {
	return strings.Contains(strings.ToLower(s.Title), needle) ||
		strings.Contains(strings.ToLower(s.Summary), needle) ||
		strings.Contains(strings.ToLower(s.Outlet), needle)
}

func printJSON(e *env, stories []store.Story) error {
	out := make([]listedStory, 0, len(stories))
	for i := range stories {
		out = append(out, listed(&stories[i]))
	}
	return writeJSON(e, out)
}

// listed is a story as scripts see it. Strings are cleaned of terminal
// controls again: the cache should hold none, but a script may print them.
func listed(s *store.Story) listedStory {
	tags := s.TagNames()
	for i, t := range tags {
		tags[i] = sanitize.Line(t)
	}
	return listedStory{
		ID: s.ID, Feed: sanitize.Line(s.Feed), Outlet: sanitize.Line(s.Outlet),
		Title: sanitize.Line(s.Title), Link: sanitize.Line(s.Link),
		Published: s.Published.UTC(), Tags: tags, Starred: s.Starred, Read: s.Read,
		Dismissed: s.Dismissed, Note: sanitize.Text(s.Note), Summary: sanitize.Text(s.Summary),
	}
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// emptyCacheHint says what to do about a cache with no stories: fetch, or,
// when fetches have been tried and failed, look at why.
func emptyCacheHint(a *app) string {
	if states, err := a.db.FeedStates(); err == nil {
		for _, st := range states {
			if st.LastError != "" {
				return "no stories yet: the feeds fetched so far failed; 'trawl feeds list' shows why"
			}
		}
	}
	return "no stories yet: 'trawl fetch' downloads your feeds ('trawl demo' shows trawl on sample stories)"
}
