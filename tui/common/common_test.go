package common

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// TestWidth checks the fast width against the grapheme-aware one it
// stands in for.
func TestWidth(t *testing.T) {
	for _, s := range []string{
		"", "plain", "\x1b[1mbold\x1b[0m", ">★✎• 20m The Circuit", "\x1b[38;2;1;2;3m★\x1b[0m title",
		"Café", "日本語のタイトル", "e\u0301", "emoji 👍🏽 here", "tab\there", "x\x1b[", "…›‹─│·—",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestFitAndCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"日本語", 4, "日… "}, // a wide character cannot be cut in half
		{"abc", 0, ""},
	} {
		if got := Fit(tc.s, tc.w); got != tc.want {
			t.Errorf("Fit(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
	if got := Lines("one\ntwo\nthree", 2, 2); got != "on\ntw" {
		t.Errorf("Lines cut to 2×2 = %q", got)
	}
	if got := Lines("a", 3, 3); got != "a\n\n" {
		t.Errorf("Lines padded to 3 lines = %q", got)
	}
}

func TestAgeAndUntil(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ago  time.Duration
		want string
	}{
		{10 * time.Second, "now"}, {5 * time.Minute, "5m"}, {3 * time.Hour, "3h"}, {47 * time.Hour, "47h"},
		{3 * 24 * time.Hour, "3d"}, {3 * 7 * 24 * time.Hour, "3w"}, {800 * 24 * time.Hour, "2y"},
	} {
		if got := Age(now, now.Add(-tc.ago)); got != tc.want {
			t.Errorf("Age(%v ago) = %q, want %q", tc.ago, got, tc.want)
		}
	}
	if got := Age(now, time.Time{}); got != "-" {
		t.Errorf("Age(zero) = %q", got)
	}
	if got := Until(now, now.Add(90*time.Minute)); got != "in 1h" {
		t.Errorf("Until(+90m) = %q", got)
	}
	if got := Until(now, now.Add(-time.Minute)); got != "due" {
		t.Errorf("Until(past) = %q", got)
	}
}
