package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// Tests that need a second process run this test binary again in a child
// role, chosen by environment variables that only these tests set.
const (
	envRole = "TRAWL_STORE_TEST_ROLE"
	envDB   = "TRAWL_STORE_TEST_DB"
	envArg  = "TRAWL_STORE_TEST_ARG"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		os.Exit(runChild(role, os.Getenv(envDB), os.Getenv(envArg)))
	}
	os.Exit(m.Run())
}

func runChild(role, path, arg string) int {
	var err error
	switch role {
	case "hold":
		err = childHold(path, arg == "ro")
	case "crash":
		err = childCrash(path, arg)
	case "memory":
		err = childMemory(path)
	case "compact-fail":
		err = childCompactFail(path)
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// child starts this binary in a role and returns it with its stdin and
// a line reader on its stdout. The child is killed when the test ends.
func child(t *testing.T, role, path, arg string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	// Built with -race, a child that exits with status 0 would first
	// sleep for atexit_sleep_ms, 1 s by default; the parent's own GORACE
	// settings come after and win.
	gorace := "GORACE=" + strings.TrimSpace("atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	cmd.Env = append(os.Environ(), envRole+"="+role, envDB+"="+path, envArg+"="+arg, gorace)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	return cmd, in, bufio.NewScanner(out)
}

// childHold opens the cache and keeps it open until stdin closes.
func childHold(path string, ro bool) error {
	db, err := Open(path, Options{ReadOnly: ro})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return db.Close()
}

func TestSecondProcessGetsAClearLockError(t *testing.T) {
	path := cacheWith(t, 10)
	tests := []struct {
		holder   string // how the other process has it open
		ro       bool   // how this one asks
		conflict bool
	}{
		{"rw", false, true},
		{"rw", true, true},
		{"ro", false, true},
		{"ro", true, false}, // readers share
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s holder, readonly=%t", tt.holder, tt.ro), func(t *testing.T) {
			cmd, in, out := child(t, "hold", path, tt.holder)
			if !out.Scan() || out.Text() != "ready" {
				t.Fatalf("holder did not start: %q", out.Text())
			}
			start := time.Now()
			db, err := Open(path, Options{ReadOnly: tt.ro})
			waited := time.Since(start)
			if !tt.conflict {
				if err != nil {
					t.Fatalf("a second reader was refused: %v", err)
				}
				db.Close()
			} else {
				if err == nil {
					db.Close()
					t.Fatal("opened a cache another process holds")
				}
				if !errors.Is(err, ErrLocked) {
					t.Errorf("error = %v, want ErrLocked", err)
				}
				if want := "cache " + path + " is in use by another trawl process"; err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
				// Not a timing assertion: a hang would sit here for ever.
				if waited > 30*time.Second {
					t.Errorf("waited %s for the lock", waited)
				}
			}
			in.Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("holder: %v", err)
			}
			// Once the holder is gone the cache opens.
			db, err = Open(path, Options{})
			if err != nil {
				t.Fatalf("after the holder exited: %v", err)
			}
			db.Close()
		})
	}
}

// The crash test. A child applies a fixed, numbered sequence of changes
// (refreshes that add and rewrite stories and feed states, stars, notes,
// read flags, dismissals), printing each number after its transaction
// commits; the parent kills it at random points with SIGKILL. Every change
// the child reported must be in the cache, and nothing half-done: the cache
// must equal the sequence applied up to the last report, or one step
// further (a commit whose report the kill cut off).

// crashBase is the child's clock at step 0; step n runs at base + n min.
var crashBase = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func crashStory(g, rev int) item.Item {
	feed := feedURL(g % 3)
	link := fmt.Sprintf("https://crash.example/%d", g)
	it := item.Item{Feed: feed, Outlet: "Crash", GUID: link, Link: link, Title: fmt.Sprintf("Story %d", g),
		Published: crashBase.Add(time.Duration(g) * time.Minute),
		Summary:   fmt.Sprintf("revision %d", rev)}
	if rev%2 == 1 {
		it.Tags = []item.Tag{{Name: "training-data", Score: 3, Threshold: 2}}
		it.Content = fmt.Sprintf("<p>%d</p>", rev)
	}
	it.ID = item.NewID(feed, it.GUID, it.Link, it.Title, it.Published)
	return it
}

