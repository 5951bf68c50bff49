package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pageFill is how full the leaf pages of a bucket are: bytes in use over
// bytes allocated.
func pageFill(t *testing.T, db *DB, path ...[]byte) float64 {
	t.Helper()
	var s bolt.BucketStats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(path[0])
		for _, name := range path[1:] {
			b = b.Bucket(name)
		}
		s = b.Stats()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.LeafAlloc == 0 {
		t.Fatalf("bucket %q has no leaf pages", path)
	}
	return float64(s.LeafInuse) / float64(s.LeafAlloc)
}

// A large first refresh commits many batches whose story IDs and dates
// land between those already stored. The pages bbolt splits must stay
// well filled: each commit rewrites every page it touches, so sparse pages
// make a refresh write (and the file hold) several times what it needs.
// A cache built in one transaction appends everything and must be packed
// tighter still.
func TestPagesStayFilled(t *testing.T) {
	for _, tc := range []struct {
		name       string
		batchFeeds int
		items, all float64 // lowest acceptable fill of the items bucket and the all index
		content    float64
	}{
		{name: "one transaction", batchFeeds: 40, items: 0.85, all: 0.85, content: 0.9},
		{name: "many batches", batchFeeds: 2, items: 0.6, all: 0.6, content: 0.9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // two independent caches of 10k stories: one per core
			db := openTest(t, &clock{testNow.Add(time.Hour)})
			saveAll(t, db, corpus(3, 40, 250, tc.batchFeeds))
			mustCheck(t, db)
			for _, b := range []struct {
				name string
				path [][]byte
				min  float64
			}{
				{"items", [][]byte{bucketItems}, tc.items},
				{"index all", [][]byte{bucketIndex, []byte(ixAll)}, tc.all},
				{"content", [][]byte{bucketContent}, tc.content},
			} {
				if got := pageFill(t, db, b.path...); got < b.min {
					t.Errorf("%s: leaf pages %.0f%% full, want at least %.0f%%", b.name, 100*got, 100*b.min)
				}
			}
		})
	}
}
