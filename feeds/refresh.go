package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// Sink keeps what a refresh produces. The store implements it.
type Sink interface {
	// FeedStates returns the remembered state of every feed, by URL.
	FeedStates() (map[string]item.FeedState, error)
	// SaveFetched stores several feeds' outcomes at once and sets New on
	// each entry.
	SaveFetched(batch []item.Fetched) error
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

// Event reports progress on one feed.
type Event struct {
	Kind    EventKind
	Feed    string // subscription URL
	Title   string // display name
	Items   int    // stories in the feed (EventDone)
	New     int    // stories new to the cache (EventDone)
	Err     error  // EventFailed; for EventSkipped, why
	MovedTo string // the feed moved permanently (301/308) to this URL
	NextTry time.Time
	Done    int // feeds finished so far, this one included (not for EventStarted)
	Total   int // feeds in this refresh
}

// Summary totals a refresh.
type Summary struct {
	Feeds       int
	Fetched     int
	NotModified int
	Failed      int
	Skipped     int
	New         int
	Moved       map[string]string // old URL -> new URL
}

// RefreshOptions configure Refresh. Zero fields take defaults.
type RefreshOptions struct {
	Concurrency int  // feeds fetched at once; default 16
	PerHost     int  // feeds fetched at once from one host; default 4
	Force       bool // ignore backoff (but never refetch feeds that are gone)
	Fetch       FetchOptions
	MaxItems    int
	Now         func() time.Time
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

// NewRefresher wires a refresher to where stories go.
func NewRefresher(sink Sink, tagger Tagger, opts RefreshOptions) *Refresher {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.PerHost <= 0 {
		opts.PerHost = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Refresher{
		opts:    opts,
		fetcher: NewFetcher(opts.Fetch),
		parser:  NewParser(opts.MaxItems),
		sink:    sink,
		tagger:  tagger,
	}
}

// Refresh fetches every subscription, bounded by the global and per-host
// limits, and stores the results. One feed's failure never stops the
// others; it is reported in its event and stored in its feed state. The
// returned error is only for failures of the refresh itself (the cache).
func (r *Refresher) Refresh(ctx context.Context, subs []Subscription) (Summary, error) {
	sum := Summary{Feeds: len(subs), Moved: map[string]string{}}
	states, err := r.sink.FeedStates()
	if err != nil {
		return sum, fmt.Errorf("read feed states: %w", err)
	}
	var (
		mu       sync.Mutex // guards sum, done and calls to Progress
		done     int
		progress = func(ev Event) {
			if r.opts.Progress != nil {
				r.opts.Progress(ev)
			}
		}
	)
	finish := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		done++
		ev.Done, ev.Total = done, len(subs)
		switch ev.Kind {
		case EventDone:
			sum.Fetched++
			sum.New += ev.New
		case EventNotModified:
			sum.NotModified++
		case EventFailed:
			sum.Failed++
		case EventSkipped:
			sum.Skipped++
		}
		if ev.MovedTo != "" {
			sum.Moved[ev.Feed] = ev.MovedTo
		}
		progress(ev)
	}

	// The writer commits whatever feeds are ready in one transaction, so
	// many small feeds share an fsync while slow feeds never hold others up.
	type pending struct {
		fetched item.Fetched
		ev      Event
	}
	results := make(chan pending, len(subs))
	var writeErr error
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for first := range results {
			batch := []pending{first}
		drain:
			for len(batch) < 64 {
				select {
				case p, ok := <-results:
					if !ok {
						break drain
					}
					batch = append(batch, p)
				default:
					break drain
				}
			}
			fetched := make([]item.Fetched, len(batch))
			for i, p := range batch {
				fetched[i] = p.fetched
			}
			err := r.sink.SaveFetched(fetched)
			for i, p := range batch {
				ev := p.ev
				if err != nil {
					ev.Kind, ev.Err = EventFailed, fmt.Errorf("store: %w", err)
				} else if ev.Kind == EventDone {
					ev.New = fetched[i].New
				}
				finish(ev)
			}
			if err != nil && writeErr == nil {
				writeErr = err
			}
		}
	}()

	sem := make(chan struct{}, r.opts.Concurrency)
	hosts := newHostLimiter(r.opts.PerHost)
	var wg sync.WaitGroup
	for _, sub := range subs {
		st, ok := states[sub.URL]
		if !ok {
			st = item.FeedState{URL: sub.URL}
		}
		title := firstNonEmpty(sub.Title, st.Title)
		now := r.opts.Now()
		if st.Gone {
			finish(Event{Kind: EventSkipped, Feed: sub.URL, Title: title, Err: errors.New("gone: the server answered 410; remove it with 'trawl feeds remove'")})
			continue
		}
		if !r.opts.Force && st.NextTry.After(now) {
			finish(Event{Kind: EventSkipped, Feed: sub.URL, Title: title, NextTry: st.NextTry,
				Err: fmt.Errorf("backing off after %d failures until %s", st.Failures, st.NextTry.Local().Format("15:04"))})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				finish(Event{Kind: EventFailed, Feed: sub.URL, Title: title, Err: ctx.Err()})
				return
			}
			defer func() { <-sem }()
			host := hostOf(sub.URL)
			if err := hosts.acquire(ctx, host); err != nil {
				finish(Event{Kind: EventFailed, Feed: sub.URL, Title: title, Err: err})
				return
			}
			defer hosts.release(host)
			mu.Lock()
			progress(Event{Kind: EventStarted, Feed: sub.URL, Title: title, Total: len(subs)})
			mu.Unlock()
			fetched, ev := r.refreshOne(ctx, sub, st)
			results <- pending{fetched, ev}
		}()
	}
	wg.Wait()
	close(results)
	<-writerDone
	if writeErr != nil {
		return sum, fmt.Errorf("save refresh: %w", writeErr)
	}
	return sum, ctx.Err()
}

