package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// testNow is the clock of the store tests.
var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for one test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// openTest opens a fresh cache in a temporary directory.
func openTest(t testing.TB, c *clock) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "cache.db"), Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustCheck fails the test if the cache is not consistent.
func mustCheck(t testing.TB, db *DB) {
	t.Helper()
	if err := db.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

// fileSum is the SHA-256 of a file, to prove it was not touched.
func fileSum(t testing.TB, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

var words = strings.Fields(`model training data licence scraper crawler publisher archive
	lawsuit court platform developer pricing tier token access deal opt-out robots
	dataset photo forum newsroom union contract revenue share startup research lab
	policy regulator copyright fair use settlement content agreement api rate limit
	subscription enterprise usage fee cloud compute benchmark release open weights`)

// text returns about n bytes of words.
func text(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

var tagNames = []string{"training-data", "api-pricing", "licensing"}

// story builds a typical stored item: title ~80 bytes, summary ~400, zero
// to two tags with a few matches, and an HTML body on one in four.
func story(r *rand.Rand, feed string, n int, published time.Time) item.Item {
	link := fmt.Sprintf("%s/%d/%s", strings.TrimSuffix(feed, "/feed.xml"), n, strings.ReplaceAll(text(r, 24), " ", "-"))
	it := item.Item{
		Feed: feed, Outlet: "Outlet " + feed[8:18], GUID: link, Link: link,
		Title: text(r, 80), Author: "A. Writer", Published: published.UTC(),
		Summary: text(r, 400),
	}
	it.ID = item.NewID(feed, it.GUID, it.Link, it.Title, it.Published)
	for _, name := range tagNames[:r.IntN(3)] {
		tag := item.Tag{Name: name, Score: 2.5, Threshold: 2}
		for m := range 2 + r.IntN(2) {
			tag.Matches = append(tag.Matches, item.Match{Phrase: words[r.IntN(len(words))], Field: item.FieldSummary, Start: m * 10, End: m*10 + 6, Weight: 1})
		}
		it.Tags = append(it.Tags, tag)
	}
	if r.IntN(4) == 0 {
		it.Content = "<p>" + text(r, 2000+r.IntN(2000)) + "</p>"
	}
	return it
}

// feedURL names the i-th test feed.
func feedURL(i int) string { return fmt.Sprintf("https://outlet%03d.example/feed.xml", i) }

// corpus is nFeeds feeds of perFeed stories each, one story a minute
// back from testNow, as SaveFetched batches of batchFeeds feeds.
func corpus(seed uint64, nFeeds, perFeed, batchFeeds int) [][]item.Fetched {
	r := rand.New(rand.NewPCG(seed, 1))
	var batches [][]item.Fetched
	var cur []item.Fetched
	for f := range nFeeds {
		url := feedURL(f)
		fetched := item.Fetched{State: item.FeedState{URL: url, Title: "Outlet", LastSuccess: testNow}}
		for i := range perFeed {
			pub := testNow.Add(-time.Duration(i*nFeeds+f) * time.Minute)
			fetched.Items = append(fetched.Items, story(r, url, i, pub))
		}
		cur = append(cur, fetched)
		if len(cur) == batchFeeds {
			batches = append(batches, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}
