package list

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/styles"
)

// TestTabs checks the order of the views (core tags first, then the
// user's, then Starred, Unread, Dismissed) and that a narrow tab line
// keeps the active view in sight.
func TestTabs(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	sh := &common.Shared{Keys: keys.Default(), Styles: styles.New(r), Now: time.Now}
	m := New(sh, nil, "trawl", []string{"training-data", "api-pricing"})
	m.SetCounts(store.Counts{All: 9, Unread: 4, Starred: 2, Dismissed: 1,
		Tags: map[string]int{"training-data": 3, "api-pricing": 2, "lawsuit": 1, "licensing": 5, "empty": 0}})
	var labels []string
	for _, tab := range m.tabs {
		labels = append(labels, tab.Label)
	}
	want := "All training-data api-pricing lawsuit licensing Starred Unread Dismissed"
	if got := strings.Join(labels, " "); got != want {
		t.Errorf("tabs = %q, want %q", got, want)
	}
	for _, w := range []int{20, 40, 60, 100} {
		m.width = w
		for active := range m.tabs {
			m.active = active
			line := m.tabsLine()
			if n := ansi.StringWidth(line); n > w {
				t.Errorf("width %d, tab %d: line is %d cells: %q", w, active, n, line)
			}
			if w >= 40 && !strings.Contains(line, "["+m.tabs[active].Label) {
				t.Errorf("width %d: active tab %q not shown: %q", w, m.tabs[active].Label, line)
			}
		}
	}
	// Counts that change keep the same view in front.
	m.width, m.active = 100, 4 // licensing
	m.SetCounts(store.Counts{Tags: map[string]int{"training-data": 3, "api-pricing": 2, "aaa": 1, "licensing": 5}})
	if got := m.tabs[m.active].Label; got != "licensing" {
		t.Errorf("after new counts the active view is %q, want licensing", got)
	}
}
