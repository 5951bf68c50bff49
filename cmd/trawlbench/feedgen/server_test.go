package feedgen

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func startServer(t *testing.T, c Corpus, opts ServerOptions) *Server {
	t.Helper()
	srv, err := Start(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

func get(t *testing.T, rawURL string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServerConditionalGET(t *testing.T) {
	c := New(Options{Feeds: 4, Items: 5, Base: testBase})
	srv := startServer(t, c, ServerOptions{Hosts: 1})
	u := srv.URLs()[2]

	resp, body := get(t, u, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first GET: %s", resp.Status)
	}
	if string(body) != string(c.Render(2)) {
		t.Fatal("the body is not the rendered feed")
	}
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatalf("validators missing: ETag %q, Last-Modified %q", etag, lastMod)
	}
	if want := c.Feed(2).Updated.Format(http.TimeFormat); lastMod != want {
		t.Errorf("Last-Modified %q, want the newest story's time %q", lastMod, want)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
		t.Errorf("Content-Type %q for an RSS feed", ct)
	}

	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"matching ETag", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		{"Last-Modified echoed", map[string]string{"If-Modified-Since": lastMod}, http.StatusNotModified},
		{"stale ETag wins over a current date", map[string]string{"If-None-Match": `"old"`, "If-Modified-Since": lastMod}, http.StatusOK},
		{"older date", map[string]string{"If-Modified-Since": c.Feed(2).Updated.Add(-time.Hour).Format(http.TimeFormat)}, http.StatusOK},
		{"no validators", nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, u, tt.header)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusNotModified && len(body) != 0 {
				t.Fatalf("304 with a %d-byte body", len(body))
			}
		})
	}
}

func TestServerCountsResponses(t *testing.T) {
	c := New(Options{Feeds: 3, Items: 4, Base: testBase})
	srv := startServer(t, c, ServerOptions{Hosts: 1})
	etags := map[string]string{}
	for _, u := range srv.URLs() {
		resp, _ := get(t, u, nil)
		etags[u] = resp.Header.Get("ETag")
	}
	got := srv.Counts()
	if got.Requests != 3 || got.Full != 3 || got.NotModified != 0 || got.Bytes == 0 {
		t.Fatalf("after three full fetches: %+v", got)
	}
	srv.Reset()
	for _, u := range srv.URLs() {
		get(t, u, map[string]string{"If-None-Match": etags[u]})
	}
	get(t, strings.TrimSuffix(srv.URLs()[0], ".rss")+".xml", nil)
	got = srv.Counts()
	if got.Requests != 4 || got.Full != 0 || got.NotModified != 3 || got.Bytes != 0 {
		t.Fatalf("after three conditional fetches and a miss: %+v", got)
	}
}

func TestServerUnknownPaths(t *testing.T) {
	c := New(Options{Feeds: 4, Items: 2, Base: testBase})
	srv := startServer(t, c, ServerOptions{Hosts: 1})
	u, err := url.Parse(srv.URLs()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/feeds/", "/feeds/004.rss", "/feeds/-1.rss", "/feeds/003.rss", "/feeds/000.atom", "/feeds/0.rss", "/other/000.rss"} {
		resp, _ := get(t, "http://"+u.Host+path, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
	// Feed 3 is Atom and lives at .atom.
	if resp, _ := get(t, "http://"+u.Host+"/feeds/003.atom", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /feeds/003.atom: %s", resp.Status)
	}
}

// TestServerSpreadsFeedsOverHosts needs 127.0.0.2 and up to reach the
// loopback interface, as they do on Linux.
func TestServerSpreadsFeedsOverHosts(t *testing.T) {
	c := New(Options{Feeds: 12, Items: 2, Base: testBase})
	srv := startServer(t, c, ServerOptions{Hosts: 3})
	perHost := map[string]int{}
	for i, raw := range srv.URLs() {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		perHost[u.Hostname()]++
		if u.Path != FeedPath(i, c.Feed(i).Format) {
			t.Errorf("feed %d at %s", i, u.Path)
		}
		if resp, _ := get(t, raw, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", raw, resp.Status)
		}
	}
	want := map[string]int{"127.0.0.2": 4, "127.0.0.3": 4, "127.0.0.4": 4}
	if len(perHost) != len(want) {
		t.Fatalf("feeds per host %v, want %v", perHost, want)
	}
	for h, n := range want {
		if perHost[h] != n {
			t.Fatalf("feeds per host %v, want %v", perHost, want)
		}
	}
}

func TestServerLatencyCanChange(t *testing.T) {
	c := New(Options{Feeds: 1, Items: 1, Base: testBase})
	srv := startServer(t, c, ServerOptions{Hosts: 1, Latency: time.Hour})
	// A request that would wait an hour must still end when the client
	// gives up, and a later request after SetLatency(0) must be served.
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := client.Get(srv.URLs()[0]); err == nil {
		t.Fatal("a request to a server with an hour's latency succeeded at once")
	}
	srv.SetLatency(0)
	if resp, _ := get(t, srv.URLs()[0], nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after SetLatency(0): %s", resp.Status)
	}
}
