package store

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// walkCache is a cache with every kind of story Walk must get right:
// tagged and untagged, starred, read, dismissed, with a note, and one
// story carried by two feeds.
func walkCache(t *testing.T) *DB {
	t.Helper()
	c := &clock{testNow}
	db := openTest(t, c)
	for _, batch := range corpus(7, 6, 40, 3) {
		if err := db.SaveFetched(batch); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := db.Each(All, func(s Story) error { ids = append(ids, s.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids[:60] {
		_, err := db.Update(id, func(s *State) {
			switch i % 4 {
			case 0:
				s.Starred = true
			case 1:
				s.Read = true
			case 2:
				s.Dismissed, s.Starred = true, i%3 == 0
			case 3:
				s.Note = "why this matters \u00e9"
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The same story from a second feed is one story in both feeds.
	shared, err := db.Get(ids[70])
	if err != nil {
		t.Fatal(err)
	}
	again := shared.Item
	again.Feed = "https://aggregator.example/feed.xml"
	if _, err := db.Upsert([]item.Item{again}); err != nil {
		t.Fatal(err)
	}
	return db
}

// brief is a Brief copied out of the walk, comparable with a Story.
type brief struct {
	id, title, outlet, summary string
	feeds, tags                []string
	published                  time.Time
	state                      State
}

func copyBrief(b *Brief) brief {
	strs := func(bs [][]byte) []string {
		var out []string
		for _, x := range bs {
			out = append(out, string(x))
		}
		return out
	}
	return brief{
		id: string(b.ID), title: string(b.Title), outlet: string(b.Outlet), summary: string(b.Summary),
		feeds: strs(b.Feeds), tags: strs(b.Tags), published: b.Published, state: b.State,
	}
}

func briefOf(s Story) brief {
	feeds := s.Feeds
	if len(feeds) == 0 {
		feeds = []string{s.Feed}
	}
	return brief{
		id: s.ID, title: s.Title, outlet: s.Outlet, summary: s.Summary,
		feeds: feeds, tags: s.TagNames(), published: s.Published, state: s.State,
	}
}

func TestWalkMatchesEach(t *testing.T) {
	db := walkCache(t)
	views := []View{All, Unread, Starred, Dismissed, TagView("training-data"), TagView("licensing"),
		FeedView(feedURL(2)), FeedView("https://aggregator.example/feed.xml"), TagView("no-such-tag")}
	for _, v := range views {
		t.Run(v.String(), func(t *testing.T) {
			var want, got []brief
			if err := db.Each(v, func(s Story) error { want = append(want, briefOf(s)); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := db.Walk(v, func(b *Brief) error { got = append(got, copyBrief(b)); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("Walk gave %d stories, Each %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.id != w.id || g.title != w.title || g.outlet != w.outlet || g.summary != w.summary ||
					!slices.Equal(g.feeds, w.feeds) || !slices.Equal(g.tags, w.tags) ||
					!g.published.Equal(w.published) || g.state != w.state {
					t.Fatalf("story %d:\nWalk %+v\nEach %+v", i, g, w)
				}
			}
		})
	}
	// The fixture must hold what the comparison is meant to cover.
	var sawNote, sawShared, sawTags, sawDismissedStar bool
	db.Walk(Starred, func(b *Brief) error { sawDismissedStar = sawDismissedStar || b.State.Dismissed; return nil })
	db.Walk(All, func(b *Brief) error {
		sawNote = sawNote || b.State.Note != ""
		sawShared = sawShared || len(b.Feeds) == 2
		sawTags = sawTags || len(b.Tags) == 2
		return nil
	})
	if !sawNote || !sawShared || !sawTags || !sawDismissedStar {
		t.Fatalf("fixture lacks a case: note %v, shared %v, two tags %v, dismissed star %v", sawNote, sawShared, sawTags, sawDismissedStar)
	}
}

func TestWalkStopsOnError(t *testing.T) {
	db := walkCache(t)
	stop := errors.New("enough")
	n := 0
	err := db.Walk(All, func(*Brief) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Fatalf("Walk returned %v after %d stories, want the callback's error after 5", err, n)
	}
}

func TestWalkDamagedRecord(t *testing.T) {
	db := walkCache(t)
	var victim string
	db.Walk(All, func(b *Brief) error {
		if victim == "" {
			victim = string(b.ID)
		}
		return nil
	})
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketItems).Put([]byte(victim), []byte{recordFormat, 1, 2, 3})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Walk(All, func(*Brief) error { return nil })
	if !errors.Is(err, errBadRecord) {
		t.Fatalf("Walk over a damaged record: %v, want %v", err, errBadRecord)
	}
}

// TestWalkAllocations pins down the point of Walk: reading a story costs
// no allocation, so the walk's allocations do not grow with the cache.
func TestWalkAllocations(t *testing.T) {
	db := walkCache(t)
	walk := func(v View) float64 {
		return testing.AllocsPerRun(3, func() {
			if err := db.Walk(v, func(*Brief) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
	few, many := walk(FeedView(feedURL(1))), walk(All)
	// Stories with a stored state decode it (JSON), so the difference
	// may hold those; the 240-story cache has 59 in All.
	t.Logf("allocations: All %.0f, one feed %.0f", many, few)
	if many-few > 60*8 {
		t.Fatalf("walking All allocated %.0f times, one feed %.0f: Walk allocates per story", many, few)
	}
}

// TestScanMatchesWalk: Scan gives every story, dismissed or not, with the
// same fields as Walk, and each story's text reaches the number its meta
// call returned.
func TestScanMatchesWalk(t *testing.T) {
	db := walkCache(t)
	want := map[string]brief{}
	for _, v := range []View{All, Dismissed} {
		if err := db.Walk(v, func(b *Brief) error { want[string(b.ID)] = copyBrief(b); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	var got []brief
	var texts int
	err := db.Scan(func(b *Brief) (int, error) {
		if b.Title != nil || b.Summary != nil {
			t.Fatalf("story %s: the first pass has text", b.ID)
		}
		got = append(got, copyBrief(b))
		return len(got) - 1, nil
	}, func(n int, title, summary []byte) error {
		got[n].title, got[n].summary = string(title), string(summary)
		texts++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || texts != len(want) {
		t.Fatalf("Scan gave %d stories and %d texts, Walk %d stories", len(got), texts, len(want))
	}
	for _, g := range got {
		w, ok := want[g.id]
		if !ok {
			t.Fatalf("Scan gave story %s twice or one Walk does not know", g.id)
		}
		delete(want, g.id)
		if g.title != w.title || g.outlet != w.outlet || g.summary != w.summary ||
			!slices.Equal(g.feeds, w.feeds) || !slices.Equal(g.tags, w.tags) ||
			!g.published.Equal(w.published) || g.state != w.state {
			t.Fatalf("story %s:\nScan %+v\nWalk %+v", g.id, g, w)
		}
	}
}

func TestScanStopsOnError(t *testing.T) {
	db := walkCache(t)
	stop := errors.New("enough")
	for _, pass := range []string{"meta", "text"} {
		n := 0
		err := db.Scan(func(*Brief) (int, error) {
			if pass == "meta" {
				if n++; n == 5 {
					return 0, stop
				}
			}
			return 0, nil
		}, func(int, []byte, []byte) error {
			if n++; n == 5 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 5 {
			t.Fatalf("%s: Scan returned %v after %d calls, want the callback's error after 5", pass, err, n)
		}
	}
}

func TestScanDamagedContent(t *testing.T) {
	db := walkCache(t)
	var victim []byte
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		k, raw := tx.Bucket(bucketItems).Cursor().First()
		victim = bytes.Clone(k)
		return tx.Bucket(bucketContent).Put(raw[9:17], []byte{recordFormat, 200})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Scan(func(*Brief) (int, error) { return 0, nil }, func(int, []byte, []byte) error { return nil })
	if !errors.Is(err, errBadRecord) || !strings.Contains(err.Error(), string(victim)) {
		t.Fatalf("Scan over damaged content: %v, want %v naming story %s", err, errBadRecord, victim)
	}
}
