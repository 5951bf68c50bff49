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
		id: string(b.ID), outlet: string(b.Outlet),
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

// scanAll reads every story with Scan, copied out.
func scanAll(t *testing.T, db *DB) []brief {
	t.Helper()
	var got []brief
	texts := 0
	err := db.Scan(func(b *Brief) (int, error) {
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
	if texts != len(got) {
		t.Fatalf("Scan gave %d stories and %d texts", len(got), texts)
	}
	return got
}

// TestScanMatchesEach: Scan gives every story, dismissed or not, once,
// with the same fields as Each, and each story's text reaches the number
// its first pass returned.
func TestScanMatchesEach(t *testing.T) {
	db := walkCache(t)
	want := map[string]brief{}
	for _, v := range []View{All, Dismissed} {
		if err := db.Each(v, func(s Story) error { want[s.ID] = briefOf(s); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	got := scanAll(t, db)
	if len(got) != len(want) {
		t.Fatalf("Scan gave %d stories, Each %d", len(got), len(want))
	}
	var sawNote, sawShared, sawTags, sawDismissedStar bool
	for _, g := range got {
		w, ok := want[g.id]
		if !ok {
			t.Fatalf("Scan gave story %s twice, or one Each does not know", g.id)
		}
		delete(want, g.id)
		if g.title != w.title || g.outlet != w.outlet || g.summary != w.summary ||
			!slices.Equal(g.feeds, w.feeds) || !slices.Equal(g.tags, w.tags) ||
			!g.published.Equal(w.published) || g.state != w.state {
			t.Fatalf("story %s:\nScan %+v\nEach %+v", g.id, g, w)
		}
		sawNote = sawNote || g.state.Note != ""
		sawShared = sawShared || len(g.feeds) == 2
		sawTags = sawTags || len(g.tags) == 2
		sawDismissedStar = sawDismissedStar || g.state.Dismissed && g.state.Starred
	}
	// The fixture must hold what the comparison is meant to cover.
	if !sawNote || !sawShared || !sawTags || !sawDismissedStar {
		t.Fatalf("fixture lacks a case: note %v, shared %v, two tags %v, dismissed star %v", sawNote, sawShared, sawTags, sawDismissedStar)
	}
}

// TestScanAllocations pins down the point of Scan: reading a story
// allocates nothing, so the scan's allocations do not grow with the
// cache but for the stories with a stored state (decoded from JSON).
func TestScanAllocations(t *testing.T) {
	small, big := walkCache(t), walkCache(t)
	for _, batch := range corpus(8, 6, 200, 3) {
		if err := big.SaveFetched(batch); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(db *DB) float64 {
		return testing.AllocsPerRun(3, func() {
			err := db.Scan(func(*Brief) (int, error) { return 0, nil }, func(int, []byte, []byte) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	few, many := scan(small), scan(big)
	t.Logf("allocations: %.0f for %d stories, %.0f for %d more", few, 240, many, 1200)
	if many-few > 50 {
		t.Fatalf("scanning 1200 more stories allocated %.0f more times: Scan allocates per story", many-few)
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

// TestScanDamaged: a damaged meta or content record stops the scan with
// an error naming the story.
func TestScanDamaged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(tx *bolt.Tx, id, meta []byte) error
	}{
		{"meta", func(tx *bolt.Tx, id, _ []byte) error {
			return tx.Bucket(bucketItems).Put(id, []byte{recordFormat, 1, 2, 3})
		}},
		{"content", func(tx *bolt.Tx, _, meta []byte) error {
			return tx.Bucket(bucketContent).Put(meta[9:17], []byte{recordFormat, 200})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := walkCache(t)
			var victim []byte
			err := db.bolt.Update(func(tx *bolt.Tx) error {
				k, raw := tx.Bucket(bucketItems).Cursor().First()
				victim = bytes.Clone(k)
				return tc.damage(tx, victim, bytes.Clone(raw))
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Scan(func(*Brief) (int, error) { return 0, nil }, func(int, []byte, []byte) error { return nil })
			if !errors.Is(err, errBadRecord) || !strings.Contains(err.Error(), string(victim)) {
				t.Fatalf("Scan over a damaged %s record: %v, want %v naming story %s", tc.name, err, errBadRecord, victim)
			}
		})
	}
}

// BenchmarkScan100k reads every story the way the reader's search index
// does; compare BenchmarkEach100k, which reads them in a view's order.
func BenchmarkScan100k(b *testing.B) {
	db := openBenchCache(b)
	for b.Loop() {
		n, texts := 0, 0
		err := db.Scan(func(*Brief) (int, error) { n++; return 0, nil }, func(int, []byte, []byte) error { texts++; return nil })
		if err != nil {
			b.Fatal(err)
		}
		if n != benchFeeds*benchPerFeed || texts != n {
			b.Fatalf("scanned %d stories and %d texts", n, texts)
		}
	}
}
