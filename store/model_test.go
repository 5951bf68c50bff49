package store

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// The property test: random sequences of refreshes (the same story
// changed, re-dated, re-ordered, duplicated within a batch and carried by
// several feeds) interleaved with stars, notes, read flags, dismissals,
// prunes and reopenings, checked after every step against a plain in-memory
// model of what the store promises. User state must be exactly what the
// user set; content what the story's first feed last sent; every view,
// page by page, and every count must match a brute-force recount.

// modelStory is what the model expects of one stored story.
type modelStory struct {
	item      item.Item // the first feed's latest version, with its body
	feeds     []string
	published time.Time
	firstSeen time.Time
	state     State
}

type model struct {
	stories map[string]*modelStory
	floor   time.Time
}

// pool describes the stories a test run draws from: each has a fixed
// identity (link) and varies in version, feed and date.
type pool struct {
	r     *rand.Rand
	feeds []string
	n     int
	base  time.Time
}

// delivery is one feed's rendering of story n at version v.
func (p *pool) delivery(n, v int, feed string) item.Item {
	link := fmt.Sprintf("https://news.example/story/%d", n)
	it := item.Item{
		Feed: feed, Outlet: "Outlet of " + feed, GUID: link, Link: link,
		Title:     fmt.Sprintf("Story %d version %d", n, v),
		Published: p.base.Add(-time.Duration(n) * time.Hour),
		Summary:   fmt.Sprintf("Summary of %d at version %d from %s", n, v, feed),
	}
	it.ID = item.NewID(feed, it.GUID, it.Link, "", time.Time{})
	// Tags and bodies come and go with the version.
	if v%3 != 0 {
		it.Tags = []item.Tag{{Name: tagNames[(n+v)%len(tagNames)], Score: float64(v), Threshold: 1,
			Matches: []item.Match{{Phrase: "data", Field: item.FieldTitle, Start: 1, End: 5, Weight: 1}}}}
	}
	if v%2 == 1 {
		it.Tags = append(it.Tags, item.Tag{Name: "extra", Score: 2, Threshold: 1})
		it.Content = fmt.Sprintf("<p>body %d/%d</p>", n, v)
	}
	return it
}

func (p *pool) randomItem() item.Item {
	n := p.r.IntN(p.n)
	it := p.delivery(n, p.r.IntN(4), p.feeds[p.r.IntN(len(p.feeds))])
	switch p.r.IntN(8) {
	case 0: // re-published with a new date
		it.Published = it.Published.Add(time.Duration(1+p.r.IntN(48)) * time.Hour)
	case 1: // no date at all
		it.Published = time.Time{}
	case 2: // dated in the future by mistake
		it.Published = p.base.Add(30 * 24 * time.Hour)
	}
	return it
}

// applyUpsert is the model of Upsert for one item.
func (m *model) applyUpsert(it item.Item, now time.Time) {
	s, ok := m.stories[it.ID]
	if !ok {
		if !m.floor.IsZero() && !it.Published.IsZero() && it.Published.Before(m.floor) {
			return
		}
		pub := it.Published
		if pub.IsZero() || pub.After(now.Add(24*time.Hour)) {
			pub = now
		}
		m.stories[it.ID] = &modelStory{item: it, feeds: []string{it.Feed}, published: pub, firstSeen: now}
		return
	}
	if !slices.Contains(s.feeds, it.Feed) {
		s.feeds = append(s.feeds, it.Feed)
	}
	if s.feeds[0] == it.Feed {
		s.item = it
	}
}

func (m *model) applyState(id string, fn func(*State), now time.Time) {
	s := m.stories[id]
	before := s.state
	fn(&s.state)
	if s.state.Starred && !before.Starred {
		s.state.StarredAt = now
	}
	if !s.state.Starred {
		s.state.StarredAt = time.Time{}
	}
	if s.state.Note != before.Note {
		s.state.NoteEdited = now
	}
	if s.state.Note == "" {
		s.state.NoteEdited = time.Time{}
	}
}

func (m *model) applyPrune(cutoff time.Time) int {
	n := 0
	for id, s := range m.stories {
		if s.published.Before(cutoff) && !s.state.Kept() {
			delete(m.stories, id)
			n++
		}
	}
	m.floor = cutoff
	return n
}

