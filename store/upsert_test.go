package store

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

const (
	mainFeed = "https://outlet.example/feed.xml"
	aiFeed   = "https://outlet.example/ai/feed.xml"
)

// article is one outlet's story as its main feed renders it.
func article(feed, title string, published time.Time, tags ...string) item.Item {
	link := "https://outlet.example/2026/11/" + strings.ReplaceAll(strings.ToLower(title), " ", "-")
	it := item.Item{
		Feed: feed, Outlet: "Outlet", GUID: link, Link: link, Title: title,
		Published: published, Summary: "What happened in " + title,
	}
	for _, tg := range tags {
		it.Tags = append(it.Tags, item.Tag{Name: tg, Score: 3, Threshold: 2,
			Matches: []item.Match{{Phrase: "training data", Field: item.FieldSummary, Start: 0, End: 13, Weight: 3}}})
	}
	it.ID = item.NewID(feed, it.GUID, it.Link, it.Title, it.Published)
	return it
}

func mustUpsert(t *testing.T, db *DB, items ...item.Item) UpsertResult {
	t.Helper()
	res, err := db.Upsert(items)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustGet(t *testing.T, db *DB, id string) Story {
	t.Helper()
	s, err := db.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pageIDs(t *testing.T, db *DB, v View) []string {
	t.Helper()
	page, _, err := db.Page(v, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range page {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestUpsertDeduplicates(t *testing.T) {
	day := testNow.Add(-24 * time.Hour)
	base := article(mainFeed, "Lab signs data deal with photo archive", day, "training-data")
	withState := func(t *testing.T, db *DB) {
		if _, err := db.Update(base.ID, func(s *State) { s.Starred, s.Read, s.Note = true, true, "ask the archive" }); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		again func() []item.Item // what the next refresh brings
		want  UpsertResult
		check func(t *testing.T, db *DB)
	}{
		{
			name:  "re-fetched unchanged",
			again: func() []item.Item { return []item.Item{base} },
			want:  UpsertResult{Unchanged: 1},
			check: func(t *testing.T, db *DB) {
				if s := mustGet(t, db, base.ID); s.Title != base.Title || !s.Published.Equal(day) {
					t.Errorf("story changed: %+v", s.Item)
				}
			},
		},
		{
			name: "re-published with a new date",
			again: func() []item.Item {
				it := base
				it.Published = testNow
				return []item.Item{it}
			},
			want: UpsertResult{Unchanged: 1},
			check: func(t *testing.T, db *DB) {
				// The first date stands, so old stories re-dated by a feed
				// do not jump back to the top.
				if s := mustGet(t, db, base.ID); !s.Published.Equal(day) {
					t.Errorf("published = %s, want the first date %s", s.Published, day)
				}
			},
		},
		{
			name: "re-published with new words and tags",
			again: func() []item.Item {
				it := base
				it.Published = testNow
				it.Title = "Lab signs data deal with photo archive (updated)"
				it.Tags = []item.Tag{{Name: "api-pricing", Score: 4, Threshold: 2}}
				it.Content = "<p>more</p>"
				return []item.Item{it}
			},
			want: UpsertResult{Updated: 1},
			check: func(t *testing.T, db *DB) {
				s := mustGet(t, db, base.ID)
				if !strings.HasSuffix(s.Title, "(updated)") || !slices.Equal(s.TagNames(), []string{"api-pricing"}) || s.Content != "<p>more</p>" {
					t.Errorf("story not rewritten: %+v", s.Item)
				}
				if got := pageIDs(t, db, TagView("training-data")); len(got) != 0 {
					t.Errorf("training-data view still lists %v", got)
				}
				if got := pageIDs(t, db, TagView("api-pricing")); !slices.Equal(got, []string{base.ID}) {
					t.Errorf("api-pricing view = %v", got)
				}
			},
		},
		{
			name: "carried by a second feed",
			again: func() []item.Item {
				it := base
				it.Feed, it.Outlet = aiFeed, "Outlet AI"
				it.Summary = "The AI desk's shorter summary"
				it.ID = item.NewID(aiFeed, it.GUID, it.Link, it.Title, it.Published)
				return []item.Item{it}
			},
			want: UpsertResult{Updated: 1},
			check: func(t *testing.T, db *DB) {
				s := mustGet(t, db, base.ID)
				if s.Feed != mainFeed || s.Outlet != "Outlet" || s.Summary != base.Summary {
					t.Errorf("the second feed rewrote the story: %+v", s.Item)
				}
				if !slices.Equal(s.Feeds, []string{mainFeed, aiFeed}) {
					t.Errorf("feeds = %v", s.Feeds)
				}
				c, err := db.Counts()
				if err != nil {
					t.Fatal(err)
				}
				if c.All != 1 || c.Feeds[mainFeed] != 1 || c.Feeds[aiFeed] != 1 {
					t.Errorf("counts = %+v, want one story in both feeds", c)
				}
				if got := pageIDs(t, db, FeedView(aiFeed)); !slices.Equal(got, []string{base.ID}) {
					t.Errorf("AI feed view = %v", got)
				}
			},
		},
		{
			name: "both feeds in one batch, then again",
			again: func() []item.Item {
				ai := base
				ai.Feed, ai.Title = aiFeed, "A different headline on the AI desk"
				return []item.Item{ai, base, ai}
			},
			want: UpsertResult{Updated: 1, Unchanged: 2},
			check: func(t *testing.T, db *DB) {
				res := mustUpsert(t, db, base, base)
				if res.Unchanged != 2 {
					t.Errorf("third refresh: %+v, want all unchanged", res)
				}
				if s := mustGet(t, db, base.ID); s.Title != base.Title {
					t.Errorf("title = %q, want the main feed's", s.Title)
				}
			},
		},
		{
			name: "dropped out of the feed",
			again: func() []item.Item {
				return []item.Item{article(mainFeed, "Platform doubles API prices", testNow, "api-pricing")}
			},
			want: UpsertResult{New: 1},
			check: func(t *testing.T, db *DB) {
				if got := pageIDs(t, db, All); len(got) != 2 || got[1] != base.ID {
					t.Errorf("all = %v, want the new story and the old one", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, &clock{testNow})
			if res := mustUpsert(t, db, base); res.New != 1 || !slices.Equal(res.NewIDs, []string{base.ID}) {
				t.Fatalf("first upsert = %+v", res)
			}
			withState(t, db)
			before := mustGet(t, db, base.ID).State
			got := mustUpsert(t, db, tt.again()...)
			got.NewIDs = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result = %+v, want %+v", got, tt.want)
			}
			tt.check(t, db)
			if after := mustGet(t, db, base.ID).State; after != before {
				t.Errorf("user state changed from %+v to %+v", before, after)
			}
			if c, _ := db.Counts(); c.Starred != 1 || c.Tags["training-data"]+c.Tags["api-pricing"] == 0 {
				t.Errorf("counts after refresh: %+v", c)
			}
			mustCheck(t, db)
		})
	}
}

func TestUnchangedRefreshWritesNothing(t *testing.T) {
	db := openTest(t, &clock{testNow})
	items := []item.Item{
		article(mainFeed, "One", testNow.Add(-time.Hour), "training-data"),
		article(mainFeed, "Two", testNow.Add(-2*time.Hour)),
	}
	items[1].Content = "<p>body</p>"
	mustUpsert(t, db, items...)
	raw := func() string {
		var b strings.Builder
		db.bolt.View(func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bucketItems, bucketContent, bucketHTML, bucketCounts} {
				tx.Bucket(name).ForEach(func(k, v []byte) error {
					b.WriteString(string(k) + "=" + string(v) + ";")
					return nil
				})
			}
			return nil
		})
		return b.String()
	}
	before := raw()
	if res := mustUpsert(t, db, items...); res.Unchanged != 2 {
		t.Fatalf("second upsert = %+v", res)
	}
	if raw() != before {
		t.Error("an unchanged refresh rewrote stored bytes")
	}
}

func TestUpsertEdgeCases(t *testing.T) {
	c := &clock{testNow}
	db := openTest(t, c)

	undated := article(mainFeed, "No date at all", time.Time{})
	future := article(mainFeed, "Dated next year", testNow.AddDate(1, 0, 0))
	mustUpsert(t, db, undated, future)
	for _, id := range []string{undated.ID, future.ID} {
		if s := mustGet(t, db, id); !s.Published.Equal(testNow) || !s.FirstSeen.Equal(testNow) {
			t.Errorf("%s: published %s, first seen %s; want both %s", s.Title, s.Published, s.FirstSeen, testNow)
		}
	}
	// An undated story keeps its first-seen date on later refreshes.
	c.t = testNow.Add(5 * time.Hour)
	if res := mustUpsert(t, db, undated); res.Unchanged != 1 {
		t.Errorf("re-upsert of an undated story: %+v", res)
	}

	// A batch with an ID-less item stores nothing.
	bad := article(mainFeed, "Broken", testNow)
	bad.ID = ""
	good := article(mainFeed, "Fine", testNow)
	if _, err := db.Upsert([]item.Item{good, bad}); err == nil || !strings.Contains(err.Error(), "empty ID") {
		t.Fatalf("upsert with an empty ID = %v", err)
	}
	if _, err := db.Get(good.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed batch stored part of itself: %v", err)
	}

	// A body can come and go.
	withBody := undated
	withBody.Content = "<p>full text</p>"
	mustUpsert(t, db, withBody)
	if s := mustGet(t, db, undated.ID); s.Content != "<p>full text</p>" {
		t.Errorf("body = %q", s.Content)
	}
	mustUpsert(t, db, undated)
	if s := mustGet(t, db, undated.ID); s.Content != "" {
		t.Errorf("body after the feed dropped it = %q", s.Content)
	}
	mustCheck(t, db)
}

func TestSaveFetchedStoresFeedStateAndCountsNew(t *testing.T) {
	db := openTest(t, &clock{testNow})
	shared := article(mainFeed, "Shared story", testNow.Add(-time.Hour))
	batch := []item.Fetched{
		{State: item.FeedState{URL: mainFeed, Title: "Outlet", ETag: `"v1"`, LastSuccess: testNow},
			Items: []item.Item{shared, article(mainFeed, "Main only", testNow.Add(-2*time.Hour))}},
		{State: item.FeedState{URL: aiFeed, Title: "Outlet AI", LastError: "timeout"},
			Items: []item.Item{{ID: shared.ID, Feed: aiFeed, Title: shared.Title, Link: shared.Link, GUID: shared.GUID, Published: shared.Published}}},
	}
	if err := db.SaveFetched(batch); err != nil {
		t.Fatal(err)
	}
	if batch[0].New != 2 || batch[1].New != 0 {
		t.Errorf("New = %d, %d; want 2, 0 (the shared story is new once)", batch[0].New, batch[1].New)
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if states[mainFeed].ETag != `"v1"` || states[aiFeed].LastError != "timeout" || len(states) != 2 {
		t.Errorf("feed states = %+v", states)
	}
	one, err := db.FeedState(aiFeed)
	if err != nil || one.Title != "Outlet AI" {
		t.Errorf("FeedState = %+v, %v", one, err)
	}
	if none, err := db.FeedState("https://never.example/"); err != nil || none.URL != "https://never.example/" || !none.LastSuccess.IsZero() {
		t.Errorf("FeedState of an unknown feed = %+v, %v", none, err)
	}
	if s := mustGet(t, db, shared.ID); s.Feed != mainFeed || !slices.Equal(s.Feeds, []string{mainFeed, aiFeed}) {
		t.Errorf("shared story: feed %s, feeds %v", s.Feed, s.Feeds)
	}
	mustCheck(t, db)
}

func TestUpdateRecordsWhen(t *testing.T) {
	c := &clock{testNow}
	db := openTest(t, c)
	it := article(mainFeed, "A story", testNow.Add(-time.Hour))
	mustUpsert(t, db, it)

	st, err := db.Update(it.ID, func(s *State) { s.Starred, s.Note = true, "first" })
	if err != nil {
		t.Fatal(err)
	}
	if !st.StarredAt.Equal(testNow) || !st.NoteEdited.Equal(testNow) {
		t.Errorf("after starring and noting: %+v", st)
	}
	c.t = testNow.Add(time.Hour)
	// Starring again and saving the same note change nothing.
	if st, _ = db.Update(it.ID, func(s *State) { s.Starred, s.Note = true, "first" }); !st.StarredAt.Equal(testNow) || !st.NoteEdited.Equal(testNow) {
		t.Errorf("a no-op update moved the times: %+v", st)
	}
	if st, _ = db.Update(it.ID, func(s *State) { s.Note = "second" }); !st.NoteEdited.Equal(c.t) {
		t.Errorf("editing the note: %+v", st)
	}
	if err := db.SetStarred(it.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNote(it.ID, ""); err != nil {
		t.Fatal(err)
	}
	if s := mustGet(t, db, it.ID); s.State != (State{}) {
		t.Errorf("after unstarring and clearing the note: %+v", s.State)
	}
	if err := db.SetRead("nosuchstory00000", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRead of a missing story = %v", err)
	}
}

func TestResolve(t *testing.T) {
	db := openTest(t, &clock{testNow})
	var ids []string
	for _, title := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		it := article(mainFeed, title, testNow)
		mustUpsert(t, db, it)
		ids = append(ids, it.ID)
	}
	for _, id := range ids {
		if got, err := db.Resolve(strings.ToUpper(id[:12])); err != nil || got != id {
			t.Errorf("Resolve(%s) = %s, %v", id[:12], got, err)
		}
		if got, err := db.Resolve(" " + id + " "); err != nil || got != id {
			t.Errorf("Resolve(full %s) = %s, %v", id, got, err)
		}
	}
	// Twelve random IDs share first characters from a 32-letter alphabet.
	first := map[byte]int{}
	for _, id := range ids {
		first[id[0]]++
	}
	for ch, n := range first {
		if n > 1 {
			if _, err := db.Resolve(string(ch)); !errors.Is(err, ErrAmbiguous) {
				t.Errorf("Resolve(%c) = %v, want ambiguous", ch, err)
			}
		}
	}
	for _, p := range []string{"", "   ", "zzzzzzzzzzzzzzzz"} {
		if _, err := db.Resolve(p); !errors.Is(err, ErrNotFound) {
			t.Errorf("Resolve(%q) = %v, want not found", p, err)
		}
	}
}