// refreshOne fetches, parses and tags one feed, and works out its new state.
func (r *Refresher) refreshOne(ctx context.Context, sub Subscription, st item.FeedState) (item.Fetched, Event) {
	now := r.opts.Now()
	st.URL = sub.URL
	st.LastAttempt = now
	title := firstNonEmpty(sub.Title, st.Title)
	ev := Event{Feed: sub.URL, Title: title}
	fail := func(err error) (item.Fetched, Event) {
		st.Failures++
		st.LastError = err.Error()
		st.NextTry = now.Add(backoff(st.Failures))
		var he *HTTPError
		if errors.As(err, &he) {
			if he.Gone() {
				st.Gone = true
			}
			if he.RetryAfter > 0 {
				st.NextTry = now.Add(he.RetryAfter)
			}
		}
		ev.Kind, ev.Err, ev.NextTry = EventFailed, err, st.NextTry
		return item.Fetched{State: st}, ev
	}
	resp, err := r.fetcher.Fetch(ctx, Request{URL: sub.URL, ETag: st.ETag, LastModified: st.LastModified}, now)
	if err != nil {
		return fail(err)
	}
	if resp.MovedTo != "" {
		st.MovedTo = resp.MovedTo
		ev.MovedTo = resp.MovedTo
	}
	st.ETag, st.LastModified = resp.ETag, resp.LastModified
	if resp.NotModified {
		st.LastSuccess, st.LastError, st.Failures, st.NextTry = now, "", 0, time.Time{}
		ev.Kind = EventNotModified
		return item.Fetched{State: st}, ev
	}
	feed, err := r.parser.ParseBytes(resp.Body, sub.URL, sub.Title, now)
	if err != nil {
		// A body we cannot parse must not be remembered as current.
		st.ETag, st.LastModified = "", ""
		return fail(err)
	}
	if r.tagger != nil {
		for i := range feed.Items {
			r.tagger.Tag(&feed.Items[i])
		}
	}
	st.Title = feed.Title
	st.LastSuccess, st.LastError, st.Failures, st.NextTry = now, "", 0, time.Time{}
	st.Items = len(feed.Items)
	ev.Kind, ev.Items = EventDone, len(feed.Items)
	if ev.Title == "" {
		ev.Title = feed.Title
	}
	return item.Fetched{State: st, Items: feed.Items}, ev
}

// backoff grows with consecutive failures: 15 min, 30, 1 h, ... up to a day.
func backoff(failures int) time.Duration {
	d := 15 * time.Minute
	for i := 1; i < failures && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
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
