package feeds

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A permanent redirect from https to plain http is followed, so the feed
// still arrives, but it is not a move: keeping it would take the
// subscription off encryption for good on one answer from the network.
func TestMoveNeverDowngradesToHTTP(t *testing.T) {
	serveFeed := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>https://x.example/a</link></item></channel></rss>`)
	}
	plain := httptest.NewServer(http.HandlerFunc(serveFeed))
	t.Cleanup(plain.Close)
	mux := http.NewServeMux()
	mux.Handle("/to-http", http.RedirectHandler(plain.URL+"/feed", http.StatusMovedPermanently))
	mux.Handle("/to-https", http.RedirectHandler("/feed", http.StatusMovedPermanently))
	mux.HandleFunc("/feed", serveFeed)
	secure := httptest.NewTLSServer(mux)
	t.Cleanup(secure.Close)

	f := NewFetcher(FetchOptions{Timeout: 10 * time.Second})
	// Trust the test server's certificate, as the system roots would a
	// real outlet's.
	f.client.Transport.(*hostLimitedTransport).next.(*http.Transport).TLSClientConfig = secure.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	for _, tc := range []struct {
		path, final, moved string
	}{
		{"/to-http", plain.URL + "/feed", ""},
		{"/to-https", secure.URL + "/feed", secure.URL + "/feed"},
	} {
		resp, err := f.Fetch(context.Background(), Request{URL: secure.URL + tc.path}, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if resp.FinalURL != tc.final || resp.MovedTo != tc.moved || len(resp.Body) == 0 {
			t.Errorf("%s: fetched %q (%d bytes), moved to %q; want %q, moved to %q", tc.path, resp.FinalURL, len(resp.Body), resp.MovedTo, tc.final, tc.moved)
		}
	}
}
