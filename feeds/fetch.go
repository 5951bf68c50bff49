package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FetchOptions bound one feed download. Zero fields take the defaults.
type FetchOptions struct {
	UserAgent      string
	ConnectTimeout time.Duration // dial + TLS handshake; default 10 s
	Timeout        time.Duration // whole request including the body; default 30 s
	MaxBytes       int64         // body after decompression; default 16 MiB
	MaxRedirects   int           // default 5
	// PerHost bounds requests in flight to one host, redirect targets
	// included; default DefaultPerHost.
	PerHost int
}

// DefaultUserAgent is sent when FetchOptions.UserAgent is empty. Callers
// that know their version should send "trawl/VERSION (+URL)" instead.
const DefaultUserAgent = "trawl (+https://github.com/trawl-news/trawl)"

func (o FetchOptions) withDefaults() FetchOptions {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 16 << 20
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	return o
}

// Fetcher downloads feeds. It is safe for concurrent use.
type Fetcher struct {
	opts   FetchOptions
	client *http.Client
}

// NewFetcher returns a Fetcher with its own connection pool.
func NewFetcher(opts FetchOptions) *Fetcher {
	opts = opts.withDefaults()
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConns:          256,
		// No more than PerHost requests run against one host (see
		// hostLimitedTransport), so this many idle connections are
		// enough to reuse them all.
		MaxIdleConnsPerHost: opts.PerHost,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	limited := &hostLimitedTransport{next: transport, hosts: newHostLimiter(opts.PerHost)}
	return &Fetcher{opts: opts, client: &http.Client{Transport: limited}}
}

// hostLimitedTransport holds each request to its host's share of
// connections until its body is closed. A refresh also limits feeds by
// their subscription's host before they start; this limit is what keeps
// feeds on many hosts that redirect to one server (a feed proxy) polite
// to that server. A request never waits for a slot while holding another
// (the client closes a redirect's body before it follows it), so the two
// limits cannot wait on each other.
type hostLimitedTransport struct {
	next  http.RoundTripper
	hosts *hostLimiter
}

func (t *hostLimitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	host := hostKey(r.URL)
	if err := t.hosts.acquire(r.Context(), host); err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.hosts.release(host)
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, hosts: t.hosts, host: host}
	return resp, nil
}

func (t *hostLimitedTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// releasingBody gives back its request's host slot once, when closed.
type releasingBody struct {
	io.ReadCloser
	once  sync.Once
	hosts *hostLimiter
	host  string
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.hosts.release(b.host) })
	return err
}

// CloseIdle closes the connections kept for reuse. A Refresher calls it at
// the end of a refresh so that an idle program holds no sockets.
func (f *Fetcher) CloseIdle() { f.client.CloseIdleConnections() }

// Request is one conditional GET.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	// ValidatorsFrom is the address that gave ETag and LastModified when
	// it is not URL: the target of a temporary redirect. They are sent
	// only there, since another server may compare them wrongly.
	ValidatorsFrom string
	// BeforeBody, if set, is called once the server has answered 2xx and
	// before the body is read; the fetch waits for it, and that wait does
	// not count against the timeout. A refresh uses it to bound how many
	// bodies it holds in memory at once.
	BeforeBody func(context.Context) error
}

// Response is a successful fetch (2xx or 304).
type Response struct {
	NotModified  bool
	Body         []byte
	ETag         string
	LastModified string
	// FinalURL is where the body came from after redirects.
	FinalURL string
	// MovedTo is set when every redirect on the way was permanent (301 or
	// 308): the subscription should follow it.
	MovedTo string
}

// Fetch errors. An *HTTPError carries the status and any Retry-After.
var (
	ErrTooLarge      = errors.New("feed is larger than the size limit")
	ErrTooManyHops   = errors.New("too many redirects")
	ErrRedirectNoURL = errors.New("redirect to a non-http(s) URL")
	// ErrRedirectBadURL wraps the reason a redirect target is refused.
	ErrRedirectBadURL = errors.New("redirect refused")
	ErrTimeout        = errors.New("timed out")
	// ErrBadAnswer is an answer that breaks HTTP's rules.
	ErrBadAnswer = errors.New("the server answered wrongly")
)

