package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this binary writes. Older layouts are
// migrated forward when a cache is opened (see migrate.go); newer ones are
// refused untouched.
const SchemaVersion = 2

// Bucket and key names; doc.go describes what each holds.
var (
	bucketMeta    = []byte("meta")
	bucketItems   = []byte("items")
	bucketContent = []byte("content")
	bucketHTML    = []byte("html")
	bucketState   = []byte("state")
	bucketFeeds   = []byte("feeds")
	bucketCounts  = []byte("counts")
	bucketIndex   = []byte("ix")

	allBuckets = [][]byte{bucketMeta, bucketItems, bucketContent, bucketHTML, bucketState, bucketFeeds, bucketCounts, bucketIndex}

	keySchema = []byte("schema")
	keyFloor  = []byte("floor")
)

// Errors callers check with errors.Is.
var (
	ErrLocked      = errors.New("in use by another trawl process")
	ErrNotCache    = errors.New("not a trawl cache")
	ErrDamaged     = errors.New("damaged")
	ErrNewerSchema = errors.New("written by a newer trawl")
	ErrNotFound    = errors.New("no such story")
	ErrAmbiguous   = errors.New("ambiguous story ID prefix")
	ErrReadOnly    = errors.New("cache opened read-only")
)

// Options tune Open. The zero value opens read-write, waits one second for
// the lock and uses the real clock.
type Options struct {
	// ReadOnly opens the cache shared with other readers. A cache that an
	// upgrade of trawl has not migrated yet is migrated first, under the
	// write lock, so read-only commands work right after an upgrade.
	ReadOnly bool
	// LockTimeout bounds the wait for another process's lock.
	LockTimeout time.Duration
	// Now is the clock used for first-seen times, star and note times.
	Now func() time.Time
	// NoSync skips fsync on commit. Only for benchmarks, demos and tests
	// that measure something else: a power cut can then lose commits (a
	// killed process cannot; the kernel still has the pages).
	NoSync bool
}

// DB is an open cache. Its methods may be called from several goroutines
// at once (bbolt runs readers side by side with one writer), except Close
// and Compact, which must run alone.
type DB struct {
	bolt *bolt.DB
	path string
	opts Options
}

// Open opens the cache at path, creating it (and its directory) if it does
// not exist. A file that is not a healthy trawl cache of this or an older
// schema is refused with an error naming it and the problem, and is never
// written to.
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
	case fi.IsDir():
		return nil, fmt.Errorf("cache %s is a directory, %w", path, ErrNotCache)
	case fi.Size() == 0:
		// bbolt would quietly initialise an empty file; an empty file where
		// a cache should be is more likely a truncation than a fresh start.
		return nil, fmt.Errorf("cache %s is %w: the file is empty (truncated?); move it away to start a new cache", path, ErrDamaged)
	default:
		if err := preflight(path); err != nil {
			return nil, describePreflight(path, err)
		}
	}
	bopts := &bolt.Options{
		Timeout:      opts.LockTimeout,
		ReadOnly:     opts.ReadOnly,
		NoSync:       opts.NoSync,
		FreelistType: bolt.FreelistMapType, // O(1) page allocation in big refreshes
	}
	if !opts.ReadOnly && strconv.IntSize == 64 {
		// Growing the map makes bbolt copy every live node out of it (a
		// third of a first 100k-story refresh); reserving address space,
		// not memory, up front avoids that.
		bopts.InitialMmapSize = initialMmap
	}
	bdb, err := bolt.Open(path, 0o600, bopts)
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("cache %s is %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	if fi == nil || fi.Size() < boltAllocStep {
		// With a map that big bbolt grows files a whole step at a time;
		// a new cache should not start at 16 MiB.
		bdb.AllocSize = smallAllocStep
	}
	db := &DB{bolt: bdb, path: path, opts: opts}
	version, err := db.schema()
	if err == nil {
		err = db.upgrade(version)
	}
	if errors.Is(err, errMigrateFirst) {
		// A read-only open of a cache that needs migrating: migrate it
		// under the write lock, then open it as asked.
		bdb.Close()
		rw := opts
		rw.ReadOnly = false
		db, err := Open(path, rw)
		if err != nil {
			return nil, err
		}
		if err := db.Close(); err != nil {
			return nil, err
		}
		return Open(path, opts)
	}
	if err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

