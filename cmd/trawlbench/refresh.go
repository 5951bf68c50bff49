package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/trawl-news/trawl/cmd/trawlbench/feedgen"
	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

// refreshSmall: every feed fetched into an empty cache, at the configured
// server latency (DESIGN: 200 x 50, 50 ms).
func (b *bench) refreshSmall(ctx context.Context) ([]row, error) {
	srv, err := b.smallServer()
	if err != nil {
		return nil, err
	}
	tr, nbs, n, err := b.coldRefresh(ctx, "refresh-small", srv, false)
	if err != nil {
		return nil, err
	}
	c := srv.Corpus().Options()
	return []row{{
		id:       "refresh-small",
		label:    fmt.Sprintf("refresh %d×%d, %s latency", c.Feeds, c.Items, b.opts.latency),
		trawl:    tr.time,
		trawlCPU: tr.cpu,
		newsboat: b.newsboatCells(nbs, func(s *series) cell { return s.time }),
		target:   target{max: 0.5, unit: stats.Seconds, minRatio: 6},
		problems: n,
	}}, nil
}

// refreshLarge: the 100k-story refresh with no added latency, which also
// leaves the big caches the later scenarios use, and the memory peak of a
// refresh that size.
func (b *bench) refreshLarge(ctx context.Context) ([]row, error) {
	srv, err := b.largeServer()
	if err != nil {
		return nil, err
	}
	tr, nbs, n, err := b.coldRefresh(ctx, "refresh-large", srv, true)
	if err != nil {
		return nil, err
	}
	c := srv.Corpus().Options()
	size := fmt.Sprintf("%d×%d (%s stories)", c.Feeds, c.Items, thousands(c.Feeds*c.Items))
	return []row{
		{
			id:       "refresh-large",
			label:    "refresh " + size + ", no latency",
			trawl:    tr.time,
			trawlCPU: tr.cpu,
			newsboat: b.newsboatCells(nbs, func(s *series) cell { return s.time }),
			target:   target{max: 3, unit: stats.Seconds, minRatio: 6},
			problems: n,
		},
		{
			id:       "rss-refresh",
			label:    "peak RSS, refresh " + size,
			trawl:    tr.rss,
			newsboat: b.newsboatCells(nbs, func(s *series) cell { return s.rss }),
			target:   target{max: 100, unit: stats.MB, minRatio: 1},
		},
	}, nil
}

