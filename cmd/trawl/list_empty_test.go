package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestListOnAnEmptyCacheSaysWhatToDo: a newcomer's first 'trawl list'
// points at fetch and demo; a filter that matches nothing in a cache that
// has stories says only that.
func TestListOnAnEmptyCacheSaysWhatToDo(t *testing.T) {
	c := newCLI(t)
	r := c.run("list")
	if r.code != 0 || !strings.Contains(r.stderr, "no stories yet: 'trawl fetch' downloads your feeds") {
		t.Errorf("list on an empty cache: exit %d, stderr %q", r.code, r.stderr)
	}
	fetchPolicy(t, c)
	r = c.run("list", "--search", "no story says this")
	if r.code != 0 || r.stderr != "no stories match\n" {
		t.Errorf("list matching nothing: exit %d, stderr %q", r.code, r.stderr)
	}
}

// After a fetch in which every feed failed, the empty cache's hint points
// at why rather than at fetching again.
func TestListAfterFailedFetchSaysWhere(t *testing.T) {
	c := newCLI(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(dead.Close)
	c.addFeeds(dead.URL + "/feed.xml")
	if r := c.run("fetch"); r.code != exitFailed {
		t.Fatalf("fetch of a missing feed: exit %d", r.code)
	}
	r := c.run("list")
	if r.code != 0 || !strings.Contains(r.stderr, "'trawl feeds list' shows why") {
		t.Errorf("list after a failed fetch: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A cache whose every story is dismissed is not empty: 'list' says
// nothing matches rather than pointing a newcomer at fetching.
func TestListWithEverythingDismissed(t *testing.T) {
	c := newCLI(t)
	stories := mixedStories(t)
	for i := range stories {
		stories[i].Dismissed = true
	}
	seedCache(t, c.home, c.now, stories)
	if r := c.run("list"); r.code != 0 || r.stderr != "no stories match\n" {
		t.Errorf("list: exit %d, stderr %q", r.code, r.stderr)
	}
}