const (
	initialMmap    = 1 << 30
	boltAllocStep  = 16 << 20 // bbolt's DefaultAllocSize, not exported
	smallAllocStep = 1 << 20
)

func describePreflight(path string, err error) error {
	if errors.Is(err, errNotBolt) || errors.Is(err, errBadVersion) {
		return fmt.Errorf("cache %s is %w: %w; trawl leaves it alone (move it away or use another cache path)", path, ErrNotCache, err)
	}
	return fmt.Errorf("cache %s is %w: %w; trawl leaves it alone (restore a backup, or move it away to start a new cache)", path, ErrDamaged, err)
}

var errMigrateFirst = errors.New("needs migrating")

// schema reads the schema version: 0 for a file with no buckets at all
// (bbolt has just created it).
func (db *DB) schema() (int, error) {
	version := 0
	err := db.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			var names []string
			tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, strconv.Quote(string(name)))
				return nil
			})
			if len(names) > 0 {
				return fmt.Errorf("cache %s is %w: it is a bbolt database holding %s; trawl leaves it alone", db.path, ErrNotCache, strings.Join(names, ", "))
			}
			return nil
		}
		raw := meta.Get(keySchema)
		v, err := strconv.Atoi(string(raw))
		if err != nil || v < 1 {
			return fmt.Errorf("cache %s is %w: bad schema version %q; trawl leaves it alone", db.path, ErrNotCache, raw)
		}
		version = v
		return nil
	})
	return version, err
}

// upgrade brings a cache of an older schema (0: a new file) up to date, or
// refuses a newer one.
func (db *DB) upgrade(version int) error {
	switch {
	case version > SchemaVersion:
		return fmt.Errorf("cache %s has schema %d, %w (this trawl knows schema %d); upgrade trawl to open it", db.path, version, ErrNewerSchema, SchemaVersion)
	case version == SchemaVersion:
		return nil
	case db.opts.ReadOnly:
		return errMigrateFirst
	case version == 0:
		return db.bolt.Update(createSchema)
	}
	if err := migrate(db.bolt, version); err != nil {
		return fmt.Errorf("cache %s: %w", db.path, err)
	}
	return nil
}

func createSchema(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("store: create bucket %s: %w", name, err)
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

// view runs fn in a read transaction.
func (db *DB) view(fn func(*bolt.Tx) error) error {
	return db.guard(func() error { return db.bolt.View(fn) })
}

// write runs fn in a write transaction with a writer that keeps the
// indexes and counts in step, and commits the counts once at the end.
func (db *DB) write(fn func(*writer) error) error {
	if db.opts.ReadOnly {
		return fmt.Errorf("cache %s: %w", db.path, ErrReadOnly)
	}
	return db.guard(func() error {
		return db.bolt.Update(func(tx *bolt.Tx) error {
			w := newWriter(tx, db.opts.Now().UTC())
			if err := fn(w); err != nil {
				return err
			}
			return w.flush()
		})
	})
}

// guard turns a crash inside bbolt into an error about the cache. A
// damaged page fails one of bbolt's assertions (a panic) or sends it
// through a wild pointer (a fault, made a panic here). Both happen while
// pages are read, before a commit writes anything, and bbolt rolls the
// transaction back as the panic unwinds, so the file is as it was.
func (db *DB) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache %s is %w: %s", db.path, ErrDamaged, oneLine(fmt.Sprint(r)))
		}
	}()
	return fn()
}

// oneLine keeps an error message to a single line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// timeKey is the ordered-index key of a story: 8-byte big-endian
// nanoseconds since 1970 then the ID, so newest sorts last. Dates outside
// what nanoseconds can hold are clamped; feeds never produce them.
func timeKey(published time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(keyTime(published)))
	return append(k, id...)
}

func keyTime(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, maxKeyNano)):
		return maxKeyNano
	}
	return t.UnixNano()
}

const maxKeyNano = 1<<63 - 1

func idFromKey(k []byte) string { return string(k[8:]) }

// sortedNames returns the keys of m in order, for deterministic output.
func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
