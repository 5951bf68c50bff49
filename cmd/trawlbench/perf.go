package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// With -perf DIR, each trawl scenario ends with one more, untimed run
// under `perf record`, and the profile's reports are written beside it:
// NAME.self.txt (where the CPU time is spent) and NAME.children.txt (time
// including callees, which shows the expensive call paths). Go binaries
// keep frame pointers, so perf's call graphs need no debug info.

// underPerf returns a trawl that runs under perf record, writing to data.
func (t trawlTool) underPerf(data string) trawlTool {
	t.wrap = []string{"perf", "record", "--quiet", "-F", "999", "-g", "-o", data, "--"}
	return t
}

// profiled runs fn with a trawl that records a profile named name, then
// writes the reports. It does nothing without -perf.
func (b *bench) profiled(ctx context.Context, name string, fn func(trawlTool) error) error {
	if b.opts.perfDir == "" {
		return nil
	}
	data := filepath.Join(b.opts.perfDir, name+".perf.data")
	b.logf("%s: one more run under perf record (untimed)", name)
	if err := fn(b.trawl.underPerf(data)); err != nil {
		return fmt.Errorf("profiled run: %w", err)
	}
	for _, view := range []struct{ suffix, flag string }{{"self", "--no-children"}, {"children", "--children"}} {
		out := filepath.Join(b.opts.perfDir, name+"."+view.suffix+".txt")
		cmd := exec.CommandContext(ctx, "perf", "report", "--stdio", view.flag, "--sort", "symbol", "--percent-limit", "1", "-g", "none", "-i", data)
		text, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("perf report %s: %w", data, err)
		}
		if err := os.WriteFile(out, text, 0o644); err != nil {
			return fmt.Errorf("perf report: %w", err)
		}
	}
	b.logf("%s: profile in %s, reports %s.{self,children}.txt", name, data, name)
	return nil
}

// profileUnlessFailed profiles a scenario whose timed runs succeeded; a
// failed one has already said why.
func (b *bench) profileUnlessFailed(ctx context.Context, s *series, name string, fn func(trawlTool) error) error {
	if s.failed {
		return nil
	}
	return b.profiled(ctx, name, fn)
}
