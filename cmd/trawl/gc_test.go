package main

import (
	"runtime/debug"
	"testing"

	"github.com/trawl-news/trawl/feeds"
)

// gcSettings reads the collector's percent and memory limit without
// changing them.
func gcSettings() (int, int64) {
	percent := debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

func TestTuneGC(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		tuned bool
	}{
		{name: "defaults", env: map[string]string{}, tuned: true},
		{name: "GOGC set by the user", env: map[string]string{"GOGC": "50"}},
		{name: "GOMEMLIMIT set by the user", env: map[string]string{"GOMEMLIMIT": "1GiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			beforePercent, beforeLimit := gcSettings()
			e := &env{getenv: func(k string) string { return tc.env[k] }}
			restore := tuneGC(e)
			percent, limit := gcSettings()
			restore()
			if tc.tuned && (percent != feeds.RefreshGCPercent || limit != feeds.RefreshMemoryLimit) {
				t.Errorf("during a fetch: GC percent %d, limit %d; want %d, %d", percent, limit, feeds.RefreshGCPercent, feeds.RefreshMemoryLimit)
			}
			if !tc.tuned && (percent != beforePercent || limit != beforeLimit) {
				t.Errorf("with %v: GC percent %d, limit %d changed from %d, %d", tc.env, percent, limit, beforePercent, beforeLimit)
			}
			if p, l := gcSettings(); p != beforePercent || l != beforeLimit {
				t.Errorf("after a fetch: GC percent %d, limit %d; want them back at %d, %d", p, l, beforePercent, beforeLimit)
			}
		})
	}
}
