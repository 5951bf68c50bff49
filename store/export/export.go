package export

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
)

// Document is one export: what the built-in markdown renders and what a
// --template sees as its data ("."). See the package doc for a template's
// view of it.
type Document struct {
	Title     string    // "Starred stories" or "Stories" (with All)
	Generated time.Time // when the export was made, in the export's time zone
	Filters   Filters   // what selected the stories
	Count     int       // stories in all groups together
	Groups    []Group   // in display order; empty groups are left out
}

// Filters say which stories an export holds.
type Filters struct {
	// All exports every story matching Tag and Since (dismissed ones
	// excepted); otherwise only starred stories, dismissed or not.
	All bool
	// Tag keeps only stories carrying this tag; "" keeps any.
	Tag string
	// Since keeps only stories published at or after it; zero keeps any.
	Since time.Time
	// SinceText is Since as the user gave it ("7d"), for the heading.
	SinceText string
}

// Group is the stories filed under one tag.
type Group struct {
	Tag     string  // the tag, or "" for stories without tags
	Name    string  // the heading: Tag, or "untagged"
	Stories []Entry // newest first
}

// Entry is one story in an export. Every string is free of terminal control
// sequences but not escaped for any format: a template that writes
// markdown passes them through md (or link, quote).
type Entry struct {
	ID        string
	Title     string
	Outlet    string
	Author    string
	Feed      string    // the subscription URL
	Published time.Time // in the export's time zone
	Tags      []string  // every tag the story carries, in the classifier's order
	Note      string    // the user's note; may span lines
	Starred   bool
	Read      bool
	// Link is the story's link when it is an http(s) URL, else "". Only
	// Link ever becomes a clickable link.
	Link string
	// LinkText is the story's link as stored, whatever its scheme, for
	// showing as text.
	LinkText string
}

// Untagged names the group of stories without tags.
const Untagged = "untagged"

// Source is the part of the store an export reads.
type Source interface {
	Each(v store.View, fn func(store.Story) error) error
}

// errStop ends a walk early.
var errStop = errors.New("stop")

// Select returns the stories f selects, newest first. It walks the smallest
// index that covers f (the starred stories, a tag's, or all) and stops at
// the first story older than f.Since, so its cost follows the size of the
// selection rather than of the cache.
func Select(src Source, f Filters) ([]store.Story, error) {
	view := store.Starred
	switch {
	case f.All && f.Tag != "":
		view = store.TagView(f.Tag)
	case f.All:
		view = store.All
	}
	var out []store.Story
	err := src.Each(view, func(s store.Story) error {
		if !f.Since.IsZero() && s.Published.Before(f.Since) {
			return errStop // the index is newest first: the rest is older
		}
		if f.Tag != "" && !s.HasTag(f.Tag) || !f.All && !s.Starred {
			return nil
		}
		out = append(out, s)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("export: read %s stories: %w", view, err)
	}
	return out, nil
}

// Options shape a Document.
type Options struct {
	// Now is when the export is made; its location is the time zone of
	// every date in the export.
	Now     time.Time
	Filters Filters
	// CoreTags are the tags that win when a story carries several, in
	// order of preference (classify.CoreTags()).
	CoreTags []string
}

// Build files stories into groups: a story goes under the first of
// opts.CoreTags it carries, else under the alphabetically first of its
// other tags, else under Untagged (with a tag filter, everything goes under
// that tag). Each story appears once. Groups come in the order core tags,
// other tags alphabetically, untagged; stories newest first within a group,
// ties broken by ID, so the same cache and clock give the same document.
func Build(stories []store.Story, opts Options) Document {
	loc := opts.Now.Location()
	doc := Document{
		Title:     "Starred stories",
		Generated: opts.Now,
		Filters:   opts.Filters,
		Count:     len(stories),
	}
	if opts.Filters.All {
		doc.Title = "Stories"
	}
	doc.Filters.Tag = sanitize.Line(doc.Filters.Tag)
	doc.Filters.SinceText = sanitize.Line(doc.Filters.SinceText)
	if !doc.Filters.Since.IsZero() {
		doc.Filters.Since = doc.Filters.Since.In(loc)
	}

	byTag := map[string][]Entry{}
	for i := range stories {
		e := entry(&stories[i], loc)
		g := groupTag(e.Tags, doc.Filters.Tag, opts.CoreTags)
		byTag[g] = append(byTag[g], e)
	}
	for _, tag := range groupOrder(byTag, opts.CoreTags) {
		entries := byTag[tag]
		slices.SortFunc(entries, func(a, b Entry) int {
			if c := b.Published.Compare(a.Published); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		name := tag
		if tag == "" {
			name = Untagged
		}
		doc.Groups = append(doc.Groups, Group{Tag: tag, Name: name, Stories: entries})
	}
	return doc
}

func entry(s *store.Story, loc *time.Location) Entry {
	tags := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i] = sanitize.Line(t.Name)
	}
	link, _ := WebURL(s.Link)
	return Entry{
		ID:        sanitize.Line(s.ID),
		Title:     sanitize.Line(s.Title),
		Outlet:    sanitize.Line(s.Outlet),
		Author:    sanitize.Line(s.Author),
		Feed:      sanitize.Line(s.Feed),
		Published: s.Published.In(loc),
		Tags:      tags,
		Note:      strings.TrimSpace(sanitize.Text(s.Note)),
		Starred:   s.Starred,
		Read:      s.Read,
		Link:      link,
		LinkText:  sanitize.Line(s.Link),
	}
}

// groupTag picks the one group a story is filed under.
func groupTag(tags []string, filter string, core []string) string {
	if filter != "" {
		return filter
	}
	for _, c := range core {
		if slices.Contains(tags, c) {
			return c
		}
	}
	if len(tags) == 0 {
		return ""
	}
	return slices.Min(tags)
}

// groupOrder lists the groups present: core tags in their order, then
// other tags alphabetically, then untagged ("").
func groupOrder(byTag map[string][]Entry, core []string) []string {
	var order, others []string
	for _, c := range core {
		if _, ok := byTag[c]; ok {
			order = append(order, c)
		}
	}
	for tag := range byTag {
		if tag != "" && !slices.Contains(core, tag) {
			others = append(others, tag)
		}
	}
	slices.Sort(others)
	order = append(order, others...)
	if _, ok := byTag[""]; ok {
		order = append(order, "")
	}
	return order
}
