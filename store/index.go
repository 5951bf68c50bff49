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

// Index names. Each is a nested bucket of ix and a key of counts.
const (
	ixAll       = "all"       // every story not dismissed
	ixUnread    = "unread"    // not read, not dismissed
	ixStarred   = "starred"   // starred, dismissed or not
	ixDismissed = "dismissed" // dismissed
	ixTagPrefix = "tag:"      // not dismissed, carrying the tag
	ixFeedPre   = "feed:"     // not dismissed, carried by the feed
)

// memberships lists the indexes a story with this record and state
// belongs to, appended to dst.
func memberships(dst []string, rec *itemRecord, st State) []string {
	if st.Starred {
		dst = append(dst, ixStarred)
	}
	if st.Dismissed {
		return append(dst, ixDismissed)
	}
	dst = append(dst, ixAll)
	if !st.Read {
		dst = append(dst, ixUnread)
	}
	for _, f := range rec.Feeds {
		dst = append(dst, ixFeedPre+f)
	}
	for _, t := range rec.tagNames {
		dst = append(dst, ixTagPrefix+t)
	}
	return dst
}

// writer is one write transaction with the bookkeeping that keeps the
// ordered indexes and their counts in step.
//
// Index changes are queued and applied at flush, sorted by index and key.
// bbolt splits nodes only at commit, so a transaction that puts keys in
// random order into one bucket shifts an ever larger in-memory node on
// every put: quadratic, and tens of seconds for a first refresh of 100k
// stories. In key order each put appends. Count changes are summed in
// memory and written once per transaction for the same reason.
type writer struct {
	tx                                                   *bolt.Tx
	now                                                  time.Time
	meta, items, content, html, state, feeds, counts, ix *bolt.Bucket

	ops    []ixOp // queued index changes, applied by flush
	nameID map[string]int32
	nameOf []string

	names   [2][]string // scratch for move
	itemCur *bolt.Cursor
	key     []byte // scratch for getItem
}

// ixOp adds or removes one key of one index.
type ixOp struct {
	name int32
	seq  int32  // queue order, so changes to one key apply in order
	t    uint64 // the key's time prefix, kept here so sorting need not read the key
	add  bool
	// fresh marks an add for a story stored in this transaction: its ID
	// is new, so the key cannot be there yet and flush need not look.
	fresh bool
	key   []byte
}

// Fill factors for pages bbolt splits at commit. Content is keyed by a
// sequence and only ever appended, and an index mostly gains keys after
// its newest: for appends, full pages, since half-full ones would double
// the file. Keys landing between existing ones (every new story ID in a
// cache that has some, every index key of a first refresh of many feeds)
// need bbolt's default of one half instead. A page split at 90% leaves a
// full page that the next insert splits again, and a sliver beside it:
// pages then end up a third full, and every commit of a large refresh
// rewrites three times the pages it needs to.
const (
	seqFill    = 1.0
	indexFill  = 0.95
	itemFill   = 0.9 // story IDs into an empty cache arrive sorted
	randomFill = 0.5
)

// fillFor picks the fill factor of a bucket that gains inside keys below
// or at its last key and appended keys above it in one transaction.
func fillFor(appendFill float64, inside, appended int) float64 {
	if inside > appended {
		return randomFill
	}
	return appendFill
}

func newWriter(tx *bolt.Tx, now time.Time) *writer {
	w := &writer{
		tx: tx, now: now,
		meta: tx.Bucket(bucketMeta), items: tx.Bucket(bucketItems),
		content: tx.Bucket(bucketContent), html: tx.Bucket(bucketHTML),
		state: tx.Bucket(bucketState), feeds: tx.Bucket(bucketFeeds), counts: tx.Bucket(bucketCounts),
		ix:     tx.Bucket(bucketIndex),
		nameID: map[string]int32{},
	}
	// Story IDs are random: only a cache's first transaction appends them.
	w.items.FillPercent = itemFill
	if k, _ := w.items.Cursor().First(); k != nil {
		w.items.FillPercent = randomFill
	}
	w.content.FillPercent = seqFill
	w.html.FillPercent = seqFill
	return w
}

func (w *writer) queue(name string, key []byte, add, fresh bool) {
	id, ok := w.nameID[name]
	if !ok {
		id = int32(len(w.nameOf))
		w.nameID[name] = id
		w.nameOf = append(w.nameOf, name)
	}
	w.ops = append(w.ops, ixOp{name: id, seq: int32(len(w.ops)), t: binary.BigEndian.Uint64(key), add: add, fresh: fresh, key: key})
}

