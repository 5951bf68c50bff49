// Package feeds owns subscriptions and the refresh pipeline's first stages:
// fetching a feed over HTTP (conditional, bounded, polite), parsing it with
// gofeed, and normalising and sanitising its entries into items.
//
// It knows nothing of the cache or the classifier: Refresh hands each
// feed's outcome to a Sink and each item to a Tagger, both defined here and
// implemented by the caller.
package feeds
