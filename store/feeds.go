package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
)

// FeedState is what trawl remembers about fetching one feed.
type FeedState = item.FeedState

// FeedState returns the stored state of a feed; the zero state (with URL
// set) if it was never fetched.
func (db *DB) FeedState(url string) (FeedState, error) {
	fs := FeedState{URL: url}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketFeeds).Get([]byte(url))
		if raw == nil {
			return nil
		}
		return decodeJSON("feed "+url, raw, &fs)
	})
	return fs, err
}

// FeedStates returns every stored feed state, keyed by URL.
func (db *DB) FeedStates() (map[string]FeedState, error) {
	out := map[string]FeedState{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var fs FeedState
			if err := decodeJSON("feed "+string(k), v, &fs); err != nil {
				return err
			}
			out[string(k)] = fs
			return nil
		})
	})
	return out, err
}

// PutFeedState stores a feed's state.
func (db *DB) PutFeedState(fs FeedState) error {
	raw, err := json.Marshal(fs)
	if err != nil {
		return fmt.Errorf("store: encode feed %s: %w", fs.URL, err)
	}
	return db.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketFeeds).Put([]byte(fs.URL), raw); err != nil {
			return fmt.Errorf("store: put feed %s: %w", fs.URL, err)
		}
		return nil
	})
}

// SaveFetched stores the outcome of fetching several feeds in one
// transaction: each feed's state and its stories (as Upsert would), setting
// New on each entry. One commit for many feeds keeps a refresh of hundreds
// of feeds from paying hundreds of fsyncs.
func (db *DB) SaveFetched(batch []item.Fetched) error {
	return db.update(func(tx *bolt.Tx) error {
		now := db.now().UTC()
		for i := range batch {
			f := &batch[i]
			raw, err := json.Marshal(f.State)
			if err != nil {
				return fmt.Errorf("store: encode feed %s: %w", f.State.URL, err)
			}
			if err := tx.Bucket(bucketFeeds).Put([]byte(f.State.URL), raw); err != nil {
				return fmt.Errorf("store: put feed %s: %w", f.State.URL, err)
			}
			res, err := upsertTx(tx, f.Items, now)
			if err != nil {
				return err
			}
			f.New = res.New
		}
		return nil
	})
}
