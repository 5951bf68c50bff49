package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
)

// seedAgedCache fills a cache at path with stories aged as given (in days
// before fixedNow) and returns their IDs in the same order.
func seedAgedCache(t *testing.T, path string, ages ...int) []string {
	t.Helper()
	db, err := store.Open(path, store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var items []item.Item
	var ids []string
	for i, days := range ages {
		link := fmt.Sprintf("https://outlet.example/story/%d", i)
		it := item.Item{Feed: "https://outlet.example/feed.xml", Outlet: "Outlet", GUID: link, Link: link,
			Title: fmt.Sprintf("Story %d, %d days old", i, days), Published: fixedNow.AddDate(0, 0, -days),
			Summary: strings.Repeat("words ", 50), Content: "<p>" + strings.Repeat("body ", 200) + "</p>"}
		it.ID = item.NewID(it.Feed, it.GUID, it.Link, it.Title, it.Published)
		items = append(items, it)
		ids = append(ids, it.ID)
	}
	if _, err := db.Upsert(items); err != nil {
		t.Fatal(err)
	}
	return ids
}

// listedIDs returns the IDs 'trawl list --json' prints for the cache.
func listedIDs(t *testing.T, c *cli, path string) []string {
	t.Helper()
	r := c.run("--db", path, "list", "--json", "--limit", "0")
	if r.code != 0 {
		t.Fatalf("list: exit %d, %q", r.code, r.stderr)
	}
	var stories []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &stories); err != nil {
		t.Fatalf("list --json: %v", err)
	}
	var ids []string
	for _, s := range stories {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestPruneKeepsStarredAndAnnotatedStories(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "cache.db")
	ids := seedAgedCache(t, path, 1, 40, 100, 200, 365)
	if r := c.run("--db", path, "star", ids[3]); r.code != 0 {
		t.Fatalf("star: %q", r.stderr)
	}
	if r := c.run("--db", path, "note", ids[4], "the first lawsuit"); r.code != 0 {
		t.Fatalf("note: %q", r.stderr)
	}

	r := c.run("--db", path, "prune", "--older-than", "30d")
	if r.code != 0 {
		t.Fatalf("prune: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "pruned 2 stories published before 2026-10-30") || !strings.Contains(r.stdout, "starred and annotated stories are kept") {
		t.Errorf("prune printed %q", r.stdout)
	}
	got := map[string]bool{}
	for _, id := range listedIDs(t, c, path) {
		got[id] = true
	}
	want := map[string]bool{ids[0]: true, ids[3]: true, ids[4]: true}
	if len(got) != len(want) {
		t.Errorf("after prune the cache lists %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("story %s was pruned", id)
		}
	}
	if r := c.run("--db", path, "db", "check"); r.code != 0 {
		t.Errorf("db check after prune: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestPruneUsage(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"prune"},
		{"prune", "--older-than", "thirty days"},
		{"prune", "--older-than", "0d"},
		{"prune", "--older-than", "30d", "extra"},
	} {
		r := c.run(args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "usage: trawl prune --older-than DUR") {
			t.Errorf("trawl %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

func TestDBCheckAndCompact(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "cache.db")
	ids := seedAgedCache(t, path, 1, 2, 3, 400, 500, 600, 700)
	if r := c.run("--db", path, "star", ids[0]); r.code != 0 {
		t.Fatalf("star: %q", r.stderr)
	}

	r := c.run("--db", path, "db", "check")
	if r.code != 0 {
		t.Fatalf("db check: exit %d, %q", r.code, r.stderr)
	}
	if want := "cache " + path + " is consistent: 7 stories (1 starred, 0 dismissed)"; !strings.HasPrefix(r.stdout, want) {
		t.Errorf("db check printed %q, want it to start %q", r.stdout, want)
	}

	if r := c.run("--db", path, "prune", "--older-than", "300d"); r.code != 0 || !strings.HasPrefix(r.stdout, "pruned 4 stories") {
		t.Fatalf("prune: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = c.run("--db", path, "db", "compact")
	if r.code != 0 {
		t.Fatalf("db compact: exit %d, %q", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "compacted "+path+" from ") {
		t.Errorf("db compact printed %q", r.stdout)
	}
	if n := len(listedIDs(t, c, path)); n != 3 {
		t.Errorf("after compaction %d stories listed, want 3", n)
	}
	if r := c.run("--db", path, "db", "check"); r.code != 0 || !strings.Contains(r.stdout, "3 stories (1 starred") {
		t.Errorf("db check after compaction: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	for _, args := range [][]string{{"db"}, {"db", "repair"}, {"db", "check", "compact"}} {
		if r := c.run(append([]string{"--db", path}, args...)...); r.code != exitUsage {
			t.Errorf("trawl %s: exit %d", strings.Join(args, " "), r.code)
		}
	}
}

func TestDBCheckReportsDamage(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "cache.db")
	seedAgedCache(t, path, 1, 2, 3)
	// Lose the counter of the unread view behind trawl's back.
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("counts")).Delete([]byte("unread")) })
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}

	r := c.run("--db", path, "db", "check")
	if r.code != exitFailed {
		t.Errorf("db check of a damaged cache: exit %d, want %d", r.code, exitFailed)
	}
	if !strings.Contains(r.stdout, "index unread has 3 entries but no counter") {
		t.Errorf("db check did not list the problem: %q", r.stdout)
	}
	if want := "trawl: cache " + path + " is damaged: 1 problem (listed above)"; !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one line starting %q", r.stderr, want)
	}
}

// fileSum is the SHA-256 of the file at path, to tell whether a command
// changed it.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(raw)
}

func TestCommandsRefuseFilesThatAreNotCaches(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("my notes, not a cache\n", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, path)
	for _, args := range [][]string{{"list"}, {"db", "check"}, {"db", "compact"}, {"prune", "--older-than", "1d"}, {"star", "abc"}} {
		r := c.run(append([]string{"--db", path}, args...)...)
		if r.code != exitFailed || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "not a trawl cache") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("trawl %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if fileSum(t, path) != before {
		t.Error("the file was changed")
	}
}

// TestHelperHoldsCache is not a test: run by TestLockedCache in a child
// process (the variable is set only there), it opens the cache and holds
// it until its stdin closes, as a running reader or fetch would.
func TestHelperHoldsCache(t *testing.T) {
	path := os.Getenv("TRAWL_TEST_HOLD_CACHE")
	if path == "" {
		return
	}
	db, err := store.Open(path, store.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("holding")
	io.Copy(io.Discard, os.Stdin)
	db.Close()
	os.Exit(0)
}

func TestLockedCacheFailsFastWithAClearMessage(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "cache.db")
	ids := seedAgedCache(t, path, 1, 2)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	holder := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperHoldsCache$")
	holder.Env = append(os.Environ(), "TRAWL_TEST_HOLD_CACHE="+path, quickRaceExit())
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()
	defer stdin.Close()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "holding\n" {
		t.Fatalf("holder: %q", line)
	}

	// The commands return with the holder still there.
	onPath := func(args ...string) result { return c.run(append([]string{"--db", path}, args...)...) }
	c.assertLockedOut(onPath, "trawl: cache "+path+" is in use by another trawl process\n",
		[]string{"star", ids[0]}, []string{"note", ids[0], "text"}, []string{"list"}, []string{"show", ids[1]},
		[]string{"prune", "--older-than", "1d"}, []string{"db", "check"}, []string{"db", "compact"})

	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	if r := c.run("--db", path, "star", ids[0]); r.code != 0 {
		t.Errorf("star after the other process left: exit %d, %q", r.code, r.stderr)
	}
}
