package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// cacheWith writes a real cache of n stories and returns its path.
func cacheWith(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	c := &clock{testNow}
	db, err := Open(path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		saveAll(t, db, corpus(7, 5, n/5, 5))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// setSchema rewrites the schema key of a cache behind the store's back.
func setSchema(t *testing.T, path, v string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte(v)) }); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesFilesItMustNotTouch(t *testing.T) {
	tests := []struct {
		name  string
		make  func(t *testing.T) string
		is    error
		words []string // the message must say these
	}{
		{"empty file", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "cache.db")
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrDamaged, []string{"empty"}},
		{"random bytes", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "cache.db")
			r := rand.New(rand.NewPCG(3, 4))
			junk := make([]byte, 64<<10)
			for i := range junk {
				junk[i] = byte(r.UintN(256))
			}
			if err := os.WriteFile(path, junk, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrNotCache, []string{"not a trawl cache", "not a bbolt database"}},
		{"a text file", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "cache.db")
			if err := os.WriteFile(path, []byte("[fetch]\nconcurrency = 4\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrNotCache, []string{"not a bbolt database", "24 bytes"}},
		{"another program's bbolt file", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "cache.db")
			bdb, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = bdb.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return b.Put([]byte("w1"), []byte("sprocket"))
			})
			if err != nil {
				t.Fatal(err)
			}
			bdb.Close()
			return path
		}, ErrNotCache, []string{"not a trawl cache", `"widgets"`}},
		{"truncated to half", func(t *testing.T) string {
			path := cacheWith(t, 500)
			// bbolt grows files ahead of need, so cut at half of what the
			// header says is in use.
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var m boltMeta
			for _, off := range []int64{0, defaultPageSize} {
				head := make([]byte, metaReadSize)
				if _, err := f.ReadAt(head, off); err != nil {
					t.Fatal(err)
				}
				if mm := parseMeta(head); mm.err == nil && mm.txid > m.txid {
					m = mm
				}
			}
			if m.pgid < 8 {
				t.Fatalf("newest meta page: %+v", m)
			}
			if err := os.Truncate(path, int64(m.pgid)*int64(m.pageSize)/2); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrDamaged, []string{"truncated"}},
		{"truncated inside the first page", func(t *testing.T) string {
			path := cacheWith(t, 10)
			if err := os.Truncate(path, 3000); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrDamaged, []string{"truncated", "3000 bytes"}},
		{"both headers damaged", func(t *testing.T) string {
			path := cacheWith(t, 10)
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Flip a byte of each meta page's transaction ID.
			for _, off := range []int64{pageHeaderSize + 48, defaultPageSize + pageHeaderSize + 48} {
				if _, err := f.WriteAt([]byte{0x5a}, off); err != nil {
					t.Fatal(err)
				}
			}
			f.Close()
			return path
		}, ErrDamaged, []string{"checksums"}},
		{"a newer schema", func(t *testing.T) string {
			path := cacheWith(t, 10)
			setSchema(t, path, "3")
			return path
		}, ErrNewerSchema, []string{"schema 3", "knows schema 2", "upgrade trawl"}},
		{"a garbled schema key", func(t *testing.T) string {
			path := cacheWith(t, 10)
			setSchema(t, path, "two")
			return path
		}, ErrNotCache, []string{`"two"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.make(t)
			before := fileSum(t, path)
			for _, ro := range []bool{false, true} {
				db, err := Open(path, Options{ReadOnly: ro})
				if err == nil {
					db.Close()
					t.Fatalf("Open(ReadOnly=%t) succeeded", ro)
				}
				if !errors.Is(err, tt.is) {
					t.Errorf("Open(ReadOnly=%t) = %v, want %v", ro, err, tt.is)
				}
				msg := err.Error()
				for _, w := range append([]string{path}, tt.words...) {
					if !strings.Contains(msg, w) {
						t.Errorf("Open(ReadOnly=%t) error %q does not say %q", ro, msg, w)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error is not one line: %q", msg)
				}
			}
			if after := fileSum(t, path); after != before {
				t.Error("the file changed")
			}
		})
	}
}

func TestOpenDirectoryAndMissingFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrNotCache) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open(directory) = %v", err)
	}
	missing := filepath.Join(dir, "nope", "cache.db")
	if _, err := Open(missing, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("read-only Open of a missing file = %v, want 'does not exist'", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only Open created %s", missing)
	}
	// Read-write creates it, with its directory.
	db, err := Open(missing, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(missing, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("reopening a new cache read-only: %v", err)
	}
	db.Close()
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	path := cacheWith(t, 10)
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, _, err := db.Page(All, nil, 1)
	if err != nil || len(page) != 1 {
		t.Fatalf("Page = %v, %v", page, err)
	}
	if err := db.SetStarred(page[0].ID, true); !errors.Is(err, ErrReadOnly) {
		t.Errorf("SetStarred on a read-only cache = %v, want ErrReadOnly", err)
	}
	if _, err := db.Prune(testNow); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Prune on a read-only cache = %v, want ErrReadOnly", err)
	}
	if _, _, err := db.Compact(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Compact on a read-only cache = %v, want ErrReadOnly", err)
	}
}
