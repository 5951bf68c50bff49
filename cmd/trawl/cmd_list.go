package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trawl-news/trawl/store"
)

// Longer --help texts.
const listDetail = ""

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
	var cutoff time.Time
	if *since != "" {
		d, err := parseDuration(*since)
		if err != nil {
			return usagef("--since: %s", err)
		}
		cutoff = e.now().Add(-d)
	}
	a, err := setup(e, g, false)
	if err != nil {
		return err
	}
	if err := a.open(true); err != nil {
		return err
	}
	defer a.close()

	view := store.All
	switch {
	case *starred:
		view = store.Starred
	case *tag != "":
		view = store.TagView(*tag)
	case *unread:
		view = store.Unread
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
		fmt.Fprintln(e.stderr, "no stories match")
		return nil
	}
	now := e.now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID[:10], marks, ago(now, s.Published), truncate(s.Outlet, 20), truncate(s.Title, 90), tags)
	}
	return tw.Flush()
}

func containsFold(s store.Story, needle string) bool {
	return strings.Contains(strings.ToLower(s.Title), needle) ||
		strings.Contains(strings.ToLower(s.Summary), needle) ||
		strings.Contains(strings.ToLower(s.Outlet), needle)
}

func printJSON(e *env, stories []store.Story) error {
	out := make([]listedStory, 0, len(stories))
	for _, s := range stories {
		tags := s.TagNames()
		if tags == nil {
			tags = []string{}
		}
		out = append(out, listedStory{
			ID: s.ID, Feed: s.Feed, Outlet: s.Outlet, Title: s.Title, Link: s.Link,
			Published: s.Published.UTC(), Tags: tags, Starred: s.Starred, Read: s.Read,
			Dismissed: s.Dismissed, Note: s.Note, Summary: s.Summary,
		})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
