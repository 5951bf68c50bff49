package search

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
)

func testIndex(t *testing.T) (*Index, *store.DB, []item.Item) {
	t.Helper()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mk := func(outlet, title, summary string, age time.Duration, tags ...string) item.Item {
		it := item.Item{Feed: "https://" + outlet + ".example/feed", Outlet: outlet, Title: title, Summary: summary,
			Link: "https://" + outlet + ".example/" + title, Published: now.Add(-age)}
		for _, tg := range tags {
			it.Tags = append(it.Tags, item.Tag{Name: tg})
		}
		it.ID = item.NewID(it.Feed, "", it.Link, it.Title, it.Published)
		return it
	}
	items := []item.Item{
		mk("Circuit", "Publisher signs AI Licensing deal", "Archives used for training.", time.Hour, "training-data"),
		mk("Ledger", "API prices double", "Developers pay more for the Basic tier.", 2*time.Hour, "api-pricing"),
		mk("Marsh", "Café owners protest", "Über-long queues at the Straße café.", 3*time.Hour),
		mk("Circuit", "Lawsuit over scraped lyrics", "Publishers say the model was trained on lyrics.", 4*time.Hour, "training-data"),
	}
	if _, err := db.Upsert(items); err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return ix, db, items
}

func titles(ix *Index, r *Result) []string {
	var out []string
	for i := 0; i < r.Len(); i++ {
		out = append(out, ix.Hit(r, i).Title)
	}
	return out
}

func TestSearch(t *testing.T) {
	ix, _, _ := testIndex(t)
	for _, tc := range []struct {
		q    string
		v    store.View
		want []string
	}{
		{"licensing", store.All, []string{"Publisher signs AI Licensing deal"}},
		{"LICENSING", store.All, []string{"Publisher signs AI Licensing deal"}},
		{"publisher", store.All, []string{"Publisher signs AI Licensing deal", "Lawsuit over scraped lyrics"}},
		{"circuit", store.All, []string{"Publisher signs AI Licensing deal", "Lawsuit over scraped lyrics"}}, // outlet
		{"basic tier", store.All, []string{"API prices double"}},                                             // summary, two words
		{"tier basic", store.All, []string{"API prices double"}},                                             // any order
		{"straße", store.All, []string{"Café owners protest"}},
		{"CAFÉ", store.All, []string{"Café owners protest"}},
		{"publisher", store.TagView("training-data"), []string{"Publisher signs AI Licensing deal", "Lawsuit over scraped lyrics"}},
		{"publisher", store.TagView("api-pricing"), nil},
		{"nothing like this", store.All, nil},
		{"  ", store.All, nil},
	} {
		if got := titles(ix, ix.Search(tc.q, tc.v, nil)); !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q, %s) = %q, want %q", tc.q, tc.v, got, tc.want)
		}
	}
}

// TestSearchRefines checks that typing on refines the previous result and
// that a state change (a dismissal) is seen by the next keystroke.
func TestSearchRefines(t *testing.T) {
	ix, _, items := testIndex(t)
	var r *Result
	for _, q := range []string{"l", "ly", "lyr", "lyri", "lyric"} {
		r = ix.Search(q, store.All, r)
	}
	if got := titles(ix, r); !slices.Equal(got, []string{"Lawsuit over scraped lyrics"}) {
		t.Fatalf("refined search = %q", got)
	}
	ix.SetState(items[3].ID, store.State{Dismissed: true})
	r = ix.Search("lyrics", store.All, r)
	if r.Len() != 0 {
		t.Errorf("dismissed story still found in All: %q", titles(ix, r))
	}
	r = ix.Search("lyrics", store.Dismissed, nil)
	if got := titles(ix, r); !slices.Equal(got, []string{"Lawsuit over scraped lyrics"}) {
		t.Errorf("dismissed view = %q", got)
	}
	ix.SetState(items[0].ID, store.State{Starred: true, Note: "n"})
	r = ix.Search("publisher", store.Starred, nil)
	if h := ix.Hit(r, 0); r.Len() != 1 || !h.Starred || !h.HasNote {
		t.Errorf("starred view: %d hits, first %+v", r.Len(), h)
	}
}

