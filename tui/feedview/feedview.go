// Package feedview is the feeds screen: every subscription with its
// status, story count, last fetch, next try and last error, updated live
// while a refresh runs.
package feedview

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
)

// Source is what the feeds screen reads of the cache.
type Source interface {
	FeedStates() (map[string]store.FeedState, error)
	Counts() (store.Counts, error)
}

// Row is one feed.
type Row struct {
	URL   string
	Title string
	State store.FeedState
	Count int
	live  *feeds.Event // the latest event of a refresh under way
}

// feedsLoadedMsg carries the feeds read from the subscriptions and cache.
type feedsLoadedMsg struct {
	rows []Row
	err  error
}

// Model is the feeds screen.
type Model struct {
	sh            *common.Shared
	src           Source
	subscriptions func() ([]feeds.Subscription, error)
	rows          []Row
	live          map[string]feeds.Event
	loaded        bool
	err           error
	cursor        int
	offset        int
	width, height int
}

// New returns the feeds screen; subscriptions lists the feeds followed
// (nil lists those the cache knows).
func New(sh *common.Shared, src Source, subscriptions func() ([]feeds.Subscription, error)) Model {
	return Model{sh: sh, src: src, subscriptions: subscriptions, live: map[string]feeds.Event{}, width: 80, height: 20}
}

// LoadCmd reads the feeds in a command.
func (m Model) LoadCmd() tea.Cmd {
	src, subsFn := m.src, m.subscriptions
	return func() tea.Msg {
		states, err := src.FeedStates()
		if err != nil {
			return feedsLoadedMsg{err: fmt.Errorf("read feed states: %w", err)}
		}
		counts, err := src.Counts()
		if err != nil {
			return feedsLoadedMsg{err: fmt.Errorf("read counts: %w", err)}
		}
		var subs []feeds.Subscription
		if subsFn != nil {
			if subs, err = subsFn(); err != nil {
				return feedsLoadedMsg{err: err}
			}
		} else {
			for u, st := range states {
				subs = append(subs, feeds.Subscription{URL: u, Title: st.Title})
			}
			sort.Slice(subs, func(i, j int) bool { return subs[i].URL < subs[j].URL })
		}
		rows := make([]Row, 0, len(subs))
		for _, s := range subs {
			st := states[s.URL]
			title := s.Title
			if title == "" {
				title = st.Title
			}
			if title == "" {
				title = s.URL
			}
			rows = append(rows, Row{URL: s.URL, Title: common.Clean(title), State: st, Count: counts.Feeds[s.URL]})
		}
		return feedsLoadedMsg{rows: rows}
	}
}

// Event shows a refresh's progress on one feed.
func (m *Model) Event(ev feeds.Event) { m.live[ev.Feed] = ev }

// RefreshDone forgets the live events; a LoadCmd shows the stored outcome.
func (m *Model) RefreshDone() { m.live = map[string]feeds.Event{} }

// SetSize fits the screen to w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

func (m Model) bodyRows() int { return max(m.height-4, 1) }

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	rows := m.bodyRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-rows))
}

// Update moves through the feeds and opens one's stories.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.sh.Keys
	switch msg := msg.(type) {
	case feedsLoadedMsg:
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			m.rows = msg.rows
		}
		m.clamp()
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			m.cursor += 3
		case tea.MouseButtonWheelUp:
			m.cursor -= 3
		}
		m.clamp()
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Back):
			return m, func() tea.Msg { return common.CloseMsg{} }
		case key.Matches(msg, k.Down):
			m.cursor++
		case key.Matches(msg, k.Up):
			m.cursor--
		case key.Matches(msg, k.PageDown):
			m.cursor += m.bodyRows()
		case key.Matches(msg, k.PageUp):
			m.cursor -= m.bodyRows()
		case key.Matches(msg, k.Top):
			m.cursor = 0
		case key.Matches(msg, k.Bottom):
			m.cursor = len(m.rows) - 1
		case key.Matches(msg, k.OpenFeed):
			if m.cursor < len(m.rows) {
				r := m.rows[m.cursor]
				return m, func() tea.Msg { return common.FeedSelectedMsg{URL: r.URL, Title: r.Title} }
			}
		}
		m.clamp()
	}
	return m, nil
}

