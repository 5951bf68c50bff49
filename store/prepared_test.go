package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// allStories reads every story of the all view with its body.
func allStories(t *testing.T, db *DB) []Story {
	t.Helper()
	var out []Story
	err := db.Each(All, func(s Story) error {
		full, err := db.Get(s.ID)
		out = append(out, full)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Saving prepared feeds is saving fetched ones: the same stories, feed
// states, counts and new-story counts, through a first refresh, a second
// one that changes some stories, and a feed that shares stories.
func TestSavePreparedMatchesSaveFetched(t *testing.T) {
	c := &clock{testNow}
	direct, viaPrepare := openTest(t, c), openTest(t, c)
	first := corpus(5, 6, 40, 3)
	second := corpus(5, 6, 40, 3)
	for _, batch := range second {
		for f := range batch {
			for i := range batch[f].Items {
				if i%3 == 0 {
					it := &batch[f].Items[i]
					it.Title += " (updated)"
					it.Content = ""
					it.Tags = nil
				}
			}
		}
	}
	shared := first[0][0]
	shared.State.URL = "https://mirror.example/feed.xml"
	for i := range shared.Items {
		shared.Items[i].Feed = shared.State.URL
	}
	rounds := append(append(first, second...), []item.Fetched{shared})
	for r, batch := range rounds {
		copies := make([]item.Fetched, len(batch))
		copy(copies, batch)
		if err := direct.SaveFetched(copies); err != nil {
			t.Fatal(err)
		}
		ready := make([]any, len(batch))
		for i, f := range batch {
			ready[i] = viaPrepare.PrepareFetched(f)
		}
		news, err := viaPrepare.SavePrepared(ready)
		if err != nil {
			t.Fatal(err)
		}
		for i := range copies {
			if news[i] != copies[i].New {
				t.Errorf("round %d feed %d: %d new prepared, %d new fetched", r, i, news[i], copies[i].New)
			}
		}
	}
	if a, b := allStories(t, direct), allStories(t, viaPrepare); !reflect.DeepEqual(a, b) {
		t.Errorf("stories differ: %d saved fetched, %d saved prepared", len(a), len(b))
	}
	ca, errA := direct.Counts()
	cb, errB := viaPrepare.Counts()
	if errA != nil || errB != nil || !reflect.DeepEqual(ca, cb) {
		t.Errorf("counts: %+v (%v) fetched, %+v (%v) prepared", ca, errA, cb, errB)
	}
	sa, errA := direct.FeedStates()
	sb, errB := viaPrepare.FeedStates()
	if errA != nil || errB != nil || !reflect.DeepEqual(sa, sb) {
		t.Errorf("feed states differ (%v, %v)", errA, errB)
	}
	mustCheck(t, viaPrepare)
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
