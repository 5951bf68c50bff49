package feeds_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
)

// clock is a settable time for the refresher and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openStore(t *testing.T, c *clock) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "trawl.db"), store.Options{Now: c.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// recorder keeps each feed's last event of a refresh.
type recorder struct {
	mu     sync.Mutex
	last   map[string]feeds.Event
	starts map[string]int
}

func newRecorder() *recorder {
	return &recorder{last: map[string]feeds.Event{}, starts: map[string]int{}}
}

func (r *recorder) event(ev feeds.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.Kind == feeds.EventStarted {
		r.starts[ev.Feed]++
		return
	}
	r.last[ev.Feed] = ev
}

func refresh(t *testing.T, db *store.DB, c *clock, subs []feeds.Subscription, force bool) (feeds.Summary, *recorder) {
	t.Helper()
	rec := newRecorder()
	r := feeds.NewRefresher(db, nil, feeds.RefreshOptions{
		Fetch:    feeds.FetchOptions{Timeout: testTimeout, MaxBytes: testMaxBytes},
		Now:      c.now,
		Force:    force,
		Progress: rec.event,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang, not a speed limit
	defer cancel()
	sum, err := r.Refresh(ctx, subs)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return sum, rec
}

// storedStories returns the cached stories of each feed URL.
func storedStories(t *testing.T, db *store.DB) map[string][]store.Story {
	t.Helper()
	out := map[string][]store.Story{}
	err := db.Each(store.All, func(s store.Story) error {
		out[s.Feed] = append(out[s.Feed], s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// serverCase is one server behaviour in the acceptance refresh.
type serverCase struct {
	path    string
	kind    feeds.EventKind
	errIs   error // for failures: errors.Is target, or nil to check status
	status  int   // for HTTP failures
	says    string
	stories int // stories stored from this feed
	state   func(t *testing.T, st item.FeedState)
}

// TestRefreshServerBehaviours runs one refresh over a feed for each server
// behaviour the fetcher must survive, together with two good feeds, and
// checks for each what the user is told (its event), what is stored (its
// feed state and stories), and that the good feeds are unaffected.
func TestRefreshServerBehaviours(t *testing.T) {
	o := newOutlet(t)
	c := &clock{t: testNow}
	db := openStore(t, c)
	noStories := func(t *testing.T, st item.FeedState) {
		if st.Failures != 1 || st.LastError == "" || !st.LastSuccess.IsZero() {
			t.Errorf("failed feed state: %+v", st)
		}
		// One failure is a blip: tried again at the next refresh.
		if !st.NextTry.IsZero() {
			t.Errorf("first failure backs off until %s", st.NextTry)
		}
	}
	fresh := func(t *testing.T, st item.FeedState) {
		if st.ETag != okETag || st.LastModified != okLastModified || !st.LastSuccess.Equal(testNow) || st.Failures != 0 || st.LastError != "" {
			t.Errorf("fetched feed state: %+v", st)
		}
	}
	cases := []serverCase{
		{path: "/feed/good1/rss", kind: feeds.EventDone, stories: 7, state: fresh},
		{path: "/feed/good2/atom", kind: feeds.EventDone, stories: 2, state: fresh},
		{path: "/moved301", kind: feeds.EventDone, stories: 7, state: func(t *testing.T, st item.FeedState) {
			fresh(t, st)
			if st.MovedTo != o.URL+"/feed/m301/rss" {
				t.Errorf("moved to %q", st.MovedTo)
			}
		}},
		{path: "/moved308", kind: feeds.EventDone, stories: 2, state: func(t *testing.T, st item.FeedState) {
			fresh(t, st)
			if st.MovedTo != o.URL+"/feed/m308/atom" {
				t.Errorf("moved to %q", st.MovedTo)
			}
		}},
		{path: "/temporary", kind: feeds.EventDone, stories: 7, state: func(t *testing.T, st item.FeedState) {
			fresh(t, st)
			if st.MovedTo != "" {
				t.Errorf("a temporary redirect recorded a move to %q", st.MovedTo)
			}
		}},
		{path: "/gone", kind: feeds.EventFailed, status: 410, says: "HTTP 410 Gone", state: func(t *testing.T, st item.FeedState) {
			if !st.Gone || st.Failures != 1 {
				t.Errorf("gone feed state: %+v", st)
			}
		}},
		{path: "/ratelimited", kind: feeds.EventFailed, status: 429, says: "server asks to wait 2h0m0s", state: func(t *testing.T, st item.FeedState) {
			if !st.NextTry.Equal(testNow.Add(2 * time.Hour)) {
				t.Errorf("429 with Retry-After 7200: next try %s, want %s", st.NextTry, testNow.Add(2*time.Hour))
			}
		}},
		{path: "/unavailable", kind: feeds.EventFailed, status: 503, says: "HTTP 503", state: func(t *testing.T, st item.FeedState) {
			if !st.NextTry.Equal(testNow.Add(3 * time.Hour)) {
				t.Errorf("503 with a Retry-After date: next try %s, want %s", st.NextTry, testNow.Add(3*time.Hour))
			}
		}},
		{path: "/unavailable-slow-clock", kind: feeds.EventFailed, status: 503, says: "server asks to wait 10m0s", state: func(t *testing.T, st item.FeedState) {
			if !st.NextTry.Equal(testNow.Add(10 * time.Minute)) {
				t.Errorf("Retry-After date from a slow clock: next try %s, want %s", st.NextTry, testNow.Add(10*time.Minute))
			}
		}},
		{path: "/unconditional-304", kind: feeds.EventFailed, errIs: feeds.ErrBadAnswer, says: "304 Not Modified to a request that named no version", state: noStories},
		{path: "/error500", kind: feeds.EventFailed, status: 500, says: "HTTP 500 Internal Server Error", state: noStories},
		{path: "/slow", kind: feeds.EventFailed, errIs: feeds.ErrTimeout, says: "timed out after 400ms", state: noStories},
		{path: "/slowbody", kind: feeds.EventFailed, errIs: feeds.ErrTimeout, says: "timed out", state: noStories},
		{path: "/loop", kind: feeds.EventFailed, errIs: feeds.ErrTooManyHops, says: "too many redirects", state: noStories},
		{path: "/huge", kind: feeds.EventFailed, errIs: feeds.ErrTooLarge, says: "larger than the size limit (64 KiB", state: noStories},
		{path: "/gzipbomb", kind: feeds.EventFailed, errIs: feeds.ErrTooLarge, says: "after decompression", state: noStories},
		{path: "/page", kind: feeds.EventFailed, errIs: feeds.ErrNotAFeed, says: "is the URL a web page?", state: noStories},
		// A move counts only once the new address serves a feed.
		{path: "/moved-to-page", kind: feeds.EventFailed, errIs: feeds.ErrNotAFeed, says: "is the URL a web page?", state: func(t *testing.T, st item.FeedState) {
			noStories(t, st)
			if st.MovedTo != "" {
				t.Errorf("a move to a web page was kept: %q", st.MovedTo)
			}
		}},
		{path: "/moved-hostile", kind: feeds.EventFailed, errIs: feeds.ErrRedirectBadURL, says: "redirect refused", state: func(t *testing.T, st item.FeedState) {
			noStories(t, st)
			if st.MovedTo != "" || sanitize.HasControl(st.LastError) {
				t.Errorf("hostile redirect: moved to %q, stored error %q", st.MovedTo, st.LastError)
			}
		}},
		{path: "/malformed", kind: feeds.EventFailed, errIs: feeds.ErrMalformed, says: "malformed feed: XML syntax error on line 9", state: func(t *testing.T, st item.FeedState) {
			noStories(t, st)
			if st.ETag != "" || st.LastModified != "" {
				t.Errorf("validators of a body that failed to parse were kept: %+v", st)
			}
		}},
	}
	var subs []feeds.Subscription
	for _, tc := range cases {
		subs = append(subs, feeds.Subscription{URL: o.URL + tc.path})
	}
	sum, rec := refresh(t, db, c, subs, false)

	if sum.Feeds != len(cases) || sum.Fetched != 5 || sum.Failed != len(cases)-5 || sum.NotModified != 0 || sum.Skipped != 0 || sum.New != 7+2+7+2+7 {
		t.Errorf("summary = %+v", sum)
	}
	wantMoved := map[string]string{o.URL + "/moved301": o.URL + "/feed/m301/rss", o.URL + "/moved308": o.URL + "/feed/m308/atom"}
	if fmt.Sprint(sum.Moved) != fmt.Sprint(wantMoved) {
		t.Errorf("moved = %v, want %v", sum.Moved, wantMoved)
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	stories := storedStories(t, db)
	for _, tc := range cases {
		t.Run(strings.Trim(tc.path, "/"), func(t *testing.T) {
			url := o.URL + tc.path
			ev, ok := rec.last[url]
			if !ok {
				t.Fatal("no event")
			}
			if ev.Kind != tc.kind {
				t.Errorf("event %s (%v), want %s", ev.Kind, ev.Err, tc.kind)
			}
			if tc.kind == feeds.EventFailed {
				checkFailure(t, ev.Err, tc)
			}
			if rec.starts[url] != 1 {
				t.Errorf("%d start events", rec.starts[url])
			}
			st, ok := states[url]
			if !ok {
				t.Fatal("no stored feed state")
			}
			if st.URL != url || !st.LastAttempt.Equal(testNow) || st.Origin != url {
				t.Errorf("state URL %q, last attempt %s, origin %q", st.URL, st.LastAttempt, st.Origin)
			}
			if tc.kind == feeds.EventFailed && st.LastError != ev.Err.Error() {
				t.Errorf("stored error %q, told %q", st.LastError, ev.Err)
			}
			tc.state(t, st)
			// Stories of a moved feed belong to its new URL.
			feedURL := firstNonEmpty(ev.MovedTo, url)
			if got := len(stories[feedURL]); got != tc.stories {
				t.Errorf("%d stories stored under %s, want %d", got, feedURL, tc.stories)
			}
			if ev.Kind == feeds.EventDone && (ev.Items != tc.stories || ev.New != tc.stories) {
				t.Errorf("event says %d items, %d new; want %d", ev.Items, ev.New, tc.stories)
			}
		})
	}
}

// A short Retry-After is the least wait the server asks for: it does not
// cut short the backoff that repeated failures have earned.
func TestRetryAfterNeverShortensBackoff(t *testing.T) {
	o := newOutlet(t)
	c := &clock{t: testNow}
	db := openStore(t, c)
	url := o.URL + "/unavailable-briefly"
	for _, tc := range []struct {
		failures int
		wait     time.Duration
	}{{1, time.Second}, {2, 15 * time.Minute}, {3, 30 * time.Minute}, {4, time.Hour}} {
		sum, _ := refresh(t, db, c, []feeds.Subscription{{URL: url}}, true)
		states, err := db.FeedStates()
		if err != nil {
			t.Fatal(err)
		}
		st := states[url]
		if sum.Failed != 1 || st.Failures != tc.failures || !st.NextTry.Equal(c.now().Add(tc.wait)) {
			t.Errorf("after %d failures: %d stored, next try in %s; want in %s", tc.failures, st.Failures, st.NextTry.Sub(c.now()), tc.wait)
		}
		c.advance(time.Minute)
	}
}

func checkFailure(t *testing.T, err error, tc serverCase) {
	t.Helper()
	if err == nil {
		t.Fatal("failure without an error")
	}
	if tc.errIs != nil && !errors.Is(err, tc.errIs) {
		t.Errorf("error %v, want %v", err, tc.errIs)
	}
	if tc.status != 0 {
		var he *feeds.HTTPError
		if !errors.As(err, &he) || he.Status != tc.status {
			t.Errorf("error %v, want HTTP %d", err, tc.status)
		}
	}
	if !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "\n") || sanitize.HasControl(err.Error()) {
		t.Errorf("error %q should say %q in one clean line", err, tc.says)
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestRefreshAgain follows the same feeds through later refreshes:
// unchanged feeds cost a 304, changed ones are refetched, repeated
// failures back off with a visible next try, Retry-After is honoured, a
// gone feed is never fetched again, and --force overrides the waiting.
func TestRefreshAgain(t *testing.T) {
	o := newOutlet(t)
	c := &clock{t: testNow}
	db := openStore(t, c)
	paths := []string{"/feed/a/rss", "/feed/b/atom", "/lastmodified", "/error500", "/ratelimited", "/gone"}
	var subs []feeds.Subscription
	for _, p := range paths {
		subs = append(subs, feeds.Subscription{URL: o.URL + p})
	}
	url := func(p string) string { return o.URL + p }
	refresh(t, db, c, subs, false)
	before := storedStories(t, db)

	// Ten minutes later: the unchanged feeds answer 304 and nothing new
	// is stored; the 500 fails again and now backs off; the rate-limited
	// and gone feeds are not asked at all.
	c.advance(10 * time.Minute)
	sum, rec := refresh(t, db, c, subs, false)
	if sum.NotModified != 3 || sum.Fetched != 0 || sum.Failed != 1 || sum.Skipped != 2 || sum.New != 0 {
		t.Errorf("second refresh summary = %+v", sum)
	}
	for _, p := range []string{"/feed/a/rss", "/feed/b/atom", "/lastmodified"} {
		if ev := rec.last[url(p)]; ev.Kind != feeds.EventNotModified {
			t.Errorf("%s: %s, want not modified", p, ev.Kind)
		}
	}
	if n := o.count("/ratelimited"); n != 1 {
		t.Errorf("rate-limited feed asked %d times; Retry-After said wait 2h", n)
	}
	if n := o.count("/gone"); n != 1 {
		t.Errorf("gone feed asked %d times", n)
	}
	if ev := rec.last[url("/gone")]; ev.Kind != feeds.EventSkipped || !errors.Is(ev.Err, feeds.ErrGone) {
		t.Errorf("gone feed event: %s %v", ev.Kind, ev.Err)
	}
	ev := rec.last[url("/ratelimited")]
	if ev.Kind != feeds.EventSkipped || !errors.Is(ev.Err, feeds.ErrBackingOff) || !ev.NextTry.Equal(testNow.Add(2*time.Hour)) {
		t.Errorf("rate-limited feed event: %s %v next try %s", ev.Kind, ev.Err, ev.NextTry)
	}
	ev = rec.last[url("/error500")]
	wantNext := c.now().Add(15 * time.Minute)
	if ev.Kind != feeds.EventFailed || ev.Failures != 2 || !ev.NextTry.Equal(wantNext) {
		t.Errorf("second 500: %s, %d failures, next try %s; want failed, 2, %s", ev.Kind, ev.Failures, ev.NextTry, wantNext)
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if st := states[url("/error500")]; st.Failures != 2 || !st.NextTry.Equal(wantNext) {
		t.Errorf("stored 500 state: %+v", st)
	}
	if st := states[url("/feed/a/rss")]; !st.LastSuccess.Equal(c.now()) || st.ETag != okETag {
		t.Errorf("304 feed state: %+v", st)
	}
	after := storedStories(t, db)
	if len(after[url("/feed/a/rss")]) != len(before[url("/feed/a/rss")]) {
		t.Errorf("a 304 changed the stored stories")
	}

	// Before the next try the 500 is skipped too; with force everything
	// but nothing is skipped, the gone feed included.
	c.advance(5 * time.Minute)
	sum, _ = refresh(t, db, c, subs, false)
	if sum.Skipped != 3 {
		t.Errorf("third refresh skipped %d, want 3 (500 backing off, 429, 410): %+v", sum.Skipped, sum)
	}
	sum, _ = refresh(t, db, c, subs, true)
	if sum.Skipped != 0 || o.count("/gone") != 2 || o.count("/ratelimited") != 2 {
		t.Errorf("forced refresh: %+v; gone asked %d, rate-limited %d", sum, o.count("/gone"), o.count("/ratelimited"))
	}

	// The outlet publishes: new validators, the changed stories updated.
	o.change()
	sum, _ = refresh(t, db, c, subs[:1], false)
	if sum.Fetched != 1 || sum.New != 0 {
		t.Errorf("changed feed: %+v", sum)
	}
	states, err = db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if st := states[url("/feed/a/rss")]; st.ETag != `"v2"` {
		t.Errorf("validators after a change: %+v", st)
	}
	titles := map[string]bool{}
	for _, s := range storedStories(t, db)[url("/feed/a/rss")] {
		titles[s.Title] = true
	}
	if !titles["Updated: Forum will charge for API access"] {
		t.Errorf("changed story not updated: %v", titles)
	}
}

// TestRefreshFollowsMove: after a permanent redirect the subscription is
// renamed; the next refresh of the new URL is conditional (the validators
// moved with the feed) and its stories keep their IDs, so nothing
// duplicates, even for GUIDs that are not URLs.
func TestRefreshFollowsMove(t *testing.T) {
	o := newOutlet(t)
	c := &clock{t: testNow}
	db := openStore(t, c)
	list, err := feeds.LoadSubscriptions(filepath.Join(t.TempDir(), "feeds.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := list.Add(feeds.Subscription{URL: o.URL + "/moved301", Title: "Mover", Tags: []string{"kept"}}); err != nil {
		t.Fatal(err)
	}
	sum, _ := refresh(t, db, c, list.Feeds(), false)
	moves, err := list.ApplyMoves(sum.Moved)
	if err != nil || len(moves) != 1 {
		t.Fatalf("moves %+v, %v", moves, err)
	}
	newURL := o.URL + "/feed/m301/rss"
	if got := list.Feeds(); len(got) != 1 || got[0].URL != newURL || got[0].Title != "Mover" || got[0].Tags[0] != "kept" {
		t.Fatalf("subscriptions after the move: %+v", got)
	}
	idsBefore := map[string]bool{}
	for _, s := range storedStories(t, db)[newURL] {
		idsBefore[s.ID] = true
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if st := states[newURL]; st.Origin != o.URL+"/moved301" || st.ETag != okETag {
		t.Errorf("state at the new URL: %+v", st)
	}

	c.advance(time.Hour)
	sum, _ = refresh(t, db, c, list.Feeds(), false)
	if sum.NotModified != 1 || o.count("/moved301") != 1 {
		t.Errorf("refresh at the new URL: %+v; old URL asked %d times", sum, o.count("/moved301"))
	}
	// Force a full download at the new URL: same IDs, nothing new.
	o.change()
	sum, _ = refresh(t, db, c, list.Feeds(), false)
	if sum.Fetched != 1 || sum.New != 0 {
		t.Errorf("full refetch after the move: %+v", sum)
	}
	for _, s := range storedStories(t, db)[newURL] {
		if !idsBefore[s.ID] {
			t.Errorf("story %q got a new ID %s after the move", s.Title, s.ID)
		}
	}
}

// TestRefreshPerHostLimit: no host ever sees more requests at once than
// the per-host limit, and the global limit bounds them all together.
func TestRefreshPerHostLimit(t *testing.T) {
	var (
		mu             sync.Mutex
		inflight, peak = map[string]int{}, map[string]int{}
		total, peakAll int
	)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		mu.Lock()
		inflight[host]++
		total++
		peak[host] = max(peak[host], inflight[host])
		peakAll = max(peakAll, total)
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inflight[host]--
		total--
		mu.Unlock()
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>%s</title><item><title>x</title><link>https://%s.example%s</link></item></channel></rss>`, host, host, r.URL.Path)
	})}
	var subs []feeds.Subscription
	for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		for i := range 8 {
			subs = append(subs, feeds.Subscription{URL: fmt.Sprintf("http://%s/feed/%d", ln.Addr(), i)})
		}
	}
	t.Cleanup(func() { srv.Close() })
	c := &clock{t: testNow}
	db := openStore(t, c)
	r := feeds.NewRefresher(db, nil, feeds.RefreshOptions{Concurrency: 5, PerHost: 2, Now: c.now})
	sum, err := r.Refresh(context.Background(), subs)
	if err != nil || sum.Fetched != len(subs) {
		t.Fatalf("refresh: %+v, %v", sum, err)
	}
	for host, n := range peak {
		if n > 2 {
			t.Errorf("host %s saw %d requests at once; the limit is 2", host, n)
		}
	}
	if peakAll > 5 {
		t.Errorf("%d requests at once; the global limit is 5", peakAll)
	}
}

// TestRefreshCancelled: a refresh cut short reports the cancellation but
// does not count it against the feeds.
func TestRefreshCancelled(t *testing.T) {
	o := newOutlet(t)
	c := &clock{t: testNow}
	db := openStore(t, c)
	subs := []feeds.Subscription{{URL: o.URL + "/slow"}, {URL: o.URL + "/feed/a/rss"}}
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder()
	r := feeds.NewRefresher(db, nil, feeds.RefreshOptions{
		Now: c.now,
		Progress: func(ev feeds.Event) {
			rec.event(ev)
			if ev.Kind == feeds.EventDone {
				cancel() // the good feed is in; stop the slow one
			}
		},
	})
	sum, err := r.Refresh(ctx, subs)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("refresh error %v, want context.Canceled", err)
	}
	if sum.Fetched != 1 || sum.Failed != 0 || sum.Cancelled != 1 {
		t.Errorf("summary = %+v, want the slow feed counted as cancelled, not failed", sum)
	}
	if ev := rec.last[o.URL+"/slow"]; ev.Kind != feeds.EventFailed || !errors.Is(ev.Err, context.Canceled) {
		t.Errorf("slow feed event: %s %v", ev.Kind, ev.Err)
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := states[o.URL+"/slow"]; ok && st.Failures != 0 {
		t.Errorf("a cancelled fetch was stored as a failure: %+v", st)
	}
}

// A refresh of feeds with every kind of outcome stores one state per feed
// and one per move, and counts them in its summary.
func TestRefreshMixedOutcomes(t *testing.T) {
	o := newOutlet(t)
	paths := []string{"/feed/a/rss", "/feed/b/atom", "/moved301", "/moved308", "/error500", "/malformed"}
	subs := make([]feeds.Subscription, len(paths))
	for i, p := range paths {
		subs[i] = feeds.Subscription{URL: o.URL + p}
	}
	c := &clock{t: testNow}
	db := openStore(t, c)
	r := feeds.NewRefresher(db, nil, feeds.RefreshOptions{
		Fetch: feeds.FetchOptions{Timeout: testTimeout, MaxBytes: testMaxBytes},
		Now:   c.now,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang, not a speed limit
	defer cancel()
	sum, err := r.Refresh(ctx, subs)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if sum.Fetched != 4 || sum.Failed != 2 || sum.New == 0 || len(sum.Moved) != 2 {
		t.Errorf("summary %+v, want 4 fetched (2 moved), 2 failed and new stories", sum)
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != len(paths)+2 {
		t.Errorf("feed states %+v; want one per feed and per move", states)
	}
}

// fullCache is a cache that reads but cannot take a write, as on a full
// disk.
type fullCache struct{ *store.DB }

func (fullCache) SavePrepared([]any) ([]int, error) {
	return nil, errors.New("no space left on device")
}

// A refresh the cache cannot take moves nothing: the new URL's state was
// never stored, so following the move would lose it.
func TestRefreshStoreFailureMovesNothing(t *testing.T) {
	o := newOutlet(t)
	c := &clock{t: testNow}
	db := openStore(t, c)
	rec := newRecorder()
	r := feeds.NewRefresher(fullCache{db}, nil, feeds.RefreshOptions{Now: c.now, Progress: rec.event})
	sum, err := r.Refresh(context.Background(), []feeds.Subscription{{URL: o.URL + "/moved301"}})
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("refresh error %v", err)
	}
	if len(sum.Moved) != 0 || sum.Failed != 1 {
		t.Errorf("summary %+v, want one failure and no move", sum)
	}
	if ev := rec.last[o.URL+"/moved301"]; ev.Kind != feeds.EventFailed || ev.MovedTo != "" || !errors.Is(ev.Err, feeds.ErrStore) {
		t.Errorf("event %s, moved to %q, error %v", ev.Kind, ev.MovedTo, ev.Err)
	}
}

// cancellingTagger tags every story, and cancels the refresh when it
// reaches the story numbered stopAt.
type cancellingTagger struct {
	n, stopAt int
	cancel    func()
}

func (ct *cancellingTagger) Tag(it *item.Item) {
	ct.n++
	if ct.n == ct.stopAt {
		ct.cancel()
	}
	it.Tags = append(it.Tags, item.Tag{Name: "beat", Score: 1})
}

// Ctrl-C while a feed's stories are being tagged stores none of them: the
// untagged copies would replace tagged ones for good.
func TestRefreshCancelledWhileTaggingKeepsTags(t *testing.T) {
	body := readTestdata(t, "rss20.xml")
	// No validators: every refresh parses and tags the feed again.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	t.Cleanup(srv.Close)
	c := &clock{t: testNow}
	db := openStore(t, c)
	subs := []feeds.Subscription{{URL: srv.URL + "/rss"}}
	refreshWith := func(tagger feeds.Tagger, ctx context.Context) (feeds.Summary, error) {
		return feeds.NewRefresher(db, tagger, feeds.RefreshOptions{Now: c.now}).Refresh(ctx, subs)
	}
	if sum, err := refreshWith(&cancellingTagger{}, context.Background()); err != nil || sum.Fetched != 1 {
		t.Fatalf("first refresh: %+v, %v", sum, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := refreshWith(&cancellingTagger{stopAt: 2, cancel: cancel}, ctx)
	if !errors.Is(err, context.Canceled) || sum.Cancelled != 1 || sum.Fetched != 0 {
		t.Errorf("refresh cancelled while tagging: %+v, %v", sum, err)
	}
	stories := storedStories(t, db)[srv.URL+"/rss"]
	if len(stories) == 0 {
		t.Fatal("no stories stored")
	}
	for _, s := range stories {
		if !s.HasTag("beat") {
			t.Errorf("%q lost its tag: %v", s.Title, s.TagNames())
		}
	}
}

// A feed that moves to a URL once followed and dropped (there it was gone)
// takes its own state there: the renamed subscription is fetched, not
// skipped as gone.
func TestRefreshMoveReplacesStaleState(t *testing.T) {
	body := readTestdata(t, "rss20.xml")
	b410, comeBack := switchable(
		func(w http.ResponseWriter, r *http.Request) { http.Error(w, "retired", http.StatusGone) },
		func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	mux := http.NewServeMux()
	mux.Handle("/b", b410)
	mux.Handle("/a", http.RedirectHandler("/b", http.StatusMovedPermanently))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &clock{t: testNow}
	db := openStore(t, c)
	a, b := feeds.Subscription{URL: srv.URL + "/a"}, feeds.Subscription{URL: srv.URL + "/b"}

	if sum, _ := refresh(t, db, c, []feeds.Subscription{b}, false); sum.Failed != 1 {
		t.Fatalf("B while retired: %+v", sum)
	}
	comeBack() // B is back, and A now points to it
	if sum, _ := refresh(t, db, c, []feeds.Subscription{a}, false); sum.Fetched != 1 || sum.Moved[a.URL] != b.URL {
		t.Fatalf("A moving to B: %+v", sum)
	}
	// The subscription is now B.
	c.advance(time.Hour)
	sum, rec := refresh(t, db, c, []feeds.Subscription{b}, false)
	if ev := rec.last[b.URL]; sum.Skipped != 0 || (ev.Kind != feeds.EventDone && ev.Kind != feeds.EventNotModified) {
		t.Errorf("B after the move: %+v, event %s %v", sum, ev.Kind, ev.Err)
	}
}

// Validators go only to the address that gave them: a feed behind a
// temporary redirect costs a 304 from its target, and once the redirect
// ends the feed's own server, asked unconditionally, sends its stories
// instead of comparing the target's date with its own older one.
func TestValidatorsStayWithTheirServer(t *testing.T) {
	own := readTestdata(t, "rss20.xml")
	mirror := []byte(`<rss version="2.0"><channel><title>Mirror</title><item><title>Mirrored</title><link>https://mirror.example/1</link></item></channel></rss>`)
	var mu sync.Mutex
	asked := map[string][]string{} // path -> If-Modified-Since of each request
	record := func(h http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			asked[r.URL.Path] = append(asked[r.URL.Path], r.Header.Get("If-Modified-Since"))
			mu.Unlock()
			h.ServeHTTP(w, r)
		}
	}
	serve := func(body []byte, modified time.Time) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.After(since) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
			w.Write(body)
		}
	}
	ownFeed := serve(own, testNow.Add(-3*time.Hour))
	mirrorFeed := serve(mirror, testNow.Add(-2*time.Hour)) // newer than the feed's own
	aFeed, endRedirect := switchable(
		func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) },
		ownFeed)
	mux := http.NewServeMux()
	mux.HandleFunc("/a", record(aFeed))
	mux.HandleFunc("/b", record(mirrorFeed))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &clock{t: testNow}
	db := openStore(t, c)
	subs := []feeds.Subscription{{URL: srv.URL + "/a"}}

	if sum, _ := refresh(t, db, c, subs, false); sum.Fetched != 1 || sum.New != 1 {
		t.Fatalf("first refresh, through the redirect: %+v", sum)
	}
	if sum, _ := refresh(t, db, c, subs, false); sum.NotModified != 1 {
		t.Errorf("second refresh, still redirected: %+v, want a 304 from the target", sum)
	}
	endRedirect()
	if sum, _ := refresh(t, db, c, subs, false); sum.Fetched != 1 || sum.New == 0 {
		t.Errorf("after the redirect ended: %+v, want the feed's own stories", sum)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(asked["/a"], []string{"", "", ""}) {
		t.Errorf("the feed's own server was sent the target's validators: %q", asked["/a"])
	}
	if len(asked["/b"]) != 2 || asked["/b"][1] == "" {
		t.Errorf("the target was asked %q, want its own date the second time", asked["/b"])
	}
}

// Feeds on many hosts that all redirect to one server (a feed proxy) keep
// to the per-host limit at that server too.
func TestRefreshPerHostLimitFollowsRedirects(t *testing.T) {
	body := readTestdata(t, "rss20.xml")
	var mu sync.Mutex
	inFlight, peak := 0, 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(30 * time.Millisecond) // long enough for the others to pile up
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.Write(body)
	}))
	t.Cleanup(target.Close)
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusFound)
	})}
	t.Cleanup(func() { proxy.Close() })
	var subs []feeds.Subscription
	for i := range 8 {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+2))
		if err != nil {
			t.Fatalf("listen on a second loopback address (Linux routes 127/8 to lo): %v", err)
		}
		go proxy.Serve(ln)
		subs = append(subs, feeds.Subscription{URL: fmt.Sprintf("http://%s/feed/%d", ln.Addr(), i)})
	}
	c := &clock{t: testNow}
	db := openStore(t, c)
	r := feeds.NewRefresher(db, nil, feeds.RefreshOptions{PerHost: 2, Now: c.now})
	sum, err := r.Refresh(context.Background(), subs)
	if err != nil || sum.Fetched != 8 {
		t.Fatalf("refresh: %+v, %v", sum, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if peak > 2 {
		t.Errorf("the redirect target saw %d requests at once; the limit is 2", peak)
	}
}

// A feed that moves keeps owning the stories it brought before the move:
// its corrections to them are taken, and they count under its new URL
// only.
func TestRefreshMoveKeepsOwnership(t *testing.T) {
	doc := func(title string) []byte {
		return []byte(`<rss version="2.0"><channel><title>Desk</title>
<item><title>` + title + `</title><guid isPermaLink="false">g1</guid></item>
<item><title>Second</title><guid isPermaLink="false">g2</guid></item></channel></rss>`)
	}
	a, b, move := movingFeed(t, doc("Frist story"), doc("First story"))
	c := &clock{t: testNow}
	db := openStore(t, c)
	if sum, _ := refresh(t, db, c, []feeds.Subscription{{URL: a}}, false); sum.New != 2 {
		t.Fatalf("first refresh: %+v", sum)
	}
	move()
	if sum, _ := refresh(t, db, c, []feeds.Subscription{{URL: a}}, false); sum.Moved[a] != b || sum.New != 0 {
		t.Fatalf("refresh that moves: %+v", sum)
	}
	stories := storedStories(t, db)
	if len(stories[a]) != 0 || len(stories[b]) != 2 {
		t.Fatalf("stories by feed after the move: %d under the old URL, %d under the new", len(stories[a]), len(stories[b]))
	}
	for _, s := range stories[b] {
		if s.Title == "Frist story" {
			t.Errorf("the moved feed's correction was not taken: %q", s.Title)
		}
		if len(s.Feeds) != 1 || s.Feeds[0] != b {
			t.Errorf("%q is carried by %v, want only %s", s.Title, s.Feeds, b)
		}
	}
	checkMoved(t, db, a, b, 2)
}

// movingFeed serves aDoc at a until move is called, and from then on a
// 301 from a to b, which serves bDoc.
func movingFeed(t *testing.T, aDoc, bDoc []byte) (a, b string, move func()) {
	t.Helper()
	a301, move := switchable(
		func(w http.ResponseWriter, r *http.Request) { w.Write(aDoc) },
		func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusMovedPermanently) })
	mux := http.NewServeMux()
	mux.Handle("/a", a301)
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { w.Write(bDoc) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/a", srv.URL + "/b", move
}

