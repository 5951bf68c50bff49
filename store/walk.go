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

// Brief is what a story row and a search need of a story but its text
// (title and summary, which Scan passes separately): no link, author,
// evidence or body. Its byte slices point into the cache's memory map and
// its slices are reused for the next story, so they are valid only during
// the call that receives them; copy what must be kept.
type Brief struct {
	ID        []byte
	Outlet    []byte
	Feeds     [][]byte // every feed that carried the story, the first first
	Tags      [][]byte // the names of its tags
	Published time.Time
	State     State
}

// Scan reads every story, dismissed or not, for callers that need each
// story's row but not its evidence (the search index). It reads in two
// passes laid out the way the cache keeps the stories, so that reading
// them all maps each page of the file in about once, gives the pages
// back every scanReleaseEvery stories, and allocates nothing per story
// (but for the rare story with a note). Stories come in no view's order:
// callers that need one sort by Published and ID, as the indexes do.
//
// The first pass calls meta with each story's Brief, in ID order; meta
// returns a number of the caller's choosing for the story, or an error to
// stop. The second pass calls text with that number and the story's title
// and summary, in the order their records are stored. Everything passed points into the cache's memory
// and is valid only during the call. The whole scan is one read
// transaction, so neither callback may write to the store.
//
// Reading in a view's order (as Each does) jumps about the file: with
// 100k stories that maps in the whole file, or takes several times as
// long if the map is given back often enough to stop it.
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
			seq, err := br.decodeMeta(k, raw)
			if err != nil {
				return err
			}
			// The state bucket is keyed by ID too: walk it alongside.
			for sk != nil && bytes.Compare(sk, k) < 0 {
				sk, sv = state.Next()
			}
			br.State = State{}
			if sk != nil && bytes.Equal(sk, k) {
				if br.State, err = decodeState(string(k), sv); err != nil {
					return err
				}
			}
			n, err := meta(&br)
			if err != nil {
				return err
			}
			slots = append(slots, slot{seq: seq, n: n})
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
			title, summary, err := briefText(seek(content, key[:]))
			if err != nil {
				return fmt.Errorf("store: story %s: %w", idOfSeq(items, s.seq), err)
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

// decodeMeta fills br from a meta record in place, but for its text and
// state, and returns the key of its content record.
func (br *Brief) decodeMeta(id, raw []byte) (seq uint64, err error) {
	if len(raw) < metaFixed || raw[0] != recordFormat {
		return 0, fmt.Errorf("store: story %s: %w (unknown format)", id, errBadRecord)
	}
	br.ID = id
	d := decoder[[]byte]{b: raw[metaFixed:]}
	br.Feeds = d.appendEach(br.Feeds[:0])
	br.Outlet = d.next()
	br.Published = d.time()
	d.time() // first seen
	d.byte() // flags
	br.Tags = d.appendEach(br.Tags[:0])
	if err := d.done(); err != nil {
		return 0, fmt.Errorf("store: story %s: %w (%w)", id, errBadRecord, err)
	}
	return metaSeq(raw), nil
}

// briefText reads the title and summary of a content record in place.
// The rest (rules version, evidence) is not read, so only what was read
// can be found damaged.
func briefText(raw []byte) (title, summary []byte, err error) {
	if len(raw) < 1 || raw[0] != recordFormat {
		return nil, nil, fmt.Errorf("%w (content missing or of unknown format)", errBadRecord)
	}
	d := decoder[[]byte]{b: raw[1:]}
	d.next() // GUID
	title = d.next()
	d.next() // link
	d.next() // author
	for range d.count() {
		d.next() // categories
	}
	d.time() // updated
	summary = d.next()
	if d.err != nil {
		return nil, nil, fmt.Errorf("%w (content: %w)", errBadRecord, d.err)
	}
	return title, summary, nil
}

// appendEach appends the fields of a counted list, aliasing the input.
func (d *decoder[T]) appendEach(dst []T) []T {
	for range d.count() {
		dst = append(dst, d.next())
	}
	return dst
}

// idOfSeq finds the ID of the story whose content is seq, for an error
// message: a scan of every story, so only when something is wrong.
func idOfSeq(items *bolt.Bucket, seq uint64) string {
	c := items.Cursor()
	for k, raw := c.First(); k != nil; k, raw = c.Next() {
		if len(raw) >= metaFixed && metaSeq(raw) == seq {
			return string(k)
		}
	}
	return fmt.Sprintf("with content %d", seq)
}
