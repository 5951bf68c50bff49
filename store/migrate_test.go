package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// v1Writer writes a cache the way schema 1 laid it out: JSON story records
// by ID, bodies by ID, JSON user and feed state, and the same ordered
// indexes and counters. It is written from the schema-1 documentation,
// independently of migrate.go, so the test checks the migration against
// the old layout rather than against itself.
type v1Writer struct {
	tx     *bolt.Tx
	counts map[string]uint64
}

type v1Story struct {
	it    item.Item
	state State
	seen  time.Time
}

func writeV1(t *testing.T, path string, stories []v1Story, feeds []item.FeedState) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "items", "bodies", "state", "feeds", "counts", "ix"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("1")); err != nil {
			return err
		}
		w := &v1Writer{tx: tx, counts: map[string]uint64{}}
		for _, s := range stories {
			if err := w.put(s); err != nil {
				return err
			}
		}
		for _, f := range feeds {
			raw, _ := json.Marshal(f)
			if err := tx.Bucket([]byte("feeds")).Put([]byte(f.URL), raw); err != nil {
				return err
			}
		}
		for name, n := range w.counts {
			if err := tx.Bucket([]byte("counts")).Put([]byte(name), binary.BigEndian.AppendUint64(nil, n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *v1Writer) put(s v1Story) error {
	it := s.it
	rec := map[string]any{
		"id": it.ID, "feed": it.Feed, "outlet": it.Outlet, "guid": it.GUID, "title": it.Title,
		"link": it.Link, "pub": it.Published, "sum": it.Summary, "tags": it.Tags, "rules": it.RulesVer,
		"seen": s.seen, "hash": uint64(12345), "body": it.Content != "",
	}
	if it.Author != "" {
		rec["author"] = it.Author
	}
	if len(it.Categories) > 0 {
		rec["cats"] = it.Categories
	}
	if !it.Updated.IsZero() {
		rec["upd"] = it.Updated
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := w.tx.Bucket([]byte("items")).Put([]byte(it.ID), raw); err != nil {
		return err
	}
	if it.Content != "" {
		if err := w.tx.Bucket([]byte("bodies")).Put([]byte(it.ID), []byte(it.Content)); err != nil {
			return err
		}
	}
	// Schema 1 wrote a state record for every story the user touched.
	if s.state != (State{}) {
		raw, _ := json.Marshal(s.state)
		if err := w.tx.Bucket([]byte("state")).Put([]byte(it.ID), raw); err != nil {
			return err
		}
	}
	key := binary.BigEndian.AppendUint64(nil, uint64(it.Published.UnixNano()))
	key = append(key, it.ID...)
	var names []string
	if s.state.Starred {
		names = append(names, "starred")
	}
	if s.state.Dismissed {
		names = append(names, "dismissed")
	} else {
		names = append(names, "all", "feed:"+it.Feed)
		if !s.state.Read {
			names = append(names, "unread")
		}
		for _, tg := range it.Tags {
			names = append(names, "tag:"+tg.Name)
		}
	}
	for _, n := range names {
		b, err := w.tx.Bucket([]byte("ix")).CreateBucketIfNotExists([]byte(n))
		if err != nil {
			return err
		}
		if err := b.Put(key, nil); err != nil {
			return err
		}
		w.counts[n]++
	}
	return nil
}

// v1Stories is a schema-1 cache's worth of stories with every kind of
// user state, some with bodies, tags, authors and categories.
func v1Stories(n int) []v1Story {
	r := rand.New(rand.NewPCG(11, 12))
	var out []v1Story
	for i := range n {
		it := story(r, feedURL(i%3), i, testNow.Add(-time.Duration(i)*time.Hour))
		if i%4 == 0 {
			it.Categories = []string{"AI", "Policy"}
			it.Updated = it.Published.Add(time.Hour)
		}
		s := v1Story{it: it, seen: testNow.Add(-time.Duration(i) * time.Minute)}
		switch i % 6 {
		case 0:
			s.state = State{Starred: true, StarredAt: testNow.Add(-time.Hour), Note: fmt.Sprintf("note %d", i), NoteEdited: testNow.Add(-time.Minute)}
		case 1:
			s.state = State{Read: true}
		case 2:
			s.state = State{Dismissed: true, Read: true}
		case 3:
			s.state = State{Starred: true, StarredAt: testNow, Dismissed: true}
		}
		out = append(out, s)
	}
	return out
}

func TestMigrateFromSchema1(t *testing.T) {
	for _, ro := range []bool{false, true} {
		t.Run(fmt.Sprint("readonly=", ro), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			stories := v1Stories(40)
			feeds := []item.FeedState{{URL: feedURL(0), Title: "Zero", ETag: `"abc"`, LastSuccess: testNow}}
			writeV1(t, path, stories, feeds)

			// A read-only open migrates too (under the write lock), so
			// that 'trawl list' works right after an upgrade.
			db, err := Open(path, Options{ReadOnly: ro, Now: (&clock{testNow}).now})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkMigrated(t, db, stories, feeds)
		})
	}
}

func checkMigrated(t *testing.T, db *DB, stories []v1Story, feeds []item.FeedState) {
	t.Helper()
	mustCheck(t, db)
	err := db.view(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != "2" {
			t.Errorf("schema after migration = %q", v)
		}
		if tx.Bucket(v1Bodies) != nil {
			t.Error("schema 1's bodies bucket is still there")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stories {
		got := mustGet(t, db, s.it.ID)
		if diff := itemDiff(got.Item, s.it); diff != "" {
			t.Errorf("story %s: %s", s.it.ID, diff)
		}
		if got.State != s.state {
			t.Errorf("story %s: state %+v, want %+v", s.it.ID, got.State, s.state)
		}
		if !got.FirstSeen.Equal(s.seen) || !slices.Equal(got.Feeds, []string{s.it.Feed}) {
			t.Errorf("story %s: first seen %s feeds %v", s.it.ID, got.FirstSeen, got.Feeds)
		}
	}
	fs, err := db.FeedState(feeds[0].URL)
	if err != nil || fs.ETag != feeds[0].ETag {
		t.Errorf("feed state after migration: %+v, %v", fs, err)
	}
	c, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	dismissed := 0
	for _, s := range stories {
		if s.state.Dismissed {
			dismissed++
		}
	}
	if c.All != len(stories)-dismissed || c.Dismissed != dismissed {
		t.Errorf("counts after migration: %+v", c)
	}
	all := pageIDs(t, db, All)
	for i := 1; i < len(all); i++ {
		a, b := mustGet(t, db, all[i-1]), mustGet(t, db, all[i])
		if a.Published.Before(b.Published) {
			t.Fatalf("all view out of order after migration at %d", i)
		}
	}
}

func TestMigratedCacheRefreshesAsUnchanged(t *testing.T) {
	// The migration recomputes content hashes the way schema 2 does, so
	// the first refresh after an upgrade does not rewrite every story.
	path := filepath.Join(t.TempDir(), "cache.db")
	stories := v1Stories(20)
	writeV1(t, path, stories, nil)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var items []item.Item
	for _, s := range stories {
		items = append(items, s.it)
	}
	if res := mustUpsert(t, db, items...); res.Unchanged != len(items) {
		t.Errorf("refresh after migration: %+v, want all %d unchanged", res, len(items))
	}
	for _, s := range stories {
		if got := mustGet(t, db, s.it.ID).State; got != s.state {
			t.Errorf("story %s: state %+v, want %+v", s.it.ID, got, s.state)
		}
	}
}

func TestInterruptedMigrationResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	stories := v1Stories(30)
	writeV1(t, path, stories, []item.FeedState{{URL: feedURL(1)}})

	// Convert one batch of ten and stop, as a crash between batches would.
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var after []byte
	done, err := migrate1to2Batch(bdb, &after, 10)
	if err != nil || done {
		t.Fatalf("first batch: done %t, %v", done, err)
	}
	converted := 0
	bdb.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != "1" {
			t.Errorf("schema mid-migration = %q, want 1", v)
		}
		return tx.Bucket(bucketItems).ForEach(func(_, v []byte) error {
			if v[0] == recordFormat {
				converted++
			}
			return nil
		})
	})
	bdb.Close()
	if converted != 10 {
		t.Fatalf("%d stories converted by one batch, want 10", converted)
	}

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkMigrated(t, db, stories, []item.FeedState{{URL: feedURL(1)}})
}

func TestFailedMigrationLeavesSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	stories := v1Stories(5)
	writeV1(t, path, stories, nil)
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketItems).Put([]byte(stories[2].it.ID), []byte("{not json"))
	})
	bdb.Close()
	before := fileSum(t, path)

	_, err = Open(path, Options{})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), stories[2].it.ID) {
		t.Fatalf("Open of a cache with a damaged schema-1 record = %v", err)
	}
	if fileSum(t, path) != before {
		t.Error("a failed migration changed the file")
	}
}