func (m *model) ids() []string {
	ids := make([]string, 0, len(m.stories))
	for id := range m.stories {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// view is the model of a view: its stories newest first.
func (m *model) view(v View) []string {
	var out []string
	for id, s := range m.stories {
		st := s.state
		in := !st.Dismissed
		switch v.Kind {
		case ViewUnread:
			in = in && !st.Read
		case ViewStarred:
			in = st.Starred
		case ViewDismissed:
			in = st.Dismissed
		case ViewTag:
			in = in && s.item.HasTag(v.Tag)
		case ViewFeed:
			in = in && slices.Contains(s.feeds, v.Feed)
		}
		if in {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := m.stories[out[i]], m.stories[out[j]]
		if !a.published.Equal(b.published) {
			return a.published.After(b.published)
		}
		return out[i] > out[j]
	})
	return out
}

// views lists every view the model's stories can appear in.
func (m *model) views(feeds []string) []View {
	vs := []View{All, Unread, Starred, Dismissed}
	for _, t := range append(slices.Clone(tagNames), "extra") {
		vs = append(vs, TagView(t))
	}
	for _, f := range feeds {
		vs = append(vs, FeedView(f))
	}
	return vs
}

// verify compares the store with the model, all of it.
func (m *model) verify(t *testing.T, db *DB, feeds []string, r *rand.Rand, step string) {
	t.Helper()
	mustCheck(t, db)
	for _, id := range m.ids() {
		want := m.stories[id]
		got, err := db.Get(id)
		if err != nil {
			t.Fatalf("%s: Get %s: %v", step, id, err)
		}
		if !reflect.DeepEqual(got.State, want.state) {
			t.Fatalf("%s: story %s state = %+v, want %+v", step, id, got.State, want.state)
		}
		wantItem := want.item
		wantItem.Feed = want.feeds[0]
		wantItem.Published = want.published
		if diff := itemDiff(got.Item, wantItem); diff != "" {
			t.Fatalf("%s: story %s content: %s", step, id, diff)
		}
		if !slices.Equal(got.Feeds, want.feeds) || !got.FirstSeen.Equal(want.firstSeen) {
			t.Fatalf("%s: story %s feeds %v first seen %s, want %v %s", step, id, got.Feeds, got.FirstSeen, want.feeds, want.firstSeen)
		}
	}
	counts, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range m.views(feeds) {
		want := m.view(v)
		n, err := db.Count(v)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) {
			t.Fatalf("%s: Count(%s) = %d, want %d", step, v, n, len(want))
		}
		if got := countOf(counts, v); got != len(want) {
			t.Fatalf("%s: Counts for %s = %d, want %d", step, v, got, len(want))
		}
		// Page through with a random page size.
		var got []string
		var cur Cursor
		size := 1 + r.IntN(7)
		for pages := 0; ; pages++ {
			page, next, err := db.Page(v, cur, size)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page {
				got = append(got, s.ID)
			}
			if next == nil {
				break
			}
			if len(page) != size || pages > len(want) {
				t.Fatalf("%s: view %s: page of %d with a next cursor (size %d)", step, v, len(page), size)
			}
			cur = next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: view %s pages through\n%v\nwant\n%v", step, v, got, want)
		}
	}
	if total := counts.All + counts.Dismissed; total != len(m.stories) {
		t.Fatalf("%s: %d stories stored, want %d", step, total, len(m.stories))
	}
	mustCheck(t, db)
}

func countOf(c Counts, v View) int {
	switch v.Kind {
	case ViewAll:
		return c.All
	case ViewUnread:
		return c.Unread
	case ViewStarred:
		return c.Starred
	case ViewDismissed:
		return c.Dismissed
	case ViewTag:
		return c.Tags[v.Tag]
	}
	return c.Feeds[v.Feed]
}

// itemDiff describes how two items differ, or returns "".
func itemDiff(got, want item.Item) string {
	norm := func(it item.Item) item.Item {
		if len(it.Categories) == 0 {
			it.Categories = nil
		}
		if len(it.Tags) == 0 {
			it.Tags = nil
		}
		it.Published = it.Published.UTC()
		if it.Updated.IsZero() {
			it.Updated = time.Time{}
		}
		it.Updated = it.Updated.UTC()
		return it
	}
	g, w := norm(got), norm(want)
	if !g.Published.Equal(w.Published) || !g.Updated.Equal(w.Updated) {
		return fmt.Sprintf("dates %s/%s, want %s/%s", g.Published, g.Updated, w.Published, w.Updated)
	}
	g.Published, w.Published, g.Updated, w.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("got %+v\nwant %+v", g, w)
	}
	return ""
}