// move changes a story's index entries from what (before, stBefore) puts
// it in to what (after, stAfter) does. Either record may be nil: a new
// story, or one being deleted. The key is the same for both: Published
// never changes once stored.
func (w *writer) move(key []byte, before *itemRecord, stBefore State, after *itemRecord, stAfter State) {
	old, cur := w.names[0][:0], w.names[1][:0]
	if before != nil {
		old = memberships(old, before, stBefore)
	}
	if after != nil {
		cur = memberships(cur, after, stAfter)
	}
	w.names[0], w.names[1] = old, cur
	for _, n := range old {
		if !slices.Contains(cur, n) {
			w.queue(n, key, false, false)
		}
	}
	for _, n := range cur {
		if !slices.Contains(old, n) {
			w.queue(n, key, true, before == nil)
		}
	}
}

// flush applies the queued index changes and writes the counts. Changes
// to one key keep their order, so the result is what
// applying them one by one would give. Counts move only when a key was
// really added or removed, so a count never drifts from its index. An
// index that became empty is dropped with its counter, so unsubscribed
// feeds and retired tags leave nothing behind.
func (w *writer) flush() error {
	slices.SortFunc(w.ops, func(a, b ixOp) int {
		if a.name != b.name {
			return int(a.name - b.name)
		}
		// Keys differ in their time prefix far more often than not.
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Or(bytes.Compare(a.key[8:], b.key[8:]), cmp.Compare(a.seq, b.seq))
	})
	delta := make([]int64, len(w.nameOf))
	var b *bolt.Bucket
	var c *bolt.Cursor
	for i, op := range w.ops {
		name := w.nameOf[op.name]
		if i == 0 || w.ops[i-1].name != op.name {
			b = w.ix.Bucket([]byte(name))
			if b == nil && op.add {
				var err error
				if b, err = w.ix.CreateBucket([]byte(name)); err != nil {
					return fmt.Errorf("store: create index %s: %w", name, err)
				}
			}
			if b != nil {
				c = b.Cursor()
				b.FillPercent = w.indexFill(c, i)
			}
		}
		if b == nil {
			continue
		}
		if !op.fresh {
			// Existence by seeking, not Get: bbolt's Get returns nil for
			// a key put with an empty value earlier in the transaction.
			k, _ := c.Seek(op.key)
			if bytes.Equal(k, op.key) == op.add {
				continue
			}
		}
		var err error
		if op.add {
			err = b.Put(op.key, nil)
			delta[op.name]++
		} else {
			err = c.Delete()
			delta[op.name]--
		}
		if err != nil {
			return fmt.Errorf("store: index %s: %w", name, err)
		}
	}
	w.ops = w.ops[:0]
	for id, d := range delta {
		if d != 0 {
			if err := w.addCount(w.nameOf[id], d); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexFill is the fill factor for the index whose queued changes start
// at w.ops[from]; c is a cursor on it.
func (w *writer) indexFill(c *bolt.Cursor, from int) float64 {
	last, _ := c.Last()
	inside, appended := 0, 0
	for _, op := range w.ops[from:] {
		if op.name != w.ops[from].name {
			break
		}
		switch {
		case !op.add:
		case last != nil && bytes.Compare(op.key, last) <= 0:
			inside++
		default:
			appended++
		}
	}
	return fillFor(indexFill, inside, appended)
}

func (w *writer) addCount(name string, d int64) error {
	n := readCount(w.counts.Get([]byte(name))) + d
	if n > 0 {
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(n))
		if err := w.counts.Put([]byte(name), buf[:]); err != nil {
			return fmt.Errorf("store: count %s: %w", name, err)
		}
		return nil
	}
	if err := w.counts.Delete([]byte(name)); err != nil {
		return fmt.Errorf("store: count %s: %w", name, err)
	}
	if b := w.ix.Bucket([]byte(name)); b != nil {
		if k, _ := b.Cursor().First(); k == nil {
			if err := w.ix.DeleteBucket([]byte(name)); err != nil {
				return fmt.Errorf("store: drop index %s: %w", name, err)
			}
		}
	}
	return nil
}

func readCount(v []byte) int64 {
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}
