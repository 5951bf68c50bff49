package feeds_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// outlet is a loopback feed server with one path per server behaviour the
// fetcher must handle. It records what it was asked.
type outlet struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int         // path -> requests
	headers  map[string]http.Header // path -> last request's headers
	// changed makes /feed/* paths serve a new version (new ETag and body).
	changed bool
}

// Limits the outlet's oversized responses are built against; the tests
// configure the fetcher with these.
const (
	testMaxBytes = 64 << 10
	testTimeout  = 400 * time.Millisecond
)

const (
	okETag         = `"v1"`
	okLastModified = "Sat, 28 Nov 2026 10:00:00 GMT"
)

func newOutlet(t *testing.T) *outlet {
	t.Helper()
	o := &outlet{requests: map[string]int{}, headers: map[string]http.Header{}}
	rss, atom := readTestdata(t, "rss20.xml"), readTestdata(t, "atom.xml")
	gzipBomb := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte("<rss><channel>"))
		zw.Write(bytes.Repeat([]byte(" "), 4*testMaxBytes))
		zw.Close()
		return b.Bytes()
	}()
	mux := http.NewServeMux()
	// /feed/TAG/rss and /feed/TAG/atom serve the fixtures with TAG in
	// every link and GUID, so that each path is a different outlet whose
	// stories do not collide with the others'.
	mux.HandleFunc("/feed/{tag}/{kind}", func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		switch r.PathValue("kind") {
		case "rss":
			body = rss
		case "atom":
			body = atom
		default:
			http.NotFound(w, r)
			return
		}
		tag := r.PathValue("tag")
		body = bytes.ReplaceAll(body, []byte(".example/"), []byte(".example/"+tag+"/"))
		body = bytes.ReplaceAll(body, []byte("pp-"), []byte(tag+"-pp-"))
		body = bytes.ReplaceAll(body, []byte(":entry-"), []byte(":"+tag+"-entry-"))
		o.mu.Lock()
		etag, lm := okETag, okLastModified
		if o.changed {
			etag, lm = `"v2"`, "Sun, 29 Nov 2026 10:00:00 GMT"
			body = bytes.Replace(body, []byte("<title>"), []byte("<title>Updated: "), 2)
		}
		o.mu.Unlock()
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lm)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write(body)
	})
	// Only Last-Modified: the conditional GET must use If-Modified-Since.
	mux.HandleFunc("/lastmodified", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", okLastModified)
		if r.Header.Get("If-Modified-Since") == okLastModified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(atom)
	})
	mux.Handle("/moved301", http.RedirectHandler("/feed/m301/rss", http.StatusMovedPermanently))
	mux.Handle("/moved308", http.RedirectHandler("/feed/m308/atom", http.StatusPermanentRedirect))
	mux.Handle("/hop1", http.RedirectHandler("/hop2", http.StatusMovedPermanently))
	mux.Handle("/hop2", http.RedirectHandler("/feed/hop/atom", http.StatusFound))
	mux.Handle("/temporary", http.RedirectHandler("/feed/temp/rss", http.StatusFound))
	mux.Handle("/loop", http.RedirectHandler("/loop", http.StatusFound))
	mux.Handle("/to-ftp", http.RedirectHandler("ftp://files.example/feed", http.StatusMovedPermanently))
	// A retired feed sent on to the site's home page.
	mux.Handle("/moved-to-page", http.RedirectHandler("/page", http.StatusMovedPermanently))
	// A move whose target carries a clipboard write (OSC 52, in its C1
	// form) and a bidi override, which Go keeps verbatim in a query.
	mux.HandleFunc("/moved-hostile", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Location"] = []string{"/feed/m301/rss?\u009d52;c;aGk=\u009c\u202eevil"}
		w.WriteHeader(http.StatusMovedPermanently)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "this feed was retired", http.StatusGone)
	})
	mux.HandleFunc("/ratelimited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) {
		// The server's clock is the tests' clock.
		w.Header().Set("Date", testNow.Format(http.TimeFormat))
		w.Header().Set("Retry-After", testNow.Add(3*time.Hour).Format(http.TimeFormat))
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	// A server whose clock is 30 minutes slow asks for 10 minutes' wait
	// as a date.
	mux.HandleFunc("/unavailable-slow-clock", func(w http.ResponseWriter, r *http.Request) {
		server := testNow.Add(-30 * time.Minute)
		w.Header().Set("Date", server.Format(http.TimeFormat))
		w.Header().Set("Retry-After", server.Add(10*time.Minute).Format(http.TimeFormat))
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	// A broken server or proxy: "not modified" to a plain GET.
	mux.HandleFunc("/unconditional-304", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	})
	mux.HandleFunc("/unavailable-briefly", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "restarting", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/error500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(20 * testTimeout):
		}
	})
	// Headers at once, then a body that never finishes.
	mux.HandleFunc("/slowbody", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<rss version=\"2.0\"><channel>"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(20 * testTimeout):
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		body := "<rss version=\"2.0\"><channel><title>" + strings.Repeat("x", 2*testMaxBytes) + "</title></channel></rss>"
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write([]byte(body))
	})
	// No Content-Length: the cap must count as the body streams in.
	mux.HandleFunc("/huge-chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 4 {
			w.Write(bytes.Repeat([]byte(" "), testMaxBytes/2))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/gzipbomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(gzipBomb)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(rss)
		zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(b.Bytes())
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(readTestdata(t, "page.html"))
	})
	mux.HandleFunc("/malformed", func(w http.ResponseWriter, r *http.Request) {
		w.Write(readTestdata(t, "malformed.xml"))
	})
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.requests[r.URL.Path]++
		o.headers[r.URL.Path] = r.Header.Clone()
		o.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *outlet) count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests[path]
}

func (o *outlet) header(path, name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.headers[path].Get(name)
}

func (o *outlet) change() {
	o.mu.Lock()
	o.changed = true
	o.mu.Unlock()
}

// readTestdata returns a file of testdata.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// switchable serves before until the returned function is called, and
// after from then on: a server that changes between two refreshes.
func switchable(before, after http.HandlerFunc) (http.Handler, func()) {
	var switched atomic.Bool
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if switched.Load() {
			after(w, r)
			return
		}
		before(w, r)
	}), func() { switched.Store(true) }
}
