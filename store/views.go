package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// View names a list of stories, newest first.
type View struct {
	Kind ViewKind
	Tag  string // for ViewTag
	Feed string // for ViewFeed
}

// ViewKind says which ordered index a View reads.
type ViewKind int

// The views. All, tag and feed views hide dismissed stories; Starred shows
// starred stories whether dismissed or not.
const (
	ViewAll ViewKind = iota
	ViewUnread
	ViewStarred
	ViewDismissed
	ViewTag
	ViewFeed
)

// Convenience constructors.
var (
	All       = View{Kind: ViewAll}
	Unread    = View{Kind: ViewUnread}
	Starred   = View{Kind: ViewStarred}
	Dismissed = View{Kind: ViewDismissed}
)

// TagView lists stories carrying tag.
func TagView(tag string) View { return View{Kind: ViewTag, Tag: tag} }

// FeedView lists stories from one feed.
func FeedView(url string) View { return View{Kind: ViewFeed, Feed: url} }

func (v View) index() string {
	switch v.Kind {
	case ViewUnread:
		return "unread"
	case ViewStarred:
		return "starred"
	case ViewDismissed:
		return "dismissed"
	case ViewTag:
		return "tag:" + v.Tag
	case ViewFeed:
		return "feed:" + v.Feed
	}
	return "all"
}

// String names the view for humans.
func (v View) String() string {
	switch v.Kind {
	case ViewTag:
		return v.Tag
	case ViewFeed:
		return "feed " + v.Feed
	}
	return v.index()
}

// Cursor marks where a page ended; the zero Cursor starts at the newest.
type Cursor []byte

// Page returns up to limit stories of view older than after, newest first,
// and the cursor for the next page (nil when there is none). It reads
// O(limit) keys whatever the size of the cache.
func (db *DB) Page(v View, after Cursor, limit int) ([]Story, Cursor, error) {
	var out []Story
	var next Cursor
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIndex).Bucket([]byte(v.index()))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k []byte
		if after == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Seek(after)
			if k == nil {
				k, _ = c.Last()
			}
			// Seek lands on the first key >= after; step back past it.
			for k != nil && string(k) >= string(after) {
				k, _ = c.Prev()
			}
		}
		for ; k != nil && len(out) < limit; k, _ = c.Prev() {
			s, err := storyTx(tx, idFromKey(k))
			if err != nil {
				return err
			}
			out = append(out, s)
			next = cloneBytes(k)
		}
		if k == nil {
			next = nil
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: page of %s: %w", v, err)
	}
	return out, next, nil
}

func storyTx(tx *bolt.Tx, id string) (Story, error) {
	rec, err := getRecord(tx, id)
	if err != nil {
		return Story{}, err
	}
	st, err := getState(tx, id)
	if err != nil {
		return Story{}, err
	}
	return rec.story(st), nil
}

// Each calls fn for every story in view, newest first, until fn returns an
// error. Bodies are not loaded. The whole walk is one read transaction, so
// fn must not write to the store.
func (db *DB) Each(v View, fn func(Story) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIndex).Bucket([]byte(v.index()))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			s, err := storyTx(tx, idFromKey(k))
			if err != nil {
				return err
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	})
}

// Counts holds the number of stories in each view.
type Counts struct {
	All, Unread, Starred, Dismissed int
	Tags                            map[string]int
	Feeds                           map[string]int
}

// Counts reads the kept-up-to-date counters: no scan of the stories.
func (db *DB) Counts() (Counts, error) {
	c := Counts{Tags: map[string]int{}, Feeds: map[string]int{}}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("store: bad counter %q", k)
			}
			n := int(binary.BigEndian.Uint64(v))
			name := string(k)
			switch {
			case name == "all":
				c.All = n
			case name == "unread":
				c.Unread = n
			case name == "starred":
				c.Starred = n
			case name == "dismissed":
				c.Dismissed = n
			case strings.HasPrefix(name, "tag:"):
				c.Tags[name[4:]] = n
			case strings.HasPrefix(name, "feed:"):
				c.Feeds[name[5:]] = n
			}
			return nil
		})
	})
	return c, err
}

// Count returns the number of stories in one view.
func (db *DB) Count(v View) (int, error) {
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketCounts).Get([]byte(v.index())); len(raw) == 8 {
			n = int(binary.BigEndian.Uint64(raw))
		}
		return nil
	})
	return n, err
}

// decodeJSON is a small helper so errors name what failed to decode.
func decodeJSON(what string, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("store: decode %s: %w", what, err)
	}
	return nil
}
