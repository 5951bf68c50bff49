package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// Saving prepared feeds stores what the items said: a first refresh
// (every story new), a second that rewrites a third of them (one new
// title, body and tags dropped), and a mirror feed that carries stories
// already stored (recorded, not new, not rewritten).
func TestSavePreparedStoresWhatItemsSay(t *testing.T) {
	db := openTest(t, &clock{testNow})
	save := func(batch []item.Fetched) []int {
		t.Helper()
		ready := make([]any, len(batch))
		for i, f := range batch {
			ready[i] = db.PrepareFetched(f)
		}
		news, err := db.SavePrepared(ready)
		if err != nil {
			t.Fatal(err)
		}
		return news
	}
	sum := func(ns []int) (n int) {
		for _, x := range ns {
			n += x
		}
		return n
	}
	first := corpus(5, 6, 40, 6)[0]
	if n := sum(save(first)); n != 240 {
		t.Errorf("first save: %d new, want 240", n)
	}
	second := corpus(5, 6, 40, 6)[0]
	want := map[string]item.Item{}
	for f := range second {
		for i := range second[f].Items {
			it := &second[f].Items[i]
			if i%3 == 0 {
				it.Title += " (updated)"
				it.Content, it.Tags = "", nil
			}
			want[it.ID] = *it
		}
	}
	if n := sum(save(second)); n != 0 {
		t.Errorf("second save: %d new, want 0", n)
	}
	mirror := item.Fetched{State: item.FeedState{URL: "https://mirror.example/feed.xml", ETag: `"m"`}}
	for _, it := range second[0].Items[:5] {
		it.Feed, it.Title = mirror.State.URL, "the mirror's title"
		mirror.Items = append(mirror.Items, it)
	}
	if n := save([]item.Fetched{mirror}); n[0] != 0 {
		t.Errorf("mirror: %d new, want 0", n[0])
	}
	seen := 0
	err := db.Each(All, func(s Story) error {
		full, err := db.Get(s.ID)
		if err != nil {
			return err
		}
		w := want[s.ID]
		if full.Title != w.Title || full.Summary != w.Summary || full.Content != w.Content || full.Link != w.Link ||
			!reflect.DeepEqual(full.TagNames(), w.TagNames()) || full.Feed != w.Feed {
			t.Errorf("story %s: stored %q (body %d bytes, tags %v), want %q (body %d bytes, tags %v)",
				s.ID, full.Title, len(full.Content), full.TagNames(), w.Title, len(w.Content), w.TagNames())
		}
		seen++
		return nil
	})
	if err != nil || seen != len(want) {
		t.Fatalf("walked %d stories (%v), want %d", seen, err, len(want))
	}
	if s := mustGet(t, db, mirror.Items[0].ID); len(s.Feeds) != 2 || s.Feeds[1] != mirror.State.URL {
		t.Errorf("a story the mirror carries lists feeds %v", s.Feeds)
	}
	if st, err := db.FeedState(mirror.State.URL); err != nil || st.ETag != `"m"` {
		t.Errorf("mirror's feed state: %+v, %v", st, err)
	}
	mustCheck(t, db)
}

// A prepared story no longer needs its item: changing the item after
// PrepareFetched does not change what is stored.
func TestPreparedFeedOwnsItsStories(t *testing.T) {
	db := openTest(t, &clock{testNow})
	it := article(mainFeed, "Kept as prepared", testNow.Add(-time.Hour), "training-data")
	it.Content = "<p>body</p>"
	f := item.Fetched{State: item.FeedState{URL: mainFeed}, Items: []item.Item{it}}
	ready := db.PrepareFetched(f)
	f.Items[0].Title, f.Items[0].Content, f.Items[0].Tags[0].Name = "changed", "", "changed"
	if _, err := db.SavePrepared([]any{ready}); err != nil {
		t.Fatal(err)
	}
	s := mustGet(t, db, it.ID)
	if s.Title != "Kept as prepared" || s.Content != "<p>body</p>" || !s.HasTag("training-data") {
		t.Errorf("stored %q, body %q, tags %v", s.Title, s.Content, s.TagNames())
	}
}

func TestSavePreparedRefusesOtherValues(t *testing.T) {
	db := openTest(t, &clock{testNow})
	_, err := db.SavePrepared([]any{item.Fetched{State: item.FeedState{URL: mainFeed}}})
	if err == nil || !strings.Contains(err.Error(), "item.Fetched") {
		t.Fatalf("SavePrepared(item.Fetched) = %v, want an error naming the type", err)
	}
	if states, err := db.FeedStates(); err != nil || len(states) != 0 {
		t.Errorf("feed states after a refused save: %v, %v", states, err)
	}
}
