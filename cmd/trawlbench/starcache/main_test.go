package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
)

// fillCache writes n stories, one a minute, into a new cache.
func fillCache(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trawl.db")
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	items := make([]item.Item, n)
	for i := range items {
		link := fmt.Sprintf("https://outlet.example/story-%d", i)
		pub := base.Add(time.Duration(i) * time.Minute)
		items[i] = item.Item{
			ID: item.NewID("https://outlet.example/feed", link, link, "", pub), Feed: "https://outlet.example/feed",
			Outlet: "Outlet", GUID: link, Title: fmt.Sprintf("Story %d", i), Link: link, Published: pub,
		}
	}
	if _, err := db.Upsert(items); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStarsEvenlyAndPrintsLinks(t *testing.T) {
	path := fillCache(t, 100)
	var out, errOut strings.Builder
	if err := run([]string{"-db", path, "-n", "10"}, &out, &errOut); err != nil {
		t.Fatalf("%v (%s)", err, errOut.String())
	}
	links := strings.Fields(out.String())
	// Newest first, every tenth: stories 99, 89, ..., 9.
	var want []string
	for i := 99; i >= 0; i -= 10 {
		want = append(want, fmt.Sprintf("https://outlet.example/story-%d", i))
	}
	if strings.Join(links, " ") != strings.Join(want, " ") {
		t.Fatalf("links\n%v\nwant\n%v", links, want)
	}
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Count(store.Starred); err != nil || n != 10 {
		t.Fatalf("starred count %d, %v; want 10", n, err)
	}
}

func TestRefusesWhatItCannotDo(t *testing.T) {
	path := fillCache(t, 5)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"more than the cache holds", []string{"-db", path, "-n", "6"}, "fewer than"},
		{"no cache", []string{"-db", filepath.Join(t.TempDir(), "none.db"), "-n", "1"}, "no such file"},
		{"no -db", []string{"-n", "1"}, "need -db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, &strings.Builder{}, &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
