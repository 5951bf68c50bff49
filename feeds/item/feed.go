package item

import "time"

// FeedState is what trawl remembers about fetching one feed: the validators
// for conditional GET, the outcome of the last attempts, and when to try
// again. It is shared by feeds (which fills it) and store (which keeps it).
type FeedState struct {
	URL          string `json:"url"`
	Title        string `json:"title,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// ValidatorsFrom is the address that gave ETag and LastModified when
	// it is not URL (a temporary redirect's target); empty means URL.
	ValidatorsFrom string    `json:"validators_from,omitempty"`
	LastAttempt    time.Time `json:"last_attempt,omitzero"`
	LastSuccess    time.Time `json:"last_success,omitzero"`
	LastError      string    `json:"last_error,omitempty"`
	Failures       int       `json:"failures,omitempty"`
	NextTry        time.Time `json:"next_try,omitzero"`
	Gone           bool      `json:"gone,omitempty"`
	MovedTo        string    `json:"moved_to,omitempty"`
	Items          int       `json:"items,omitempty"` // stories in the last successful fetch
	// Origin is the URL the feed was first fetched from. Story IDs of
	// entries with non-URL GUIDs are keyed on it, so that a feed that moves
	// (301/308) keeps its stories' IDs. Empty means URL.
	Origin string `json:"origin,omitempty"`
}

// Fetched is the outcome of fetching one feed, handed to the store in one
// piece so that a feed's validators and its stories commit together.
type Fetched struct {
	State FeedState
	Items []Item // nil when the feed was not modified or failed
	New   int    // set by the store: how many of Items were new stories
}
