package list

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/tui/common"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/styles"
)

func TestHighlight(t *testing.T) {
	mark := func(s ...string) string { return "[" + s[0] + "]" }
	for _, tc := range []struct {
		s     string
		terms []string
		want  string
	}{
		{"OpenAI Licensing deal", []string{"licens"}, "OpenAI [Licens]ing deal"},
		{"Data deal for data", []string{"data"}, "[Data] deal for [data]"},
		{"API prices double", []string{"api", "double"}, "[API] prices [double]"},
		{"Nothing here", []string{"zzz"}, "Nothing here"},
		{"Nothing here", nil, "Nothing here"},
		{"Café au lait", []string{"café"}, "[Café] au lait"},
		// Lower-casing İ changes its length in bytes: left plain rather
		// than risk cutting a character.
		{"İstanbul data", []string{"data"}, "İstanbul data"},
	} {
		if got := highlight(tc.s, tc.terms, mark); got != tc.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", tc.s, tc.terms, got, tc.want)
		}
	}
}

// TestRowFits renders a busy row at many widths: it always fills the width
// exactly, and drops chips, outlet and age in that order as it narrows.
func TestRowFits(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	sh := &common.Shared{Keys: keys.Default(), Styles: styles.New(r), Now: func() time.Time { return now }}
	m := New(sh, nil, "trawl", nil)
	row := Row{ID: "x", Title: "Publishers sue an AI lab over training on their catalogue of recordings",
		Outlet: "The Circuit Extended Edition", Published: now.Add(-3 * time.Hour),
		Tags: []string{"training-data", "lawsuit"}, Starred: true, HasNote: true}
	for w := 1; w <= 140; w++ {
		m.width = w
		line := m.row(row, false, now, nil)
		if got := ansi.StringWidth(line); got != w && w >= markWidth {
			t.Errorf("width %d: row is %d cells: %q", w, got, line)
		}
		if got := ansi.StringWidth(line); got > w {
			t.Errorf("width %d: row is %d cells: %q", w, got, line)
		}
		hasChips := strings.Contains(line, "#training")
		hasOutlet := strings.Contains(line, "The Circuit")
		hasAge := strings.Contains(line, "3h")
		switch {
		case w >= 60 && !hasChips, w >= 50 && !hasOutlet, w >= 30 && !hasAge:
			t.Errorf("width %d lost a column it has room for: %q", w, line)
		case w < 60 && hasChips, w < 50 && hasOutlet, w < 30 && hasAge:
			t.Errorf("width %d kept a column it has no room for: %q", w, line)
		}
	}
}
