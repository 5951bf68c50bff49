package main

import (
	"strings"
	"testing"
)

func TestParseFetchSummary(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want fetchSummary
	}{
		{"first refresh", "fetched 200 feeds, 0 not modified, 0 failed, 10000 new stories\n",
			fetchSummary{Fetched: 200, New: 10000}},
		{"second refresh", "fetched 0 feeds, 200 not modified, 0 failed, 0 new stories\n",
			fetchSummary{NotModified: 200}},
		{"singular and skipped", "fetched 1 feed, 2 not modified, 3 failed, 4 skipped, 1 new story\n",
			fetchSummary{Fetched: 1, NotModified: 2, Failed: 3, Skipped: 4, New: 1}},
		{"after other lines, parts reordered", "trawl: created the cache x\nfetched 5 feeds, 7 new stories, 1 failed, 0 not modified\n",
			fetchSummary{Fetched: 5, New: 7, Failed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFetchSummary(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := parseFetchSummary("trawl: no subscriptions\n"); err == nil {
		t.Fatal("no error for output without a summary line")
	}
}

func TestParseUnread(t *testing.T) {
	tests := []struct {
		out     string
		want    int
		wantErr bool
	}{
		{"100000 unread articles\n", 100000, false},
		{"Loading configuration...done.\n1 unread article\n", 1, false},
		{"0 unread articles", 0, false},
		{"Error: cache locked\n", 0, true},
	}
	for _, tt := range tests {
		got, err := parseUnread(tt.out)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseUnread(%q) = %d, %v; want %d, error %v", tt.out, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseEval(t *testing.T) {
	out := "evaluating 100000 stories\n" +
		"training-data precision=0.912 recall=0.880 f1=0.896 tp=13200 fp=1273 fn=1800\n" +
		"api-pricing precision=1 recall=0.5 f1=0.667 tp=6500 fp=0 fn=6500\n"
	got, err := parseEval(out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]evalScore{
		"training-data": {Tag: "training-data", Precision: 0.912, Recall: 0.880, F1: 0.896, TP: 13200, FP: 1273, FN: 1800},
		"api-pricing":   {Tag: "api-pricing", Precision: 1, Recall: 0.5, F1: 0.667, TP: 6500, FP: 0, FN: 6500},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d scores, want %d: %+v", len(got), len(want), got)
	}
	for tag, w := range want {
		if got[tag] != w {
			t.Errorf("%s: got %+v, want %+v", tag, got[tag], w)
		}
	}

	bad := []struct{ name, out, wantMsg string }{
		{"nothing", "no data\n", "no score lines"},
		{"count missing", "training-data precision=0.9 recall=0.8 f1=0.85 tp=1 fp=2\n", "no fn="},
		{"not a number", "training-data precision=0.9 recall=high f1=0.85 tp=1 fp=2 fn=3\n", "recall"},
		{"count not a count", "training-data precision=0.9 recall=0.8 f1=0.85 tp=1.5 fp=2 fn=3\n", "tp="},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseEval(tt.out)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.wantMsg)
			}
		})
	}
}

func TestCountLinks(t *testing.T) {
	want := map[string]bool{
		"https://a.example/2026/06/one-1-0":   true,
		"https://a.example/2026/06/two-1-1":   true,
		"https://b.example/2026/05/three-2-9": true,
	}
	text := "## One\n<https://a.example/2026/06/one-1-0>\n\n" +
		"[Two](https://a.example/2026/06/two-1-1). Again: https://a.example/2026/06/two-1-1\n" +
		`{"link": "https://b.example/2026/05/three-2-90"}` + "\n" + // a longer link is not the wanted one
		"https://elsewhere.example/x\n"
	if got := countLinks(text, want); got != 2 {
		t.Fatalf("countLinks = %d, want 2", got)
	}
}

func TestParseScenarios(t *testing.T) {
	got, err := parseScenarios("export, refresh-small")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "refresh-small,export" {
		t.Fatalf("got %v, want the running order refresh-small, export", got)
	}
	if got, _ := parseScenarios("all"); len(got) != len(scenarioNames) {
		t.Fatalf("all = %v", got)
	}
	for _, bad := range []string{"", " , ", "refresh-small,warp-speed"} {
		if _, err := parseScenarios(bad); err == nil {
			t.Errorf("parseScenarios(%q) accepted", bad)
		}
	}
}

func TestParseOptions(t *testing.T) {
	var sink strings.Builder
	o, err := parseOptions([]string{"-runs", "3", "-scenarios", "tui-start"}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if o.runs != 3 || o.newsboatRuns != 3 || len(o.scenarios) != 1 || o.base.IsZero() {
		t.Fatalf("options %+v", o)
	}
	for _, args := range [][]string{
		{"-runs", "0"},
		{"-starred", "200000"},
		{"-base", "yesterday"},
		{"stray"},
	} {
		if _, err := parseOptions(args, &sink); err == nil {
			t.Errorf("parseOptions(%v) accepted", args)
		}
	}
}
