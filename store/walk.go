package store

import (
	"fmt"
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
// nothing per story (but for the rare story with a note), and it gives
// back the cache file's pages as it goes (see releaseMapped), so walking
// 100k stories does not leave the whole file resident. The whole walk is
// one read transaction, so fn must not write to the store.
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
		n := 0
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
			if n++; n%releaseEvery == 0 {
				releaseMapped(tx)
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