// crashStep applies step n of the sequence to db.
func crashStep(db *DB, n int) error {
	g := n / 4
	switch n % 4 {
	case 0:
		items := []item.Item{crashStory(g, n)}
		if g > 0 {
			items = append(items, crashStory(g/2, n)) // rewrites an older story
		}
		// Filler makes each refresh a transaction long enough for kills
		// to land inside it.
		for i := range 150 {
			f := crashStory(1_000_000+n*1000+i, 0)
			f.Summary = strings.Repeat("filler ", 60)
			items = append(items, f)
		}
		return db.SaveFetched([]item.Fetched{{State: item.FeedState{URL: feedURL(g % 3), ETag: strconv.Itoa(n)}, Items: items}})
	case 1:
		return db.SetStarred(crashStory(g, 0).ID, true)
	case 2:
		return db.SetNote(crashStory(g, 0).ID, fmt.Sprintf("note %d", n))
	default:
		_, err := db.Update(crashStory(g/2, 0).ID, func(s *State) {
			s.Read = !s.Read
			s.Dismissed = g%5 == 0
			if g%7 == 0 {
				s.Starred = false
			}
		})
		return err
	}
}

func childCrash(path, from string) error {
	start, err := strconv.Atoi(from)
	if err != nil {
		return err
	}
	c := &clock{}
	db, err := Open(path, Options{Now: c.now})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	for n := start; ; n++ {
		c.t = crashBase.Add(time.Duration(n) * time.Minute)
		if err := crashStep(db, n); err != nil {
			return fmt.Errorf("step %d: %w", n, err)
		}
		fmt.Fprintln(w, n)
		w.Flush()
	}
}

// crashExpect builds, in a fresh cache, what steps 0..last leave.
func crashExpect(t *testing.T, last int) *DB {
	t.Helper()
	c := &clock{}
	db, err := Open(filepath.Join(t.TempDir(), "want.db"), Options{Now: c.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n <= last; n++ {
		c.t = crashBase.Add(time.Duration(n) * time.Minute)
		if err := crashStep(db, n); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// sameCache compares everything a user can see in two caches.
func sameCache(a, b *DB) error {
	dump := func(db *DB) (string, error) {
		var sb strings.Builder
		for _, v := range []View{All, Dismissed} {
			err := db.Each(v, func(s Story) error {
				full, err := db.Get(s.ID)
				fmt.Fprintf(&sb, "%s %q %.20q %v %q %+v %s %v\n", full.ID, full.Title, full.Summary, full.TagNames(), full.Content, full.State, full.FirstSeen, full.Feeds)
				return err
			})
			if err != nil {
				return "", err
			}
		}
		c, err := db.Counts()
		fmt.Fprintf(&sb, "%+v\n", c)
		states, err2 := db.FeedStates()
		for _, u := range sortedNames(states) {
			fmt.Fprintf(&sb, "%s %s\n", u, states[u].ETag)
		}
		return sb.String(), errors.Join(err, err2)
	}
	da, err := dump(a)
	if err != nil {
		return err
	}
	db, err := dump(b)
	if err != nil {
		return err
	}
	if da != db {
		return fmt.Errorf("caches differ: %s", lineDiff(da, db))
	}
	return nil
}

// lineDiff names the first few lines only one side has.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, side := range []struct {
		name  string
		s     string
		other map[string]bool
	}{{"only in the cache", a, mb}, {"only in the expectation", b, ma}} {
		n := 0
		for _, l := range strings.Split(side.s, "\n") {
			if !side.other[l] && n < 4 {
				out = append(out, side.name+": "+l)
				n++
			}
		}
	}
	return strings.Join(out, "\n")
}

func TestKilledWriterLosesNothingReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	// Kill points vary from run to run; the seed is logged to replay one.
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 5))
	next := 0 // the first step the next child runs
	for round := range 6 {
		cmd, _, out := child(t, "crash", path, strconv.Itoa(next))
		last := next - 1
		// Let it run for a random number of commits, then kill it
		// without warning, somewhere in its next step.
		stopAt := next + 3 + r.IntN(40)
		for last < stopAt && out.Scan() {
			n, err := strconv.Atoi(out.Text())
			if err != nil {
				t.Fatalf("child printed %q", out.Text())
			}
			last = n
		}
		time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for out.Scan() { // reports already in the pipe count too
			if n, err := strconv.Atoi(out.Text()); err == nil {
				last = n
			}
		}
		cmd.Wait()
		if last < next {
			t.Fatalf("round %d: the child reported nothing", round)
		}

		db, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		if err := db.Check(); err != nil {
			t.Fatalf("round %d: check after kill: %v", round, err)
		}
		want := crashExpect(t, last)
		if err := sameCache(db, want); err != nil {
			further := crashExpect(t, last+1)
			if err2 := sameCache(db, further); err2 != nil {
				t.Fatalf("round %d: after step %d was reported the cache matches neither %d nor %d steps: %v", round, last, last+1, last+2, err)
			}
			further.Close()
			t.Logf("round %d: step %d had committed but its report was cut off", round, last+1)
			last++ // steps are not all idempotent: do not run it twice
		}
		want.Close()
		db.Close()
		t.Logf("round %d: killed after step %d", round, last)
		next = last + 1
	}
	if next < 20 {
		t.Fatalf("only %d steps ran; the test proved little", next)
	}
}

