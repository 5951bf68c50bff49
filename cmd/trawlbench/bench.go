package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/trawl-news/trawl/cmd/trawlbench/feedgen"
	"github.com/trawl-news/trawl/cmd/trawlbench/proc"
	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

// bench holds what the scenarios share: the work directory, the programs
// under test, the feed servers and the 100k-story caches.
type bench struct {
	opts        options
	log         io.Writer
	dir         string
	box         sandbox
	trawl       trawlTool
	trawlConfig string // config.toml text for every trawl workspace
	trawlRev    string // what was measured, for the report
	starcache   string // the starcache binary, when the export scenario runs
	nb          *newsboatTool
	nbMissing   string // why newsboat is left out
	loadBefore  string

	small, large *feedgen.Server
	trawlBig     *trawlSpace    // the 100k cache trawl built
	nbBig        *newsboatSpace // the same for newsboat
}

func newBench(ctx context.Context, opts options, log io.Writer) (*bench, error) {
	b := &bench{opts: opts, log: log, loadBefore: loadAverage()}
	dir, err := os.MkdirTemp("", "trawlbench-")
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	b.dir = dir
	if b.box, err = newSandbox(dir); err != nil {
		b.close()
		return nil, err
	}
	if opts.trawlConfig != "" {
		raw, err := os.ReadFile(opts.trawlConfig)
		if err != nil {
			b.close()
			return nil, fmt.Errorf("-trawl-config: %w", err)
		}
		b.trawlConfig = string(raw)
	}
	bin, err := b.buildPrograms(ctx)
	if err != nil {
		b.close()
		return nil, err
	}
	b.trawl = trawlTool{bin: bin, box: b.box}
	b.nb, b.nbMissing = findNewsboat(ctx, opts.newsboat, b.box)
	if b.nb != nil {
		b.logf("comparing with %s (%s)", b.nb.version, b.nb.bin)
	} else {
		b.logf("newsboat: %s", b.nbMissing)
	}
	return b, nil
}

// buildPrograms builds trawl (unless -trawl names a binary) and, for the
// export scenario, starcache, from the same source so they agree on the
// cache schema. It returns the trawl binary.
func (b *bench) buildPrograms(ctx context.Context) (string, error) {
	src := b.opts.repo
	b.trawlRev = gitRevision(ctx, src)
	if b.opts.rev != "" {
		src = b.workdir("src")
		hash, err := extractRevision(ctx, b.opts.repo, b.opts.rev, src)
		if err != nil {
			return "", err
		}
		b.trawlRev = fmt.Sprintf("%s (%s)", b.opts.rev, hash)
	}
	bin := b.opts.trawlBin
	if bin != "" {
		var err error
		if bin, err = exec.LookPath(bin); err != nil {
			return "", fmt.Errorf("-trawl: %w", err)
		}
		b.trawlRev = "the binary " + bin
	} else {
		b.logf("building trawl from %s", b.trawlRev)
		bin = b.workdir("trawl")
		if err := goBuild(ctx, src, "./cmd/trawl", bin); err != nil {
			return "", err
		}
	}
	if slices.Contains(b.opts.scenarios, "export") {
		// A revision from before starcache existed borrows today's.
		starSrc := src
		if _, err := os.Stat(filepath.Join(src, "cmd", "trawlbench", "starcache")); err != nil {
			starSrc = b.opts.repo
		}
		b.starcache = b.workdir("starcache")
		if err := goBuild(ctx, starSrc, "./cmd/trawlbench/starcache", b.starcache); err != nil {
			return "", err
		}
	}
	return bin, nil
}

func (b *bench) close() {
	for _, s := range []*feedgen.Server{b.small, b.large} {
		if s != nil {
			s.Close()
		}
	}
	if b.dir == "" {
		return
	}
	if b.opts.keep {
		b.logf("kept the work directory %s", b.dir)
		return
	}
	os.RemoveAll(b.dir)
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "trawlbench: "+format+"\n", args...)
}

// corpus returns the generated feeds with items stories each.
func (b *bench) corpus(items int) feedgen.Corpus {
	return feedgen.New(feedgen.Options{Feeds: b.opts.feeds, Items: items, Base: b.opts.base})
}

// smallServer serves feeds x items at the configured latency.
func (b *bench) smallServer() (*feedgen.Server, error) {
	if b.small == nil {
		srv, err := b.startServer(b.opts.smallItems, b.opts.latency)
		if err != nil {
			return nil, err
		}
		b.small = srv
	}
	return b.small, nil
}

// largeServer serves feeds x large-items, with no added latency unless a
// scenario sets one.
func (b *bench) largeServer() (*feedgen.Server, error) {
	if b.large == nil {
		srv, err := b.startServer(b.opts.largeItems, 0)
		if err != nil {
			return nil, err
		}
		b.large = srv
	}
	return b.large, nil
}

func (b *bench) startServer(items int, latency time.Duration) (*feedgen.Server, error) {
	c := b.corpus(items)
	b.logf("rendering %d feeds x %d stories", c.Options().Feeds, items)
	return feedgen.Start(c, feedgen.ServerOptions{Hosts: b.opts.hosts, Latency: latency})
}

