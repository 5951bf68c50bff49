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
	err := db.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketFeeds).Get([]byte(url))
		if raw == nil {
			return nil
		}
		return decodeFeed(url, raw, &fs)
	})
	return fs, err
}

// FeedStates returns every stored feed state, keyed by URL.
func (db *DB) FeedStates() (map[string]FeedState, error) {
	out := map[string]FeedState{}
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var fs FeedState
			if err := decodeFeed(string(k), v, &fs); err != nil {
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
	return db.write(func(w *writer) error { return w.putFeed(fs) })
}

// SaveFetched stores the outcome of fetching several feeds in one
// transaction: each feed's state and its stories (as Upsert would), setting
// New on each entry. One commit for many feeds keeps a refresh of hundreds
// of feeds from paying hundreds of fsyncs.
func (db *DB) SaveFetched(batch []item.Fetched) error {
	ready := make([]any, len(batch))
	for i := range batch {
		ready[i] = db.PrepareFetched(batch[i])
	}
	news, err := db.SavePrepared(ready)
	if err != nil {
		return err
	}
	// Only a committed batch reports new stories.
	for i := range batch {
		batch[i].New = news[i]
	}
	return nil
}

func (w *writer) putFeed(fs FeedState) error {
	raw, err := json.Marshal(fs)
	if err != nil {
		return fmt.Errorf("store: encode feed %s: %w", fs.URL, err)
	}
	if err := w.feeds.Put([]byte(fs.URL), raw); err != nil {
		return fmt.Errorf("store: put feed %s: %w", fs.URL, err)
	}
	return nil
}

func decodeFeed(url string, raw []byte, fs *FeedState) error {
	if err := json.Unmarshal(raw, fs); err != nil {
		return fmt.Errorf("store: state of feed %s is %w: %w", url, ErrDamaged, err)
	}
	return nil
}
