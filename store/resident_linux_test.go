package store

import (
	"os"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// fileRSS is how much of this process's memory is pages of mapped files,
// in bytes, from Linux's /proc.
func fileRSS(t *testing.T) int64 {
	t.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// touchAll reads every byte of every value in the cache through bbolt's
// map, which maps the whole file in.
func touchAll(t *testing.T, db *DB) {
	t.Helper()
	var sum byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			return b.ForEach(func(_, v []byte) error {
				for _, c := range v {
					sum += c
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = sum
}

// TestReadsGiveBackTheMap: after reading every story, the cache file's
// pages are no longer part of the process's memory, whichever way the
// stories were read, and what was read is right.
func TestReadsGiveBackTheMap(t *testing.T) {
	c := &clock{testNow}
	db := openTest(t, c)
	for _, batch := range corpus(9, 24, 300, 8) {
		if err := db.SaveFetched(batch); err != nil {
			t.Fatal(err)
		}
	}
	const stories = 24 * 300
	for _, tc := range []struct {
		name string
		read func() (int, error)
	}{
		{"Scan", func() (int, error) {
			n := 0
			return n, db.Scan(func(*Brief) (int, error) { n++; return 0, nil }, func(int, []byte, []byte) error { return nil })
		}},
		{"Each", func() (int, error) {
			n := 0
			return n, db.Each(All, func(Story) error { n++; return nil })
		}},
		{"Page", func() (int, error) {
			n := 0
			var after Cursor
			for {
				page, next, err := db.Page(All, after, 500)
				n += len(page)
				if err != nil || next == nil {
					return n, err
				}
				after = next
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			touchAll(t, db)
			mapped := fileRSS(t)
			if err := db.view(func(tx *bolt.Tx) error { releaseMapped(tx); return nil }); err != nil {
				t.Fatal(err)
			}
			base := fileRSS(t)
			if mapped-base < 4<<20 {
				t.Fatalf("releasing the map gave back %d kB of a cache file of %d kB: the test cache is too small to tell, or the release does nothing", (mapped-base)>>10, cacheSize(t, db.path)>>10)
			}
			touchAll(t, db)
			n, err := tc.read()
			if err != nil {
				t.Fatal(err)
			}
			if n != stories {
				t.Fatalf("read %d stories, want %d", n, stories)
			}
			// Only pages of the test binary, or of the cache touched by
			// other goroutines, may come back meanwhile.
			if after := fileRSS(t); after-base > 1<<20 {
				t.Fatalf("after %s, %d kB more of files are mapped than after releasing (%d kB with the whole cache read)", tc.name, (after-base)>>10, (mapped-base)>>10)
			}
		})
	}
}

func cacheSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
