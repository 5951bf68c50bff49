package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// Prune deletes stories published before cutoff that are neither starred
// nor annotated, with their bodies, state and index entries. It returns how
// many went.
func (db *DB) Prune(cutoff time.Time) (int, error) {
	removed := 0
	err := db.update(func(tx *bolt.Tx) error {
		removed = 0
		all := tx.Bucket(bucketItems)
		// Collect first: bbolt cursors must not see deletes mid-walk.
		type victim struct {
			rec *itemRecord
			st  State
		}
		var victims []victim
		err := all.ForEach(func(k, v []byte) error {
			rec := new(itemRecord)
			if err := decodeJSON("item "+string(k), v, rec); err != nil {
				return err
			}
			if !rec.Published.Before(cutoff) {
				return nil
			}
			st, err := getState(tx, rec.ID)
			if err != nil {
				return err
			}
			if st.Kept() {
				return nil
			}
			victims = append(victims, victim{rec, st})
			return nil
		})
		if err != nil {
			return err
		}
		ix := newIndexer(tx)
		for _, v := range victims {
			ix.remove(v.rec, v.st)
			id := []byte(v.rec.ID)
			for _, b := range [][]byte{bucketItems, bucketBodies, bucketState} {
				if err := tx.Bucket(b).Delete(id); err != nil {
					return fmt.Errorf("store: prune %s: %w", v.rec.ID, err)
				}
			}
		}
		removed = len(victims)
		return ix.err
	})
	return removed, err
}

// Retag calls tag for every story and stores the tags it returns when they
// differ from the stored ones. tag reports false to leave a story alone
// (for example when its rules version is current). progress, if set, is
// called after each batch with done and total.
func (db *DB) Retag(tag func(*item.Item) bool, progress func(done, total int)) (changed int, err error) {
	var ids []string
	err = db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketItems).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	const batch = 2000
	for start := 0; start < len(ids); start += batch {
		end := min(start+batch, len(ids))
		err := db.update(func(tx *bolt.Tx) error {
			for _, id := range ids[start:end] {
				old, err := getRecord(tx, id)
				if errors.Is(err, ErrNotFound) {
					continue // pruned meanwhile
				}
				if err != nil {
					return err
				}
				st, err := getState(tx, id)
				if err != nil {
					return err
				}
				s := old.story(st)
				s.Content = string(tx.Bucket(bucketBodies).Get([]byte(id)))
				if !tag(&s.Item) {
					continue
				}
				rec := *old
				rec.Tags, rec.RulesVer = s.Tags, s.RulesVer
				view := s.Item
				rec.Hash = contentHash(&view)
				if rec.Hash == old.Hash {
					continue
				}
				if err := putRecord(tx, &rec, old, s.Content); err != nil {
					return err
				}
				changed++
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
		if progress != nil {
			progress(end, len(ids))
		}
	}
	return changed, nil
}

// Check runs bbolt's consistency check over the whole file and returns
// every problem it finds, joined.
func (db *DB) Check() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// Compact rewrites the cache into a fresh file with bbolt's compactor and
// swaps it in, returning the sizes before and after. The DB must be opened
// read-write; it is reopened on the new file.
func (db *DB) Compact() (before, after int64, err error) {
	if db.ro {
		return 0, 0, fmt.Errorf("cache %s: %w", db.path, ErrReadOnly)
	}
	fi, err := os.Stat(db.path)
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: %w", db.path, err)
	}
	before = fi.Size()
	tmp := filepath.Join(filepath.Dir(db.path), "."+filepath.Base(db.path)+".compact")
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: create %s: %w", db.path, tmp, err)
	}
	if err := bolt.Compact(dst, db.bolt, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: %w", db.path, err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: %w", db.path, err)
	}
	// Keep our lock until the rename: nobody else may open the old file.
	if err := os.Rename(tmp, db.path); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: replace: %w", db.path, err)
	}
	db.bolt.Close()
	bdb, err := bolt.Open(db.path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: reopen: %w", db.path, err)
	}
	db.bolt = bdb
	fi, err = os.Stat(db.path)
	if err != nil {
		return before, 0, err
	}
	return before, fi.Size(), nil
}
