package status

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/tui/common"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/styles"
)

// TestRefreshLine follows a refresh through the status line: progress,
// new stories, the failing feed named, then the summary.
func TestRefreshLine(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	sh := &common.Shared{Keys: keys.Default(), Styles: styles.New(r), Now: time.Now}
	m := New(sh, termenv.Ascii)
	m.SetWidth(100)
	m.StartRefresh(0)
	m.Event(feeds.Event{Kind: feeds.EventStarted, Title: "The Wire Desk", Total: 4})
	m.Event(feeds.Event{Kind: feeds.EventDone, Title: "The Wire Desk", New: 3, Done: 1, Total: 4})
	if got := m.View("1/9"); !strings.Contains(got, "refreshing") || !strings.Contains(got, "1/4 +3 new The Wire Desk") ||
		!strings.Contains(got, "████░░░░") || !strings.HasSuffix(got, "1/9") {
		t.Errorf("during refresh: %q", got)
	}
	m.Event(feeds.Event{Kind: feeds.EventFailed, Title: "Broken\x1b[2J Beat", Err: errors.New("HTTP 500"), Done: 2, Total: 4})
	if got := m.View(""); !strings.Contains(got, "1 failed, last Broken Beat: HTTP 500") {
		t.Errorf("after a failure: %q", got)
	}
	m.FinishRefresh(feeds.Summary{Feeds: 4, Fetched: 2, NotModified: 1, Failed: 1, New: 3}, nil)
	got := m.View("")
	if want := "refreshed 4 feeds: 3 new, 1 unchanged, 1 failed (f shows why)"; got != want {
		t.Errorf("after refresh: %q, want %q", got, want)
	}
	for _, w := range []int{1, 10, 39, 40, 80} {
		m.SetWidth(w)
		m.StartRefresh(4)
		if n := ansi.StringWidth(m.View("12/34")); n > w {
			t.Errorf("width %d: line is %d cells", w, n)
		}
	}
}
