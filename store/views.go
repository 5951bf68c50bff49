package store

import (
	"bytes"
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
		return ixUnread
	case ViewStarred:
		return ixStarred
	case ViewDismissed:
		return ixDismissed
	case ViewTag:
		return ixTagPrefix + v.Tag
	case ViewFeed:
		return ixFeedPre + v.Feed
	}
	return ixAll
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
// and the cursor for the next page (nil when there is none). It reads and
// decodes limit stories whatever the size of the cache; bodies are not
// loaded.
func (db *DB) Page(v View, after Cursor, limit int) ([]Story, Cursor, error) {
	var out []Story
	var next Cursor
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIndex).Bucket([]byte(v.index()))
		if b == nil || limit <= 0 {
			return nil
		}
		// A page of stories maps in megabytes of the cache file (see
		// pageReleaseEvery); give them back, as scrolling rereads few.
		defer releaseMapped(tx)
		c, r := b.Cursor(), newReader(tx)
		var k []byte
		if after == nil {
			k, _ = c.Last()
		} else if k, _ = c.Seek(after); k == nil {
			k, _ = c.Last()
		}
		// Seek lands on the first key >= after; step back past it.
		for after != nil && k != nil && bytes.Compare(k, after) >= 0 {
			k, _ = c.Prev()
		}
		for ; k != nil && len(out) < limit; k, _ = c.Prev() {
			s, _, err := r.story(idFromKey(k))
			if err != nil {
				return err
			}
			out = append(out, s)
			next = bytes.Clone(k)
			if len(out)%pageReleaseEvery == 0 {
				releaseMapped(tx)
			}
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

// Each calls fn for every story in view, newest first, until fn returns an
// error. Bodies are not loaded. The whole walk is one read transaction, so
// fn must not write to the store.
func (db *DB) Each(v View, fn func(Story) error) error {
	return db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIndex).Bucket([]byte(v.index()))
		if b == nil {
			return nil
		}
		defer releaseMapped(tx) // see scanReleaseEvery
		c, r := b.Cursor(), newReader(tx)
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			s, _, err := r.story(idFromKey(k))
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
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("store: counter %q is %w", k, ErrDamaged)
			}
			n := int(readCount(v))
			name := string(k)
			switch {
			case name == ixAll:
				c.All = n
			case name == ixUnread:
				c.Unread = n
			case name == ixStarred:
				c.Starred = n
			case name == ixDismissed:
				c.Dismissed = n
			case strings.HasPrefix(name, ixTagPrefix):
				c.Tags[name[len(ixTagPrefix):]] = n
			case strings.HasPrefix(name, ixFeedPre):
				c.Feeds[name[len(ixFeedPre):]] = n
			}
			return nil
		})
	})
	return c, err
}

// Count returns the number of stories in one view.
func (db *DB) Count(v View) (int, error) {
	n := 0
	err := db.view(func(tx *bolt.Tx) error {
		n = int(readCount(tx.Bucket(bucketCounts).Get([]byte(v.index()))))
		return nil
	})
	return n, err
}
