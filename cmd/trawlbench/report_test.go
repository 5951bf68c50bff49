package main

import (
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/cmd/trawlbench/feedgen"
	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

var testBase = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func secs(v ...float64) cell { return cell{samples: v, unit: stats.Seconds} }

func TestRowVerdict(t *testing.T) {
	refresh := target{max: 0.5, unit: stats.Seconds, minRatio: 6}
	tests := []struct {
		name      string
		r         row
		wantRatio string
		want      string
	}{
		{"met both", row{trawl: secs(0.3, 0.4, 0.35), newsboat: []cell{secs(21), secs(3)}, target: refresh}, "8.5×", "met"},
		{"too slow", row{trawl: secs(0.6), newsboat: []cell{secs(21), secs(3)}, target: refresh}, "5.0×", "MISSED (600 ms, 5.0×)"},
		{"fast but ratio short", row{trawl: secs(0.45), newsboat: []cell{secs(2), secs(1)}, target: refresh}, "2.2×", "MISSED (2.2×)"},
		{"no newsboat", row{trawl: secs(0.3), newsboat: []cell{{note: "not installed"}, {note: "not installed"}}, target: refresh}, "-", "met (no newsboat ratio)"},
		{"newsboat failed in one config", row{trawl: secs(0.1), newsboat: []cell{{note: "failed"}, secs(3)}, target: refresh}, "30×", "met"},
		{"trawl failed", row{trawl: cell{note: "failed"}, newsboat: []cell{secs(3)}, target: refresh}, "-", "not measured"},
		{"no target", row{trawl: secs(1)}, "-", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ratio := "-"
			if v, ok := tt.r.ratio(); ok {
				ratio = stats.Ratio(v, 1)
			}
			if ratio != tt.wantRatio {
				t.Errorf("ratio %s, want %s", ratio, tt.wantRatio)
			}
			if got := tt.r.verdict(); got != tt.want {
				t.Errorf("verdict %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCellString(t *testing.T) {
	tests := []struct {
		c    cell
		want string
	}{
		{cell{note: "not installed"}, "not installed"},
		{cell{}, "-"},
		{secs(0.2, 0.1, 0.3), "200 ms (100–300)"},
		{cell{samples: []float64{0.5}, unit: stats.Seconds, extra: "200k stories/s"}, "500 ms, 200k stories/s"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestWriteTableAligns(t *testing.T) {
	rows := []row{
		{label: "refresh 200×50", trawl: secs(0.4), newsboat: []cell{secs(21.5), secs(3)}, target: target{max: 0.5, unit: stats.Seconds, minRatio: 6}},
		{label: "export", trawl: secs(1.5), newsboat: []cell{{note: "no equivalent"}}},
	}
	var b strings.Builder
	if err := writeTable(&b, rows, []string{"newsboat", "newsboat 8"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	width := len([]rune(lines[0]))
	for _, l := range lines {
		if len([]rune(l)) != width || !strings.HasPrefix(l, "| ") || !strings.HasSuffix(l, " |") {
			t.Fatalf("misaligned table:\n%s", b.String())
		}
	}
	for _, want := range []string{"7.5×", "< 500 ms, ≥ 6× newsboat", "| met ", "no equivalent", "| -  "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestSortRowsFollowsReportOrder(t *testing.T) {
	got := sortRows([]row{{id: "export"}, {id: "rss-start"}, {id: "refresh-small"}, {id: "tui-start"}})
	var ids []string
	for _, r := range got {
		ids = append(ids, r.id)
	}
	if strings.Join(ids, ",") != "refresh-small,tui-start,rss-start,export" {
		t.Fatalf("order %v", ids)
	}
}

func TestStoryRowsVisible(t *testing.T) {
	c := feedgen.New(feedgen.Options{Feeds: 10, Items: 10, Base: testBase})
	newest := c.Newest(20)
	prefixes := titlePrefixes(newest, 24)
	if len(prefixes) == 0 || len(prefixes) > 20 {
		t.Fatalf("%d prefixes", len(prefixes))
	}
	for _, p := range prefixes {
		if len(p) > 24 {
			t.Fatalf("prefix %q longer than 24 bytes", p)
		}
	}
	ready := storyRowsVisible(prefixes, 3)
	loading := "trawl  100000 stories\nloading…\n"
	if ready(loading) {
		t.Fatal("ready on a loading screen")
	}
	frame := loading
	for _, s := range newest[:2] {
		frame += " ★  3h  " + s.Outlet + " " + s.Title + "\n"
	}
	if ready(frame) {
		t.Fatal("ready with two rows, want three")
	}
	frame += "    4h  " + newest[2].Outlet + " " + newest[2].Title[:30] + "…\n"
	if !ready(frame) {
		t.Fatalf("not ready on a frame with three story rows:\n%s", frame)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{100000: "100k", 10000: "10k", 1500: "1500", 12: "12"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
