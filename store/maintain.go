package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// Prune deletes stories published before cutoff that are neither starred
// nor annotated, with their bodies, state and index entries, and returns
// how many went. It reads only the stories older than cutoff.
//
// The cutoff is remembered: later refreshes do not bring back stories
// older than it (UpsertResult.Skipped counts them), so pruning after every
// fetch does not re-add and re-drop a slow blog's old posts each time.
func (db *DB) Prune(cutoff time.Time) (int, error) {
	removed := 0
	err := db.write(func(w *writer) error {
		removed = 0
		limit := keyTime(cutoff)
		// Every story is in exactly one of all and dismissed. Collect
		// first: bbolt cursors must not see deletes mid-walk.
		var old []string
		for _, name := range []string{ixAll, ixDismissed} {
			b := w.ix.Bucket([]byte(name))
			if b == nil {
				continue
			}
			c := b.Cursor()
			for k, _ := c.First(); k != nil && len(k) > 8 && int64(binary.BigEndian.Uint64(k)) < limit; k, _ = c.Next() {
				old = append(old, idFromKey(k))
			}
		}
		for _, id := range old {
			rec, err := getMeta(w.tx, id)
			if err != nil {
				return fmt.Errorf("%w; run 'trawl db check'", err)
			}
			st, err := w.getState(id)
			if err != nil {
				return err
			}
			if st.Kept() {
				continue
			}
			w.move(timeKey(rec.Published, id), rec, st, nil, State{})
			if err := w.deleteStory(rec); err != nil {
				return err
			}
			removed++
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(limit))
		return w.meta.Put(keyFloor, buf[:])
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// readFloor returns the cutoff of the last Prune, or the zero time.
func readFloor(meta *bolt.Bucket) time.Time {
	v := meta.Get(keyFloor)
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
}

// Retag calls tag for every story and stores the tags it returns when they
// differ from the stored ones. tag reports false to leave a story alone
// (for example when its rules version is current). progress, if set, is
// called after each batch with done and total. User state is untouched.
func (db *DB) Retag(tag func(*item.Item) bool, progress func(done, total int)) (changed int, err error) {
	var ids []string
	err = db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketItems).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	// Batches keep each transaction's dirty pages small on a big cache.
	const batch = 2000
	for start := 0; start < len(ids); start += batch {
		end := min(start+batch, len(ids))
		n := 0
		err := db.write(func(w *writer) error {
			n = 0
			for _, id := range ids[start:end] {
				old, err := getRecord(w.tx, id)
				if errors.Is(err, ErrNotFound) {
					continue // pruned meanwhile
				}
				if err != nil {
					return err
				}
				st, err := w.getState(id)
				if err != nil {
					return err
				}
				s := old.story(st)
				s.Content = string(w.html.Get(seqKey(old.Seq)))
				if !tag(&s.Item) {
					continue
				}
				if hash := contentHash(&s.Item); hash != old.Hash {
					rec := *old
					rec.Hash, rec.RulesVer = hash, s.RulesVer
					rec.setTags(s.Tags)
					if err := w.putContent(&rec); err != nil {
						return err
					}
					if err := w.putMeta(&rec); err != nil {
						return err
					}
					w.move(timeKey(rec.Published, id), old, st, &rec, st)
					n++
				}
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
		changed += n
		if progress != nil {
			progress(end, len(ids))
		}
	}
	return changed, nil
}

// Compact rewrites the cache into a fresh file with bbolt's compactor,
// checks the copy, and swaps it in, returning the sizes before and after.
// If anything fails before the swap the original file is untouched and
// stays open. The DB must be opened read-write; it is reopened on the new
// file without ever releasing the lock.
func (db *DB) Compact() (before, after int64, err error) {
	if db.opts.ReadOnly {
		return 0, 0, fmt.Errorf("cache %s: %w", db.path, ErrReadOnly)
	}
	fail := func(err error) (int64, int64, error) {
		return 0, 0, fmt.Errorf("compact %s: %w (the cache is unchanged)", db.path, err)
	}
	fi, err := os.Stat(db.path)
	if err != nil {
		return fail(err)
	}
	before = fi.Size()
	removeLeftoverCopies(db.path)
	tmpFile, err := os.CreateTemp(filepath.Dir(db.path), compactPattern(db.path))
	if err != nil {
		return fail(err)
	}
	tmp := tmpFile.Name()
	tmpFile.Close()
	swapped := false
	defer func() {
		if !swapped {
			os.Remove(tmp)
		}
	}()
	dst, err := bolt.Open(tmp, fi.Mode().Perm(), &bolt.Options{Timeout: time.Second, NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fail(err)
	}
	closeDst := func() error {
		if dst == nil {
			return nil
		}
		d := dst
		dst = nil
		return d.Close()
	}
	defer closeDst()
	if err := db.guard(func() error { return bolt.Compact(dst, db.bolt, 32<<20) }); err != nil {
		return fail(err)
	}
	if err := sameCounts(db.bolt, dst); err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	// Reopen the copy with fsync on and keep it open across the rename: the
	// lock belongs to the file, so the new cache is locked from the moment
	// it has the cache's name.
	if err := closeDst(); err != nil {
		return fail(err)
	}
	next, err := bolt.Open(tmp, fi.Mode().Perm(), &bolt.Options{Timeout: time.Second, NoSync: db.opts.NoSync, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, db.path); err != nil {
		next.Close()
		return fail(err)
	}
	swapped = true
	syncDir(filepath.Dir(db.path))
	db.bolt.Close()
	db.bolt = next
	if fi, err = os.Stat(db.path); err != nil {
		return before, 0, fmt.Errorf("compact %s: %w", db.path, err)
	}
	return before, fi.Size(), nil
}

// compactPattern names Compact's working copy of the cache at path, for
// os.CreateTemp.
func compactPattern(path string) string { return "." + filepath.Base(path) + ".compact-*" }

// removeLeftoverCopies deletes working copies that a compaction killed
// part-way (a second Ctrl-C, a crash, a power cut) left behind: each can
// be as large as the cache. Only a compaction writes them, and it holds
// the cache's lock, as the caller does now, so none of them is in use.
// It is best effort: a copy that stays only takes space.
func removeLeftoverCopies(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := strings.TrimSuffix(compactPattern(path), "*")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// sameCounts verifies a compacted copy before it replaces the original:
// bbolt's own check passes, and it holds as many stories, bodies, states
// and feeds, with the same counters.
func sameCounts(src, dst *bolt.DB) error {
	if err := dst.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}); err != nil {
		return fmt.Errorf("the compacted copy fails its check: %w", err)
	}
	summary := func(db *bolt.DB) (string, error) {
		var buf bytes.Buffer
		err := db.View(func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bucketItems, bucketContent, bucketHTML, bucketState, bucketFeeds} {
				fmt.Fprintf(&buf, "%s=%d ", name, tx.Bucket(name).Stats().KeyN)
			}
			return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
				fmt.Fprintf(&buf, "%s=%d ", k, readCount(v))
				return nil
			})
		})
		return buf.String(), err
	}
	a, err := summary(src)
	if err != nil {
		return err
	}
	b, err := summary(dst)
	if err != nil {
		return err
	}
	if a != b {
		return errors.New("the compacted copy differs from the original")
	}
	return nil
}

// syncDir makes a rename durable. Failure is not fatal: the rename
// happened, and only a power cut in the next moments could undo it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
