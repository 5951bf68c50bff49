package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

// Sink keeps what a refresh produces. The store implements it. Saving is
// in two steps so that a refresh can do part of it (hashing and encoding
// the stories) on its parsing goroutines and drop the parsed stories: the
// one writer, which sets the pace of a large refresh, then only stores,
// and the stories waiting for it take less memory.
type Sink interface {
	// FeedStates returns the remembered state of every feed, by URL.
	FeedStates() (map[string]item.FeedState, error)
	// PrepareFetched readies f for SavePrepared. It may run on several
	// goroutines at once and beside SavePrepared; f's items are not used
	// once it returns.
	PrepareFetched(f item.Fetched) any
	// SavePrepared stores prepared outcomes in one transaction and
	// returns how many stories of each were new.
	SavePrepared(batch []any) ([]int, error)
}

// Tagger classifies an item in place (sets Tags and RulesVer).
type Tagger interface {
	Tag(it *item.Item)
}

// EventKind says what happened to a feed during a refresh.
type EventKind int

// Progress events, in the order a feed goes through them.
const (
	EventStarted     EventKind = iota // fetch began
	EventDone                         // fetched, parsed and stored
	EventNotModified                  // the server answered 304
	EventFailed                       // fetch or parse failed; Err says why
	EventSkipped                      // not fetched: gone, or backing off until NextTry
)

