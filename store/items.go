package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
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
}

// itemRecord is the stored form of an item, minus the HTML body.
type itemRecord struct {
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
	Hash       uint64     `json:"hash"`
	HasBody    bool       `json:"body,omitempty"`
}

// contentHash covers everything a refresh can change, so an unchanged story
// costs one lookup and no write.
func contentHash(it *item.Item) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	str := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	str(it.Title)
	str(it.Link)
	str(it.Author)
	str(it.GUID)
	str(it.Outlet)
	for _, c := range it.Categories {
		str(c)
	}
	binary.BigEndian.PutUint64(buf[:], uint64(it.Published.UnixNano()))
	h.Write(buf[:])
	binary.BigEndian.PutUint64(buf[:], uint64(it.Updated.UnixNano()))
	h.Write(buf[:])
	str(it.Summary)
	str(it.Content)
	str(it.RulesVer)
	for _, t := range it.Tags {
		str(t.Name)
		binary.BigEndian.PutUint64(buf[:], math.Float64bits(t.Score))
		h.Write(buf[:])
	}
	return h.Sum64()
}

func (r *itemRecord) story(st State) Story {
	return Story{
		Item: item.Item{
			ID: r.ID, Feed: r.Feed, Outlet: r.Outlet, GUID: r.GUID, Title: r.Title,
			Link: r.Link, Author: r.Author, Categories: r.Categories,
			Published: r.Published, Updated: r.Updated, Summary: r.Summary,
			Tags: r.Tags, RulesVer: r.RulesVer,
		},
		State:     st,
		FirstSeen: r.FirstSeen,
	}
}

// UpsertResult counts what an Upsert did.
type UpsertResult struct {
	New       int
	Updated   int
	Unchanged int
	NewIDs    []string
}

