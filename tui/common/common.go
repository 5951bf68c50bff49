// Package common is what every screen of the TUI shares: the keymap, the
// styles and the clock, the messages screens send to the root, and the
// small text helpers that fit feed text to a terminal safely.
package common

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/styles"
)

// Shared is the state every screen is built with. It is read-only once the
// program runs.
type Shared struct {
	Keys   keys.Map
	Styles styles.Styles
	Now    func() time.Time
}

// Component is what the root needs of a screen besides Init/Update/View,
// whose signatures differ per screen.
type Component interface {
	SetSize(w, h int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Scroll moves a viewport for the moving keys and reports whether msg was
// one of them.
func Scroll(vp *viewport.Model, msg tea.KeyMsg, k keys.Map) bool {
	switch {
	case key.Matches(msg, k.Down):
		vp.ScrollDown(1)
	case key.Matches(msg, k.Up):
		vp.ScrollUp(1)
	case key.Matches(msg, k.PageDown):
		vp.PageDown()
	case key.Matches(msg, k.PageUp):
		vp.PageUp()
	case key.Matches(msg, k.Top):
		vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		vp.GotoBottom()
	default:
		return false
	}
	return true
}

// OpenStoryMsg asks the root to show a story in the reader.
type OpenStoryMsg struct{ ID string }

// CloseMsg asks the root to leave the current screen.
type CloseMsg struct{}

// StepStoryMsg asks the root for the next (Delta 1) or previous (-1) story
// of the list, from inside the reader.
type StepStoryMsg struct{ Delta int }

// NoteSavedMsg says the note editor wants Text stored as the note of ID,
// and the program to end once it is if Quit is set.
type NoteSavedMsg struct {
	ID   string
	Text string
	Quit bool
}

// FeedSelectedMsg asks the root to list the stories of one feed.
type FeedSelectedMsg struct {
	URL   string
	Title string
}

// StatusMsg is a line for the status bar.
type StatusMsg struct {
	Text string
	Err  bool
}

// Clean makes one line of stored text safe to print. Stored text was
// sanitised when it was fetched; this second pass costs nothing for plain
// ASCII and keeps a damaged or hostile cache from reaching the terminal.
func Clean(s string) string { return sanitize.Line(s) }

// plainASCII reports whether every byte of s is printable ASCII, so that
// its width is its length. Most feed text is, and measuring it through
// grapheme clusters is what a frame would otherwise spend its time on.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Width is the number of cells s (which may hold styling) takes. Styled
// ASCII text and the interface's own symbols are counted directly; any
// other text is measured by grapheme cluster.
func Width(s string) int {
	if plainASCII(s) {
		return len(s)
	}
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// A CSI sequence (colours, bold): no width.
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
			i++
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowSymbol(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// narrowSymbol reports the one-cell symbols the interface draws itself.
func narrowSymbol(r rune) bool {
	switch r {
	case '★', '✎', '•', '…', '‹', '›', '─', '│', '·', '—', '↑', '↓', '−', '█', '░':
		return true
	}
	return false
}

// Fit pads or truncates s (already clean) to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = Truncate(s, w)
	if pad := w - Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Truncate cuts s (which may hold styling) to at most w cells, marking the
// cut with an ellipsis.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if plainASCII(s) && len(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Cut cuts s (which may hold styling) to at most w cells, without a mark.
func Cut(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, max(w, 0), "")
}

// Age renders how old t is: now, 5m, 3h, 2d, 7w, 1y.
func Age(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d < 365*24*time.Hour:
		return fmt.Sprintf("%dw", int(d.Hours()/24/7))
	}
	return fmt.Sprintf("%dy", int(d.Hours()/24/365))
}

// Until renders how far ahead t is: "in 5m", or "due" once it has passed.
func Until(now, t time.Time) string {
	if t.IsZero() || !t.After(now) {
		return "due"
	}
	return "in " + Age(now, now.Add(-t.Sub(now)))
}

// Lines pads or cuts s to exactly h lines, each cut to w cells, so a
// screen's view never pushes the status bar off the terminal.
func Lines(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = Cut(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
