package feeds_test

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/classify"
	"github.com/trawl-news/trawl/store"
)

// The refresh benchmarks model the scenario: 200 outlets on
// loopback, each response delayed by 50 ms, refreshed into a real cache
// (bbolt with fsync) through the real classifier.
//
// Real refreshes spread over many hosts, and the per-host politeness limit
// applies to each. Serving every feed from 127.0.0.1 would model one
// server carrying 200 outlets, where that limit (rightly) serialises the
// work. So the outlets are spread over 50 loopback addresses
// (127.0.0.2..127.0.0.51, all routed to lo on Linux), four feeds each,
// and the limit stays at its default.
//
// Entries carry a title, link, GUID, date, author, categories and an HTML
// summary of a few hundred bytes, about 0.8 KB in all, as news outlets'
// feeds mostly do. The FullContent variant adds the whole article (about
// 3 KB of HTML an entry), as blogs and some outlets publish. The MB/s
// figure is feed bytes parsed per second; cpu-s/op is CPU time over all
// cores, which the load of a shared machine inflates less than wall time;
// live-MB is the most heap the refresh kept live at once. They run with
// the collector set as 'trawl fetch' sets it (collectLikeFetch).
const (
	benchFeeds   = 200
	benchHosts   = 50
	benchLatency = 50 * time.Millisecond
)

func BenchmarkRefresh200x50(b *testing.B)  { benchmarkRefresh(b, benchFeeds, 50, false) }
func BenchmarkRefresh200x500(b *testing.B) { benchmarkRefresh(b, benchFeeds, 500, false) }
func BenchmarkRefresh200x50FullContent(b *testing.B) {
	benchmarkRefresh(b, benchFeeds, 50, true)
}