// coldRefresh runs fetch (trawl) and reload (newsboat, per thread count)
// into fresh caches, interleaving the programs run by run so that a burst
// of load on a shared machine hits them alike. With keepBig the last
// caches become the 100k caches of later scenarios.
func (b *bench) coldRefresh(ctx context.Context, name string, srv *feedgen.Server, keepBig bool) (*series, []*series, notes, error) {
	var n notes
	tr := newSeries()
	nbs := []*series{newSeries(), newSeries()}
	feeds, stories := srv.Corpus().Options().Feeds, srv.Corpus().Len()
	rounds := max(b.opts.runs, b.opts.newsboatRuns)
	for run := range rounds {
		if run < b.opts.runs && !tr.failed {
			last := run == b.opts.runs-1
			ws, err := newTrawlSpace(b.workdir(name, fmt.Sprintf("trawl-%d", run)), srv.URLs(), b.trawlConfig)
			if err != nil {
				return nil, nil, nil, err
			}
			srv.Reset()
			res, err := b.trawl.run(ctx, ws, "fetch")
			if err != nil {
				tr.fail(&n, err)
			} else {
				tr.add(res, res.Wall)
				b.sample(name, "trawl", run, res.Wall)
				if got := srv.Counts().Full; got != int64(feeds) {
					n.add("trawl downloaded %d of %d feeds", got, feeds)
				}
				sum, err := parseFetchSummary(string(res.Stdout))
				switch {
				case err != nil:
					n.add("%s", err)
				case sum.New != stories:
					n.add("trawl reported %d new stories, the feeds hold %d", sum.New, stories)
				}
			}
			if keepBig && last && err == nil {
				b.trawlBig = &ws
			} else {
				os.RemoveAll(ws.dir)
			}
		}
		if b.nb == nil || run >= b.opts.newsboatRuns {
			continue
		}
		for i, threads := range newsboatThreads {
			s := nbs[i]
			if s.failed {
				continue
			}
			ws, err := newNewsboatSpace(b.workdir(name, fmt.Sprintf("newsboat-t%d-%d", threads, run)), srv.URLs())
			if err != nil {
				return nil, nil, nil, err
			}
			srv.Reset()
			res, err := b.nb.run(ctx, ws, threads, "reload")
			if err != nil {
				s.fail(&n, err)
				os.RemoveAll(ws.dir)
				continue
			}
			s.add(res, res.Wall)
			b.sample(name, fmt.Sprintf("newsboat %d thread(s)", threads), run, res.Wall)
			if got := srv.Counts().Full; got != int64(feeds) {
				n.add("newsboat (%d threads) downloaded %d of %d feeds", threads, got, feeds)
			}
			if run == 0 {
				// Untimed: check newsboat stored every story.
				if out, err := b.nb.run(ctx, ws, threads, "print-unread"); err != nil {
					n.add("%s", err)
				} else if got, err := parseUnread(string(out.Stdout)); err != nil {
					n.add("%s", err)
				} else if got != stories {
					n.add("newsboat (%d threads) stored %d stories, the feeds hold %d", threads, got, stories)
				}
			}
			if keepBig && b.nbBig == nil && threads == newsboatThreads[len(newsboatThreads)-1] && run == b.opts.newsboatRuns-1 {
				b.nbBig = &ws
			} else {
				os.RemoveAll(ws.dir)
			}
		}
	}
	err := b.profileUnlessFailed(ctx, tr, name, func(t trawlTool) error {
		ws, err := newTrawlSpace(b.workdir(name, "trawl-perf"), srv.URLs(), b.trawlConfig)
		if err != nil {
			return err
		}
		defer os.RemoveAll(ws.dir)
		_, err = t.run(ctx, ws, "fetch")
		return err
	})
	if err != nil {
		n.add("%s", err)
	}
	return tr, nbs, n, nil
}

// ensureBig builds the 100k caches with one untimed refresh each, for
// scenarios run without refresh-large.
func (b *bench) ensureBig(ctx context.Context) error {
	srv, err := b.largeServer()
	if err != nil {
		return err
	}
	if b.trawlBig == nil {
		b.logf("filling a trawl cache with %s stories (untimed)", thousands(srv.Corpus().Len()))
		ws, err := newTrawlSpace(b.workdir("big", "trawl"), srv.URLs(), b.trawlConfig)
		if err != nil {
			return err
		}
		if _, err := b.trawl.run(ctx, ws, "fetch"); err != nil {
			return fmt.Errorf("fill the big trawl cache: %w", err)
		}
		b.trawlBig = &ws
	}
	if b.nb != nil && b.nbBig == nil {
		b.logf("filling a newsboat cache with %s stories (untimed)", thousands(srv.Corpus().Len()))
		ws, err := newNewsboatSpace(b.workdir("big", "newsboat"), srv.URLs())
		if err != nil {
			return err
		}
		if _, err := b.nb.run(ctx, ws, 8, "reload"); err != nil {
			return fmt.Errorf("fill the big newsboat cache: %w", err)
		}
		b.nbBig = &ws
	}
	return nil
}

