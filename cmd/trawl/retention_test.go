package main

import (
	"strings"
	"testing"
)

func TestFetchAppliesRetention(t *testing.T) {
	c := newCLI(t)
	fetchPolicy(t, c)
	ids := map[string]string{}
	for _, s := range listJSON(t, c) {
		ids[s.Title] = s.ID
	}
	// The fixtures are dated 27, 26 and 25 November; the clock is 29 Nov noon.
	const (
		authors = "Authors sue a startup for training its AI on pirated books"               // 27 Nov 09:00
		forum   = "Forum platform will charge developers for API access starting in January" // 26 Nov
		bikes   = "City council approves new bike lanes downtown"                            // 25 Nov
	)
	if r := c.run("star", ids[bikes]); r.code != 0 {
		t.Fatalf("star: %q", r.stderr)
	}
	if r := c.run("note", ids[forum], "follow up with the API team"); r.code != 0 {
		t.Fatalf("note: %q", r.stderr)
	}

	c.configure("[retention]\nmax_age = \"2d\"\n")
	r := c.run("fetch")
	if r.code != 0 {
		t.Fatalf("fetch with retention: exit %d, %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "pruned 1 unstarred, unannotated story older than 48h0m0s") {
		t.Errorf("fetch should say what retention pruned, stderr %q", r.stderr)
	}
	left := map[string]bool{}
	for _, s := range listJSON(t, c) {
		left[s.Title] = true
	}
	if left[authors] || !left[forum] || !left[bikes] || len(left) != 2 {
		t.Errorf("after retention the cache holds %v; want only the starred and the annotated story", left)
	}

	// Old entries still in the feed do not come back as new.
	r = c.run("fetch")
	if r.code != 0 || !strings.HasSuffix(r.stdout, " 0 new stories\n") || strings.Contains(r.stderr, "pruned") {
		t.Errorf("a later fetch re-added old stories: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
