package tui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/search"
)

// benchStories is the size of the cache the performance targets are set
// for.
const benchStories = 100_000

// benchCache returns the path of a cache of 100k generated stories, built
// once and kept in the system's temporary directory between runs (it takes
// a while to write, and its contents never change).
func benchCache(b testing.TB) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "trawl-tui-bench-v1")
	path := filepath.Join(dir, "cache100k.db")
	if db, err := store.Open(path, store.Options{ReadOnly: true, Now: nowFn}); err == nil {
		n, cerr := db.Count(store.All)
		db.Close()
		if cerr == nil && n == benchStories {
			return path
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	os.Remove(path)
	db, err := store.Open(path, store.Options{Now: nowFn, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const batch = 2000
	for start := 0; start < benchStories; start += batch {
		items := make([]item.Item, 0, batch)
		for i := start; i < start+batch; i++ {
			items = append(items, benchItem(i))
		}
		if _, err := db.Upsert(items); err != nil {
			b.Fatal(err)
		}
	}
	return path
}

var (
	benchWords = strings.Fields(`model training data licensing publisher lawsuit crawler scraping archive
		pricing API tier developer platform access fee token chip phone launch review battery court
		regulator policy deal partnership opt-out robots news music photo book code forum social
		search cloud startup funding market report study researchers users creators copyright`)
	benchOutlets = []string{"The Circuit", "Byte Ledger", "Silicon Marsh", "Signal & Noise", "Patchwire",
		"The Overclock", "Uplink Daily", "The Kernel Report", "Datawatch", "Policy Desk"}
)

// benchItem is story i: a plausible title and summary, one of 200 feeds,
// a fifth of them tagged with evidence, one every 3 minutes back in time.
func benchItem(i int) item.Item {
	word := func(k int) string { return benchWords[(i*7+k*13+k*k)%len(benchWords)] }
	var title, summary strings.Builder
	fmt.Fprintf(&title, "%s %s %s over %s %s, story %d", strings.ToUpper(word(1)[:1])+word(1)[1:], word(2), word(3), word(4), word(5), i)
	for k := 0; k < 40; k++ {
		summary.WriteString(word(k + 6))
		summary.WriteByte(' ')
	}
	feed := i % 200
	it := item.Item{
		Feed:      fmt.Sprintf("https://outlet%d.example/feed", feed),
		Outlet:    benchOutlets[feed%len(benchOutlets)],
		Title:     title.String(),
		Summary:   strings.TrimSpace(summary.String()),
		Link:      fmt.Sprintf("https://outlet%d.example/story/%d", feed, i),
		Published: fixedNow.Add(-time.Duration(i) * 3 * time.Minute),
	}
	if i%5 == 0 {
		tag := "training-data"
		if i%10 == 0 {
			tag = "api-pricing"
		}
		w := word(2)
		it.Tags = []item.Tag{{Name: tag, Score: 2.5, Threshold: 2, Matches: []item.Match{
			{Phrase: w, Field: item.FieldTitle, Start: strings.Index(it.Title, w), End: strings.Index(it.Title, w) + len(w), Weight: 2.5},
		}}}
	}
	it.ID = item.NewID(it.Feed, "", it.Link, it.Title, it.Published)
	return it
}

// drain runs cmd and every command it leads to, feeding the messages to
// m, as the program would; it skips ticks, which only wait. It returns the
// model once nothing is left to run.
func drain(m tea.Model, cmd tea.Cmd) tea.Model {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case nil:
			continue
		case indexBuiltMsg, countsMsg:
		case indexDueMsg:
			// The index builds in the background after the first frame;
			// BenchmarkIndexBuild100k measures it, and tests that need it
			// drain buildIndexCmd themselves.
			continue
		default:
			if strings.Contains(fmt.Sprintf("%T", msg), "Tick") {
				continue
			}
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
}

// firstFrame opens the cache at path and draws the first full screen at
// w×h, as the program does on start: the first page and the counts. The
// search index is built by a background command that the first frame does
// not wait for.
func firstFrame(b testing.TB, path string, w, h int) (*store.DB, *Model, string) {
	db, err := store.Open(path, store.Options{Now: nowFn})
	if err != nil {
		b.Fatal(err)
	}
	opts := testOptions(db)
	// Colour, as on a real terminal: styled text costs more to measure.
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	opts.Renderer = r
	root := New(opts)
	var m tea.Model = root
	m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m = drain(m, tea.Batch(root.list.Init(), countsCmd(db)))
	view := m.View()
	if !strings.Contains(view, "story 0") || !strings.Contains(view, "\x1b[") {
		b.Fatalf("first frame lacks the newest story:\n%s", view)
	}
	return db, m.(*Model), view
}

// BenchmarkOpenFirstFrame100k is the start-up target: open a cache of 100k
// stories and draw the first full screen in under 200 ms.
func BenchmarkOpenFirstFrame100k(b *testing.B) {
	path := benchCache(b)
	b.ResetTimer()
	for range b.N {
		db, _, _ := firstFrame(b, path, 120, 40)
		db.Close()
	}
}

// BenchmarkCursorMove is one key press moving the cursor at 120×40:
// Update and View, under 2 ms.
func BenchmarkCursorMove(b *testing.B) {
	db, m, _ := firstFrame(b, benchCache(b), 120, 40)
	defer db.Close()
	down, up := keyMsg("down"), keyMsg("up")
	var tm tea.Model = m
	b.ResetTimer()
	for i := range b.N {
		k := down
		if i%300 >= 150 {
			k = up
		}
		tm, _ = tm.Update(k)
		_ = tm.View()
	}
}

// searchModel is the first frame with the index built and the search box
// open.
func searchModel(b testing.TB) (*store.DB, tea.Model) {
	db, m, _ := firstFrame(b, benchCache(b), 120, 40)
	ix, err := search.Build(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	if ix.Len() != benchStories {
		b.Fatalf("index holds %d stories", ix.Len())
	}
	var tm tea.Model = m
	tm, _ = tm.Update(indexBuiltMsg{ix: ix})
	tm, _ = tm.Update(keyMsg("/"))
	return db, tm
}

// BenchmarkSearchKeystroke types "licensing" and deletes it again, one
// key at a time, over 100k stories: Update (the search) and View per key,
// under 30 ms. Typing refines the last result; each backspace searches
// the whole index again.
func BenchmarkSearchKeystroke(b *testing.B) {
	db, tm := searchModel(b)
	defer db.Close()
	const word = "licensing"
	var keys []tea.KeyMsg
	for _, r := range word {
		keys = append(keys, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	for range word {
		keys = append(keys, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	b.ResetTimer()
	for i := range b.N {
		tm, _ = tm.Update(keys[i%len(keys)])
		_ = tm.View()
	}
}

// BenchmarkSearchFirstKeystroke is the worst keystroke: one letter that
// matches most stories, searched over the whole index. The letters cycle
// through the alphabet so that no answer comes from the index's memory of
// recent searches.
func BenchmarkSearchFirstKeystroke(b *testing.B) {
	db, tm := searchModel(b)
	defer db.Close()
	bs := tea.KeyMsg{Type: tea.KeyBackspace}
	b.ResetTimer()
	for i := range b.N {
		tm, _ = tm.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{rune('a' + i%26)}})
		_ = tm.View()
		b.StopTimer()
		tm, _ = tm.Update(bs)
		b.StartTimer()
	}
}

// BenchmarkIndexBuild100k is the background work behind search: reading
// 100k stories into the index.
func BenchmarkIndexBuild100k(b *testing.B) {
	path := benchCache(b)
	db, err := store.Open(path, store.Options{ReadOnly: true, Now: nowFn})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := search.Build(context.Background(), db); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeakMemory100k measures the memory target (under 100 MB with
// 100k stories) in a fresh process, so nothing else this test binary did
// counts. The child opens the cache, draws the first frame and scrolls
// 2,000 stories; with "search" it also builds the search index (which
// reads every story, so every page of the cache file gets mapped in) and
// searches. It reports its peak resident set (VmHWM) and its live heap.
func BenchmarkPeakMemory100k(b *testing.B) {
	for _, mode := range []string{"browse", "search"} {
		b.Run(mode, func(b *testing.B) { peakMemory(b, mode) })
	}
}

func peakMemory(b *testing.B, mode string) {
	path := benchCache(b)
	for i := range b.N {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryChild$", "-test.v")
		cmd.Env = append(os.Environ(), "TRAWL_TUI_MEMCHILD="+mode+":"+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var rss, heap, anon float64
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "MEMCHILD" {
				rss, _ = strconv.ParseFloat(f[1], 64)
				heap, _ = strconv.ParseFloat(f[2], 64)
				anon, _ = strconv.ParseFloat(f[3], 64)
			}
		}
		if rss == 0 {
			b.Fatalf("child reported nothing:\n%s", out)
		}
		if i == 0 {
			b.Logf("%s", out)
		}
		b.ReportMetric(rss, "peak-RSS-MB")
		b.ReportMetric(heap, "live-heap-MB")
		b.ReportMetric(anon, "peak-anon-MB")
	}
}

// TestMemoryChild is BenchmarkPeakMemory100k's child; it does nothing in
// an ordinary test run.
func TestMemoryChild(t *testing.T) {
	mode, path, ok := strings.Cut(os.Getenv("TRAWL_TUI_MEMCHILD"), ":")
	if !ok {
		return
	}
	debug.SetMemoryLimit(MemoryLimit) // as cmd/trawl does
	// VmHWM counts the cache file's pages that bbolt's mmap brought in;
	// sample the private (anonymous) part on its own.
	var peakAnon, peakFile atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if a := uint64(procStatus(t, "RssAnon") * 1024); a > peakAnon.Load() {
				peakAnon.Store(a)
			}
			if f := uint64(procStatus(t, "RssFile") * 1024); f > peakFile.Load() {
				peakFile.Store(f)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	db, m, _ := firstFrame(t, path, 120, 40)
	defer db.Close()
	var tm tea.Model = m
	if mode == "search" {
		tm = drain(tm, buildIndexCmd(context.Background(), db))
		tm, _ = tm.Update(keyMsg("/"))
		for _, r := range "data" {
			tm, _ = tm.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			_ = tm.View()
		}
		tm, _ = tm.Update(keyMsg("esc"))
	}
	for range 2000 {
		var cmd tea.Cmd
		tm, cmd = tm.Update(keyMsg("down"))
		tm = drain(tm, cmd)
		_ = tm.View()
	}
	close(stop)
	<-sampled
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(tm)
	fmt.Printf("MEMCHILD %.1f %.1f %.1f\n", procStatus(t, "VmHWM"), float64(ms.HeapInuse)/(1<<20), float64(peakAnon.Load())/1024)
	fmt.Printf("now: RSS %.1f MB = anonymous %.1f + file %.1f (the cache's mapped pages); sampled peaks: anonymous %.1f, file %.1f\n",
		procStatus(t, "VmRSS"), procStatus(t, "RssAnon"), procStatus(t, "RssFile"), float64(peakAnon.Load())/1024, float64(peakFile.Load())/1024)
}

// procStatus reads one memory figure of this process, in MB, from Linux's
// /proc (VmHWM is the peak resident set).
func procStatus(t *testing.T, field string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("peak memory needs Linux's /proc: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb / 1024
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