func TestRandomOperationsKeepStateAndIndexes(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	steps := 120
	if testing.Short() {
		seeds, steps = seeds[:2], 60
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runModel(t, seed, steps)
		})
	}
}

func runModel(t *testing.T, seed uint64, steps int) {
	r := rand.New(rand.NewPCG(seed, 99))
	c := &clock{testNow}
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path, Options{Now: c.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	feeds := []string{"https://a.example/feed", "https://a.example/ai/feed", "https://b.example/rss"}
	p := &pool{r: r, feeds: feeds, n: 25, base: testNow}
	m := &model{stories: map[string]*modelStory{}}
	randomID := func() (string, bool) {
		ids := m.ids()
		if len(ids) == 0 {
			return "", false
		}
		return ids[r.IntN(len(ids))], true
	}
	for step := range steps {
		var desc string
		switch op := r.IntN(10); {
		case op < 4:
			// A refresh: one or more feeds in one transaction.
			groups := make([]item.Fetched, 1+r.IntN(3))
			for g := range groups {
				groups[g].State = item.FeedState{URL: feeds[g%len(feeds)]}
				for range r.IntN(8) {
					it := p.randomItem()
					groups[g].Items = append(groups[g].Items, it)
					if r.IntN(5) == 0 { // the same entry twice in one batch
						groups[g].Items = append(groups[g].Items, it)
					}
				}
			}
			for _, g := range groups {
				for _, it := range g.Items {
					m.applyUpsert(it, c.t)
				}
			}
			desc = fmt.Sprintf("step %d: save %d feeds", step, len(groups))
			if r.IntN(2) == 0 || len(groups) > 1 {
				if err := db.SaveFetched(groups); err != nil {
					t.Fatalf("%s: %v", desc, err)
				}
			} else if _, err := db.Upsert(groups[0].Items); err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
		case op < 8:
			id, ok := randomID()
			if !ok {
				continue
			}
			var fn func(*State)
			switch r.IntN(5) {
			case 0:
				on := r.IntN(3) > 0
				fn, desc = func(s *State) { s.Starred = on }, fmt.Sprintf("star %s %t", id, on)
			case 1:
				note := []string{"", "keep for the licensing piece", "follow up\nwith the lab"}[r.IntN(3)]
				fn, desc = func(s *State) { s.Note = note }, fmt.Sprintf("note %s %q", id, note)
			case 2:
				on := r.IntN(2) == 0
				fn, desc = func(s *State) { s.Read = on }, fmt.Sprintf("read %s %t", id, on)
			case 3:
				on := r.IntN(3) == 0
				fn, desc = func(s *State) { s.Dismissed = on }, fmt.Sprintf("dismiss %s %t", id, on)
			default:
				fn, desc = func(s *State) { s.Starred, s.Note, s.Read = true, "all at once", true }, "star+note+read "+id
			}
			desc = fmt.Sprintf("step %d: %s", step, desc)
			m.applyState(id, fn, c.t)
			if _, err := db.Update(id, fn); err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
		case op == 8:
			cutoff := testNow.Add(-time.Duration(r.IntN(30)) * time.Hour)
			desc = fmt.Sprintf("step %d: prune before %s", step, cutoff)
			want := m.applyPrune(cutoff)
			got, err := db.Prune(cutoff)
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			if got != want {
				t.Fatalf("%s: pruned %d, want %d", desc, got, want)
			}
		default:
			desc = fmt.Sprintf("step %d: reopen", step)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = Open(path, Options{Now: c.now, NoSync: true}); err != nil {
				t.Fatal(err)
			}
		}
		c.t = c.t.Add(time.Duration(r.IntN(90)) * time.Minute)
		m.verify(t, db, feeds, r, desc)
	}
	if len(m.stories) == 0 {
		t.Fatal("the run stored nothing; the test would prove nothing")
	}
	var starred, noted int
	for _, s := range m.stories {
		if s.state.Starred {
			starred++
		}
		if s.state.Note != "" {
			noted++
		}
	}
	if starred == 0 || noted == 0 || len(m.stories[m.ids()[0]].feeds) == 0 {
		t.Fatalf("the run never starred (%d) or noted (%d); pick other seeds", starred, noted)
	}
	_ = strings.TrimSpace
}
