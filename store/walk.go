package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Brief is what a story row and a search need of a story: no link,
// author, evidence or body. Its byte slices point into the cache's memory
// map and its slices are reused for the next story, so they are valid
// only during the call that receives them; copy what must be kept.
type Brief struct {
	ID        []byte
	Title     []byte
	Outlet    []byte
	Summary   []byte
	Feeds     [][]byte // every feed that carried the story, the first first
	Tags      [][]byte // the names of its tags
	Published time.Time
	State     State
}

// Walk calls fn for every story in view, newest first, with its Brief,
// until fn returns an error. It is Each for callers that read every
// story but need only its row: it decodes no evidence and allocates
// nothing per story (but for the rare story with a note). It gives back
// the cache file's pages when done (see releaseMapped), so the process
// does not keep the file resident afterwards; to read every story with
// little of the file mapped at any time, use Scan. The whole walk is one
// read transaction, so fn must not write to the store.
func (db *DB) Walk(v View, fn func(*Brief) error) error {
	return db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIndex).Bucket([]byte(v.index()))
		if b == nil {
			return nil
		}
		w := briefReader{
			items:   tx.Bucket(bucketItems).Cursor(),
			content: tx.Bucket(bucketContent).Cursor(),
			state:   tx.Bucket(bucketState).Cursor(),
		}
		defer releaseMapped(tx)
		c := b.Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if len(k) < 8 {
				return fmt.Errorf("store: walk %s: index key %q is %w", v, k, ErrDamaged)
			}
			if err := w.read(k[8:]); err != nil {
				return err
			}
			if err := fn(&w.brief); err != nil {
				return err
			}
		}
		return nil
	})
}

// briefReader reads Briefs inside one transaction, reusing one Brief.
type briefReader struct {
	items, content, state *bolt.Cursor
	brief                 Brief
	seq                   [8]byte
}

func (w *briefReader) read(id []byte) error {
	raw := seek(w.items, id)
	if raw == nil {
		return fmt.Errorf("store: story %s: %w", id, ErrNotFound)
	}
	br := &w.brief
	br.ID = id
	if len(raw) < metaFixed || raw[0] != recordFormat {
		return fmt.Errorf("store: story %s: %w (unknown format)", id, errBadRecord)
	}
	copy(w.seq[:], raw[9:17])
	d := decoder[[]byte]{b: raw[metaFixed:]}
	br.Feeds = d.appendEach(br.Feeds[:0])
	br.Outlet = d.next()
	br.Published = d.time()
	d.time() // first seen
	d.byte() // flags
	br.Tags = d.appendEach(br.Tags[:0])
	if err := d.done(); err != nil {
		return fmt.Errorf("store: story %s: %w (%w)", id, errBadRecord, err)
	}

	raw = seek(w.content, w.seq[:])
	if len(raw) < 1 || raw[0] != recordFormat {
		return fmt.Errorf("store: story %s: %w (content missing or of unknown format)", id, errBadRecord)
	}
	d = decoder[[]byte]{b: raw[1:]}
	d.next() // GUID
	br.Title = d.next()
	d.next() // link
	d.next() // author
	for range d.count() {
		d.next() // categories
	}
	d.time() // updated
	br.Summary = d.next()
	if d.err != nil {
		// The rest (rules version, evidence) is not read, so only what was
		// read can be found damaged.
		return fmt.Errorf("store: story %s: %w (content: %w)", id, errBadRecord, d.err)
	}

	br.State = State{}
	if raw := seek(w.state, id); raw != nil {
		st, err := decodeState(string(id), raw)
		if err != nil {
			return err
		}
		br.State = st
	}
	return nil
}

// appendEach appends the fields of a counted list, aliasing the input.
func (d *decoder[T]) appendEach(dst []T) []T {
	for range d.count() {
		dst = append(dst, d.next())
	}
	return dst
}

