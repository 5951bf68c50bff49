package main

import (
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