// HTTPError is a response with a status trawl does not treat as success.
type HTTPError struct {
	Status     int
	RetryAfter time.Duration // from Retry-After, 0 if absent
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	if e.Gone() {
		s += ": the feed was removed for good"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (server asks to wait %s)", e.RetryAfter.Round(time.Second))
	}
	return s
}

// Gone reports a feed the server says will never come back.
func (e *HTTPError) Gone() bool { return e.Status == http.StatusGone }

const acceptFeeds = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"

// Fetch performs a conditional GET of req.URL. It never returns a body
// larger than the size limit after decompression.
func (f *Fetcher) Fetch(ctx context.Context, req Request, now time.Time) (*Response, error) {
	// The timeout is a timer rather than a context deadline so that it can
	// pause while BeforeBody waits.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	started := time.Now()
	deadline := time.AfterFunc(f.opts.Timeout, func() { cancel(errDeadline) })
	defer deadline.Stop()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	hr.Header.Set("User-Agent", f.opts.UserAgent)
	hr.Header.Set("Accept", acceptFeeds)
	// The validators go to the address that gave them and nowhere else:
	// a feed behind a temporary redirect still costs a 304, and one whose
	// redirect has ended does not send its old target's date to a server
	// that would compare it with its own, older one.
	validatorsFor := firstNonEmpty(req.ValidatorsFrom, req.URL)
	validate := func(h http.Header, to string) {
		h.Del("If-None-Match")
		h.Del("If-Modified-Since")
		if to != validatorsFor {
			return
		}
		if req.ETag != "" {
			h.Set("If-None-Match", req.ETag)
		}
		if req.LastModified != "" {
			h.Set("If-Modified-Since", req.LastModified)
		}
	}
	validate(hr.Header, req.URL)
	permanent := true
	client := *f.client
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > f.opts.MaxRedirects {
			return fmt.Errorf("%w (more than %d; a redirect loop?)", ErrTooManyHops, f.opts.MaxRedirects)
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s", ErrRedirectNoURL, r.URL.Scheme)
		}
		// Where a feed moves is stored and shown: a target that could
		// not be subscribed to (control characters, spaces) is refused
		// here rather than carried into the cache and the terminal.
		target := r.URL.String()
		if _, err := CheckFeedURL(target); err != nil {
			return fmt.Errorf("%w: %w", ErrRedirectBadURL, err)
		}
		if r.Response != nil && r.Response.StatusCode != http.StatusMovedPermanently && r.Response.StatusCode != http.StatusPermanentRedirect {
			permanent = false
		}
		// A move from https to plain http is followed this once but not
		// kept: the subscription would lose its encryption for good on
		// one answer from the network.
		if via[0].URL.Scheme == "https" && r.URL.Scheme == "http" {
			permanent = false
		}
		validate(r.Header, target)
		return nil
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, f.describeNetError(ctx, err)
	}
	defer resp.Body.Close()
	out := &Response{FinalURL: resp.Request.URL.String()}
	if out.FinalURL != req.URL && permanent {
		out.MovedTo = out.FinalURL
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && !isConditional(resp.Request):
		// Nothing was asked conditionally, so nothing can be "not
		// modified": taken at its word, a feed's first fetch would store
		// no stories and keep none coming.
		return nil, fmt.Errorf("%w: 304 Not Modified to a request that named no version", ErrBadAnswer)
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		out.ETag = firstNonEmpty(resp.Header.Get("ETag"), req.ETag)
		out.LastModified = firstNonEmpty(resp.Header.Get("Last-Modified"), req.LastModified)
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// Drain a little so the connection can be reused; error pages are
		// small, and a huge one is not worth reading.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		// A Retry-After date is on the server's clock: measured from the
		// server's Date, a server whose clock is off still gets the wait
		// it asked for.
		serverNow := now
		if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			serverNow = d
		}
		return nil, &HTTPError{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), serverNow)}
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return nil, f.tooLarge()
	}
	if req.BeforeBody != nil && deadline.Stop() {
		left := f.opts.Timeout - time.Since(started)
		err := req.BeforeBody(ctx)
		deadline.Reset(max(left, 0))
		if err != nil {
			return nil, f.describeNetError(ctx, err)
		}
	}
	// The transport decompresses gzip transparently (and then reports no
	// Content-Length), so this limit counts bytes after decompression: a
	// gzip bomb stops here.
	body, err := readBody(resp.Body, resp.ContentLength, f.opts.MaxBytes)
	if err != nil {
		return nil, f.describeNetError(ctx, err)
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return nil, f.tooLarge()
	}
	out.Body = body
	out.ETag = resp.Header.Get("ETag")
	out.LastModified = resp.Header.Get("Last-Modified")
	return out, nil
}