// runAll runs the chosen scenarios and returns the report's rows.
func (b *bench) runAll(ctx context.Context) ([]row, error) {
	var rows []row
	for _, name := range b.opts.scenarios {
		var (
			got []row
			err error
		)
		start := time.Now()
		switch name {
		case "refresh-small":
			got, err = b.refreshSmall(ctx)
		case "refresh-large":
			got, err = b.refreshLarge(ctx)
		case "refresh-unchanged":
			got, err = b.refreshUnchanged(ctx)
		case "tui-start":
			got, err = b.tuiStart(ctx)
		case "classify":
			got, err = b.classify(ctx)
		case "export":
			got, err = b.export(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		b.logf("%s done in %s", name, time.Since(start).Round(time.Second))
		rows = append(rows, got...)
	}
	return sortRows(rows), nil
}

// rowOrder is the order of rows in the report.
var rowOrder = []string{"refresh-small", "refresh-large", "refresh-unchanged", "tui-start", "tui-quit", "rss-refresh", "rss-start", "classify", "export"}

func sortRows(rows []row) []row {
	var out []row
	for _, id := range rowOrder {
		for _, r := range rows {
			if r.id == id {
				out = append(out, r)
			}
		}
	}
	return out
}

// newsboatColumns name the newsboat configurations, in cell order.
var newsboatColumns = []string{"newsboat, 1 thread (default)", "newsboat, 8 threads"}

// newsboatThreads are the reload-threads settings of those columns.
var newsboatThreads = []int{1, 8}

// report prints the header, the table and what the runs' checks found.
func (b *bench) report(w io.Writer, rows []row) error {
	var hdr strings.Builder
	fmt.Fprintf(&hdr, "trawlbench: %d runs each (newsboat %d); %d feeds on %d loopback hosts; %s\n",
		b.opts.runs, b.opts.newsboatRuns, b.opts.feeds, b.opts.hosts, machine())
	fmt.Fprintf(&hdr, "trawl: %s; newsboat: %s\n", b.trawlRev, b.newsboatName())
	fmt.Fprintf(&hdr, "load average before: %s, after: %s\n\n", b.loadBefore, loadAverage())
	if _, err := io.WriteString(w, hdr.String()); err != nil {
		return err
	}
	if err := writeTable(w, rows, newsboatColumns); err != nil {
		return err
	}
	var notes strings.Builder
	for _, r := range rows {
		for _, p := range r.problems {
			fmt.Fprintf(&notes, "- %s: %s\n", r.label, p)
		}
	}
	if notes.Len() > 0 {
		if _, err := io.WriteString(w, "\nChecks and notes:\n"+notes.String()); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) newsboatName() string {
	if b.nb == nil {
		return b.nbMissing
	}
	return b.nb.version
}

// machine describes the hardware in one phrase.
func machine() string {
	model := ""
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	s := fmt.Sprintf("%d CPUs, %s/%s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	if model != "" {
		s += ", " + model
	}
	return s
}

// loadAverage is the 1, 5 and 15 minute load, which says how quiet the
// machine was; "unknown" off Linux.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// gitRevision names the working tree being measured: its commit, and
// "-dirty" when it has uncommitted changes.
func gitRevision(ctx context.Context, repo string) string {
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "describe", "--always", "--dirty")
	out, err := cmd.Output()
	if err != nil {
		return "the working tree " + repo
	}
	return "the working tree at " + strings.TrimSpace(string(out))
}

// series collects one program's samples in one scenario.
type series struct {
	time, cpu, rss cell
	failed         bool
}

func newSeries() *series {
	return &series{time: cell{unit: stats.Seconds}, cpu: cell{unit: stats.Seconds}, rss: cell{unit: stats.MB}}
}

// add records one run that took d (the whole run, or the part of it the
// scenario times), with the process's CPU time and memory peak.
func (s *series) add(res proc.Result, d time.Duration) {
	s.time.samples = append(s.time.samples, d.Seconds())
	s.cpu.samples = append(s.cpu.samples, res.CPU.Seconds())
	if res.MaxRSS > 0 {
		s.rss.samples = append(s.rss.samples, float64(res.MaxRSS)/1e6)
	}
}

// fail stops the series: its cells say it failed instead of showing
// partial numbers, and the notes under the table say why.
func (s *series) fail(n *notes, err error) {
	s.failed = true
	s.time = cell{unit: s.time.unit, note: "failed (see notes)"}
	s.cpu = cell{unit: s.cpu.unit, note: s.time.note}
	s.rss = cell{unit: s.rss.unit, note: s.time.note}
	n.add("%s", err)
}

// notes collects what a scenario's checks found, once each.
type notes []string

func (n *notes) add(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, have := range *n {
		if have == msg {
			return
		}
	}
	*n = append(*n, msg)
}

// absent is the cell for a newsboat that is not there.
func (b *bench) absent() cell { return cell{note: b.nbMissing} }

// newsboatCells turns per-configuration series into cells, or absent ones.
func (b *bench) newsboatCells(ss []*series, pick func(*series) cell) []cell {
	if b.nb == nil {
		return []cell{b.absent(), b.absent()}
	}
	out := make([]cell, len(ss))
	for i, s := range ss {
		out[i] = pick(s)
	}
	return out
}

func (b *bench) workdir(parts ...string) string {
	return filepath.Join(append([]string{b.dir}, parts...)...)
}
