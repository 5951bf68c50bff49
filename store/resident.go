package store

import (
	bolt "go.etcd.io/bbolt"
)

// releaseEvery is how many stories a long walk reads between releases of
// the cache file's mapped pages. Linux maps up to 64 KiB around every page
// fault on a file, so reading a story maps in far more than the story: a
// few thousand stories come to tens of megabytes.
const releaseEvery = 4096

// releaseMapped gives back the pages of the cache file that this process
// has mapped in while reading. bbolt maps the file read-only and shared
// and writes through the file, never the map, so every mapped page is a
// clean copy of the page cache: dropping it loses nothing, and the next
// read of it maps it back from the page cache without touching the disk.
// It must run inside a read transaction, which holds bbolt's lock on the
// map, so the map cannot move or shrink while it is released; readers in
// other goroutines are unaffected, since their pages come back the same.
func releaseMapped(tx *bolt.Tx) {
	dropMapped(tx.DB().Info().Data, tx.Size())
}

// ReleaseMapped gives back the memory of the cache file's pages mapped in
// by earlier reads (see releaseMapped). It is safe to call at any time,
// alongside readers and a writer; on systems where it is not supported it
// does nothing.
func (db *DB) ReleaseMapped() error {
	return db.view(func(tx *bolt.Tx) error {
		releaseMapped(tx)
		return nil
	})
}