// Scan reads every story, dismissed or not, in two passes laid out the way
// the cache keeps them, so that reading them all maps each page of the
// file in once, and gives the pages back as it goes. Stories come in no
// view's order: callers that need one sort by Published (and ID), as the
// indexes do.
//
// The first pass calls meta with each story's Brief but for its Title and
// Summary (nil), in ID order; meta returns a number of the caller's
// choosing for the story, or an error to stop. The second pass calls text
// with that number and the story's title and summary, in the order their
// records are stored. As with Walk, everything passed points into the
// cache's memory and is valid only during the call; the whole scan is one
// read transaction, so neither callback may write to the store.
//
// Walk reads stories in a view's order instead, which jumps about the
// file: with 100k stories that maps in the whole file (large page-cache
// folios make every fault map tens of kilobytes), or costs several times
// as long if the map is given back often enough to stop it.
func (db *DB) Scan(meta func(*Brief) (int, error), text func(n int, title, summary []byte) error) error {
	return db.view(func(tx *bolt.Tx) error {
		defer releaseMapped(tx)
		type slot struct {
			seq uint64
			n   int
		}
		items := tx.Bucket(bucketItems)
		counts := tx.Bucket(bucketCounts)
		slots := make([]slot, 0, readCount(counts.Get([]byte(ixAll)))+readCount(counts.Get([]byte(ixDismissed))))
		state := tx.Bucket(bucketState).Cursor()
		sk, sv := state.First()
		var br Brief
		c := items.Cursor()
		for k, raw := c.First(); k != nil; k, raw = c.Next() {
			if len(raw) < metaFixed || raw[0] != recordFormat {
				return fmt.Errorf("store: story %s: %w (unknown format)", k, errBadRecord)
			}
			br.ID = k
			d := decoder[[]byte]{b: raw[metaFixed:]}
			br.Feeds = d.appendEach(br.Feeds[:0])
			br.Outlet = d.next()
			br.Published = d.time()
			d.time() // first seen
			d.byte() // flags
			br.Tags = d.appendEach(br.Tags[:0])
			if err := d.done(); err != nil {
				return fmt.Errorf("store: story %s: %w (%w)", k, errBadRecord, err)
			}
			// The state bucket is keyed by ID too: walk it alongside.
			for sk != nil && bytes.Compare(sk, k) < 0 {
				sk, sv = state.Next()
			}
			br.State = State{}
			if sk != nil && bytes.Equal(sk, k) {
				st, err := decodeState(string(k), sv)
				if err != nil {
					return err
				}
				br.State = st
			}
			n, err := meta(&br)
			if err != nil {
				return err
			}
			slots = append(slots, slot{seq: binary.BigEndian.Uint64(raw[9:17]), n: n})
			if len(slots)%scanReleaseEvery == 0 {
				releaseMapped(tx)
			}
		}
		releaseMapped(tx)

		slices.SortFunc(slots, func(a, b slot) int { return cmp.Compare(a.seq, b.seq) })
		content := tx.Bucket(bucketContent).Cursor()
		var key [8]byte
		for i, s := range slots {
			binary.BigEndian.PutUint64(key[:], s.seq)
			raw := seek(content, key[:])
			if len(raw) < 1 || raw[0] != recordFormat {
				return fmt.Errorf("store: story %s: %w (content missing or of unknown format)", idOfSeq(items, s.seq), errBadRecord)
			}
			d := decoder[[]byte]{b: raw[1:]}
			d.next() // GUID
			title := d.next()
			d.next() // link
			d.next() // author
			for range d.count() {
				d.next() // categories
			}
			d.time() // updated
			summary := d.next()
			if d.err != nil {
				return fmt.Errorf("store: story %s: %w (content: %w)", idOfSeq(items, s.seq), errBadRecord, d.err)
			}
			if err := text(s.n, title, summary); err != nil {
				return err
			}
			if (i+1)%scanReleaseEvery == 0 {
				releaseMapped(tx)
			}
		}
		return nil
	})
}

// idOfSeq finds the ID of the story whose content is seq, for an error
// message: a scan of every story, so only when something is wrong.
func idOfSeq(items *bolt.Bucket, seq uint64) string {
	c := items.Cursor()
	for k, raw := c.First(); k != nil; k, raw = c.Next() {
		if len(raw) >= metaFixed && binary.BigEndian.Uint64(raw[9:17]) == seq {
			return string(k)
		}
	}
	return fmt.Sprintf("with content %d", seq)
}