// isConditional reports whether a request carried validators.
func isConditional(r *http.Request) bool {
	return r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != ""
}

// readBody reads up to limit+1 bytes, sized from Content-Length when the
// server sent one so that a large feed is not copied while growing.
func readBody(r io.Reader, length, limit int64) ([]byte, error) {
	if length < 0 || length > limit {
		length = 64 << 10
	}
	// A server's word is not memory: sixteen bodies in flight each
	// claiming the size limit would reserve 256 MiB before a byte came.
	// Beyond this the buffer grows as the bytes do arrive.
	length = min(length, maxUpfront)
	var b bytes.Buffer
	// Room past the length for ReadFrom's last read, the one that finds
	// EOF, so that it does not grow (and copy) the buffer.
	b.Grow(int(length) + bytes.MinRead)
	_, err := b.ReadFrom(io.LimitReader(r, limit+1))
	return b.Bytes(), err
}

// maxUpfront is the most readBody reserves on a Content-Length's word:
// larger than nearly every feed, so those are read with no copying.
const maxUpfront = 2 << 20

func (f *Fetcher) tooLarge() error {
	return fmt.Errorf("%w (%s, after decompression)", ErrTooLarge, byteSize(f.opts.MaxBytes))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// maxRetryAfter caps what a server can ask for: a typo'd Retry-After must
// not silence a feed for a year.
const maxRetryAfter = 7 * 24 * time.Hour

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// errDeadline is the cause of a fetch's context when its timeout fires.
var errDeadline = errors.New("fetch deadline")

// describeNetError turns transport errors into the short reasons a user
// can act on. ctx is the fetch's own context, whose cause tells a timeout
// from a cancellation.
func (f *Fetcher) describeNetError(ctx context.Context, err error) error {
	var ne net.Error
	timedOut := errors.Is(context.Cause(ctx), errDeadline)
	switch {
	case errors.Is(err, ErrTooManyHops), errors.Is(err, ErrRedirectNoURL), errors.Is(err, ErrRedirectBadURL):
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			return urlErr.Err
		}
		return err
	case !timedOut && errors.Is(err, context.Canceled):
		return fmt.Errorf("cancelled: %w", context.Canceled)
	case timedOut || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			return fmt.Errorf("%w connecting to %s after %s", ErrTimeout, opErr.Addr, f.opts.ConnectTimeout)
		}
		return fmt.Errorf("%w after %s", ErrTimeout, f.opts.Timeout)
	}
	// A connection that ends early leaves only Go's words ("EOF",
	// "unexpected EOF", "read tcp a->b: ... connection reset by peer").
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("the connection broke before the whole feed arrived (%w)", syscall.ECONNRESET)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("the connection broke before the whole feed arrived (%w)", io.ErrUnexpectedEOF)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("the server closed the connection without answering (%w)", io.EOF)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// The DNSError's own text repeats the host and names the resolver.
		return fmt.Errorf("cannot resolve host %s: %s", dnsErr.Name, dnsErr.Err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return fmt.Errorf("cannot connect to %s: %w", opErr.Addr, opErr.Err)
	}
	// *url.Error repeats the method and URL, which the caller names anyway.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}