// childMemory opens a cache the way the reader starts (counts, then the
// first screen) and reports its peak resident memory.
func childMemory(path string) error {
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Counts(); err != nil {
		return err
	}
	page, _, err := db.Page(All, nil, 50)
	if err != nil {
		return err
	}
	kb, err := peakRSS()
	if err != nil {
		return err
	}
	fmt.Println(len(page), kb)
	return nil
}

// peakRSS is this process's peak resident memory in KiB: VmHWM, which
// belongs to the address space. getrusage's maxrss would not do: Linux
// carries it across fork and exec, so a child started by a big test
// process would report the parent's peak.
func peakRSS() (int, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// TestPeakMemoryOfFirstScreen measures a separate process that opens a
// 100k-story cache, reads the counts and the first page: the reader's
// start. Under the race detector, which multiplies both the time to build
// the cache and the memory touched, it uses 10k stories and a looser
// bound; run it without -race for the figure that matters.
func TestPeakMemoryOfFirstScreen(t *testing.T) {
	perFeed, limit := benchPerFeed, 50.0
	if raceEnabled {
		perFeed, limit = benchPerFeed/10, 250
	}
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path, Options{Now: (&clock{testNow}).now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	saveAll(t, db, corpus(1, benchFeeds, perFeed, benchBatch))
	if n, _ := db.Count(All); n != benchFeeds*perFeed {
		t.Fatalf("built %d stories", n)
	}
	db.Close()

	cmd, _, out := child(t, "memory", path, "")
	if !out.Scan() {
		t.Fatal("the child printed nothing")
	}
	var stories, kb int
	if _, err := fmt.Sscan(out.Text(), &stories, &kb); err != nil {
		t.Fatalf("child printed %q", out.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if stories != 50 {
		t.Errorf("first page has %d stories", stories)
	}
	mb := float64(kb) / 1024
	t.Logf("peak resident memory opening a %d-story cache and reading one page: %.1f MB (race detector: %t)", benchFeeds*perFeed, mb, raceEnabled)
	if mb > limit {
		t.Errorf("peak memory %.1f MB, want under %.0f MB", mb, limit)
	}
}

// childCompactFail compacts with a file-size limit too small for the copy,
// so the compaction fails the way a full disk would make it fail.
func childCompactFail(path string) error {
	db, err := Open(path, Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.Counts()
	if err != nil {
		return err
	}
	signal.Ignore(syscall.SIGXFSZ) // make the write fail instead of the process
	lim := syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return err
	}
	if _, _, err := db.Compact(); err == nil {
		return errors.New("compaction succeeded despite the limit")
	} else {
		fmt.Println(oneLine(err.Error()))
	}
	// The cache is still open and whole.
	after, err := db.Counts()
	if err != nil {
		return err
	}
	if after.All != before.All {
		return fmt.Errorf("counts went from %d to %d", before.All, after.All)
	}
	return db.Check()
}

func TestFailedCompactionKeepsTheCache(t *testing.T) {
	path := cacheWith(t, 300)
	before := fileSum(t, path)
	cmd, _, out := child(t, "compact-fail", path, "")
	var msg string
	if out.Scan() {
		msg = out.Text()
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v (printed %q)", err, msg)
	}
	if !strings.Contains(msg, "compact "+path) || !strings.Contains(msg, "the cache is unchanged") {
		t.Errorf("compaction error = %q", msg)
	}
	if fileSum(t, path) != before {
		t.Error("a failed compaction changed the cache")
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
