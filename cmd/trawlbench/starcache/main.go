// Command starcache stars stories in a trawl cache for trawlbench's export
// scenario: n stories spread evenly over the cache, newest first, and
// prints their links one a line.
//
// It is a program of its own, built from the same source as the trawl
// binary under test, so that it writes the cache schema that binary
// reads, and so that trawlbench itself builds without the store package.
//
//	starcache -db trawl.db -n 10000 > starred-links.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/trawl-news/trawl/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "starcache: %s\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("starcache", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("db", "", "the trawl cache to change")
	n := fs.Int("n", 10000, "stories to star")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *n < 1 {
		return fmt.Errorf("need -db PATH and -n of at least 1")
	}
	links, err := starEvenly(*path, *n)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	for _, l := range links {
		fmt.Fprintln(w, l)
	}
	return w.Flush()
}

// starEvenly stars want stories spread evenly over the cache, newest
// first, and returns their links in that order.
func starEvenly(path string, want int) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err // store.Open would create a new, empty cache
	}
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	total, err := db.Count(store.All)
	if err != nil {
		return nil, err
	}
	if total < want {
		return nil, fmt.Errorf("the cache holds %d stories, fewer than the %d to star", total, want)
	}
	step := total / want
	var ids, links []string
	var cursor store.Cursor
	for i := 0; len(ids) < want; {
		page, next, err := db.Page(store.All, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, s := range page {
			if i%step == 0 && len(ids) < want {
				ids = append(ids, s.ID)
				links = append(links, s.Link)
			}
			i++
		}
		if next == nil {
			break
		}
		cursor = next
	}
	// Collected first, starred after: starring moves index entries, and a
	// page walk should not run over keys that are changing.
	for _, id := range ids {
		if err := db.SetStarred(id, true); err != nil {
			return nil, fmt.Errorf("star %s: %w", id, err)
		}
	}
	if len(ids) != want {
		return nil, fmt.Errorf("starred %d stories, wanted %d", len(ids), want)
	}
	return links, nil
}
