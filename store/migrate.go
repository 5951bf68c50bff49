package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// migrationStep returns what upgrades a schema-v cache to v+1, or nil.
//
// A step gets the whole database, not one transaction: a cache of years
// may be too big to rewrite in one transaction's memory. Each step must
// therefore be resumable: commit in batches that leave the file valid for
// a rerun of the same step, and write the new schema version only in its
// last transaction. A crash mid-way leaves the old version number, and the
// next open finishes the job.
func migrationStep(from int) func(*bolt.DB) error {
	switch from {
	case 1:
		return migrate1to2
	}
	return nil
}

func migrate(bdb *bolt.DB, from int) error {
	for v := from; v < SchemaVersion; v++ {
		step := migrationStep(v)
		if step == nil {
			return fmt.Errorf("no migration from schema %d", v)
		}
		if err := step(bdb); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}

// v1Record is how schema 1 stored a story: JSON, one feed per story, and
// a content hash that covered the date and outlet.
type v1Record struct {
	ID         string     `json:"id"`
	Feed       string     `json:"feed"`
	Outlet     string     `json:"outlet,omitempty"`
	GUID       string     `json:"guid,omitempty"`
	Title      string     `json:"title"`
	Link       string     `json:"link,omitempty"`
	Author     string     `json:"author,omitempty"`
	Categories []string   `json:"cats,omitempty"`
	Published  time.Time  `json:"pub"`
	Updated    time.Time  `json:"upd,omitzero"`
	Summary    string     `json:"sum,omitempty"`
	Tags       []item.Tag `json:"tags,omitempty"`
	RulesVer   string     `json:"rules,omitempty"`
	FirstSeen  time.Time  `json:"seen"`
	HasBody    bool       `json:"body,omitempty"`
}

// migrateBatch is how many stories one migration transaction rewrites.
const migrateBatch = 5000

// migrate1to2 splits every story's JSON record into schema 2's binary
// meta record (by ID) and content record (by sequence), recomputes its
// content hash, and moves its body from the bodies bucket (by ID) to html
// (by sequence). The indexes and counters of schema 1 have the same names
// and keys as schema 2's, and user state and feed state keep their JSON,
// so those stay as they are. A story is converted in one transaction with
// its body, and converted stories are recognised by their format byte, so
// an interrupted run resumes where it stopped.
func migrate1to2(bdb *bolt.DB) error {
	var after []byte // resume point: the last key converted
	for {
		done, err := migrate1to2Batch(bdb, &after, migrateBatch)
		if err != nil || done {
			return err
		}
	}
}

// migrate1to2Batch converts up to n stories after *after in one
// transaction, and finishes the migration when none are left.
func migrate1to2Batch(bdb *bolt.DB, after *[]byte, n int) (done bool, err error) {
	err = bdb.Update(func(tx *bolt.Tx) error {
		items, bodies := tx.Bucket(bucketItems), tx.Bucket(v1Bodies)
		if items == nil || bodies == nil || tx.Bucket(bucketIndex) == nil || tx.Bucket(bucketCounts) == nil ||
			tx.Bucket(bucketState) == nil || tx.Bucket(bucketFeeds) == nil {
			return fmt.Errorf("schema 1 cache lacks some of its buckets: %w", ErrDamaged)
		}
		content, err := tx.CreateBucketIfNotExists(bucketContent)
		if err != nil {
			return err
		}
		html, err := tx.CreateBucketIfNotExists(bucketHTML)
		if err != nil {
			return err
		}
		content.FillPercent, html.FillPercent = seqFill, seqFill
		type pending struct {
			rec  itemRecord
			body []byte
		}
		var batch []pending
		c := items.Cursor()
		k, v := c.First()
		if *after != nil {
			if k, v = c.Seek(*after); k != nil && bytes.Equal(k, *after) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(batch) < n; k, v = c.Next() {
			if len(v) > 0 && v[0] == recordFormat {
				continue
			}
			rec, err := fromV1(k, v, bodies.Get(k))
			if err != nil {
				return err
			}
			batch = append(batch, pending{rec, bytes.Clone(bodies.Get(k))})
		}
		done = k == nil
		for i := range batch {
			p := &batch[i]
			if p.rec.Seq, err = content.NextSequence(); err != nil {
				return err
			}
			key := seqKey(p.rec.Seq)
			if err := content.Put(key, p.rec.encodeContent()); err != nil {
				return fmt.Errorf("story %s: %w", p.rec.ID, err)
			}
			if p.body != nil {
				if err := html.Put(key, p.body); err != nil {
					return fmt.Errorf("story %s: %w", p.rec.ID, err)
				}
				if err := bodies.Delete([]byte(p.rec.ID)); err != nil {
					return fmt.Errorf("story %s: %w", p.rec.ID, err)
				}
			}
			if err := items.Put([]byte(p.rec.ID), p.rec.encodeMeta()); err != nil {
				return fmt.Errorf("story %s: %w", p.rec.ID, err)
			}
		}
		if len(batch) > 0 {
			*after = []byte(batch[len(batch)-1].rec.ID)
		}
		if !done {
			return nil
		}
		// Bodies left now belong to no story; schema 1 never wrote such.
		if err := tx.DeleteBucket(v1Bodies); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(2)))
	})
	return done, err
}

// v1Bodies is schema 1's bucket of HTML bodies by story ID.
var v1Bodies = []byte("bodies")

// fromV1 converts one schema-1 story.
func fromV1(key, raw, body []byte) (itemRecord, error) {
	var old v1Record
	if err := json.Unmarshal(raw, &old); err != nil {
		return itemRecord{}, fmt.Errorf("story %s: %w: %w", key, ErrDamaged, err)
	}
	it := item.Item{
		ID: string(key), Feed: old.Feed, Outlet: old.Outlet, GUID: old.GUID, Title: old.Title,
		Link: old.Link, Author: old.Author, Categories: old.Categories, Published: old.Published,
		Updated: old.Updated, Summary: old.Summary, Tags: old.Tags, RulesVer: old.RulesVer,
		Content: string(body),
	}
	rec := itemRecord{ID: string(key), Feeds: []string{old.Feed}, Outlet: old.Outlet,
		Published: old.Published.UTC(), FirstSeen: old.FirstSeen.UTC()}
	rec.setContent(&it, contentHash(&it))
	return rec, nil
}
