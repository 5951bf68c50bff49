package tui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/classify"
	"github.com/trawl-news/trawl/store"
)

// TestRefreshInBackground presses r with two feeds on a loopback server,
// one good and one that fails, slowly: while the slow one is still out,
// the status line shows the progress and the good feed's stories are
// already in the list; at the end the status line reports the failure and
// the feeds screen shows its error.
func TestRefreshInBackground(t *testing.T) {
	wire, err := os.ReadFile("testdata/wire.rss.xml")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/wire.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(wire)
		default:
			select {
			case <-release:
			case <-r.Context().Done():
			}
			http.Error(w, "the desk is closed", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	subs := []feeds.Subscription{
		{URL: srv.URL + "/wire.xml", Title: "The Wire Desk"},
		{URL: srv.URL + "/broken.xml", Title: "Broken Beat"},
	}

	db := fixtureDB(t, fixtureItems(t))
	opts := testOptions(db)
	opts.Subscriptions = func() ([]feeds.Subscription, error) { return subs, nil }
	opts.Refresh = func(ctx context.Context, progress func(feeds.Event)) (feeds.Summary, error) {
		r := feeds.NewRefresher(db, classify.Default(), feeds.RefreshOptions{Now: nowFn, Progress: progress})
		return r.Refresh(ctx, subs)
	}
	tm := start(t, opts, 100, 30)
	waitFor(t, tm, "OpenAI signs", "[All 6]")
	press(tm, "r")
	waitFor(t, tm, "refreshing", "1/2", "+2 new", "Music publishers license", "[All 8]")
	close(release)
	waitFor(t, tm, "1 failed (f shows why)")

	stories, _, err := db.Page(store.All, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 8 || !strings.HasPrefix(stories[0].Title, "Music publishers") {
		t.Fatalf("cache after refresh: %d stories, newest %q", len(stories), stories[0].Title)
	}

	press(tm, "f")
	waitFor(t, tm, "Feeds: 2 followed, 1 failing", "Broken Beat", "500")
	view := finalView(t, tm)
	checkFrame(t, view, 100, 30)
	if !strings.Contains(view, "The Wire Desk") {
		t.Errorf("feeds screen:\n%s", view)
	}
}
