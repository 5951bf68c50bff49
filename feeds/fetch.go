package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FetchOptions bound one feed download. Zero fields take the defaults.
type FetchOptions struct {
	UserAgent      string
	ConnectTimeout time.Duration // dial + TLS handshake; default 10 s
	Timeout        time.Duration // whole request including the body; default 30 s
	MaxBytes       int64         // body after decompression; default 16 MiB
	MaxRedirects   int           // default 5
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.UserAgent == "" {
		o.UserAgent = "trawl (+https://github.com/trawl-news/trawl)"
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
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Fetcher{opts: opts, client: &http.Client{Transport: transport}}
}

// Request is one conditional GET.
type Request struct {
	URL          string
	ETag         string
	LastModified string
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
)

// HTTPError is a response with a status trawl does not treat as success.
type HTTPError struct {
	Status     int
	RetryAfter time.Duration // from Retry-After, 0 if absent
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	return s
}

// Gone reports a feed the server says will never come back.
func (e *HTTPError) Gone() bool { return e.Status == http.StatusGone }

type redirectKey struct{}

// Fetch performs a conditional GET of req.URL.
func (f *Fetcher) Fetch(ctx context.Context, req Request, now time.Time) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	hr.Header.Set("User-Agent", f.opts.UserAgent)
	hr.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	permanent := true
	client := *f.client
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > f.opts.MaxRedirects {
			return fmt.Errorf("%w (more than %d)", ErrTooManyHops, f.opts.MaxRedirects)
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s", ErrRedirectNoURL, r.URL.Scheme)
		}
		if r.Response != nil && r.Response.StatusCode != http.StatusMovedPermanently && r.Response.StatusCode != http.StatusPermanentRedirect {
			permanent = false
		}
		// Validators belong to the original URL; do not send them on.
		return nil
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, describeNetError(err)
	}
	defer resp.Body.Close()
	out := &Response{FinalURL: resp.Request.URL.String()}
	if out.FinalURL != req.URL && permanent {
		out.MovedTo = out.FinalURL
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		out.ETag = firstNonEmpty(resp.Header.Get("ETag"), req.ETag)
		out.LastModified = firstNonEmpty(resp.Header.Get("Last-Modified"), req.LastModified)
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &HTTPError{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	}
	// The transport decompresses gzip transparently, so this limit counts
	// bytes after decompression: a gzip bomb stops here.
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBytes+1))
	if err != nil {
		return nil, describeNetError(err)
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return nil, fmt.Errorf("%w (%d MiB)", ErrTooLarge, f.opts.MaxBytes>>20)
	}
	out.Body = body
	out.ETag = resp.Header.Get("ETag")
	out.LastModified = resp.Header.Get("Last-Modified")
	return out, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return min(time.Duration(secs)*time.Second, 7*24*time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 7*24*time.Hour)
	}
	return 0
}

// describeNetError turns transport errors into the short reasons a user
// can act on.
func describeNetError(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return fmt.Errorf("timed out: %w", err)
	case errors.Is(err, ErrTooManyHops), errors.Is(err, ErrRedirectNoURL):
		return err
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot resolve host %s: %w", dnsErr.Name, dnsErr)
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