// TestBuildStops checks that a cancelled build gives up, so quitting never
// waits for it.
func TestBuildStops(t *testing.T) {
	_, db, _ := testIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, db); !errors.Is(err, context.Canceled) {
		t.Errorf("Build after cancel: %v, want context.Canceled", err)
	}
}

// TestSearchRemembers answers a query typed again (after a backspace) from
// memory, until a state change makes the remembered answer stale.
func TestSearchRemembers(t *testing.T) {
	ix, _, items := testIndex(t)
	first := ix.Search("lyric", store.All, nil)
	longer := ix.Search("lyrics", store.All, first)
	if again := ix.Search("lyric", store.All, longer); again != first {
		t.Error("the query typed again was searched again")
	}
	ix.SetState(items[3].ID, store.State{Dismissed: true})
	if again := ix.Search("lyric", store.All, longer); again == first || again.Len() != 0 {
		t.Errorf("after a dismissal the remembered result was used: %d hits", again.Len())
	}
}

// TestSearchFeedViewCoversEveryFeed checks that a story carried by two
// feeds (an outlet's main feed and its AI section) is found in both feeds'
// views, as the store lists it in both.
func TestSearchFeedViewCoversEveryFeed(t *testing.T) {
	ix, db, items := testIndex(t)
	again := items[0]
	again.Feed = "https://circuit.example/ai/feed"
	if _, err := db.Upsert([]item.Item{again}); err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Publisher signs AI Licensing deal"}
	for _, feed := range []string{items[0].Feed, again.Feed} {
		if got := titles(ix, ix.Search("licensing", store.FeedView(feed), nil)); !slices.Equal(got, want) {
			t.Errorf("Search in feed view %s = %q, want %q", feed, got, want)
		}
	}
	if got := titles(ix, ix.Search("licensing", store.FeedView("https://ledger.example/feed"), nil)); got != nil {
		t.Errorf("Search in another feed's view found %q", got)
	}
}

// TestResultsInViewOrder: the index reads stories in the order the cache
// stores them, which is neither date nor ID order; results still come in
// the order of the store's own views, newest first.
func TestResultsInViewOrder(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(3, 4))
	var items []item.Item
	for i := range 300 {
		it := item.Item{Feed: fmt.Sprintf("https://f%d.example/feed", i%3), Outlet: "Outlet", Title: fmt.Sprintf("Common story %d", i),
			Summary: "common words", Link: fmt.Sprintf("https://f.example/%d", i),
			// Some share a second, or a whole time, with another.
			Published: now.Add(-time.Duration(r.IntN(200)) * time.Second).Add(time.Duration(r.IntN(2)) * time.Millisecond)}
		if i%4 == 0 {
			it.Tags = []item.Tag{{Name: "training-data"}}
		}
		it.ID = item.NewID(it.Feed, "", it.Link, it.Title, it.Published)
		items = append(items, it)
	}
	// Stored in batches in a shuffled order, so storage order is mixed.
	r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	for start := 0; start < len(items); start += 37 {
		if _, err := db.Upsert(items[start:min(start+37, len(items))]); err != nil {
			t.Fatal(err)
		}
	}
	for i, it := range items[:90] {
		if _, err := db.Update(it.ID, func(s *store.State) { s.Starred, s.Dismissed = i%2 == 0, i%3 == 0 }); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := Build(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []store.View{store.All, store.Unread, store.Starred, store.Dismissed, store.TagView("training-data"), store.FeedView("https://f1.example/feed")} {
		var want []string
		if err := db.Each(v, func(s store.Story) error { want = append(want, s.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"common", "story"} {
			res := ix.Search(q, v, nil)
			var got []string
			for n := range res.Len() {
				got = append(got, ix.Hit(res, n).ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, %q: results are not in the view's order:\ngot  %q\nwant %q", v, q, got, want)
			}
		}
	}
}
