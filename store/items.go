package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// State is what the user decided about a story. A refresh never changes it.
type State struct {
	Starred    bool      `json:"starred,omitempty"`
	StarredAt  time.Time `json:"starred_at,omitzero"`
	Read       bool      `json:"read,omitempty"`
	Dismissed  bool      `json:"dismissed,omitempty"`
	Note       string    `json:"note,omitempty"`
	NoteEdited time.Time `json:"note_edited,omitzero"`
}

// Kept reports whether retention must keep the story whatever its age.
func (s State) Kept() bool { return s.Starred || s.Note != "" }

// Story is a stored item with its user state.
type Story struct {
	item.Item
	State
	FirstSeen time.Time
	// Feeds lists every feed that carried the story, Item.Feed first.
	Feeds []string
}

// UpsertResult counts what an Upsert did.
type UpsertResult struct {
	New       int
	Updated   int
	Unchanged int
	// Skipped counts new stories older than the last Prune's cutoff: they
	// were pruned (or would have been) and are not brought back.
	Skipped int
	NewIDs  []string
}

// Upsert stores fetched items in one transaction. New stories are added;
// stories whose content changed are rewritten (content, tags and indexes);
// unchanged stories cost one lookup and a hash. User state is never
// touched, and stories missing from items are left alone.
//
// One story, one item: items with the same ID (see item.NewID) are the
// same story, whichever feed brings them. The first feed to bring a story
// owns its content; other feeds that carry it are recorded (the story shows
// in their feed views) but do not rewrite it. A story keeps the date it was
// first stored with, so a feed that re-dates old stories does not push
// them back to the top; an item with no date gets its first-seen time.
func (db *DB) Upsert(items []item.Item) (UpsertResult, error) {
	var res UpsertResult
	err := db.write(func(w *writer) error {
		res = UpsertResult{}
		out, err := w.upsert([][]item.Item{items})
		if err != nil {
			return err
		}
		for i, o := range out[0] {
			res.add(o, items[i].ID)
		}
		return nil
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// outcome is what upsert did with one item.
type outcome uint8

const (
	outUnchanged outcome = iota
	outNew
	outUpdated
	outSkipped
)

func (r *UpsertResult) add(o outcome, id string) {
	switch o {
	case outNew:
		r.New++
		r.NewIDs = append(r.NewIDs, id)
	case outUpdated:
		r.Updated++
	case outSkipped:
		r.Skipped++
	default:
		r.Unchanged++
	}
}

// futureSlack is how far ahead of the clock a date may be before the store
// treats it as a mistake: a story dated next year would sit on top of
// every list until then.
const futureSlack = 24 * time.Hour

// upsert stores the items of one or more feeds and returns the outcome of
// each, in the shape of groups. It works through them in ID order, which
// keeps bbolt appending to its in-memory nodes (see writer); items with
// one ID keep their order, so the first feed of the batch to bring a new
// story owns it.
func (w *writer) upsert(groups [][]item.Item) ([][]outcome, error) {
	// prefix holds the ID's first eight bytes, so most comparisons of
	// the sort are one integer compare with no pointer to chase.
	type ref struct {
		prefix uint64
		id     string
		g, i   int
		hash   uint64
	}
	var refs []ref
	out := make([][]outcome, len(groups))
	for g, items := range groups {
		out[g] = make([]outcome, len(items))
		for i := range items {
			id := items[i].ID
			if id == "" {
				return nil, fmt.Errorf("store: upsert %q from %s: empty ID", items[i].Title, items[i].Feed)
			}
			var p [8]byte
			copy(p[:], id)
			// Hashing here, in the order the items sit in memory, rather
			// than in ID order below, spares a cache miss per field.
			refs = append(refs, ref{binary.BigEndian.Uint64(p[:]), id, g, i, contentHash(&items[i])})
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		return cmp.Or(strings.Compare(a.id, b.id), cmp.Compare(a.g, b.g), cmp.Compare(a.i, b.i))
	})
	floor := readFloor(w.meta)
	for _, r := range refs {
		o, err := w.upsertOne(&groups[r.g][r.i], r.hash, floor)
		if err != nil {
			return nil, err
		}
		out[r.g][r.i] = o
	}
	return out, nil
}

// upsertOne stores one item; hash is contentHash(it).
func (w *writer) upsertOne(it *item.Item, hash uint64, floor time.Time) (outcome, error) {
	raw := w.getItem(it.ID)
	if raw == nil {
		if !floor.IsZero() && !it.Published.IsZero() && it.Published.Before(floor) {
			return outSkipped, nil
		}
		return outNew, w.insert(it, hash)
	}
	p, ok := peekMeta(raw, it.Feed)
	if !ok {
		_, err := decodeMeta(it.ID, raw)
		return 0, fmt.Errorf("store: %w", err)
	}
	if p.known && (!p.primary || (hash == p.hash && p.outletIs(it.Outlet))) {
		return outUnchanged, nil
	}
	old, err := decodeMeta(it.ID, raw)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	rec := *old
	if !p.known {
		rec.Feeds = append(slices.Clip(old.Feeds), it.Feed)
	}
	if p.primary {
		rec.Outlet = it.Outlet
		if hash != old.Hash {
			rec.setContent(it, hash)
			if err := w.putContent(&rec); err != nil {
				return 0, err
			}
			if err := w.putBody(&rec, it.Content); err != nil {
				return 0, err
			}
		}
	}
	if err := w.putMeta(&rec); err != nil {
		return 0, err
	}
	st, err := w.getState(it.ID)
	if err != nil {
		return 0, err
	}
	w.move(timeKey(rec.Published, rec.ID), old, st, &rec, st)
	return outUpdated, nil
}

// getItem returns a story's meta record, or nil. It seeks one reused
// cursor: Bucket.Get allocates a fresh cursor for every lookup, which
// shows in a refresh of 100k unchanged stories.
func (w *writer) getItem(id string) []byte {
	if w.itemCur == nil {
		w.itemCur = w.items.Cursor()
	}
	w.key = append(w.key[:0], id...)
	k, v := w.itemCur.Seek(w.key)
	if !bytes.Equal(k, w.key) {
		return nil
	}
	return v
}

// insert stores a story the cache has not seen; hash is contentHash(it).
func (w *writer) insert(it *item.Item, hash uint64) error {
	seq, err := w.content.NextSequence()
	if err != nil {
		return fmt.Errorf("store: number story %s: %w", it.ID, err)
	}
	rec := &itemRecord{ID: it.ID, Seq: seq, Feeds: []string{it.Feed}, Outlet: it.Outlet, FirstSeen: w.now}
	rec.Published = it.Published.UTC()
	if rec.Published.IsZero() || rec.Published.After(w.now.Add(futureSlack)) {
		rec.Published = w.now
	}
	rec.setContent(it, hash)
	if err := w.putContent(rec); err != nil {
		return err
	}
	if it.Content != "" {
		if err := w.putBody(rec, it.Content); err != nil {
			return err
		}
	}
	if err := w.putMeta(rec); err != nil {
		return err
	}
	// A new story has no state: Prune deletes a story's state with it.
	w.move(timeKey(rec.Published, rec.ID), nil, State{}, rec, State{})
	return nil
}

// putMeta writes the meta record. bbolt keeps value slices until commit,
// so every value is freshly allocated.
func (w *writer) putMeta(rec *itemRecord) error {
	if err := w.items.Put([]byte(rec.ID), rec.encodeMeta()); err != nil {
		return fmt.Errorf("store: put story %s: %w", rec.ID, err)
	}
	return nil
}

// putContent writes the content record.
func (w *writer) putContent(rec *itemRecord) error {
	if err := w.content.Put(seqKey(rec.Seq), rec.encodeContent()); err != nil {
		return fmt.Errorf("store: put story %s: %w", rec.ID, err)
	}
	return nil
}

// putBody writes, replaces or removes the HTML body.
func (w *writer) putBody(rec *itemRecord, body string) error {
	key := seqKey(rec.Seq)
	var err error
	if body != "" {
		err = w.html.Put(key, []byte(body))
	} else if w.html.Get(key) != nil {
		err = w.html.Delete(key)
	}
	if err != nil {
		return fmt.Errorf("store: put body of %s: %w", rec.ID, err)
	}
	return nil
}

// deleteStory removes a story's records, body and state; its index
// entries are the caller's (see move).
func (w *writer) deleteStory(rec *itemRecord) error {
	key := seqKey(rec.Seq)
	for _, del := range []struct {
		b *bolt.Bucket
		k []byte
	}{{w.items, []byte(rec.ID)}, {w.content, key}, {w.html, key}, {w.state, []byte(rec.ID)}} {
		if err := del.b.Delete(del.k); err != nil {
			return fmt.Errorf("store: delete story %s: %w", rec.ID, err)
		}
	}
	return nil
}

func (w *writer) getState(id string) (State, error) { return decodeState(id, w.state.Get([]byte(id))) }

func (w *writer) putState(id string, st State) error {
	var err error
	if st == (State{}) {
		// The usual state is none at all; keep the bucket to stories the
		// user has touched.
		if w.state.Get([]byte(id)) != nil {
			err = w.state.Delete([]byte(id))
		}
	} else {
		var raw []byte
		if raw, err = json.Marshal(st); err == nil {
			err = w.state.Put([]byte(id), raw)
		}
	}
	if err != nil {
		return fmt.Errorf("store: put state of %s: %w", id, err)
	}
	return nil
}

func decodeState(id string, raw []byte) (State, error) {
	var st State
	if raw == nil {
		return st, nil
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("store: state of %s is %w: %w", id, ErrDamaged, err)
	}
	return st, nil
}

// getMeta reads a story's meta record.
func getMeta(tx *bolt.Tx, id string) (*itemRecord, error) {
	raw := tx.Bucket(bucketItems).Get([]byte(id))
	if raw == nil {
		return nil, fmt.Errorf("story %s: %w", id, ErrNotFound)
	}
	rec, err := decodeMeta(id, raw)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return rec, nil
}

// getRecord reads a story's meta and content records.
func getRecord(tx *bolt.Tx, id string) (*itemRecord, error) {
	rec, err := getMeta(tx, id)
	if err != nil {
		return nil, err
	}
	raw := tx.Bucket(bucketContent).Get(seqKey(rec.Seq))
	if raw == nil {
		return nil, fmt.Errorf("store: story %s: %w (content missing)", id, errBadRecord)
	}
	if err := rec.decodeContent(raw); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return rec, nil
}

func getState(tx *bolt.Tx, id string) (State, error) {
	return decodeState(id, tx.Bucket(bucketState).Get([]byte(id)))
}

// reader reads stories within one read transaction. It seeks reused
// cursors: Bucket.Get allocates a cursor per call, which adds up over the
// 300k lookups of a walk through 100k stories.
type reader struct {
	items, content, state *bolt.Cursor
	key                   []byte
}

func newReader(tx *bolt.Tx) *reader {
	return &reader{
		items:   tx.Bucket(bucketItems).Cursor(),
		content: tx.Bucket(bucketContent).Cursor(),
		state:   tx.Bucket(bucketState).Cursor(),
	}
}

// seek returns the value at key, or nil.
func seek(c *bolt.Cursor, key []byte) []byte {
	k, v := c.Seek(key)
	if !bytes.Equal(k, key) {
		return nil
	}
	return v
}

// story reads a story without its body.
func (r *reader) story(id string) (Story, *itemRecord, error) {
	r.key = append(r.key[:0], id...)
	raw := seek(r.items, r.key)
	if raw == nil {
		return Story{}, nil, fmt.Errorf("story %s: %w", id, ErrNotFound)
	}
	rec, err := decodeMeta(id, raw)
	if err != nil {
		return Story{}, nil, fmt.Errorf("store: %w", err)
	}
	st, err := decodeState(id, seek(r.state, r.key))
	if err != nil {
		return Story{}, nil, err
	}
	r.key = binary.BigEndian.AppendUint64(r.key[:0], rec.Seq)
	raw = seek(r.content, r.key)
	if raw == nil {
		return Story{}, nil, fmt.Errorf("store: story %s: %w (content missing)", id, errBadRecord)
	}
	if err := rec.decodeContent(raw); err != nil {
		return Story{}, nil, fmt.Errorf("store: %w", err)
	}
	return rec.story(st), rec, nil
}

// Get returns one story with its body and state.
func (db *DB) Get(id string) (Story, error) {
	var s Story
	err := db.view(func(tx *bolt.Tx) error {
		var rec *itemRecord
		var err error
		if s, rec, err = newReader(tx).story(id); err != nil {
			return err
		}
		s.Content = string(tx.Bucket(bucketHTML).Get(seqKey(rec.Seq)))
		return nil
	})
	return s, err
}

// Resolve turns a full ID or a unique prefix of one into the full ID.
func (db *DB) Resolve(prefix string) (string, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if prefix == "" {
		return "", fmt.Errorf("empty story ID: %w", ErrNotFound)
	}
	var found []string
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
			found = append(found, string(k))
			if string(k) == prefix || len(found) > 5 {
				break
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	switch {
	case len(found) == 0:
		return "", fmt.Errorf("story %s: %w", prefix, ErrNotFound)
	case found[0] == prefix || len(found) == 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%q matches %s...: %w; give more characters", prefix, strings.Join(found, ", "), ErrAmbiguous)
}

// Update changes the user state of one story with fn, in one transaction,
// and moves its index entries to match. Starring sets StarredAt and
// changing the note sets NoteEdited, from the store's clock.
func (db *DB) Update(id string, fn func(*State)) (State, error) {
	var after State
	err := db.write(func(w *writer) error {
		rec, err := getMeta(w.tx, id)
		if err != nil {
			return err
		}
		before, err := w.getState(id)
		if err != nil {
			return err
		}
		after = before
		fn(&after)
		if after.Starred && !before.Starred {
			after.StarredAt = w.now
		}
		if !after.Starred {
			after.StarredAt = time.Time{}
		}
		if after.Note != before.Note {
			after.NoteEdited = w.now
		}
		if after.Note == "" {
			after.NoteEdited = time.Time{}
		}
		if after == before {
			return nil
		}
		if err := w.putState(id, after); err != nil {
			return err
		}
		w.move(timeKey(rec.Published, id), rec, before, rec, after)
		return nil
	})
	return after, err
}

// SetStarred stars or unstars a story.
func (db *DB) SetStarred(id string, on bool) error {
	_, err := db.Update(id, func(s *State) { s.Starred = on })
	return err
}

// SetRead marks a story read or unread.
func (db *DB) SetRead(id string, on bool) error {
	_, err := db.Update(id, func(s *State) { s.Read = on })
	return err
}

// SetDismissed hides a story from the inbox views, or brings it back.
func (db *DB) SetDismissed(id string, on bool) error {
	_, err := db.Update(id, func(s *State) { s.Dismissed = on })
	return err
}

// SetNote replaces a story's note; an empty note removes it.
func (db *DB) SetNote(id, note string) error {
	_, err := db.Update(id, func(s *State) { s.Note = note })
	return err
}
