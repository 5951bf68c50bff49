// Package status is the status line under every screen: a spinner and a
// progress bar while a refresh runs, the outcome of the last action, and
// errors that must not go unseen.
package status

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/tui/common"
)

// MessageTTL is how long an action's message stays in the status line.
const MessageTTL = 6 * time.Second

// clearMsg removes message id, unless a newer one replaced it.
type clearMsg struct{ id int }

// Model is the status line.
type Model struct {
	sh      *common.Shared
	spinner spinner.Model
	bar     progress.Model

	refreshing  bool
	done, total int
	current     string
	newStories  int
	failed      int
	lastFailed  string // the feed that failed last, and why

	text  string
	isErr bool
	id    int
	width int
}

// New returns an idle status line drawing colours in profile.
func New(sh *common.Shared, profile termenv.Profile) Model {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(sh.Styles.Title))
	bar := progress.New(progress.WithWidth(16), progress.WithoutPercentage(),
		progress.WithSolidFill("#7D56F4"), progress.WithColorProfile(profile))
	return Model{sh: sh, spinner: sp, bar: bar, width: 80}
}

// SetWidth fits the line to w cells.
func (m *Model) SetWidth(w int) { m.width = w }

// Refreshing reports whether a refresh is under way.
func (m Model) Refreshing() bool { return m.refreshing }

// StartRefresh shows a refresh beginning and starts the spinner.
func (m *Model) StartRefresh(total int) tea.Cmd {
	m.refreshing = true
	m.done, m.total, m.current, m.newStories, m.failed, m.lastFailed = 0, total, "", 0, 0, ""
	m.text = ""
	return m.spinner.Tick
}

// Event shows progress on one feed.
func (m *Model) Event(ev feeds.Event) {
	if ev.Total > 0 {
		m.total = ev.Total
	}
	if ev.Kind == feeds.EventStarted {
		m.current = common.Clean(ev.Title)
		return
	}
	m.done = ev.Done
	m.newStories += ev.New
	if ev.Kind == feeds.EventFailed {
		m.failed++
		m.lastFailed = common.Clean(ev.Title)
		if m.lastFailed == "" {
			m.lastFailed = common.Clean(ev.Feed)
		}
		if ev.Err != nil {
			m.lastFailed += ": " + common.Clean(ev.Err.Error())
		}
	}
}

// FinishRefresh shows the outcome of a refresh.
func (m *Model) FinishRefresh(sum feeds.Summary, err error) tea.Cmd {
	m.refreshing = false
	if err != nil {
		return m.Set("refresh failed: "+err.Error(), true)
	}
	text := fmt.Sprintf("refreshed %d %s: %d new", sum.Feeds, plural(sum.Feeds, "feed", "feeds"), sum.New)
	if sum.NotModified > 0 {
		text += fmt.Sprintf(", %d unchanged", sum.NotModified)
	}
	if sum.Skipped > 0 {
		text += fmt.Sprintf(", %d backing off", sum.Skipped)
	}
	if sum.Failed > 0 {
		text += fmt.Sprintf(", %d failed (f shows why)", sum.Failed)
		return m.Set(text, true)
	}
	return m.Set(text, false)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Set shows a message for MessageTTL.
func (m *Model) Set(text string, isErr bool) tea.Cmd {
	m.id++
	m.text, m.isErr = common.Clean(text), isErr
	id := m.id
	return tea.Tick(MessageTTL, func(time.Time) tea.Msg { return clearMsg{id: id} })
}

// Update runs the spinner and expires messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !m.refreshing {
			return m, nil // let the spinner's tick chain end
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case clearMsg:
		if msg.id == m.id {
			m.text = ""
		}
	}
	return m, nil
}

// View renders the line, with right (such as a scroll position) at the
// right edge when there is room.
func (m Model) View(right string) string {
	st := m.sh.Styles
	var left string
	switch {
	case m.refreshing:
		parts := []string{m.spinner.View(), "refreshing"}
		if m.width >= 40 {
			pct := 0.0
			if m.total > 0 {
				pct = float64(m.done) / float64(m.total)
			}
			parts = append(parts, m.bar.ViewAs(pct))
		}
		parts = append(parts, fmt.Sprintf("%d/%d", m.done, m.total))
		if m.newStories > 0 {
			parts = append(parts, fmt.Sprintf("+%d new", m.newStories))
		}
		switch {
		case m.failed > 0:
			// The latest failure, named, while it happens; all of them
			// are on the feeds screen.
			parts = append(parts, st.Error.Render(fmt.Sprintf("%d failed, last %s", m.failed, m.lastFailed)))
		case m.current != "":
			parts = append(parts, st.Dim.Render(m.current))
		}
		left = strings.Join(parts, " ")
	case m.text != "" && m.isErr:
		left = st.Error.Render(m.text)
	case m.text != "":
		left = st.Status.Render(m.text)
	}
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if right != "" && lw+rw+1 <= m.width {
		return left + strings.Repeat(" ", m.width-lw-rw) + st.Dim.Render(right)
	}
	return common.Truncate(left, m.width)
}