// status names a feed's condition in a word.
func (m Model) status(r Row, now time.Time) (word string, bad bool) {
	if ev, ok := m.live[r.URL]; ok {
		switch ev.Kind {
		case feeds.EventStarted:
			return "fetching", false
		case feeds.EventDone:
			return fmt.Sprintf("+%d new", ev.New), false
		case feeds.EventNotModified:
			return "unchanged", false
		case feeds.EventFailed:
			return "failed", true
		case feeds.EventSkipped:
			return "skipped", false
		}
	}
	st := r.State
	switch {
	case st.Gone:
		return "gone", true
	case st.LastError != "" && st.Failures > 0:
		return fmt.Sprintf("failing×%d", st.Failures), true
	case st.LastError != "":
		return "failed", true
	case st.LastSuccess.IsZero():
		return "never", false
	}
	return "ok", false
}

func (m Model) lastError(r Row) string {
	if ev, ok := m.live[r.URL]; ok && ev.Err != nil {
		return common.Clean(ev.Err.Error())
	}
	return common.Clean(r.State.LastError)
}

// View renders the table and, below it, the selected feed in full.
func (m Model) View() string {
	st := m.sh.Styles
	now := m.sh.Now()
	var b strings.Builder
	failing := 0
	for _, r := range m.rows {
		if _, bad := m.status(r, now); bad {
			failing++
		}
	}
	head := fmt.Sprintf("Feeds: %d followed", len(m.rows))
	if failing > 0 {
		head += fmt.Sprintf(", %d failing", failing)
	}
	b.WriteString(st.Title.Render(common.Truncate(head, m.width)) + "\n")
	const cols = "  status     stories  fetched  next   feed"
	b.WriteString(st.Dim.Render(common.Truncate(cols, m.width)) + "\n")
	switch {
	case m.err != nil:
		b.WriteString(st.Error.Render(common.Truncate("cannot read the feeds: "+common.Clean(m.err.Error()), m.width)) + "\n")
	case !m.loaded:
		b.WriteString("loading…\n")
	case len(m.rows) == 0:
		b.WriteString(common.Truncate("No feeds yet: add one with 'trawl feeds add URL'.", m.width) + "\n")
	}
	end := min(len(m.rows), m.offset+m.bodyRows())
	for i := m.offset; i < end; i++ {
		r := m.rows[i]
		word, bad := m.status(r, now)
		cur := " "
		if i == m.cursor {
			cur = ">"
		}
		fetched := "-"
		if !r.State.LastAttempt.IsZero() {
			fetched = common.Age(now, r.State.LastAttempt)
		}
		next := "-"
		if !r.State.NextTry.IsZero() {
			next = common.Until(now, r.State.NextTry)
		}
		line := fmt.Sprintf("%s %-10s %7d  %7s  %-6s %s", cur, word, r.Count, fetched, next, r.Title)
		if e := m.lastError(r); e != "" {
			line += " — " + e
		}
		line = common.Truncate(line, m.width)
		switch {
		case i == m.cursor:
			line = st.Selected.Render(line)
		case bad:
			line = st.Error.Render(line)
		}
		b.WriteString(line + "\n")
	}
	out := strings.TrimSuffix(b.String(), "\n")
	if m.cursor < len(m.rows) && m.height >= 8 {
		r := m.rows[m.cursor]
		detail := r.URL
		if e := m.lastError(r); e != "" {
			detail += "\nlast error: " + e
		}
		lines := strings.Split(ansi.Wrap(detail, max(m.width, 1), ""), "\n")
		lines = lines[:min(len(lines), 2)]
		pad := m.height - strings.Count(out, "\n") - 1 - len(lines)
		if pad > 0 {
			out += strings.Repeat("\n", pad)
		}
		out += "\n" + st.Dim.Render(strings.Join(lines, "\n"))
	}
	return common.Lines(out, m.width, m.height)
}

// ShortHelp is the feeds screen's line of help.
func (m Model) ShortHelp() []key.Binding {
	k := m.sh.Keys
	return []key.Binding{k.Down, k.Up, k.OpenFeed, k.Back, k.Refresh, k.Help}
}

// FullHelp is every binding of the feeds screen.
func (m Model) FullHelp() [][]key.Binding {
	k := m.sh.Keys
	return [][]key.Binding{k.Moving(), {k.OpenFeed, k.Back, k.Refresh, k.ForceQuit}}
}
