package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

func TestPruneKeepsStarredAndAnnotated(t *testing.T) {
	c := &clock{testNow}
	db := openTest(t, c)
	age := func(days int) time.Time { return testNow.AddDate(0, 0, -days) }
	stories := map[string]item.Item{
		"old plain":     article(mainFeed, "Old plain", age(200), "training-data"),
		"old starred":   article(mainFeed, "Old starred", age(300)),
		"old noted":     article(aiFeed, "Old noted", age(150), "api-pricing"),
		"old dismissed": article(mainFeed, "Old dismissed", age(120)),
		"old read":      article(aiFeed, "Old read", age(100), "training-data"),
		"recent":        article(mainFeed, "Recent", age(10), "training-data"),
	}
	for name, it := range stories {
		it.Content = "<p>" + it.Title + "</p>"
		stories[name] = it
		mustUpsert(t, db, it)
	}
	set := func(name string, fn func(*State)) {
		if _, err := db.Update(stories[name].ID, fn); err != nil {
			t.Fatal(err)
		}
	}
	set("old starred", func(s *State) { s.Starred = true })
	set("old noted", func(s *State) { s.Note = "cite this" })
	set("old dismissed", func(s *State) { s.Dismissed = true })
	set("old read", func(s *State) { s.Read = true })

	n, err := db.Prune(testNow.AddDate(0, 0, -90))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("pruned %d, want 3", n)
	}
	for name, it := range stories {
		_, err := db.Get(it.ID)
		gone := strings.Contains("old plain|old dismissed|old read", name)
		if gone != errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Get after prune = %v", name, err)
		}
	}
	c2, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if c2.All != 3 || c2.Dismissed != 0 || c2.Starred != 1 || c2.Tags["training-data"] != 1 || c2.Tags["api-pricing"] != 1 || c2.Feeds[aiFeed] != 1 {
		t.Errorf("counts after prune: %+v", c2)
	}
	mustCheck(t, db)

	// Pruned stories do not come back with the next refresh; newer ones
	// still arrive.
	fresh := article(mainFeed, "Fresh", testNow)
	res := mustUpsert(t, db, stories["old plain"], stories["old read"], fresh)
	if res.Skipped != 2 || res.New != 1 {
		t.Errorf("refresh after prune: %+v, want 2 skipped and 1 new", res)
	}
	// Kept stories are refreshed as usual.
	if res := mustUpsert(t, db, stories["old starred"]); res.Unchanged != 1 {
		t.Errorf("refresh of a kept old story: %+v", res)
	}
	// Unstarring makes a story prunable.
	set("old starred", func(s *State) { s.Starred = false })
	if n, err := db.Prune(testNow.AddDate(0, 0, -90)); err != nil || n != 1 {
		t.Errorf("second prune = %d, %v; want 1", n, err)
	}
	mustCheck(t, db)
}

func TestRetagMovesIndexesAndKeepsState(t *testing.T) {
	db := openTest(t, &clock{testNow})
	a := article(mainFeed, "Publisher licence deal", testNow.Add(-time.Hour))
	b := article(mainFeed, "Phone review", testNow.Add(-2*time.Hour), "training-data")
	a.Content = "<p>The licence covers training.</p>"
	mustUpsert(t, db, a, b)
	if err := db.SetStarred(b.ID, true); err != nil {
		t.Fatal(err)
	}
	// New rules: "licence" in the body means licensing; phones are never
	// training data.
	retag := func(it *item.Item) bool {
		if it.RulesVer == "v2" {
			return false
		}
		it.Tags = nil
		if strings.Contains(it.Content, "licence") {
			it.Tags = []item.Tag{{Name: "licensing", Score: 3, Threshold: 2}}
		}
		it.RulesVer = "v2"
		return true
	}
	var done, total int
	n, err := db.Retag(retag, func(d, t int) { done, total = d, t })
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || done != 2 || total != 2 {
		t.Errorf("retag changed %d, progress %d/%d; want 2, 2/2", n, done, total)
	}
	if got := pageIDs(t, db, TagView("licensing")); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("licensing view = %v", got)
	}
	if got := pageIDs(t, db, TagView("training-data")); len(got) != 0 {
		t.Errorf("training-data view = %v", got)
	}
	if s := mustGet(t, db, b.ID); !s.Starred || s.RulesVer != "v2" {
		t.Errorf("story b after retag: %+v", s)
	}
	if s := mustGet(t, db, a.ID); s.Content != a.Content {
		t.Errorf("retag lost the body: %q", s.Content)
	}
	if n, err := db.Retag(retag, nil); err != nil || n != 0 {
		t.Errorf("second retag = %d, %v; want nothing to do", n, err)
	}
	mustCheck(t, db)
}

func TestCheckFindsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(tx *bolt.Tx, id string, seq []byte) error
		want   string
	}{
		{"missing index entry", func(tx *bolt.Tx, id string, _ []byte) error {
			return deleteIndexEntry(tx, ixUnread, id)
		}, "index unread has"},
		{"stray index entry", func(tx *bolt.Tx, id string, _ []byte) error {
			return tx.Bucket(bucketIndex).Bucket([]byte(ixAll)).Put(timeKey(testNow, "ghost0000000000"), nil)
		}, "ghost"},
		{"counter off by one", func(tx *bolt.Tx, _ string, _ []byte) error {
			return tx.Bucket(bucketCounts).Put([]byte(ixAll), []byte{0, 0, 0, 0, 0, 0, 0, 9})
		}, "counter all says 9"},
		{"state of a missing story", func(tx *bolt.Tx, _ string, _ []byte) error {
			return tx.Bucket(bucketState).Put([]byte("ghost0000000000"), []byte(`{"starred":true}`))
		}, "not a story"},
		{"content missing", func(tx *bolt.Tx, _ string, seq []byte) error {
			return tx.Bucket(bucketContent).Delete(seq)
		}, "content missing"},
		{"garbled story record", func(tx *bolt.Tx, id string, _ []byte) error {
			return tx.Bucket(bucketItems).Put([]byte(id), []byte{recordFormat, 1, 2, 3})
		}, "damaged story record"},
		{"body without a flag", func(tx *bolt.Tx, _ string, seq []byte) error {
			return tx.Bucket(bucketHTML).Put(seq, []byte("<p>stray</p>"))
		}, "body flag false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			db, err := Open(path, Options{Now: (&clock{testNow}).now})
			if err != nil {
				t.Fatal(err)
			}
			it := article(mainFeed, "Victim", testNow.Add(-time.Hour), "training-data")
			mustUpsert(t, db, it, article(mainFeed, "Bystander", testNow.Add(-2*time.Hour)))
			mustCheck(t, db)
			var seq []byte
			db.view(func(tx *bolt.Tx) error {
				rec, err := getMeta(tx, it.ID)
				if err == nil {
					seq = seqKey(rec.Seq)
				}
				return err
			})
			if err := db.bolt.Update(func(tx *bolt.Tx) error { return tt.damage(tx, it.ID, seq) }); err != nil {
				t.Fatal(err)
			}
			err = db.Check()
			db.Close()
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func deleteIndexEntry(tx *bolt.Tx, name, id string) error {
	b := tx.Bucket(bucketIndex).Bucket([]byte(name))
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if idFromKey(k) == id {
			return c.Delete()
		}
	}
	return errors.New("no entry to delete")
}

func TestCompactShrinksAndKeepsEverything(t *testing.T) {
	c := &clock{testNow}
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	saveAll(t, db, corpus(3, 10, 200, 10))
	page, _, err := db.Page(All, nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range page {
		if _, err := db.Update(s.ID, func(st *State) { st.Starred, st.Note = true, "keep "+s.ID }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Prune(testNow.Add(-3 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	before, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}

	sizeBefore, sizeAfter, err := db.Compact()
	if err != nil {
		t.Fatal(err)
	}
	if sizeAfter >= sizeBefore {
		t.Errorf("compaction went from %d to %d bytes", sizeBefore, sizeAfter)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != sizeAfter {
		t.Errorf("file size %v, reported %d", fi, sizeAfter)
	}
	after, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if after.All != before.All || after.Starred != 5 || len(after.Feeds) != len(before.Feeds) {
		t.Errorf("counts before %+v, after %+v", before, after)
	}
	for _, s := range page {
		if got := mustGet(t, db, s.ID); got.Note != "keep "+s.ID || !got.Starred {
			t.Errorf("story %s after compaction: %+v", s.ID, got.State)
		}
	}
	mustCheck(t, db)
	// Still the writer: the lock came with the new file.
	if other, err := Open(path, Options{LockTimeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		if other != nil {
			other.Close()
		}
		t.Errorf("a second open after compaction = %v, want ErrLocked", err)
	}
	// And it keeps working.
	mustUpsert(t, db, article(mainFeed, "After compaction", testNow))
	mustCheck(t, db)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// A compaction killed part-way leaves its working copy, as large as the
// cache; the next compaction removes it, and nothing else in the folder.
func TestCompactRemovesLeftoverCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	db, err := Open(path, Options{Now: (&clock{testNow}).now})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	saveAll(t, db, corpus(1, 5, 20, 5))
	leftovers := []string{".cache.db.compact-3562379242", ".cache.db.compact-1"}
	others := []string{".other.db.compact-1", "cache.db.compact-1", ".cache.db.bak", "notes.txt"}
	for _, name := range append(slices.Clone(leftovers), others...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.Compact(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := append([]string{"cache.db"}, others...)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("the folder holds %q, want %q", names, want)
	}
}
