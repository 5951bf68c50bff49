package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
	"github.com/trawl-news/trawl/store"
)

// export: `trawl export -o FILE` of the starred stories, on a copy of the
// 100k cache with -starred of them starred. Starring that many through
// `trawl star` would take minutes of process starts, so the copy is
// prepared through the store package; only the export is timed.
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
	links, err := starEvenly(ws.db, b.opts.starred)
	if err != nil {
		return nil, err
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
	none := cell{note: "no equivalent"}
	return []row{{
		id:       "export",
		label:    fmt.Sprintf("export %s starred of %s (trawl export -o)", thousands(len(links)), thousands(b.large.Corpus().Len())),
		trawl:    tr.time,
		newsboat: []cell{none, none},
		problems: n,
	}}, nil
}

// starEvenly stars want stories spread evenly over the cache, newest
// first, and returns their links.
func starEvenly(path string, want int) (map[string]bool, error) {
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	total, err := db.Count(store.All)
	if err != nil {
		return nil, err
	}
	if total < want {
		return nil, fmt.Errorf("the cache holds %d stories, fewer than the %d to star", total, want)
	}
	step := total / want
	var ids []string
	links := map[string]bool{}
	var cursor store.Cursor
	for i := 0; len(ids) < want; {
		page, next, err := db.Page(store.All, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, s := range page {
			if i%step == 0 && len(ids) < want {
				ids = append(ids, s.ID)
				links[s.Link] = true
			}
			i++
		}
		if next == nil {
			break
		}
		cursor = next
	}
	// Collected first, starred after: starring moves index entries, and a
	// page walk should not run over keys that are changing.
	for _, id := range ids {
		if err := db.SetStarred(id, true); err != nil {
			return nil, fmt.Errorf("star %s: %w", id, err)
		}
	}
	if len(ids) != want {
		return nil, fmt.Errorf("starred %d stories, wanted %d", len(ids), want)
	}
	return links, nil
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
