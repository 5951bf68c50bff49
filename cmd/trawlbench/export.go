package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/trawl-news/trawl/cmd/trawlbench/proc"
	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

// export: `trawl export -o FILE` of the starred stories, on a copy of the
// 100k cache with -starred of them starred. Starring that many through
// `trawl star` would take minutes of process starts, so the copy is
// prepared by starcache, through the store package; only the export is
// timed.
func (b *bench) export(ctx context.Context) ([]row, error) {
	if err := b.ensureBig(ctx); err != nil {
		return nil, err
	}
	ws, err := newTrawlSpace(b.workdir("export"), nil, b.trawlConfig)
	if err != nil {
		return nil, err
	}
	if err := copyFile(b.trawlBig.db, ws.db); err != nil {
		return nil, err
	}
	b.logf("starring %s stories (untimed)", thousands(b.opts.starred))
	res, err := proc.Run(ctx, exec.Command(b.starcache, "-db", ws.db, "-n", fmt.Sprint(b.opts.starred)))
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("starcache exited %d: %s", res.ExitCode, proc.FirstLine(res.Stderr))
	}
	if err != nil {
		return nil, fmt.Errorf("star stories: %w", err)
	}
	links := map[string]bool{}
	for l := range strings.SplitSeq(strings.TrimSpace(string(res.Stdout)), "\n") {
		links[l] = true
	}
	var n notes
	tr := newSeries()
	for run := range b.opts.runs {
		out := filepath.Join(ws.dir, fmt.Sprintf("export-%d.md", run))
		res, err := b.trawl.run(ctx, ws, "export", "-o", out)
		if err != nil {
			tr.fail(&n, err)
			break
		}
		tr.add(res, res.Wall)
		b.sample("export", "trawl", run, res.Wall)
		text, err := os.ReadFile(out)
		if err != nil {
			n.add("export wrote no file: %s", err)
			continue
		}
		if got := countLinks(string(text), links); got != len(links) {
			n.add("the export holds %d of the %d starred stories' links", got, len(links))
		}
		if run == 0 {
			n.add("export file: %s for %s stories", stats.Format(float64(len(text))/1e6, stats.MB), thousands(len(links)))
		}
		os.Remove(out)
	}
	err = b.profileUnlessFailed(ctx, tr, "export", func(t trawlTool) error {
		_, err := t.run(ctx, ws, "export", "-o", filepath.Join(ws.dir, "export-perf.md"))
		return err
	})
	if err != nil {
		n.add("%s", err)
	}
	none := cell{note: "no equivalent"}
	return []row{{
		id:       "export",
		label:    fmt.Sprintf("export %s starred of %s (trawl export -o)", thousands(len(links)), thousands(b.large.Corpus().Len())),
		trawl:    tr.time,
		trawlCPU: tr.cpu,
		newsboat: []cell{none, none},
		problems: n,
	}}, nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy cache: %w", err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return fmt.Errorf("copy cache: %w", err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy cache: %w", err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("copy cache: %w", err)
	}
	return nil
}
