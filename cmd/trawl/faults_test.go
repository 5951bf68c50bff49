//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The fault suite: trawl killed half-way, a full disk, a cache it may not
// write, a damaged or foreign cache, a cache held by another process and
// broken config and rules files. Each must end in one clear message and
// lose nothing the user keeps.

// wireServer serves generated feeds: /feed/N has per stories, each feed
// answering after delay(N). Stories are dated before fixedNow.
func wireServer(t *testing.T, per int, delay func(n int) time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		if delay != nil {
			select {
			case <-time.After(delay(n)):
			case <-r.Context().Done():
				return
			}
		}
		w.Write(wireFeed(n, per))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// wireFeed is feed n of a wire service: per stories, each with a summary
// long enough that a refresh of a few feeds writes megabytes.
func wireFeed(n, per int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire %d</title><link>https://wire%d.example/</link>`, n, n)
	summary := strings.Repeat("The agency filed a longer account of the day's events. ", 12)
	for i := range per {
		fmt.Fprintf(&b, "<item><title>Wire %d story %d</title><link>https://wire%d.example/s/%d</link><guid isPermaLink=\"false\">w%d-%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			n, i, n, i, n, i, fixedNow.Add(-time.Duration(n*per+i+1)*time.Minute).Format(time.RFC1123Z), summary)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// subscribe writes feeds.txt with /feed/from .. /feed/to-1 of srv.
func (c *cli) subscribe(srv *httptest.Server, from, to int) {
	c.t.Helper()
	var b strings.Builder
	for n := from; n < to; n++ {
		fmt.Fprintf(&b, "%s/feed/%d\n", srv.URL, n)
	}
	if err := os.WriteFile(c.subsFile(), []byte(b.String()), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// keptState is what the user owns in a cache: a starred story, and notes.
type keptState struct {
	starred string
	notes   map[string]string // by story ID
}

// keep stars the newest story and writes notes on the next two.
func (c *cli) keep() keptState {
	c.t.Helper()
	stories := listJSON(c.t, c)
	if len(stories) < 3 {
		c.t.Fatalf("%d stories to keep", len(stories))
	}
	k := keptState{starred: stories[0].ID, notes: map[string]string{}}
	if r := c.run("star", k.starred); r.code != 0 {
		c.t.Fatalf("star: %q", r.stderr)
	}
	for i, s := range stories[1:3] {
		note := fmt.Sprintf("note %d: call the agency about %s", i, s.Title)
		if r := c.run("note", s.ID, note); r.code != 0 {
			c.t.Fatalf("note: %q", r.stderr)
		}
		k.notes[s.ID] = note
	}
	return k
}

// assertKept checks, through the CLI, that the star and notes are there
// and that `db check` finds the cache consistent.
func (c *cli) assertKept(k keptState, when string) {
	c.t.Helper()
	if s := c.showJSON(k.starred); !s.Starred {
		c.t.Errorf("%s: the star on %s is gone", when, k.starred)
	}
	for id, note := range k.notes {
		if s := c.showJSON(id); s.Note != note {
			c.t.Errorf("%s: the note on %s is %q, want %q", when, id, s.Note, note)
		}
	}
	c.assertConsistent(when)
}

func (c *cli) assertConsistent(when string) {
	c.t.Helper()
	if r := c.run("db", "check"); r.code != 0 || !strings.Contains(r.stdout, " is consistent: ") {
		c.t.Errorf("%s: db check: exit %d, %q %q", when, r.code, r.stdout, r.stderr)
	}
}

// TestKilledDuringRefresh kills `trawl fetch` with SIGKILL at several
// points while it stores thousands of new stories: each time the cache
// checks clean, the star and notes are intact, and the next fetch
// completes with every story.
func TestKilledDuringRefresh(t *testing.T) {
	const feeds, per = 30, 200
	// Feeds answer over about a second, so the kills land while some are
	// being stored and others are still on the way.
	srv := wireServer(t, per, func(n int) time.Duration { return time.Duration(n%15) * 70 * time.Millisecond })
	c := newCLI(t)
	c.configure("[fetch]\nper_host = 64\n")
	c.subscribe(srv, 0, 3)
	if r := c.run("fetch"); r.code != 0 {
		t.Fatalf("fetch: %q", r.stderr)
	}
	kept := c.keep()
	c.subscribe(srv, 0, feeds)
	for round, after := range []int{1, 4, 9, 16} {
		cmd, _, stderr := c.startChild(childSpec{args: []string{"fetch"}})
		deadline := time.Now().Add(time.Minute)
		for strings.Count(stderr.String(), "trawl: ok ") < after {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: fetch stored fewer than %d feeds in a minute: %q", round, after, stderr.String())
			}
			time.Sleep(time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		t.Logf("round %d: killed after %d feeds were stored", round, strings.Count(stderr.String(), "trawl: ok "))
		c.assertKept(kept, fmt.Sprintf("after SIGKILL in round %d", round))
	}
	r := c.run("fetch")
	if r.code != 0 || !strings.HasPrefix(r.stdout, fmt.Sprintf("fetched %d feeds, 0 not modified, 0 failed", feeds)) {
		t.Errorf("fetch after the kills: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if n := len(listJSON(t, c)); n != feeds*per {
		t.Errorf("%d stories after the last fetch, want %d", n, feeds*per)
	}
	c.assertKept(kept, "after the last fetch")
}

// TestKilledDuringNoteSave replaces a note of 256 KiB again and again and
// kills the process a little later each time, from before the save to
// after it: the note is always the earlier or the new text, whole, and
// nothing else changes.
func TestKilledDuringNoteSave(t *testing.T) {
	c := newCLI(t)
	fetchPolicy(t, c)
	kept := c.keep()
	var target string
	for id := range kept.notes {
		target = id
	}
	earlier := kept.notes[target]
	delete(kept.notes, target)
	outcomes := map[string]int{}
	// From before the note is read to well after it is saved, also when
	// the race detector slows the child down.
	for i, delay := range []time.Duration{0, 1, 2, 4, 6, 9, 13, 19, 28, 40, 60, 90, 130, 200, 300} {
		text := fmt.Sprintf("version %d: ", i) + strings.Repeat(fmt.Sprintf("line %d of a long note\n", i), 256<<10/24)
		text = strings.TrimSpace(text)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd, _, _ := c.startChild(childSpec{args: []string{"note", target, "-"}, stdin: r})
		r.Close()
		if _, err := io.WriteString(w, text); err != nil {
			t.Fatalf("write the note: %v", err)
		}
		w.Close()
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		switch got := c.showJSON(target).Note; got {
		case earlier:
			outcomes["earlier note"]++
		case text:
			outcomes["new note"]++
			earlier = text
		default:
			t.Fatalf("after SIGKILL %s into a note save, the note is %d bytes starting %q: neither the earlier nor the new one", delay*time.Millisecond, len(got), got[:min(len(got), 40)])
		}
		c.assertKept(kept, fmt.Sprintf("after SIGKILL %s into a note save", delay*time.Millisecond))
	}
	t.Logf("after each kill the note was: %v", outcomes)
}

// TestFullDiskDuringRefresh runs fetch with no room for the cache to grow
// (RLIMIT_FSIZE at its size): one clear error, the cache consistent and
// the user's state intact; the next fetch with room stores everything.
func TestFullDiskDuringRefresh(t *testing.T) {
	const feeds, per = 12, 300
	srv := wireServer(t, per, nil)
	c := newCLI(t)
	c.subscribe(srv, 0, 2)
	if r := c.run("fetch"); r.code != 0 {
		t.Fatalf("fetch: %q", r.stderr)
	}
	kept := c.keep()
	c.subscribe(srv, 0, feeds)
	fi, err := os.Stat(c.cachePath())
	if err != nil {
		t.Fatal(err)
	}
	res := c.runChild(time.Minute, childSpec{args: []string{"fetch"}, fsize: fi.Size()})
	t.Logf("fetch with a full disk: exit %d\nstdout %q\nstderr:\n%s", res.code, res.stdout, res.stderr)
	if res.code != exitFailed {
		t.Errorf("exit %d, want %d", res.code, exitFailed)
	}
	last := lastLine(res.stderr)
	if !strings.HasPrefix(last, "trawl: save refresh: ") || !strings.Contains(last, "file too large") {
		t.Errorf("the last line is %q; want one saying the refresh could not be saved and why", last)
	}
	for _, l := range strings.Split(strings.TrimSpace(res.stderr), "\n") {
		if !strings.HasPrefix(l, "trawl: ") {
			t.Errorf("stderr line %q", l)
		}
	}
	if after, err := os.Stat(c.cachePath()); err != nil || after.Size() > fi.Size() {
		t.Errorf("the cache grew past the limit: %v, %v", after.Size(), err)
	}
	c.assertKept(kept, "after a full disk")
	r := c.run("fetch")
	if r.code != 0 {
		t.Errorf("fetch with room again: exit %d, %q", r.code, r.stderr)
	}
	if n := len(listJSON(t, c)); n != feeds*per {
		t.Errorf("%d stories after the fetch with room, want %d", n, feeds*per)
	}
	c.assertKept(kept, "after the fetch with room")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestFullDiskDuringExport exports with room for 512 bytes: to a file
// (the earlier export stays as it was, no temporary file is left) and to
// stdout redirected to a file.
func TestFullDiskDuringExport(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	dir := t.TempDir()
	out := filepath.Join(dir, "brief.md")
	earlier := "# my brief\n\nedited by hand, keep me\n"
	if err := os.WriteFile(out, []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	res := c.runChild(time.Minute, childSpec{args: []string{"export", "--all", "-o", out}, fsize: 512})
	if want := "trawl: export: cannot write " + out + ": file too large (nothing was changed)\n"; res.code != exitFailed || res.stderr != want {
		t.Errorf("export -o with a full disk: exit %d, stderr %q; want %q", res.code, res.stderr, want)
	}
	if got, err := os.ReadFile(out); err != nil || string(got) != earlier {
		t.Errorf("the earlier export is now %q (%v)", got, err)
	}
	assertOnly(t, dir, "brief.md")

	piped, err := os.Create(filepath.Join(dir, "piped.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer piped.Close()
	ctxCmd := c.childCmd(t.Context(), childSpec{args: []string{"export", "--all"}, fsize: 512})
	var stderr bytes.Buffer
	ctxCmd.Stdout, ctxCmd.Stderr = piped, &stderr
	ctxCmd.Run()
	if code := ctxCmd.ProcessState.ExitCode(); code != exitFailed || !strings.HasPrefix(stderr.String(), "trawl: write ") || !strings.Contains(stderr.String(), "file too large") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("export > file with a full disk: exit %d, stderr %q", code, stderr.String())
	}
	c.assertConsistent("after the exports")
}

// asOtherUser returns the credentials a child needs so that file
// permissions bind it: root ignores them, so a test running as root runs
// trawl as nobody, over a home it hands to nobody.
func (c *cli) asOtherUser() *syscall.Credential {
	c.t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	const nobody = 65534
	// The test's temporary directories are private to root.
	for dir := c.home; dir != filepath.Dir(dir) && dir != os.TempDir(); dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			c.t.Fatal(err)
		}
	}
	err := filepath.WalkDir(c.home, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, nobody, nobody)
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return &syscall.Credential{Uid: nobody, Gid: nobody}
}

// TestReadOnlyCacheDirectory: with the cache and its directory read-only,
// commands that only read work, commands that write say so in one line,
// and the file is not changed; a cache that cannot be created, and a
// compaction that cannot write its copy, are clear errors too.
func TestReadOnlyCacheDirectory(t *testing.T) {
	c := newCLI(t)
	fetchPolicy(t, c)
	kept := c.keep()
	cred := c.asOtherUser()
	path := c.cachePath()
	dir := filepath.Dir(path)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	before := fileSum(t, path)
	run := func(args ...string) childResult {
		return c.runChild(time.Minute, childSpec{args: args, cred: cred})
	}
	for _, args := range [][]string{{"list"}, {"show", kept.starred}, {"export"}, {"db", "check"}, {"explain", kept.starred}, {"feeds", "list"}} {
		if r := run(args...); r.code != 0 || r.stdout == "" {
			t.Errorf("trawl %s on a read-only cache: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	for _, args := range [][]string{{"star", kept.starred}, {"note", kept.starred, "x"}, {"fetch"}, {"prune", "--older-than", "1d"}, {"retag"}, {"db", "compact"}} {
		r := run(args...)
		if r.code != exitFailed || !strings.HasPrefix(r.stderr, "trawl: open cache "+path+": ") || !strings.HasSuffix(r.stderr, ": permission denied\n") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("trawl %s on a read-only cache: exit %d, stderr %q; want one line saying the cache cannot be opened for writing", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if fileSum(t, path) != before {
		t.Error("the read-only cache was changed")
	}
	assertOnly(t, dir, "trawl.db")

	// A writable cache in a read-only directory: changes in place work,
	// a compaction (which writes a copy beside it) fails and leaves it.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run("unstar", kept.starred); r.code != 0 {
		t.Errorf("unstar in a read-only directory: exit %d, %q", r.code, r.stderr)
	}
	before = fileSum(t, path)
	r := run("db", "compact")
	if r.code != exitFailed || !strings.Contains(r.stderr, "permission denied") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("db compact in a read-only directory: exit %d, stderr %q", r.code, r.stderr)
	}
	if fileSum(t, path) != before {
		t.Error("a failed compaction changed the cache")
	}
	assertOnly(t, dir, "trawl.db")

	// No cache yet, and nowhere to create one.
	empty := filepath.Join(dir, "..", "empty")
	os.Chmod(dir, 0o755)
	if err := os.Mkdir(empty, 0o555); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		os.Chown(empty, int(cred.Uid), int(cred.Gid))
	}
	fresh := filepath.Join(empty, "trawl.db")
	r = run("--db", fresh, "list")
	if r.code != exitFailed || r.stderr != "trawl: open cache "+fresh+": open "+fresh+": permission denied\n" {
		t.Errorf("list with a cache that cannot be created: exit %d, stderr %q", r.code, r.stderr)
	}
	assertOnly(t, empty)
}

// damage makes a damaged copy of the cache at src, or a file that is
// not a trawl cache, at dst.
type damage struct {
	name string
	// says is what an error must say about the file.
	says string
	// deep damage is inside pages the cache's header does not describe:
	// found only by reading them, so a command that never reads them may
	// work, and write. It must then add no damage.
	deep bool
	make func(t *testing.T, src []byte, dst string)
}

var damages = []damage{
	{"truncated", "is damaged: truncated", false, func(t *testing.T, src []byte, dst string) {
		writeFile(t, dst, src[:len(src)/2])
	}},
	// With both header pages gone, nothing says it was ever a cache.
	{"header zeroed", "is not a trawl cache: not a bbolt database", false, func(t *testing.T, src []byte, dst string) {
		b := slices.Clone(src)
		clear(b[:2*4096])
		writeFile(t, dst, b)
	}},
	{"empty", "is damaged: the file is empty", false, func(t *testing.T, src []byte, dst string) {
		writeFile(t, dst, nil)
	}},
	{"story pages garbage", "is damaged", true, func(t *testing.T, src []byte, dst string) {
		garblePage(t, src, dst, func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket([]byte("items")) })
	}},
	{"index pages garbage", "is damaged", true, func(t *testing.T, src []byte, dst string) {
		garblePage(t, src, dst, func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket([]byte("ix")).Bucket([]byte("all")) })
	}},
	{"foreign bbolt", "is not a trawl cache: it is a bbolt database holding \"sessions\", \"users\"", false, func(t *testing.T, _ []byte, dst string) {
		bdb, err := bolt.Open(dst, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = bdb.Update(func(tx *bolt.Tx) error {
			for _, name := range []string{"users", "sessions"} {
				b, err := tx.CreateBucket([]byte(name))
				if err != nil {
					return err
				}
				if err := b.Put([]byte("k"), []byte("v")); err != nil {
					return err
				}
			}
			return nil
		})
		bdb.Close()
		if err != nil {
			t.Fatal(err)
		}
	}},
	{"random bytes", "is not a trawl cache: not a bbolt database", false, func(t *testing.T, _ []byte, dst string) {
		b := make([]byte, 64<<10)
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		writeFile(t, dst, b)
	}},
}

// garblePage writes src to dst with the root page of a bucket overwritten
// by noise: bbolt's header checks pass, the damage is found on reading.
func garblePage(t *testing.T, src []byte, dst string, bucket func(*bolt.Tx) *bolt.Bucket) {
	t.Helper()
	writeFile(t, dst, src)
	bdb, err := bolt.Open(dst, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int
	bdb.View(func(tx *bolt.Tx) error {
		root, pageSize = int(bucket(tx).Root()), tx.DB().Info().PageSize
		return nil
	})
	bdb.Close()
	if root == 0 {
		t.Fatal("the bucket has no page of its own; the cache is too small")
	}
	b := slices.Clone(src)
	rng := rand.New(rand.NewPCG(uint64(root), 2))
	for i := root * pageSize; i < (root+1)*pageSize; i++ {
		b[i] = byte(rng.Uint32())
	}
	writeFile(t, dst, b)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedAndForeignCaches runs every command that opens the cache on
// damaged trawl caches and on files that are not trawl caches. Each
// command runs in its own process, since a crash is one of the ways it
// could fail. A command that fails says so in one line naming the file
// and the problem, and leaves the file byte for byte as it was; none may
// crash. Only deep damage lets a command that never reads the damaged
// pages work, and then it must not add to the damage.
func TestDamagedAndForeignCaches(t *testing.T) {
	srv := wireServer(t, 400, nil)
	c := newCLI(t)
	c.subscribe(srv, 0, 2)
	if r := c.run("fetch"); r.code != 0 {
		t.Fatalf("fetch: %q", r.stderr)
	}
	kept := c.keep()
	src, err := os.ReadFile(c.cachePath())
	if err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"list"}, {"list", "--json"}, {"show", kept.starred}, {"star", kept.starred}, {"unstar", kept.starred},
		{"note", kept.starred, "text"}, {"export", "--all"}, {"fetch"}, {"prune", "--older-than", "1d"},
		{"retag"}, {"explain", kept.starred}, {"feeds", "list"}, {"db", "check"}, {"db", "compact"},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "trawl.db")
			d.make(t, src, path)
			problems := c.runChild(time.Minute, childSpec{args: []string{"--db", path, "db", "check"}}).stdout
			for _, args := range commands {
				before := fileSum(t, path)
				r := c.runChild(time.Minute, childSpec{args: append([]string{"--db", path}, args...)})
				cmd := strings.Join(args, " ")
				changed := fileSum(t, path) != before
				switch {
				case r.code == 0 && d.deep:
					if changed {
						after := c.runChild(time.Minute, childSpec{args: []string{"--db", path, "db", "check"}}).stdout
						if after != problems {
							t.Errorf("trawl %s wrote to the damaged cache and db check now finds:\n%s\nwhere it found:\n%s", cmd, after, problems)
						}
					}
				case r.code != exitFailed || !strings.HasPrefix(r.stderr, "trawl: ") || !strings.Contains(r.stderr, "cache "+path+" "+d.says) || strings.Count(r.stderr, "\n") != 1:
					t.Errorf("trawl %s: exit %d, stderr %q; want exit 1 and one line naming the file and saying %q", cmd, r.code, firstLines(r.stderr, 3), d.says)
				case changed:
					t.Errorf("trawl %s failed and changed the file", cmd)
				}
			}
			assertOnly(t, dir, "trawl.db")
		})
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestLockedByAnotherTrawl holds the cache with a real `trawl fetch` in
// another process (stuck on a feed that never answers) and runs every
// command that opens the cache: each gives up within about a second
// with one line saying another trawl has it.
func TestLockedByAnotherTrawl(t *testing.T) {
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/silent" {
			select {
			case asked <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write(wireFeed(0, 20))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	c := newCLI(t)
	c.subscribe(srv, 0, 1)
	if r := c.run("fetch"); r.code != 0 {
		t.Fatalf("fetch: %q", r.stderr)
	}
	kept := c.keep()
	if err := os.WriteFile(c.subsFile(), []byte(srv.URL+"/silent\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	holder, _, holderErr := c.startChild(childSpec{args: []string{"fetch"}})
	select {
	case <-asked: // the fetch has the cache open and waits on the feed
	case <-time.After(time.Minute):
		t.Fatalf("the holding fetch never asked for its feed: %q", holderErr.String())
	}
	// TestLockedCacheFailsFastWithAClearMessage runs more commands,
	// against a process that only holds the cache. These return before the
	// holder is let go.
	c.assertLockedOut(c.runOnTerminal, "trawl: cache "+c.cachePath()+" is in use by another trawl process\n",
		[]string{"list"}, []string{"star", kept.starred}, []string{"note", kept.starred, "x"}, []string{"export"}, []string{"fetch"},
		[]string{"retag"}, []string{"explain", kept.starred}, []string{"feeds", "list"}, []string{"tui"})
	once.Do(func() { close(release) })
	holder.Wait()
	c.assertKept(kept, "after the other trawl finished")
}

// TestBrokenConfigAndRules: a broken config.toml or rules.toml stops
// every command that reads it with one line naming the file and the
// line, before the cache is touched.
func TestBrokenConfigAndRules(t *testing.T) {
	c := newCLI(t)
	fetchPolicy(t, c)
	kept := c.keep()
	cfgPath := filepath.Join(c.home, ".config", "trawl", "config.toml")
	rulesPath := filepath.Join(c.home, ".config", "trawl", "rules.toml")
	tsv := filepath.Join(t.TempDir(), "labelled.tsv")
	writeFile(t, tsv, []byte("labels\ttitle\tsummary\nnone\tA title\tA summary\n"))
	before := fileSum(t, c.cachePath())
	tests := []struct {
		file, text string
		says       string // after "trawl: config PATH" or "trawl: rules PATH"
	}{
		{"config", "[fetch]\ntimeout = \"30s\"\nconcurrency = \"many\"\n", ":3: fetch.concurrency: incompatible types"},
		{"config", "# mine\n[fetch]\n\ntimeout = \"3 fortnights\"\n", ":4: bad duration \"3 fortnights\""},
		{"config", "[fetch\ntimeout = \"1s\"\n", ":2: expected '.' or ']' to end table name"},
		{"config", "[fetch]\ntimeuot = \"1s\"\n", ":2: unknown setting \"fetch.timeuot\""},
		{"config", "[fetch]\nper_host = 4\nmax_items = -1\n", ":3: fetch.max_items must not be negative"},
		{"config", "[ui]\nbrowser = \"x\x1b]0;title\x07\"\n", ":2: TOML files cannot contain control characters"},
		{"rules", "[tags.leaks]\nthreshold = 1\n[tags.leaks.concepts.c]\nweight = 1\nphrases = [\"data leak\"\n", ":5: tags.leaks.concepts.c.phrases: expected a comma"},
		{"rules", "[tags.leaks]\nthreshhold = 1\n", ":2: unknown key \"tags.leaks.threshhold\""},
		{"rules", "\n[fields]\ntitle = 50\n", ":3: field weight title = 50: want a number from 0 to 10"},
		{"rules", "[tags.leaks]\nthreshold = \"high\"\n", ":2: tags.leaks.threshold: incompatible types"},
	}
	for _, tt := range tests {
		path := cfgPath
		if tt.file == "rules" {
			path = rulesPath
		}
		writeFile(t, path, []byte(tt.text))
		want := "trawl: " + tt.file + " " + path + tt.says
		commands := [][]string{{"fetch"}, {"tui"}, {"retag"}, {"explain", "--title", "A title"}, {"eval", tsv}}
		if tt.file == "config" {
			commands = append(commands, []string{"list"}, []string{"star", kept.starred}, []string{"export"}, []string{"feeds", "list"})
		}
		for _, args := range commands {
			r := c.runOnTerminal(args...)
			if r.code != exitFailed || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("trawl %s with %s %q: exit %d, stderr %q; want one line starting %q", strings.Join(args, " "), tt.file, tt.text, r.code, r.stderr, want)
			}
			assertClean(t, "the error about "+tt.file, r.stderr)
		}
		// An empty config is the default one; no rules file is the
		// built-in rules.
		if tt.file == "config" {
			writeFile(t, path, nil)
		} else {
			os.Remove(path)
		}
	}
	if fileSum(t, c.cachePath()) != before {
		t.Error("a command with a broken config or rules file changed the cache")
	}
	c.assertKept(kept, "after the broken files")
}