// Upsert stores fetched items in one transaction. New stories are added;
// stories whose content changed are rewritten (content, tags and indexes);
// unchanged stories cost one lookup. User state is never touched.
//
// An item with a zero Published time gets its first-seen time, and keeps it
// on later refreshes. A story carried by two feeds keeps the feed that
// brought it first, so refreshing both does not flip it back and forth.
func (db *DB) Upsert(items []item.Item) (UpsertResult, error) {
	var res UpsertResult
	err := db.update(func(tx *bolt.Tx) error {
		var err error
		res, err = upsertTx(tx, items, db.now().UTC())
		return err
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

func upsertTx(tx *bolt.Tx, items []item.Item, now time.Time) (UpsertResult, error) {
	var res UpsertResult
	b := tx.Bucket(bucketItems)
	for i := range items {
		it := &items[i]
		if it.ID == "" {
			return res, fmt.Errorf("store: upsert item %q from %s: empty ID", it.Title, it.Feed)
		}
		var old *itemRecord
		if raw := b.Get([]byte(it.ID)); raw != nil {
			old = new(itemRecord)
			if err := json.Unmarshal(raw, old); err != nil {
				return res, fmt.Errorf("store: decode item %s: %w", it.ID, err)
			}
		}
		rec := recordFor(it, old, now)
		if old != nil && old.Hash == rec.Hash {
			res.Unchanged++
			continue
		}
		if err := putRecord(tx, rec, old, it.Content); err != nil {
			return res, err
		}
		if old == nil {
			res.New++
			res.NewIDs = append(res.NewIDs, it.ID)
		} else {
			res.Updated++
		}
	}
	return res, nil
}

func recordFor(it *item.Item, old *itemRecord, now time.Time) *itemRecord {
	view := *it
	if view.Published.IsZero() {
		view.Published = now
		if old != nil {
			view.Published = old.Published
		}
	}
	view.Published = view.Published.UTC()
	if old != nil && old.Feed != view.Feed {
		view.Feed, view.Outlet = old.Feed, old.Outlet
	}
	rec := &itemRecord{
		ID: view.ID, Feed: view.Feed, Outlet: view.Outlet, GUID: view.GUID, Title: view.Title,
		Link: view.Link, Author: view.Author, Categories: view.Categories,
		Published: view.Published, Updated: view.Updated.UTC(), Summary: view.Summary,
		Tags: view.Tags, RulesVer: view.RulesVer, FirstSeen: now, HasBody: view.Content != "",
	}
	if old != nil {
		rec.FirstSeen = old.FirstSeen
	}
	rec.Hash = contentHash(&view)
	return rec
}

// putRecord writes rec and moves its index entries from old's place.
func putRecord(tx *bolt.Tx, rec, old *itemRecord, body string) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store: encode item %s: %w", rec.ID, err)
	}
	id := []byte(rec.ID)
	if err := tx.Bucket(bucketItems).Put(id, raw); err != nil {
		return fmt.Errorf("store: put item %s: %w", rec.ID, err)
	}
	bodies := tx.Bucket(bucketBodies)
	if body != "" {
		err = bodies.Put(id, []byte(body))
	} else {
		err = bodies.Delete(id)
	}
	if err != nil {
		return fmt.Errorf("store: put body %s: %w", rec.ID, err)
	}
	st, err := getState(tx, rec.ID)
	if err != nil {
		return err
	}
	ix := newIndexer(tx)
	if old != nil {
		ix.remove(old, st)
	}
	ix.add(rec, st)
	return ix.err
}

// indexNames lists the ordered indexes a story belongs to.
func indexNames(rec *itemRecord, st State) []string {
	var names []string
	if st.Starred {
		names = append(names, "starred")
	}
	if st.Dismissed {
		return append(names, "dismissed")
	}
	names = append(names, "all", "feed:"+rec.Feed)
	if !st.Read {
		names = append(names, "unread")
	}
	for _, t := range rec.Tags {
		names = append(names, "tag:"+t.Name)
	}
	return names
}

// indexer adds and removes index entries and keeps the counts in step. The
// first error sticks, so callers check once.
type indexer struct {
	tx     *bolt.Tx
	ix     *bolt.Bucket
	counts *bolt.Bucket
	err    error
}

func newIndexer(tx *bolt.Tx) *indexer {
	return &indexer{tx: tx, ix: tx.Bucket(bucketIndex), counts: tx.Bucket(bucketCounts)}
}

func (x *indexer) add(rec *itemRecord, st State) {
	key := timeKey(rec.Published, rec.ID)
	for _, name := range indexNames(rec, st) {
		x.put(name, key)
	}
}

func (x *indexer) remove(rec *itemRecord, st State) {
	key := timeKey(rec.Published, rec.ID)
	for _, name := range indexNames(rec, st) {
		x.del(name, key)
	}
}

func (x *indexer) put(name string, key []byte) {
	if x.err != nil {
		return
	}
	b, err := x.ix.CreateBucketIfNotExists([]byte(name))
	if err != nil {
		x.err = fmt.Errorf("store: index %s: %w", name, err)
		return
	}
	if b.Get(key) != nil {
		return
	}
	if err := b.Put(key, nil); err != nil {
		x.err = fmt.Errorf("store: index %s: %w", name, err)
		return
	}
	x.bump(name, 1)
}

func (x *indexer) del(name string, key []byte) {
	if x.err != nil {
		return
	}
	b := x.ix.Bucket([]byte(name))
	if b == nil || b.Get(key) == nil {
		return
	}
	if err := b.Delete(key); err != nil {
		x.err = fmt.Errorf("store: index %s: %w", name, err)
		return
	}
	x.bump(name, -1)
}

func (x *indexer) bump(name string, delta int64) {
	var n int64
	if v := x.counts.Get([]byte(name)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n += delta
	if n <= 0 {
		if err := x.counts.Delete([]byte(name)); err != nil {
			x.err = err
		}
		return
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	if err := x.counts.Put([]byte(name), buf[:]); err != nil {
		x.err = fmt.Errorf("store: count %s: %w", name, err)
	}
}

func getRecord(tx *bolt.Tx, id string) (*itemRecord, error) {
	raw := tx.Bucket(bucketItems).Get([]byte(id))
	if raw == nil {
		return nil, fmt.Errorf("story %s: %w", id, ErrNotFound)
	}
	rec := new(itemRecord)
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, fmt.Errorf("store: decode item %s: %w", id, err)
	}
	return rec, nil
}

func getState(tx *bolt.Tx, id string) (State, error) {
	var st State
	raw := tx.Bucket(bucketState).Get([]byte(id))
	if raw == nil {
		return st, nil
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("store: decode state %s: %w", id, err)
	}
	return st, nil
}

// Get returns one story with its body and state.
func (db *DB) Get(id string) (Story, error) {
	var s Story
	err := db.bolt.View(func(tx *bolt.Tx) error {
		rec, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		st, err := getState(tx, id)
		if err != nil {
			return err
		}
		s = rec.story(st)
		s.Content = string(tx.Bucket(bucketBodies).Get([]byte(id)))
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
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
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
	sort.Strings(found)
	return "", fmt.Errorf("%q matches %s...: %w; give more characters", prefix, strings.Join(found, ", "), ErrAmbiguous)
}

// Update changes the user state of one story with fn, in one transaction,
// and moves its index entries to match.
func (db *DB) Update(id string, fn func(*State)) (State, error) {
	var after State
	err := db.update(func(tx *bolt.Tx) error {
		rec, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		before, err := getState(tx, id)
		if err != nil {
			return err
		}
		after = before
		fn(&after)
		if after.Starred && !before.Starred {
			after.StarredAt = db.now().UTC()
		}
		if !after.Starred {
			after.StarredAt = time.Time{}
		}
		if after.Note != before.Note {
			after.NoteEdited = db.now().UTC()
			if after.Note == "" {
				after.NoteEdited = time.Time{}
			}
		}
		raw, err := json.Marshal(after)
		if err != nil {
			return fmt.Errorf("store: encode state %s: %w", id, err)
		}
		if err := tx.Bucket(bucketState).Put([]byte(id), raw); err != nil {
			return fmt.Errorf("store: put state %s: %w", id, err)
		}
		ix := newIndexer(tx)
		ix.remove(rec, before)
		ix.add(rec, after)
		return ix.err
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
