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
	ready := prepareAll(items) // needs no transaction, so outside the write lock
	var res UpsertResult
	err := db.write(func(w *writer) error {
		res = UpsertResult{}
		out, err := w.upsert([][]prepared{ready})
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

// prepared is a story made ready for a write transaction: hashed, its
// content record encoded and its body in bytes, so that the writer only
// looks it up and puts. It holds nothing of the item but what the store
// keeps, so a refresh can drop the parsed item before the write.
type prepared struct {
	id, feed, outlet string
	title            string // for the error about an empty ID
	published        time.Time
	hash             uint64
	content          []byte // encodeContent's output
	body             []byte // the HTML body; nil for none
	tagNames         []string
}

func prepare(it *item.Item) prepared {
	p := prepared{
		id: it.ID, feed: it.Feed, outlet: it.Outlet, title: it.Title,
		published: it.Published, hash: contentHash(it),
	}
	var rec itemRecord
	rec.setContent(it, p.hash)
	p.content, p.tagNames = rec.encodeContent(), rec.tagNames
	if it.Content != "" {
		p.body = []byte(it.Content)
	}
	return p
}

func prepareAll(items []item.Item) []prepared {
	out := make([]prepared, len(items))
	for i := range items {
		out[i] = prepare(&items[i])
	}
	return out
}

// PreparedFeed is one feed's fetch outcome made ready for SavePrepared:
// its stories hashed and encoded, which is most of the work of saving
// them that needs no transaction.
type PreparedFeed struct {
	state   FeedState
	stories []prepared
}

// PrepareFetched readies a feed's outcome for SavePrepared. It reads
// nothing from the cache, so a refresh runs it on its parsing goroutines,
// several at once and beside a write, leaving less to the one writer; f's
// items may be dropped afterwards. The result is a *PreparedFeed.
func (db *DB) PrepareFetched(f item.Fetched) any {
	return &PreparedFeed{state: f.State, stories: prepareAll(f.Items)}
}

// SavePrepared stores feeds' outcomes made by PrepareFetched in one
// transaction, as SaveFetched does, and returns how many stories of each
// were new to the cache.
func (db *DB) SavePrepared(batch []any) ([]int, error) {
	feeds := make([]*PreparedFeed, len(batch))
	for i, b := range batch {
		f, ok := b.(*PreparedFeed)
		if !ok || f == nil {
			return nil, fmt.Errorf("store: save prepared feed %d of %d: got %T, not what PrepareFetched returns", i+1, len(batch), b)
		}
		feeds[i] = f
	}
	news := make([]int, len(feeds))
	err := db.write(func(w *writer) error {
		groups := make([][]prepared, len(feeds))
		for i, f := range feeds {
			if err := w.putFeed(f.state); err != nil {
				return err
			}
			if to := f.state.MovedTo; to != "" && to != f.state.URL {
				if err := w.rehome(f.state.URL, to); err != nil {
					return err
				}
			}
			groups[i] = f.stories
		}
		out, err := w.upsert(groups)
		if err != nil {
			return err
		}
		for i := range out {
			news[i] = 0
			for _, o := range out[i] {
				if o == outNew {
					news[i]++
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return news, nil
}

// upsert stores prepared stories of one or more feeds and returns the
// outcome of each, in the shape of groups. It works through them in
// ID order, which keeps bbolt appending to its in-memory nodes (see
// writer); stories with one ID keep their order, so the first feed of the
// batch to bring a new story owns it.
func (w *writer) upsert(groups [][]prepared) ([][]outcome, error) {
	// prefix holds the ID's first eight bytes, so most comparisons of
	// the sort are one integer compare with no pointer to chase.
	type ref struct {
		prefix uint64
		p      *prepared
		g, i   int
	}
	var refs []ref
	out := make([][]outcome, len(groups))
	for g, stories := range groups {
		out[g] = make([]outcome, len(stories))
		for i := range stories {
			p := &stories[i]
			if p.id == "" {
				return nil, fmt.Errorf("store: upsert %q from %s: empty ID", p.title, p.feed)
			}
			var b [8]byte
			copy(b[:], p.id)
			refs = append(refs, ref{binary.BigEndian.Uint64(b[:]), p, g, i})
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		return cmp.Or(strings.Compare(a.p.id, b.p.id), cmp.Compare(a.g, b.g), cmp.Compare(a.i, b.i))
	})
	floor := readFloor(w.meta)
	for _, r := range refs {
		o, err := w.upsertOne(r.p, floor)
		if err != nil {
			return nil, err
		}
		out[r.g][r.i] = o
	}
	return out, nil
}

// upsertOne stores one story.
func (w *writer) upsertOne(p *prepared, floor time.Time) (outcome, error) {
	raw := w.getItem(p.id)
	if raw == nil {
		if !floor.IsZero() && !p.published.IsZero() && p.published.Before(floor) {
			return outSkipped, nil
		}
		return outNew, w.insert(p)
	}
	pk, ok := peekMeta(raw, p.feed)
	if !ok {
		_, err := decodeMeta(p.id, raw)
		return 0, fmt.Errorf("store: %w", err)
	}
	if pk.known && (!pk.primary || (p.hash == pk.hash && pk.outletIs(p.outlet))) {
		return outUnchanged, nil
	}
	old, err := decodeMeta(p.id, raw)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	rec := *old
	if !pk.known {
		rec.Feeds = append(slices.Clip(old.Feeds), p.feed)
	}
	if pk.primary {
		rec.Outlet = p.outlet
		if p.hash != old.Hash {
			rec.setPrepared(p)
			if err := w.putEncoded(&rec, p.content); err != nil {
				return 0, err
			}
			if err := w.putBodyBytes(&rec, p.body); err != nil {
				return 0, err
			}
		}
	}
	if err := w.replaceMeta(timeKey(rec.Published, rec.ID), old, &rec); err != nil {
		return 0, err
	}
	return outUpdated, nil
}

// setPrepared sets what the meta record keeps of a prepared story's
// content; the content itself is already encoded.
func (r *itemRecord) setPrepared(p *prepared) {
	r.Hash, r.HasBody, r.tagNames = p.hash, p.body != nil, p.tagNames
}

// rehome gives a feed's stories to the URL it moved to: their records
// name the new URL where they named the old, and the feed's index
// follows. It runs before the stories the move brought are saved, so the
// moved feed stays the owner of its stories and its corrections to them
// are taken, as before the move.
func (w *writer) rehome(from, to string) error {
	// The feed's index holds its stories that are not dismissed; the
	// dismissed ones are found among all dismissed stories, so that one
	// brought back later is in the new URL's view.
	var keys [][]byte
	for _, name := range []string{ixFeedPre + from, ixDismissed} {
		b := w.ix.Bucket([]byte(name))
		if b == nil {
			continue
		}
		if err := b.ForEach(func(k, _ []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		}); err != nil {
			return fmt.Errorf("store: read index %s: %w", name, err)
		}
	}
	for _, key := range keys {
		id := string(key[8:])
		raw := w.getItem(id)
		if raw == nil {
			continue // an index key without its story: 'db check' reports it
		}
		if pk, ok := peekMeta(raw, from); ok && !pk.known {
			continue // a dismissed story of another feed
		}
		old, err := decodeMeta(id, raw)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		rec := *old
		rec.Feeds = nil
		for _, f := range old.Feeds {
			if f == from {
				f = to
			}
			if !slices.Contains(rec.Feeds, f) {
				rec.Feeds = append(rec.Feeds, f)
			}
		}
		if err := w.replaceMeta(key, old, &rec); err != nil {
			return err
		}
	}
	return nil
}

// replaceMeta stores rec in place of old, the same story, and moves its
// index entries (old's under key) to match; its user state stays.
func (w *writer) replaceMeta(key []byte, old, rec *itemRecord) error {
	if err := w.putMeta(rec); err != nil {
		return err
	}
	st, err := w.getState(rec.ID)
	if err != nil {
		return err
	}
	w.move(key, old, st, rec, st)
	return nil
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

// insert stores a story the cache has not seen.
func (w *writer) insert(p *prepared) error {
	seq, err := w.content.NextSequence()
	if err != nil {
		return fmt.Errorf("store: number story %s: %w", p.id, err)
	}
	rec := &itemRecord{ID: p.id, Seq: seq, Feeds: []string{p.feed}, Outlet: p.outlet, FirstSeen: w.now}
	rec.Published = p.published.UTC()
	if rec.Published.IsZero() || rec.Published.After(w.now.Add(futureSlack)) {
		rec.Published = w.now
	}
	rec.setPrepared(p)
	if err := w.putEncoded(rec, p.content); err != nil {
		return err
	}
	if p.body != nil {
		if err := w.putBodyBytes(rec, p.body); err != nil {
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
func (w *writer) putContent(rec *itemRecord) error { return w.putEncoded(rec, rec.encodeContent()) }

// putEncoded writes rec's content record, already encoded.
func (w *writer) putEncoded(rec *itemRecord, content []byte) error {
	if err := w.content.Put(seqKey(rec.Seq), content); err != nil {
		return fmt.Errorf("store: put story %s: %w", rec.ID, err)
	}
	return nil
}

// putBodyBytes writes, replaces or removes (body nil) the HTML body.
// bbolt keeps the slice until commit, so body must not change.
func (w *writer) putBodyBytes(rec *itemRecord, body []byte) error {
	key := seqKey(rec.Seq)
	var err error
	if body != nil {
		err = w.html.Put(key, body)
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