// refreshUnchanged: a second refresh of the big caches when no feed has
// changed, at the configured latency. Every request should be answered
// 304, and trawl should do next to nothing else.
func (b *bench) refreshUnchanged(ctx context.Context) ([]row, error) {
	if err := b.ensureBig(ctx); err != nil {
		return nil, err
	}
	srv := b.large
	srv.SetLatency(b.opts.latency)
	defer srv.SetLatency(0)
	var n notes
	feeds := srv.Corpus().Options().Feeds
	if err := b.warmUp(ctx, &n, srv); err != nil {
		return nil, err
	}
	tr := newSeries()
	nbs := []*series{newSeries(), newSeries()}
	for run := range max(b.opts.runs, b.opts.newsboatRuns) {
		if run < b.opts.runs && !tr.failed {
			srv.Reset()
			res, err := b.trawl.run(ctx, *b.trawlBig, "fetch")
			if err != nil {
				tr.fail(&n, err)
			} else {
				tr.add(res, res.Wall)
				b.sample("refresh-unchanged", "trawl", run, res.Wall)
				b.checkUnchanged(&n, "trawl", srv.Counts(), feeds)
				if sum, err := parseFetchSummary(string(res.Stdout)); err != nil {
					n.add("%s", err)
				} else if sum.New != 0 {
					n.add("trawl reported %d new stories on an unchanged refresh", sum.New)
				}
			}
		}
		if b.nb == nil || run >= b.opts.newsboatRuns {
			continue
		}
		for i, threads := range newsboatThreads {
			if nbs[i].failed {
				continue
			}
			srv.Reset()
			res, err := b.nb.run(ctx, *b.nbBig, threads, "reload")
			if err != nil {
				nbs[i].fail(&n, err)
				continue
			}
			nbs[i].add(res, res.Wall)
			b.sample("refresh-unchanged", fmt.Sprintf("newsboat %d thread(s)", threads), run, res.Wall)
			b.checkUnchanged(&n, fmt.Sprintf("newsboat (%d threads)", threads), srv.Counts(), feeds)
		}
	}
	err := b.profileUnlessFailed(ctx, tr, "refresh-unchanged", func(t trawlTool) error {
		_, err := t.run(ctx, *b.trawlBig, "fetch")
		return err
	})
	if err != nil {
		n.add("%s", err)
	}
	c := srv.Corpus().Options()
	return []row{{
		id:       "refresh-unchanged",
		label:    fmt.Sprintf("second refresh, unchanged, %d×%d, %s latency", c.Feeds, c.Items, b.opts.latency),
		trawl:    tr.time,
		trawlCPU: tr.cpu,
		newsboat: b.newsboatCells(nbs, func(s *series) cell { return s.time }),
		target:   target{minRatio: 6},
		problems: n,
	}}, nil
}

// warmUp refreshes both big caches once, untimed, so that each has stored
// every feed's validators before the timed runs: newsboat 2.21 sends
// conditional requests only from its third fetch of a feed on. trawl's
// warm-up is its true second refresh, and is checked like the timed ones.
func (b *bench) warmUp(ctx context.Context, n *notes, srv *feedgen.Server) error {
	feeds := srv.Corpus().Options().Feeds
	srv.Reset()
	if _, err := b.trawl.run(ctx, *b.trawlBig, "fetch"); err != nil {
		return fmt.Errorf("warm-up refresh: %w", err)
	}
	b.checkUnchanged(n, "trawl's first refresh after filling its cache", srv.Counts(), feeds)
	if b.nb == nil {
		return nil
	}
	srv.Reset()
	if _, err := b.nb.run(ctx, *b.nbBig, newsboatThreads[len(newsboatThreads)-1], "reload"); err != nil {
		return fmt.Errorf("warm-up refresh: %w", err)
	}
	if c := srv.Counts(); c.Full > 0 {
		n.add("newsboat's first refresh after filling its cache downloaded %d of %d feeds in full (it sends conditional requests from the next one on); the timed runs follow that untimed warm-up", c.Full, feeds)
	}
	return nil
}

// checkUnchanged notes a refresh that did not get a 304 for every feed.
func (b *bench) checkUnchanged(n *notes, who string, c feedgen.Counts, feeds int) {
	if c.NotModified != int64(feeds) || c.Full != 0 {
		n.add("%s got %d of %d feeds as 304 Not Modified and downloaded %d in full", who, c.NotModified, feeds, c.Full)
	}
}

// sample logs one measurement when -v is set.
func (b *bench) sample(scenario, who string, run int, d time.Duration) {
	if b.opts.verbose {
		b.logf("%s: %s run %d: %s", scenario, who, run+1, stats.Format(d.Seconds(), stats.Seconds))
	}
}

// thousands renders 100000 as "100k" and smaller counts as they are.
func thousands(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
