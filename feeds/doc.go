// Package feeds owns subscriptions and the refresh pipeline's first stages:
// fetching a feed over HTTP (conditional, bounded, polite), parsing it with
// gofeed, and normalising and sanitising its entries into items.
//
// The pieces, top to bottom:
//
//   - subs.go: the subscriptions file (feeds.txt), edited in place so that
//     the user's comments and order survive, and saved atomically.
//   - opml.go: OPML import (folders become tags) and export.
//   - fetch.go: one conditional GET with timeouts, a redirect cap and a
//     size cap counted after decompression; errors say what to do.
//   - parse.go: gofeed over a body in memory, then every entry normalised
//     (absolute http(s) links, dates in UTC and never in the future, plain
//     text summaries, sanitised HTML content) and capped.
//   - refresh.go: the worker pool with a global and a per-host limit, the
//     per-feed state machine (backoff, Retry-After, gone, moved) and one
//     writer that commits many feeds per transaction.
//
// It knows nothing of the cache or the classifier: Refresh hands each
// feed's outcome to a Sink and each item to a Tagger, both defined here and
// implemented by the caller.
package feeds
