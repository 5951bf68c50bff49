// Command trawlbench measures trawl against its performance targets, side
// by side with newsboat where newsboat is installed.
//
// It builds the trawl binary of this checkout, serves generated feeds from
// many loopback addresses, and drives trawl only through its command line
// and its terminal interface (in a pseudo-terminal), so it measures
// whatever trawl is today. Each scenario runs several times; the report
// gives the median and the range.
//
//	go run ./cmd/trawlbench                    # everything, 5 runs each
//	go run ./cmd/trawlbench -runs 1 -scenarios refresh-small,tui-start
//	go run ./cmd/trawlbench -newsboat ''       # as if newsboat were not installed
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/trawl-news/trawl/cmd/trawlbench/proc"
)

// scenarioNames in the order they run; later ones reuse the 100k caches
// the large refresh leaves behind.
var scenarioNames = []string{"refresh-small", "refresh-large", "refresh-unchanged", "tui-start", "classify", "export"}

// options are the harness's flags.
type options struct {
	runs         int
	newsboatRuns int
	scenarios    []string
	feeds        int
	smallItems   int
	largeItems   int
	hosts        int
	latency      time.Duration
	newsboat     string
	trawlBin     string
	rev          string
	trawlConfig  string
	repo         string
	starred      int
	base         time.Time
	timeout      time.Duration
	keep         bool
	perfDir      string
	verbose      bool
}

func main() {
	// A copy of this binary starts each measured program; see proc.
	proc.MaybeLaunch()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "trawlbench: %s\n", err)
		return 2
	}
	b, err := newBench(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "trawlbench: %s\n", err)
		return 1
	}
	defer b.close()
	rows, err := b.runAll(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "trawlbench: %s\n", err)
		return 1
	}
	if err := b.report(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "trawlbench: %s\n", err)
		return 1
	}
	return 0
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("trawlbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.runs, "runs", 5, "runs of each trawl scenario")
	fs.IntVar(&o.newsboatRuns, "newsboat-runs", 0, "runs of each newsboat scenario (default: -runs)")
	scen := fs.String("scenarios", "all", "comma-separated scenarios to run: "+strings.Join(scenarioNames, ", "))
	fs.IntVar(&o.feeds, "feeds", 200, "feeds served")
	fs.IntVar(&o.smallItems, "items", 50, "stories per feed in the small refresh")
	fs.IntVar(&o.largeItems, "large-items", 500, "stories per feed in the large refresh and the big cache")
	fs.IntVar(&o.hosts, "hosts", 50, "loopback addresses the feeds are spread over (127.0.0.2 on; 1 uses 127.0.0.1 only)")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "server latency in the small and the unchanged refresh")
	fs.StringVar(&o.newsboat, "newsboat", "newsboat", "newsboat binary to compare with; '' to leave newsboat out")
	fs.StringVar(&o.trawlBin, "trawl", "", "trawl binary to measure (default: build ./cmd/trawl of -repo)")
	fs.StringVar(&o.trawlConfig, "trawl-config", "", "config.toml for trawl (default: trawl's defaults)")
	fs.StringVar(&o.repo, "repo", ".", "the trawl checkout to build")
	fs.StringVar(&o.rev, "rev", "", "build this git revision of -repo (such as HEAD) instead of the working tree")
	fs.IntVar(&o.starred, "starred", 10000, "starred stories in the export scenario")
	base := fs.String("base", "2026-06-01T12:00:00Z", "publication time of the newest generated story (RFC 3339)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "limit for any one command")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (caches, configs) and print where it is")
	fs.BoolVar(&o.verbose, "v", false, "print every sample as it is taken")
	fs.StringVar(&o.perfDir, "perf", "", "after each trawl scenario, profile one more run with perf record into this directory")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (flags only; see -help)", fs.Arg(0))
	}
	if o.runs < 1 {
		return o, fmt.Errorf("-runs must be at least 1")
	}
	if o.trawlBin != "" && o.rev != "" {
		return o, fmt.Errorf("-trawl and -rev both say which trawl to measure; give one")
	}
	if o.newsboatRuns == 0 {
		o.newsboatRuns = o.runs
	}
	if o.newsboatRuns < 1 {
		return o, fmt.Errorf("-newsboat-runs must be at least 1")
	}
	if o.feeds < 1 || o.smallItems < 1 || o.largeItems < 1 || o.hosts < 1 || o.starred < 1 {
		return o, fmt.Errorf("-feeds, -items, -large-items, -hosts and -starred must be at least 1")
	}
	if o.starred > o.feeds*o.largeItems {
		return o, fmt.Errorf("-starred %d is more than the %d stories of the big cache", o.starred, o.feeds*o.largeItems)
	}
	t, err := time.Parse(time.RFC3339, *base)
	if err != nil {
		return o, fmt.Errorf("-base: %w", err)
	}
	o.base = t
	if o.perfDir != "" {
		if _, err := exec.LookPath("perf"); err != nil {
			return o, fmt.Errorf("-perf needs perf on PATH (Debian: apt-get install linux-perf)")
		}
		if err := os.MkdirAll(o.perfDir, 0o755); err != nil {
			return o, fmt.Errorf("-perf: %w", err)
		}
	}
	o.scenarios, err = parseScenarios(*scen)
	return o, err
}

// parseScenarios reads the -scenarios list, keeping the running order.
func parseScenarios(list string) ([]string, error) {
	if strings.TrimSpace(list) == "all" {
		return scenarioNames, nil
	}
	want := map[string]bool{}
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(scenarioNames, name) {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
		}
		want[name] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("-scenarios is empty")
	}
	var out []string
	for _, name := range scenarioNames {
		if want[name] {
			out = append(out, name)
		}
	}
	return out, nil
}
