package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this binary writes.
const SchemaVersion = 1

// Bucket names; see doc.go for what each holds.
var (
	bucketMeta   = []byte("meta")
	bucketItems  = []byte("items")
	bucketBodies = []byte("bodies")
	bucketState  = []byte("state")
	bucketFeeds  = []byte("feeds")
	bucketCounts = []byte("counts")
	bucketIndex  = []byte("ix")

	keySchema = []byte("schema")
)

// Errors callers check with errors.Is.
var (
	ErrLocked      = errors.New("in use by another trawl process")
	ErrNotCache    = errors.New("not a trawl cache")
	ErrNewerSchema = errors.New("written by a newer trawl")
	ErrNotFound    = errors.New("no such story")
	ErrAmbiguous   = errors.New("ambiguous story ID prefix")
	ErrReadOnly    = errors.New("cache opened read-only")
)

// Options tune Open. The zero value opens read-write, waits one second for
// the lock and uses the real clock.
type Options struct {
	ReadOnly bool
	// LockTimeout bounds the wait for another process's lock.
	LockTimeout time.Duration
	// Now is the clock used for first-seen times and note edit times.
	Now func() time.Time
	// NoSync skips fsync on commit. Only for benchmarks and tests that
	// measure something else; a crash can then lose committed data.
	NoSync bool
}

// DB is an open cache.
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time
	ro   bool
}

// Open opens the cache at path, creating it (and its directory) if it does
// not exist. A file that exists is never rewritten unless it is a trawl cache
// of this or an older schema.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if opts.ReadOnly {
			return nil, fmt.Errorf("cache %s does not exist", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create cache directory: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("cache %s: %w", path, err)
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("cache %s is a directory, not a file: %w", path, ErrNotCache)
	case fi.Size() == 0:
		// bbolt would quietly initialise an empty file; an empty file where a
		// cache should be is more likely a truncation than a fresh start.
		return nil, fmt.Errorf("cache %s is empty (truncated?); move it away to start a new cache: %w", path, ErrNotCache)
	}
	bopts := &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync}
	bdb, err := bolt.Open(path, 0o600, bopts)
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("cache %s is %w", path, ErrLocked)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
			return nil, fmt.Errorf("cache %s is damaged or %w (%w); move it away to start a new cache", path, ErrNotCache, err)
		}
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, now: opts.Now, ro: opts.ReadOnly}
	if err := db.init(); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// init checks the schema and, for a new file, creates the buckets.
func (db *DB) init() error {
	var version int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("cache %s: %w (it holds other data; trawl will not touch it)", db.path, ErrNotCache)
			}
			return nil
		}
		v, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil {
			return fmt.Errorf("cache %s: %w (bad schema version %q)", db.path, ErrNotCache, meta.Get(keySchema))
		}
		version = v
		return nil
	})
	if err != nil {
		return err
	}
	if version > SchemaVersion {
		return fmt.Errorf("cache %s has schema %d, %w that knows schema %d; upgrade trawl: %w",
			db.path, version, ErrNewerSchema, SchemaVersion, ErrNewerSchema)
	}
	if version == SchemaVersion {
		return nil
	}
	if db.ro {
		if version == 0 {
			return fmt.Errorf("cache %s is not initialised yet: %w", db.path, ErrReadOnly)
		}
		return fmt.Errorf("cache %s has schema %d and needs migrating; run any writing command (such as 'trawl fetch') first: %w", db.path, version, ErrReadOnly)
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if version == 0 {
			return createSchema(tx)
		}
		return migrate(tx, version)
	})
}

func createSchema(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketItems, bucketBodies, bucketState, bucketFeeds, bucketCounts, bucketIndex} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
}

// migrations[v] upgrades a version-v database to v+1, inside one
// transaction. Version 0 means "empty" and is handled by createSchema.
var migrations = map[int]func(*bolt.Tx) error{}

func migrate(tx *bolt.Tx, from int) error {
	for v := from; v < SchemaVersion; v++ {
		step, ok := migrations[v]
		if !ok {
			return fmt.Errorf("no migration from schema %d", v)
		}
		if err := step(tx); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
}

// Path returns the file the cache lives in.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close cache %s: %w", db.path, err)
	}
	return nil
}

func (db *DB) update(fn func(*bolt.Tx) error) error {
	if db.ro {
		return fmt.Errorf("cache %s: %w", db.path, ErrReadOnly)
	}
	return db.bolt.Update(fn)
}

// timeKey is the ordered-index key of a story: newest sorts last.
func timeKey(published time.Time, id string) []byte {
	k := make([]byte, 8+len(id))
	ns := published.UnixNano()
	if ns < 0 || published.Before(time.Unix(0, 0)) {
		ns = 0
	}
	binary.BigEndian.PutUint64(k, uint64(ns))
	copy(k[8:], id)
	return k
}

func idFromKey(k []byte) string { return string(k[8:]) }

func cloneBytes(b []byte) []byte { return bytes.Clone(b) }
