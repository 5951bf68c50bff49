package feedgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServerOptions configure a Server.
type ServerOptions struct {
	// Hosts is the number of loopback addresses the feeds are spread
	// over: 127.0.0.2, 127.0.0.3, ... (all of 127.0.0.0/8 reaches the
	// loopback interface on Linux). 0 or 1 serves everything from
	// 127.0.0.1. Clients that limit requests per host, as trawl and
	// browsers do, then see many outlets rather than one.
	Hosts int
	// Latency delays every response, 304s included, as a distant server
	// would.
	Latency time.Duration
	// OnRequest, if set, is called after each response with the request
	// and the status sent. It must be safe for concurrent use.
	OnRequest func(r *http.Request, status int)
}

// Server serves a corpus over HTTP with validators, so that a client that
// remembers ETag or Last-Modified gets 304 Not Modified on its next visit.
type Server struct {
	corpus    Corpus
	onRequest func(*http.Request, int)
	docs      []document
	urls      []string
	servers   []*http.Server
	latency   atomic.Int64
	wg        sync.WaitGroup

	requests    atomic.Int64
	full        atomic.Int64
	notModified atomic.Int64
	bytesSent   atomic.Int64
}

// document is one rendered feed with its validators.
type document struct {
	body        []byte
	etag        string
	lastMod     time.Time
	contentType string
}

// Start renders every feed of c up front (so that serving costs no CPU a
// benchmark would notice) and serves them until Close.
func Start(c Corpus, opts ServerOptions) (*Server, error) {
	s := &Server{corpus: c, onRequest: opts.OnRequest}
	s.latency.Store(int64(opts.Latency))
	s.docs = make([]document, c.opts.Feeds)
	for i := range s.docs {
		s.docs[i] = newDocument(c, i)
	}
	hosts := max(opts.Hosts, 1)
	addrs, err := loopbackAddrs(hosts)
	if err != nil {
		return nil, err
	}
	bases := make([]string, hosts)
	for h, addr := range addrs {
		ln, err := net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("feed server: listen on %s: %w (on systems where only 127.0.0.1 is a loopback address, use one host)", addr, err)
		}
		srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		bases[h] = "http://" + ln.Addr().String()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			srv.Serve(ln)
		}()
	}
	s.urls = make([]string, c.opts.Feeds)
	for i := range s.urls {
		// Contiguous blocks of feeds share a host, like an outlet's
		// section feeds.
		h := i * hosts / max(c.opts.Feeds, 1)
		s.urls[i] = bases[h] + FeedPath(i, c.Feed(i).Format)
	}
	return s, nil
}

// FeedPath is the URL path feed i is served under.
func FeedPath(i int, f Format) string {
	if f == Atom {
		return fmt.Sprintf("/feeds/%03d.atom", i)
	}
	return fmt.Sprintf("/feeds/%03d.rss", i)
}

func newDocument(c Corpus, i int) document {
	body := c.Render(i)
	sum := sha256.Sum256(body)
	d := document{
		body:        body,
		etag:        `"` + hex.EncodeToString(sum[:12]) + `"`,
		lastMod:     c.Feed(i).Updated,
		contentType: "application/rss+xml; charset=utf-8",
	}
	if c.Feed(i).Format == Atom {
		d.contentType = "application/atom+xml; charset=utf-8"
	}
	return d
}

// loopbackAddrs returns n addresses: 127.0.0.1 alone, or 127.0.0.2 on.
func loopbackAddrs(n int) ([]netip.Addr, error) {
	if n == 1 {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	const most = 1<<24 - 3 // 127.0.0.2 .. 127.255.255.254
	if n > most {
		return nil, fmt.Errorf("feed server: %d hosts is more than 127.0.0.0/8 holds", n)
	}
	out := make([]netip.Addr, n)
	a := netip.MustParseAddr("127.0.0.2")
	for i := range out {
		out[i] = a
		a = a.Next()
	}
	return out, nil
}

// URLs returns the feed URLs, in feed order.
func (s *Server) URLs() []string { return append([]string(nil), s.urls...) }

// Corpus returns the corpus being served.
func (s *Server) Corpus() Corpus { return s.corpus }

// SetLatency changes the delay of later responses.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// Counts tallies responses since the last Reset.
type Counts struct {
	Requests    int64 // every request, whatever its outcome
	Full        int64 // 200 responses with a body
	NotModified int64 // 304 responses
	Bytes       int64 // body bytes sent
}

// Counts returns the tallies since the last Reset.
func (s *Server) Counts() Counts {
	return Counts{
		Requests:    s.requests.Load(),
		Full:        s.full.Load(),
		NotModified: s.notModified.Load(),
		Bytes:       s.bytesSent.Load(),
	}
}

// Reset zeroes the tallies.
func (s *Server) Reset() {
	s.requests.Store(0)
	s.full.Store(0)
	s.notModified.Store(0)
	s.bytesSent.Store(0)
}

// ServeHTTP serves one feed. Conditional requests are answered by
// http.ServeContent, which follows RFC 9110: If-None-Match wins over
// If-Modified-Since.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if d := time.Duration(s.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	i, ok := s.feedIndex(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		s.observe(r, http.StatusNotFound)
		return
	}
	doc := &s.docs[i]
	h := w.Header()
	h.Set("ETag", doc.etag)
	h.Set("Content-Type", doc.contentType)
	h.Set("Cache-Control", "max-age=300")
	cw := &countingWriter{ResponseWriter: w}
	http.ServeContent(cw, r, "", doc.lastMod, bytes.NewReader(doc.body))
	switch cw.status {
	case http.StatusNotModified:
		s.notModified.Add(1)
	case http.StatusOK:
		s.full.Add(1)
	}
	s.bytesSent.Add(cw.n)
	s.observe(r, cw.status)
}

func (s *Server) observe(r *http.Request, status int) {
	if s.onRequest != nil {
		s.onRequest(r, status)
	}
}

func (s *Server) feedIndex(path string) (int, bool) {
	name, ok := strings.CutPrefix(path, "/feeds/")
	if !ok {
		return 0, false
	}
	stem, _, _ := strings.Cut(name, ".")
	i, err := strconv.Atoi(stem)
	// The round trip through FeedPath rejects other spellings of the
	// number and the wrong extension for the feed's format.
	if err != nil || i < 0 || i >= len(s.docs) || FeedPath(i, s.corpus.Feed(i).Format) != path {
		return 0, false
	}
	return i, true
}

// countingWriter remembers the status and counts body bytes.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Close stops every listener and waits for them.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	s.wg.Wait()
	return errors.Join(errs...)
}
