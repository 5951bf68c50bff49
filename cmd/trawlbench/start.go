package main

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trawl-news/trawl/cmd/trawlbench/feedgen"
	"github.com/trawl-news/trawl/cmd/trawlbench/proc"
	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

// The terminal trawl starts in: a common size, and what xterm says.
const (
	termCols = 120
	termRows = 40
)

// tuiStart: from exec to the first frame showing stories, on the 100k
// cache, in a pseudo-terminal; and the memory peak of that start. newsboat
// has no comparable way to time its interface, so its figure is
// `-x print-unread`, which loads the same cache and prints a count.
func (b *bench) tuiStart(ctx context.Context) ([]row, error) {
	if err := b.ensureBig(ctx); err != nil {
		return nil, err
	}
	var n notes
	corpus := b.large.Corpus()
	ready := storyRowsVisible(titlePrefixes(corpus.Newest(300), 24), 3)
	tr := newSeries()
	quit := newSeries() // from q to exit: is the interface still busy?
	nb := newSeries()
	for run := range max(b.opts.runs, b.opts.newsboatRuns) {
		if run < b.opts.runs && !tr.failed {
			res, err := proc.FirstFrame(ctx, b.trawl.command(*b.trawlBig), frameOptions(ready))
			if err != nil {
				tr.fail(&n, err)
			} else {
				tr.add(res.Result, res.FirstFrame)
				quit.add(res.Result, res.Wall-res.FirstFrame)
				b.sample("tui-start", "trawl", run, res.FirstFrame)
				if !res.QuitClean {
					n.add("trawl did not exit within %s of q; the harness sent ctrl+c or killed it", quitGrace)
				}
			}
		}
		if b.nb != nil && run < b.opts.newsboatRuns && !nb.failed {
			res, err := b.nb.run(ctx, *b.nbBig, 1, "print-unread")
			if err != nil {
				nb.fail(&n, err)
				continue
			}
			nb.add(res, res.Wall)
			b.sample("tui-start", "newsboat print-unread", run, res.Wall)
			if got, err := parseUnread(string(res.Stdout)); err != nil {
				n.add("%s", err)
			} else if got != corpus.Len() {
				n.add("newsboat's cache holds %d unread stories, the feeds %d", got, corpus.Len())
			}
		}
	}
	err := b.profileUnlessFailed(ctx, tr, "tui-start", func(t trawlTool) error {
		_, err := proc.FirstFrame(ctx, t.command(*b.trawlBig), frameOptions(ready))
		return err
	})
	if err != nil {
		n.add("%s", err)
	}
	size := thousands(corpus.Len())
	notApplicable := cell{note: "n/a"}
	nbTime, nbRSS := []cell{nb.time, notApplicable}, []cell{nb.rss, notApplicable}
	if b.nb == nil {
		nbTime = b.newsboatCells(nil, nil)
		nbRSS = nbTime
	}
	return []row{
		{
			id:       "tui-start",
			label:    fmt.Sprintf("start to first frame, %s cache (newsboat: -x print-unread)", size),
			trawl:    tr.time,
			newsboat: nbTime,
			target:   target{max: 0.2, unit: stats.Seconds, minRatio: 20},
			problems: n,
		},
		{
			id:       "tui-quit",
			label:    "q to exit, typed at that first frame",
			trawl:    quit.time,
			newsboat: []cell{notApplicable, notApplicable},
		},
		{
			id:       "rss-start",
			label:    fmt.Sprintf("peak RSS, start on %s cache (newsboat: -x print-unread)", size),
			trawl:    tr.rss,
			newsboat: nbRSS,
			target:   target{max: 100, unit: stats.MB, minRatio: 1},
		},
	}, nil
}

// frameOptions start trawl's interface in the terminal size of the
// benchmark and quit it with q once ready says story rows are showing.
func frameOptions(ready func(string) bool) proc.FrameOptions {
	return proc.FrameOptions{Cols: termCols, Rows: termRows, Ready: ready, Quit: []byte("q"), Timeout: time.Minute, QuitGrace: quitGrace}
}

// quitGrace is how long trawl has to exit after q: long, so that an
// interface still busy after its first frame is measured, not killed.
const quitGrace = 30 * time.Second

// titlePrefixes returns the distinct first n bytes (whole runes) of the
// stories' titles: text a story row shows however its columns are laid
// out, since a row fits its title to the width from the left.
func titlePrefixes(stories []feedgen.Story, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range stories {
		p := s.Title
		if len(p) > n {
			p = p[:n]
			for len(p) > 0 && !utf8.ValidString(p) {
				p = p[:len(p)-1]
			}
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// storyRowsVisible returns a Ready function that is true once the screen
// shows at least want of the given title prefixes: a frame with story rows
// rather than a header or a "loading" line.
func storyRowsVisible(prefixes []string, want int) func(string) bool {
	want = min(want, len(prefixes))
	return func(text string) bool {
		found := 0
		for _, p := range prefixes {
			if strings.Contains(text, p) {
				found++
				if found >= want {
					return true
				}
			}
		}
		return false
	}
}
