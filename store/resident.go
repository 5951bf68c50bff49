package store

import (
	bolt "go.etcd.io/bbolt"
)

// scanReleaseEvery is how many stories Scan reads between releases of the
// cache file's mapped pages. A page fault on a file maps in a whole
// page-cache folio around the page (tens of kilobytes on Linux with large
// folios), so a few thousand stories map in tens of megabytes. Scan reads
// in file order, so a page given back is rarely wanted again; measured on
// 100k stories, releasing every 1024 stories costs nothing measurable and
// keeps under 20 MB of the file mapped (5 MB once the file is compacted).
//
// Reads in a view's order (Each) jump about the file, so releasing in the
// middle of them makes the next lookups fault the same pages back: every
// 4096 stories doubled the time of a 100k walk and still left 150 MB
// mapped. Each releases once, at the end.
const scanReleaseEvery = 1024

// pageReleaseEvery is Page's interval: a page of the interface's 200
// stories maps in 30 MB of a 100k cache; releasing every 32 stories keeps
// it under 10 MB, for the price of refaulting the tree's upper pages,
// 0-3 ms on a 6-9 ms first frame in measurements on a loaded machine.
const pageReleaseEvery = 32

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
