// Package store keeps trawl's cache: fetched stories, the user's judgement
// about them (stars, read flags, dismissals, notes) and each feed's fetch
// state, in one bbolt file.
//
// # Schema (version 2)
//
// Buckets at the top level, all created when the file is first opened:
//
//	meta      "schema" -> decimal schema version
//	          "floor"  -> 8-byte big-endian ns: the last Prune's cutoff;
//	                      refreshes do not re-add stories older than it
//	items     id -> binary story record without the HTML body (record.go):
//	             format byte 2, 8-byte content hash, feeds, outlet, dates,
//	             text fields, tags with their evidence
//	bodies    id -> sanitised HTML body (read only by the reader view)
//	state     id -> JSON State (star, read, dismissed, note); never written
//	             by a refresh; absent when the user never touched the story
//	feeds     feed URL -> JSON FeedState
//	counts    index name -> 8-byte big-endian count of keys in that index
//	ix        one nested bucket per ordered index; keys are
//	             8-byte big-endian published time (ns since 1970) + id,
//	             values empty, so a cursor's Last/Prev walks newest first:
//	             "all"          every story not dismissed
//	             "unread"       not read and not dismissed
//	             "starred"      starred (dismissed or not)
//	             "dismissed"    dismissed
//	             "tag:NAME"     not dismissed, tagged NAME
//	             "feed:URL"     not dismissed, carried by feed URL (a story
//	                            two feeds carry is in both)
//
// Fetched content (items, bodies) and user state (state) live apart: a
// refresh rewrites the first and never touches the second. Every change
// that spans buckets happens in one transaction, and counters change in
// the same transaction as their index (see writer in index.go), so a crash
// at any point leaves a consistent file. Check verifies all of this.
//
// # History
//
// Schema 1 stored stories as JSON with one feed each; migrate.go turns it
// into schema 2 on first open. A file of a newer schema is refused
// untouched, as is any file that is not a healthy trawl cache (see
// preflight.go).
package store
