// Package store keeps trawl's cache: fetched stories, the user's judgement
// about them (stars, read flags, dismissals, notes) and each feed's fetch
// state, in one bbolt file.
//
// # Schema (version 1)
//
// Buckets at the top level, all created when the file is first opened:
//
//	meta      "schema" -> decimal schema version; "rules" -> rules version
//	items     id -> JSON itemRecord (content without the HTML body)
//	bodies    id -> sanitised HTML body (read only by the reader view)
//	state     id -> JSON State (star, read, dismissed, note); never written
//	             by a refresh
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
//	             "feed:URL"     not dismissed, from feed URL
//
// Fetched content (items, bodies) and user state (state) live apart: a
// refresh rewrites the first and never touches the second. Every change that
// spans buckets happens in one transaction.
package store