// BenchmarkRefreshNotModified is the second refresh of unchanged feeds:
// every one a conditional GET answered 304.
func BenchmarkRefreshNotModified(b *testing.B) {
	now := time.Now()
	subs, _ := serveOutlets(b, benchFeeds, 50, false, now)
	collectLikeFetch(b)
	db := openBenchStore(b)
	cls := classify.Default()
	first, err := feeds.NewRefresher(db, cls, feeds.RefreshOptions{}).Refresh(context.Background(), subs)
	if err != nil || first.Fetched != benchFeeds {
		b.Fatalf("first refresh: %+v, %v", first, err)
	}
	var cpu time.Duration
	for b.Loop() {
		// A new Refresher each time, as each 'trawl fetch' is a new
		// process with no open connections.
		start := cpuTime(b)
		sum, err := feeds.NewRefresher(db, cls, feeds.RefreshOptions{}).Refresh(context.Background(), subs)
		cpu += cpuTime(b) - start
		if err != nil || sum.NotModified != benchFeeds {
			b.Fatalf("second refresh: %+v, %v", sum, err)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkFloor200x500 is the part of the 100k refresh that trawl does
// not write: every feed fetched by trawl's Fetcher and parsed by gofeed,
// under the refresh's limits (DefaultConcurrency requests, one parse per
// core), and nothing else: no normalising, tagging or storing. Set beside
// BenchmarkRefresh200x500, it shows how much of that refresh's time is left
// for trawl's own work.
func BenchmarkFloor200x500(b *testing.B) {
	const items = 500
	subs, size := serveOutlets(b, benchFeeds, items, false, time.Now())
	collectLikeFetch(b)
	b.SetBytes(size)
	var cpu time.Duration
	for b.Loop() {
		start := cpuTime(b)
		fetcher := feeds.NewFetcher(feeds.FetchOptions{})
		fetchSlots := make(chan struct{}, feeds.DefaultConcurrency)
		cpuSlots := make(chan struct{}, runtime.GOMAXPROCS(0))
		errs := make(chan error, len(subs))
		for _, sub := range subs {
			go func() {
				fetchSlots <- struct{}{}
				resp, err := fetcher.Fetch(context.Background(), feeds.Request{URL: sub.URL}, time.Now())
				<-fetchSlots
				if err != nil {
					errs <- err
					return
				}
				cpuSlots <- struct{}{}
				f, err := gofeed.NewParser().Parse(bytes.NewReader(resp.Body))
				<-cpuSlots
				if err == nil && len(f.Items) != items {
					err = fmt.Errorf("%s: %d items, want %d", sub.URL, len(f.Items), items)
				}
				errs <- err
			}()
		}
		for range subs {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime(b) - start
		fetcher.CloseIdle()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

func benchmarkRefresh(b *testing.B, nFeeds, items int, full bool) {
	now := time.Now()
	subs, size := serveOutlets(b, nFeeds, items, full, now)
	collectLikeFetch(b)
	cls := classify.Default()
	b.SetBytes(size)
	var cpu time.Duration
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		db := openBenchStore(b)
		r := feeds.NewRefresher(db, cls, feeds.RefreshOptions{})
		runtime.GC()
		heap := watchHeap()
		b.StartTimer()
		start := cpuTime(b)
		sum, err := r.Refresh(context.Background(), subs)
		cpu += cpuTime(b) - start
		b.StopTimer()
		peak = max(peak, heap())
		if err != nil || sum.Fetched != nFeeds || sum.New != nFeeds*items {
			b.Fatalf("refresh: %+v, %v", sum, err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(nFeeds*items*b.N)/b.Elapsed().Seconds(), "items/s")
	// CPU seconds (user + system, all cores, the in-process test server
	// included) say how much work a refresh is, whatever else the machine
	// is doing; ns/op is wall time.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "live-MB")
}

// collectLikeFetch sets the collector for the rest of the benchmark as
// 'trawl fetch' sets it for a refresh (feeds.RefreshGCPercent), unless
// GOGC or GOMEMLIMIT is set, so that a run can compare. The memory limit
// is raised by what the process holds already, mostly the served feeds: a
// fetch process holds none of that, and counting it would make the
// collector run far more often than it does in 'trawl fetch'.
func collectLikeFetch(b *testing.B) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(sample)
	held := int64(sample[0].Value.Uint64() - sample[1].Value.Uint64())
	percent := debug.SetGCPercent(feeds.RefreshGCPercent)
	limit := debug.SetMemoryLimit(feeds.RefreshMemoryLimit + held)
	b.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

// watchHeap samples the live heap (as the last garbage collection marked
// it, so garbage not yet collected does not count) every few milliseconds
// until the returned function is called, which reports the peak above the
// heap at the start (the test's own fixtures are in that baseline).
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

// cpuTime is the CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func openBenchStore(b *testing.B) *store.DB {
	b.Helper()
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// serveOutlets serves nFeeds synthetic feeds of items entries each from
// benchHosts loopback addresses, every response (304s included) after
// benchLatency, with an ETag so that a second refresh is conditional. It
// returns the subscriptions and the feeds' total size.
func serveOutlets(b *testing.B, nFeeds, items int, full bool, now time.Time) ([]feeds.Subscription, int64) {
	b.Helper()
	bodies := map[string][]byte{}
	etags := map[string]string{}
	var size int64
	for i := range nFeeds {
		path := fmt.Sprintf("/feed/%d", i)
		bodies[path] = genFeed(i, items, fmt.Sprintf("outlet%d.example", i), now, full)
		size += int64(len(bodies[path]))
		h := fnv.New64a()
		h.Write(bodies[path])
		etags[path] = fmt.Sprintf(`"%x"`, h.Sum64())
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(benchLatency)
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", etags[r.URL.Path])
		if r.Header.Get("If-None-Match") == etags[r.URL.Path] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write(body)
	})}
	addrs := make([]string, benchHosts)
	for h := range benchHosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+2))
		if err != nil {
			b.Fatalf("listen on a second loopback address (Linux routes 127/8 to lo): %v", err)
		}
		addrs[h] = ln.Addr().String()
		go srv.Serve(ln)
	}
	b.Cleanup(func() { srv.Close() })
	subs := make([]feeds.Subscription, nFeeds)
	for i := range subs {
		subs[i] = feeds.Subscription{URL: fmt.Sprintf("http://%s/feed/%d", addrs[i%benchHosts], i)}
	}
	return subs, size
}

// BenchmarkParse measures parse + normalise + sanitise alone, per format,
// on one synthetic 50-entry feed.
func BenchmarkParse(b *testing.B) {
	now := time.Now()
	p := feeds.NewParser(0)
	for _, tc := range []struct {
		name string
		n    int
	}{{"rss", 0}, {"atom", 3}, {"json", 4}} {
		body := genFeed(tc.n, 50, "outlet.example", now, true)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				f, err := p.ParseSource(body, feeds.Source{URL: "https://outlet.example/feed"}, now)
				if err != nil || len(f.Items) != 50 {
					b.Fatalf("parse: %v", err)
				}
			}
		})
	}
}
