package feeds_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds"
)

func testFetcher() *feeds.Fetcher {
	return feeds.NewFetcher(feeds.FetchOptions{
		UserAgent: "trawl/9.9-test (+https://github.com/trawl-news/trawl)",
		Timeout:   testTimeout,
		MaxBytes:  testMaxBytes,
	})
}

func TestFetchConditional(t *testing.T) {
	o := newOutlet(t)
	f := testFetcher()
	ctx := context.Background()
	first, err := f.Fetch(ctx, feeds.Request{URL: o.URL + "/feed/a/rss"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || len(first.Body) == 0 || first.ETag != okETag || first.LastModified != okLastModified {
		t.Fatalf("first fetch: not modified %v, %d bytes, etag %q, last-modified %q", first.NotModified, len(first.Body), first.ETag, first.LastModified)
	}
	if ua := o.header("/feed/a/rss", "User-Agent"); ua != "trawl/9.9-test (+https://github.com/trawl-news/trawl)" {
		t.Errorf("User-Agent sent = %q", ua)
	}
	second, err := f.Fetch(ctx, feeds.Request{URL: o.URL + "/feed/a/rss", ETag: first.ETag, LastModified: first.LastModified}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Body != nil || second.ETag != okETag || second.LastModified != okLastModified {
		t.Errorf("second fetch: not modified %v, %d bytes, validators %q %q", second.NotModified, len(second.Body), second.ETag, second.LastModified)
	}
	if got := o.header("/feed/a/rss", "If-None-Match"); got != okETag {
		t.Errorf("If-None-Match sent = %q", got)
	}
	if got := o.header("/feed/a/rss", "If-Modified-Since"); got != okLastModified {
		t.Errorf("If-Modified-Since sent = %q", got)
	}
	// A server with only Last-Modified gets If-Modified-Since alone.
	lm, err := f.Fetch(ctx, feeds.Request{URL: o.URL + "/lastmodified", LastModified: okLastModified}, testNow)
	if err != nil || !lm.NotModified {
		t.Errorf("If-Modified-Since alone: %+v, %v", lm, err)
	}
}

func TestFetchDefaultUserAgentNamesTrawl(t *testing.T) {
	o := newOutlet(t)
	if _, err := feeds.NewFetcher(feeds.FetchOptions{}).Fetch(context.Background(), feeds.Request{URL: o.URL + "/feed/a/atom"}, testNow); err != nil {
		t.Fatal(err)
	}
	if ua := o.header("/feed/a/atom", "User-Agent"); !strings.HasPrefix(ua, "trawl") {
		t.Errorf("default User-Agent = %q", ua)
	}
}

func TestFetchGzip(t *testing.T) {
	o := newOutlet(t)
	resp, err := testFetcher().Fetch(context.Background(), feeds.Request{URL: o.URL + "/gzip"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(resp.Body), "Policy &amp; Platforms") {
		t.Errorf("gzip body not decompressed: %q", resp.Body[:min(len(resp.Body), 40)])
	}
	if ae := o.header("/gzip", "Accept-Encoding"); ae != "gzip" {
		t.Errorf("Accept-Encoding sent = %q", ae)
	}
}

func TestFetchRedirects(t *testing.T) {
	o := newOutlet(t)
	tests := []struct {
		path, movedTo, final string
	}{
		{"/moved301", "/feed/m301/rss", "/feed/m301/rss"},
		{"/moved308", "/feed/m308/atom", "/feed/m308/atom"},
		{"/temporary", "", "/feed/temp/rss"},
		// A permanent hop followed by a temporary one is not a move.
		{"/hop1", "", "/feed/hop/atom"},
	}
	for _, tt := range tests {
		resp, err := testFetcher().Fetch(context.Background(), feeds.Request{URL: o.URL + tt.path}, testNow)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		want := ""
		if tt.movedTo != "" {
			want = o.URL + tt.movedTo
		}
		if resp.MovedTo != want || resp.FinalURL != o.URL+tt.final {
			t.Errorf("%s: moved to %q, final %q; want %q, %q", tt.path, resp.MovedTo, resp.FinalURL, want, o.URL+tt.final)
		}
	}
}

func TestFetchErrors(t *testing.T) {
	o := newOutlet(t)
	tests := []struct {
		path       string
		is         error
		status     int
		retryAfter time.Duration
		says       string
	}{
		{path: "/gone", status: 410, says: "HTTP 410 Gone"},
		{path: "/ratelimited", status: 429, retryAfter: 2 * time.Hour, says: "server asks to wait 2h0m0s"},
		{path: "/unavailable", status: 503, retryAfter: 3 * time.Hour, says: "HTTP 503 Service Unavailable"},
		{path: "/error500", status: 500, says: "HTTP 500 Internal Server Error"},
		{path: "/loop", is: feeds.ErrTooManyHops, says: "redirect loop"},
		{path: "/to-ftp", is: feeds.ErrRedirectNoURL, says: "ftp"},
		{path: "/slow", is: feeds.ErrTimeout, says: "timed out after 400ms"},
		{path: "/slowbody", is: feeds.ErrTimeout, says: "timed out after 400ms"},
		{path: "/huge", is: feeds.ErrTooLarge, says: "64 KiB"},
		{path: "/huge-chunked", is: feeds.ErrTooLarge, says: "after decompression"},
		{path: "/gzipbomb", is: feeds.ErrTooLarge, says: "after decompression"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			resp, err := testFetcher().Fetch(context.Background(), feeds.Request{URL: o.URL + tt.path}, testNow)
			if err == nil {
				t.Fatalf("no error; got %d bytes", len(resp.Body))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
			if tt.status != 0 {
				var he *feeds.HTTPError
				if !errors.As(err, &he) || he.Status != tt.status || he.RetryAfter != tt.retryAfter {
					t.Errorf("error %#v, want HTTP %d with Retry-After %s", err, tt.status, tt.retryAfter)
				}
			}
			if !strings.Contains(err.Error(), tt.says) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q should say %q on one line", err, tt.says)
			}
		})
	}
	if n := o.count("/loop"); n > 6 {
		t.Errorf("redirect loop followed %d times", n)
	}
}

func TestFetchConnectErrors(t *testing.T) {
	o := newOutlet(t)
	url := o.URL + "/feed/a/rss"
	o.Close()
	_, err := testFetcher().Fetch(context.Background(), feeds.Request{URL: url}, testNow)
	if err == nil || !strings.Contains(err.Error(), "cannot connect") {
		t.Errorf("closed port: %v", err)
	}
	_, err = testFetcher().Fetch(context.Background(), feeds.Request{URL: "http://no-such-host.invalid/feed"}, testNow)
	if err == nil || !strings.Contains(err.Error(), "no-such-host.invalid") {
		t.Errorf("unknown host: %v", err)
	}
}

// TestFetchBeforeBody: the wait in BeforeBody (a refresh waiting for room
// to hold another body) does not count against the timeout, the time
// before it does, and answers without a body never call it.
func TestFetchBeforeBody(t *testing.T) {
	const timeout = time.Second
	release := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late-headers" {
			time.Sleep(timeout * 8 / 10)
		}
		w.Write([]byte(`<rss version="2.0"><channel>`))
		w.(http.Flusher).Flush()
		select { // the rest of the body when the test says
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Write([]byte(`<title>t</title></channel></rss>`))
	}))
	t.Cleanup(srv.Close)
	f := feeds.NewFetcher(feeds.FetchOptions{Timeout: timeout})

	// Headers at once, a wait of twice the timeout, the body right after:
	// fine, the wait did not count.
	resp, err := f.Fetch(context.Background(), feeds.Request{URL: srv.URL + "/prompt", BeforeBody: func(context.Context) error {
		time.Sleep(2 * timeout)
		release <- struct{}{}
		return nil
	}}, testNow)
	if err != nil || !strings.Contains(string(resp.Body), "<title>t</title>") {
		t.Errorf("a long wait before the body: %v", err)
	}
	// Headers after 80% of the timeout, the body half a timeout after
	// the wait: too slow, the time before the wait counted.
	_, err = f.Fetch(context.Background(), feeds.Request{URL: srv.URL + "/late-headers", BeforeBody: func(context.Context) error {
		time.AfterFunc(timeout/2, func() { release <- struct{}{} })
		return nil
	}}, testNow)
	if !errors.Is(err, feeds.ErrTimeout) {
		t.Errorf("slow headers and a slow body: %v, want a timeout", err)
	}
	// Cancelling while waiting is a cancellation, not a timeout.
	ctx, cancel := context.WithCancel(context.Background())
	_, err = f.Fetch(ctx, feeds.Request{URL: srv.URL + "/prompt", BeforeBody: func(ctx context.Context) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}}, testNow)
	if !errors.Is(err, context.Canceled) || errors.Is(err, feeds.ErrTimeout) {
		t.Errorf("cancelled while waiting: %v", err)
	}

	o := newOutlet(t)
	calls := 0
	count := func(context.Context) error { calls++; return nil }
	for _, path := range []string{"/error500", "/gone"} {
		f.Fetch(context.Background(), feeds.Request{URL: o.URL + path, BeforeBody: count}, testNow)
	}
	resp, err = f.Fetch(context.Background(), feeds.Request{URL: o.URL + "/feed/a/rss", ETag: okETag, BeforeBody: count}, testNow)
	if err != nil || !resp.NotModified || calls != 0 {
		t.Errorf("answers without a body called BeforeBody %d times (304: %v, %v)", calls, resp, err)
	}
}