// checkMoved checks that the n stories of a feed that moved from one URL
// to another count under the new one only, and that the cache is sound.
func checkMoved(t *testing.T, db *store.DB, from, to string, n int) {
	t.Helper()
	for url, want := range map[string]int{from: 0, to: n} {
		if got, err := db.Count(store.FeedView(url)); err != nil || got != want {
			t.Errorf("count for %s: %d, %v; want %d", url, got, err, want)
		}
	}
	if err := db.Check(); err != nil {
		t.Errorf("db check after the move: %v", err)
	}
}

// A story the user dismissed before its feed moved moves too: brought
// back later, it is in the new URL's view, not the old one's.
func TestRefreshMoveTakesDismissedStories(t *testing.T) {
	doc := []byte(`<rss version="2.0"><channel><title>Desk</title>
<item><title>Kept</title><guid isPermaLink="false">k</guid></item>
<item><title>Dismissed</title><guid isPermaLink="false">d</guid></item></channel></rss>`)
	a, b, move := movingFeed(t, doc, doc)
	c := &clock{t: testNow}
	db := openStore(t, c)
	refresh(t, db, c, []feeds.Subscription{{URL: a}}, false)
	var dismissed string
	for _, s := range storedStories(t, db)[a] {
		if s.Title == "Dismissed" {
			dismissed = s.ID
		}
	}
	if dismissed == "" {
		t.Fatal("no story to dismiss")
	}
	if err := db.SetDismissed(dismissed, true); err != nil {
		t.Fatal(err)
	}
	move()
	if sum, _ := refresh(t, db, c, []feeds.Subscription{{URL: a}}, false); sum.Moved[a] != b {
		t.Fatalf("refresh that moves: %+v", sum)
	}
	if err := db.SetDismissed(dismissed, false); err != nil {
		t.Fatal(err)
	}
	checkMoved(t, db, a, b, 2) // with the story brought back
}