func (k EventKind) String() string {
	switch k {
	case EventStarted:
		return "started"
	case EventDone:
		return "done"
	case EventNotModified:
		return "not modified"
	case EventFailed:
		return "failed"
	case EventSkipped:
		return "skipped"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// ErrStore marks a failed feed whose stories the cache could not take (or
// that a failing cache stopped); Refresh's own error says why, once.
var ErrStore = errors.New("store")

// Reasons a feed is skipped, in EventSkipped's Err.
var (
	ErrGone       = errors.New("gone: the server said the feed was removed (HTTP 410), so trawl no longer fetches it")
	ErrBackingOff = errors.New("backing off")
)

// Event reports progress on one feed.
type Event struct {
	Kind    EventKind
	Feed    string // subscription URL
	Title   string // display name
	Items   int    // stories in the feed (EventDone)
	New     int    // stories new to the cache (EventDone)
	Dropped int    // entries beyond the per-feed item limit (EventDone)
	Expired int    // entries older than RefreshOptions.MaxAge, left out (EventDone)
	Err     error  // EventFailed; for EventSkipped, why (ErrGone or ErrBackingOff)
	MovedTo string // the feed moved permanently (301/308) to this URL
	// NextTry is when the feed will be fetched again after a failure or a
	// skip; zero means the next refresh.
	NextTry  time.Time
	Failures int // consecutive failures, this one included (EventFailed, EventSkipped)
	Done     int // feeds finished so far, this one included (not for EventStarted)
	Total    int // feeds in this refresh
}

// Summary totals a refresh.
type Summary struct {
	Feeds       int
	Fetched     int
	NotModified int
	Failed      int
	Skipped     int
	// Cancelled counts the feeds the caller's cancellation stopped (its
	// context done, as by Ctrl-C); they are not Failed.
	Cancelled int
	New       int
	Moved     map[string]string // old URL -> new URL
}

// maxBodies bounds the feed bodies a refresh downloads or holds unparsed
// at once: enough to keep the cores busy and the downloads going, few
// enough that a refresh of many large feeds stays small in memory.
const maxBodies = 16

// Collector settings for a process whose work is a refresh, as 'trawl
// fetch' sets them for its duration. A refresh allocates at a high rate
// while keeping little live: parsed stories wait for the writer only
// briefly. With the collector's default (a cycle each time the heap
// doubles) a 200-feed refresh collects about thirty times, a tenth of its
// CPU. Letting the heap grow to five times what is live makes that a
// handful, and the limit keeps memory bounded where a large refresh keeps
// more live: the collector then runs as often as the default would at
// about 100 MB live. A long-lived program (the reader) keeps its own.
const (
	RefreshGCPercent   = 400
	RefreshMemoryLimit = 192 << 20
)

// Defaults for RefreshOptions.
const (
	// DefaultConcurrency bounds requests in flight. Fetching is waiting on
	// the network, so it is high; politeness is the per-host limit's job,
	// and CPU work is bounded separately by the number of cores.
	DefaultConcurrency = 100
	// DefaultPerHost bounds requests in flight to one host, as browsers do.
	DefaultPerHost = 4
)

// RefreshOptions configure Refresh. Zero fields take defaults.
type RefreshOptions struct {
	Concurrency int  // feeds fetched at once; DefaultConcurrency
	PerHost     int  // feeds fetched at once from one host; DefaultPerHost
	Force       bool // also fetch feeds that are backing off or gone
	Fetch       FetchOptions
	MaxItems    int
	// MaxAge, when positive, leaves out stories published longer ago than
	// this: retention would prune them right after, and a feed that keeps
	// old entries would bring them back as "new" on every refresh.
	MaxAge time.Duration
	Now    func() time.Time
	// Progress receives every event, from the refresh's goroutines one at
	// a time. It must not block for long.
	Progress func(Event)
}

// Refresher runs refreshes with one connection pool and parser.
type Refresher struct {
	opts    RefreshOptions
	fetcher *Fetcher
	parser  *Parser
	sink    Sink
	tagger  Tagger
}

// NewRefresher wires a refresher to where stories go. tagger may be nil.
func NewRefresher(sink Sink, tagger Tagger, opts RefreshOptions) *Refresher {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.PerHost <= 0 {
		opts.PerHost = DefaultPerHost
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// One per-host limit: the fetcher's holds redirects to it as well.
	opts.Fetch.PerHost = opts.PerHost
	return &Refresher{
		opts:    opts,
		fetcher: NewFetcher(opts.Fetch),
		parser:  NewParser(opts.MaxItems),
		sink:    sink,
		tagger:  tagger,
	}
}

// outcome is one feed's result on its way to the writer.
type outcome struct {
	// prepared holds the feed's new state and stories as the sink
	// prepared them; a feed that moved has a second entry, its state
	// under the new URL.
	prepared []any
	stories  int // in prepared[0], counted against the pending budget
	ev       Event
}

// Refresh fetches every subscription, bounded by the global and per-host
// limits, and stores the results. One feed's failure never stops the
// others; it is reported in its event and stored in its feed state. The
// returned error is only for failures of the refresh itself (the cache)
// or its cancellation.
func (r *Refresher) Refresh(ctx context.Context, subs []Subscription) (Summary, error) {
	defer r.fetcher.CloseIdle()
	states, err := r.sink.FeedStates()
	if err != nil {
		return Summary{Feeds: len(subs)}, fmt.Errorf("read feed states: %w", err)
	}
	// A cache that cannot take the results (full, damaged) stops the
	// whole refresh: fetching more would only be thrown away.
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	run := r.newRun(runCtx, subs)
	writeErr := make(chan error, 1)
	go func() { writeErr <- r.write(run.results, run.pending, run.finish, stop) }()
	var wg sync.WaitGroup
	for _, sub := range subs {
		st, ok := states[sub.URL]
		if !ok {
			st = item.FeedState{URL: sub.URL}
		}
		title := firstNonEmpty(sub.Title, st.Title)
		if ev, skip := r.skip(sub, st, title); skip {
			run.finish(ev)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.feed(sub, st, title)
		}()
	}
	wg.Wait()
	close(run.results)
	if err := <-writeErr; err != nil {
		return run.sum, fmt.Errorf("save refresh: %w", err)
	}
	return run.sum, ctx.Err()
}

// run is one refresh in progress: its limits, its queue to the writer and
// its running totals.
type run struct {
	r          *Refresher
	ctx        context.Context
	subscribed map[string]bool
	total      int

	hosts *hostLimiter
	// Requests in flight; most of their time is waiting on the network.
	fetchSlots chan struct{}
	// Bodies being downloaded or waiting to be parsed. Answers without a
	// body (304s, errors) need none, so the many requests in flight hide
	// the network's latency while only this many feeds sit in memory.
	bodySlots chan struct{}
	// Parsing, tagging and sanitising are CPU work: more of it at once
	// than there are cores only adds memory.
	cpuSlots chan struct{}
	pending  *itemBudget
	results  chan outcome

	mu   sync.Mutex // guards sum, done and calls to Progress
	sum  Summary
	done int
}

func (r *Refresher) newRun(ctx context.Context, subs []Subscription) *run {
	subscribed := make(map[string]bool, len(subs))
	for _, s := range subs {
		subscribed[s.URL] = true
	}
	return &run{
		r: r, ctx: ctx, subscribed: subscribed, total: len(subs),
		hosts:      newHostLimiter(r.opts.PerHost),
		fetchSlots: make(chan struct{}, r.opts.Concurrency),
		bodySlots:  make(chan struct{}, maxBodies),
		cpuSlots:   make(chan struct{}, runtime.GOMAXPROCS(0)),
		pending:    newItemBudget(maxPendingItems),
		results:    make(chan outcome, len(subs)),
		sum:        Summary{Feeds: len(subs), Moved: map[string]string{}},
	}
}

func (rn *run) progress(ev Event) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.report(ev)
}

// report hands ev to the caller's Progress; rn.mu must be held, so that
// events arrive one at a time.
func (rn *run) report(ev Event) {
	if rn.r.opts.Progress != nil {
		rn.r.opts.Progress(ev)
	}
}

// finish counts a feed's final event and reports it.
func (rn *run) finish(ev Event) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.done++
	ev.Done, ev.Total = rn.done, rn.total
	switch ev.Kind {
	case EventDone:
		rn.sum.Fetched++
		rn.sum.New += ev.New
	case EventNotModified:
		rn.sum.NotModified++
	case EventFailed:
		if errors.Is(ev.Err, context.Canceled) {
			rn.sum.Cancelled++
		} else {
			rn.sum.Failed++
		}
	case EventSkipped:
		rn.sum.Skipped++
	}
	if ev.MovedTo != "" {
		rn.sum.Moved[ev.Feed] = ev.MovedTo
	}
	rn.report(ev)
}

// feed takes one feed through the limits, the fetch and the parse, and
// queues its outcome for the writer.
func (rn *run) feed(sub Subscription, st item.FeedState, title string) {
	ctx := rn.ctx
	// The cause, not ctx.Err(): a refresh stopped by a failing cache
	// says so (ErrStore) rather than "context canceled".
	cancelled := func() {
		rn.finish(Event{Kind: EventFailed, Feed: sub.URL, Title: title, Err: fmt.Errorf("cancelled: %w", context.Cause(ctx))})
	}
	// The host slot first: a feed waiting for its busy host must not hold
	// one of the global slots other hosts could use.
	host := hostOf(sub.URL)
	if err := rn.hosts.acquire(ctx, host); err != nil {
		cancelled()
		return
	}
	select {
	case rn.fetchSlots <- struct{}{}:
	case <-ctx.Done():
		rn.hosts.release(host)
		cancelled()
		return
	}
	rn.progress(Event{Kind: EventStarted, Feed: sub.URL, Title: title, Total: rn.total})
	now := rn.r.opts.Now()
	holdsBody := false
	req := Request{URL: sub.URL, ETag: st.ETag, LastModified: st.LastModified, ValidatorsFrom: st.ValidatorsFrom,
		BeforeBody: func(ctx context.Context) error {
			select {
			case rn.bodySlots <- struct{}{}:
				holdsBody = true
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}}
	resp, err := rn.r.fetcher.Fetch(ctx, req, now)
	rn.hosts.release(host)
	<-rn.fetchSlots
	rn.cpuSlots <- struct{}{}
	fetched, ev := rn.r.process(ctx, sub, st, title, resp, err, now)
	if holdsBody {
		<-rn.bodySlots
	}
	sink := rn.r.sink
	out := outcome{prepared: []any{sink.PrepareFetched(fetched)}, stories: len(fetched.Items), ev: ev}
	// The subscription moves to a URL nobody follows: it takes its state
	// there, replacing any left from an old subscription to that URL (a
	// feed once gone, or backing off, would otherwise be skipped there).
	if to := ev.MovedTo; to != "" && !rn.subscribed[to] {
		out.prepared = append(out.prepared, sink.PrepareFetched(movedState(fetched.State)))
	}
	// Wait for room in the write queue while still holding the core, so
	// that when the cache is the bottleneck parsing stops instead of
	// piling up parsed stories in memory.
	rn.pending.acquire(out.stories)
	<-rn.cpuSlots
	if ctx.Err() != nil && out.ev.Kind == EventFailed {
		// A cancelled refresh is not the feed's fault: report it, but
		// leave its state (and backoff) as it was.
		rn.pending.release(out.stories)
		cancelled()
		return
	}
	rn.results <- out
}

// skip decides whether a feed is left out of this refresh.
func (r *Refresher) skip(sub Subscription, st item.FeedState, title string) (Event, bool) {
	ev := Event{Kind: EventSkipped, Feed: sub.URL, Title: title, Failures: st.Failures}
	if r.opts.Force {
		return ev, false
	}
	if st.Gone {
		ev.Err = ErrGone
		return ev, true
	}
	if st.NextTry.After(r.opts.Now()) {
		ev.Err = fmt.Errorf("%w after %s: %s", ErrBackingOff, failures(st.Failures), st.LastError)
		ev.NextTry = st.NextTry
		return ev, true
	}
	return ev, false
}

func failures(n int) string {
	if n == 1 {
		return "1 failure"
	}
	return fmt.Sprintf("%d failures", n)
}

// Commit batching: the writer gathers finished feeds for up to
// commitWindow, or until a batch holds maxBatchItems stories, before one
// transaction stores them all. Each commit costs an fsync and rewrites
// every page its stories land on; story IDs are random, so once the cache
// holds tens of thousands of stories a commit rewrites most of the ID and
// date pages whatever its size, and in a large refresh the writer, not
// parsing, sets the pace. Batches of 10k stories write a third fewer pages
// over a 100k refresh than batches of 5k. The window keeps progress
// reports (sent after the commit, with the count of new stories) from
// lagging noticeably when stories trickle in. At most maxPendingItems
// stories wait for the writer at once (a feed larger than that goes
// alone), which bounds a refresh's memory whatever the number and size of
// the feeds; a batch is half of that, so the next one fills while one
// commits.
const (
	commitWindow    = 100 * time.Millisecond
	maxPendingItems = 20000
	maxBatchItems   = maxPendingItems / 2
)

// write stores outcomes as they arrive, in batches, and reports each
// feed's event once its batch is committed. It returns the first store
// error, and stops the refresh on it; feeds in that batch and after it
// are reported as failed with an error that wraps ErrStore.
func (r *Refresher) write(results <-chan outcome, pending *itemBudget, finish func(Event), stop context.CancelCauseFunc) error {
	var firstErr, failed error // failed is firstErr as the feeds report it
	for first := range results {
		if failed != nil {
			pending.release(first.stories)
			finish(failedEvent(first.ev, failed))
			continue
		}
		batch := []outcome{first}
		items := first.stories
		window := time.NewTimer(commitWindow)
	gather:
		for items < maxBatchItems {
			select {
			case o, ok := <-results:
				if !ok {
					break gather
				}
				batch = append(batch, o)
				items += o.stories
			case <-window.C:
				break gather
			}
		}
		window.Stop()
		news, err := r.save(batch)
		pending.release(items)
		if err != nil {
			firstErr, failed = err, fmt.Errorf("%w: %w", ErrStore, err)
			stop(failed)
		}
		i := 0
		for _, o := range batch {
			ev := o.ev
			if failed != nil {
				ev = failedEvent(ev, failed)
			} else if ev.Kind == EventDone {
				ev.New = news[i]
			}
			i += len(o.prepared)
			finish(ev)
		}
	}
	return firstErr
}

// failedEvent is a feed's event when the cache could not take its
// outcome: failed, and not moved, since the new URL's state was never
// stored and following the move would lose it.
func failedEvent(ev Event, err error) Event {
	ev.Kind, ev.Err, ev.MovedTo = EventFailed, err, ""
	return ev
}

// save stores a batch in one transaction and returns how many stories of
// each of its fetched entries, in order, were new.
func (r *Refresher) save(batch []outcome) ([]int, error) {
	var ready []any
	for _, o := range batch {
		ready = append(ready, o.prepared...)
	}
	news, err := r.sink.SavePrepared(ready)
	if err == nil && len(news) != len(ready) {
		err = fmt.Errorf("the cache counted new stories for %d feeds of %d", len(news), len(ready))
	}
	return news, err
}

// process turns one fetch into the feed's new state, its stories and the
// event that reports them.
func (r *Refresher) process(ctx context.Context, sub Subscription, st item.FeedState, title string, resp *Response, err error, now time.Time) (item.Fetched, Event) {
	st.URL = sub.URL
	st.LastAttempt = now
	if st.Origin == "" {
		st.Origin = sub.URL
	}
	ev := Event{Feed: sub.URL, Title: title}
	fail := func(err error) (item.Fetched, Event) {
		st.Failures++
		// Errors can quote what a server sent (a host name, a redirect
		// target): stored for display, so cleaned like any feed text.
		st.LastError = sanitize.Line(err.Error())
		st.NextTry = time.Time{}
		if d := backoff(st.Failures); d > 0 {
			st.NextTry = now.Add(d)
		}
		var he *HTTPError
		if errors.As(err, &he) {
			if he.Gone() {
				st.Gone = true
				st.NextTry = time.Time{}
			}
			// Retry-After is the least wait the server asks for; a
			// feed failing for hours keeps its longer backoff.
			if next := now.Add(he.RetryAfter); he.RetryAfter > 0 && next.After(st.NextTry) {
				st.NextTry = next
			}
		}
		ev.Kind, ev.Err, ev.NextTry, ev.Failures = EventFailed, err, st.NextTry, st.Failures
		return item.Fetched{State: st}, ev
	}
	if err != nil {
		return fail(err)
	}
	// The validators belong to where the answer came from (see
	// Request.ValidatorsFrom).
	st.ETag, st.LastModified, st.ValidatorsFrom = resp.ETag, resp.LastModified, ""
	if resp.FinalURL != sub.URL {
		st.ValidatorsFrom = resp.FinalURL
	}
	// A move is followed only once the new address has answered with a
	// feed: a retired feed redirected to a home page must not take the
	// subscription with it.
	succeed := func() {
		st.LastSuccess, st.LastError, st.Failures, st.NextTry, st.Gone = now, "", 0, time.Time{}, false
		if resp.MovedTo != "" {
			st.MovedTo = resp.MovedTo
			ev.MovedTo = resp.MovedTo
		}
	}
	if resp.NotModified {
		succeed()
		ev.Kind = EventNotModified
		return item.Fetched{State: st}, ev
	}
	// Stories belong to where the subscription is going: the new URL
	// after a permanent move.
	src := Source{URL: firstNonEmpty(resp.MovedTo, sub.URL), Origin: st.Origin, Outlet: sub.Title, Base: resp.FinalURL}
	feed, err := r.parser.ParseSource(resp.Body, src, now)
	if err != nil {
		// A body we cannot parse must not be remembered as current.
		st.ETag, st.LastModified, st.ValidatorsFrom = "", "", ""
		return fail(err)
	}
	if r.opts.MaxAge > 0 {
		feed.Items, ev.Expired = dropOlder(feed.Items, now.Add(-r.opts.MaxAge))
	}
	if r.tagger != nil {
		for i := range feed.Items {
			if ctx.Err() != nil {
				// Stories tagged in part must not be stored: untagged
				// copies would replace the tagged ones, and the feed's
				// validators would keep it from being fetched again.
				return fail(fmt.Errorf("cancelled: %w", context.Cause(ctx)))
			}
			r.tagger.Tag(&feed.Items[i])
		}
	}
	succeed()
	st.Title = feed.Title
	st.Items = len(feed.Items)
	ev.Kind, ev.Items, ev.Dropped = EventDone, len(feed.Items), feed.Dropped
	if ev.Title == "" {
		ev.Title = feed.Title
	}
	return item.Fetched{State: st, Items: feed.Items}, ev
}

// movedState is the state a moved feed starts with at its new URL: its
// validators, history and origin carry over, so the next refresh of the
// renamed subscription is a conditional GET and its stories keep their IDs.
func movedState(old item.FeedState) item.Fetched {
	st := old
	st.URL, st.MovedTo = old.MovedTo, ""
	if st.ValidatorsFrom == st.URL {
		st.ValidatorsFrom = "" // the new URL gave them itself
	}
	return item.Fetched{State: st}
}

// backoff is how long to wait after the given number of consecutive
// failures. One failure is often a blip (a laptop between networks), so
// the next refresh tries again; after that the wait doubles from 15
// minutes up to a day.
func backoff(failures int) time.Duration {
	if failures < 2 {
		return 0
	}
	d := 15 * time.Minute
	for i := 2; i < failures && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

// hostOf is the key of the per-host limit: the host name without the port,
// since one server on several ports is still one server.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return hostKey(u)
}

// hostKey is hostOf for a URL already parsed, as every request's is.
func hostKey(u *url.URL) string {
	// One server, however it is spelled: "bücher.example" and its
	// punycode, with or without the root's trailing dot.
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if !isASCII(host) {
		if ascii, err := idna.Lookup.ToASCII(host); err == nil {
			host = ascii
		}
	}
	return host
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// itemBudget counts stories parsed but not yet stored, and makes parsers
// wait while there are too many.
type itemBudget struct {
	mu   sync.Mutex
	room *sync.Cond
	used int
	max  int
}

func newItemBudget(max int) *itemBudget {
	b := &itemBudget{max: max}
	b.room = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n more stories fit. An empty budget takes anything,
// so that one huge feed cannot wait forever.
func (b *itemBudget) acquire(n int) {
	b.mu.Lock()
	for b.used > 0 && b.used+n > b.max {
		b.room.Wait()
	}
	b.used += n
	b.mu.Unlock()
}

func (b *itemBudget) release(n int) {
	b.mu.Lock()
	b.used -= n
	b.room.Broadcast()
	b.mu.Unlock()
}

// hostLimiter bounds concurrent requests per host, to be polite to outlets
// that serve many feeds from one server.
type hostLimiter struct {
	mu    sync.Mutex
	limit int
	slots map[string]chan struct{}
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, slots: map[string]chan struct{}{}}
}

func (h *hostLimiter) acquire(ctx context.Context, host string) error {
	h.mu.Lock()
	ch, ok := h.slots[host]
	if !ok {
		ch = make(chan struct{}, h.limit)
		h.slots[host] = ch
	}
	h.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hostLimiter) release(host string) {
	h.mu.Lock()
	ch := h.slots[host]
	h.mu.Unlock()
	<-ch
}

// dropOlder removes, in place, the items published before cutoff. Items
// without a date are kept: the store dates them by when it first saw them.
func dropOlder(items []item.Item, cutoff time.Time) ([]item.Item, int) {
	kept := items[:0]
	for _, it := range items {
		if !it.Published.IsZero() && it.Published.Before(cutoff) {
			continue
		}
		kept = append(kept, it)
	}
	return kept, len(items) - len(kept)
}
