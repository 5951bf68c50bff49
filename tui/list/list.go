// Package list is the story list: one row per story with markers, age,
// outlet, title and tag chips, fitted to the terminal width.
package list

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/styles"
)

// Source is what the list reads.
type Source interface {
	Page(v store.View, after store.Cursor, limit int) ([]store.Story, store.Cursor, error)
	Counts() (store.Counts, error)
}

// OpenMsg asks the root to open a story in the reader.
type OpenMsg struct{ ID string }

type storiesLoadedMsg struct {
	stories []store.Story
	next    store.Cursor
	counts  store.Counts
	err     error
}

const pageSize = 200

// Model is the story list.
type Model struct {
	src     Source
	keys    keys.Map
	styles  styles.Styles
	help    help.Model
	now     func() time.Time
	title   string
	stories []store.Story
	next    store.Cursor
	counts  store.Counts
	cursor  int
	offset  int
	width   int
	height  int
	loaded  bool
	err     error
}

// New returns an empty list; Init loads it.
func New(src Source, km keys.Map, st styles.Styles, now func() time.Time, title string) Model {
	return Model{src: src, keys: km, styles: st, help: help.New(), now: now, title: title, width: 80, height: 24}
}

// Init loads the first page.
func (m Model) Init() tea.Cmd { return loadCmd(m.src, nil) }

func loadCmd(src Source, after store.Cursor) tea.Cmd {
	return func() tea.Msg {
		stories, next, err := src.Page(store.All, after, pageSize)
		if err != nil {
			return storiesLoadedMsg{err: err}
		}
		counts, err := src.Counts()
		return storiesLoadedMsg{stories: stories, next: next, counts: counts, err: err}
	}
}

// SetSize fits the list to the terminal.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.help.Width = w
	m.clampOffset()
}

// rows is how many story rows fit between the header and the help line.
func (m Model) rows() int { return max(m.height-3, 1) }

// Update handles keys and loaded pages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case storiesLoadedMsg:
		m.loaded = true
		if msg.err != nil {
			m.err = msg.err
			return m, nil
		}
		m.stories = append(m.stories, msg.stories...)
		m.next = msg.next
		m.counts = msg.counts
		return m, nil
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m, tea.Quit
		case key.Matches(msg, m.keys.Down):
			m.move(1)
		case key.Matches(msg, m.keys.Up):
			m.move(-1)
		case key.Matches(msg, m.keys.PageDown):
			m.move(m.rows())
		case key.Matches(msg, m.keys.PageUp):
			m.move(-m.rows())
		case key.Matches(msg, m.keys.Top):
			m.move(-len(m.stories))
		case key.Matches(msg, m.keys.Bottom):
			m.move(len(m.stories))
		case key.Matches(msg, m.keys.Open):
			if m.cursor < len(m.stories) {
				id := m.stories[m.cursor].ID
				return m, func() tea.Msg { return OpenMsg{ID: id} }
			}
		case key.Matches(msg, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
		}
		// Read ahead when the cursor nears the end of what is loaded.
		if m.next != nil && m.cursor > len(m.stories)-m.rows()*2 {
			next := m.next
			m.next = nil
			return m, loadCmd(m.src, next)
		}
	}
	return m, nil
}

func (m *Model) move(delta int) {
	m.cursor = max(0, min(m.cursor+delta, len(m.stories)-1))
	m.clampOffset()
}

func (m *Model) clampOffset() {
	rows := m.rows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, m.offset)
}

// View renders the header, the visible rows and the help line.
func (m Model) View() string {
	var b strings.Builder
	header := fmt.Sprintf("%s  %d stories", m.title, m.counts.All)
	b.WriteString(m.styles.Title.Render(ansi.Truncate(header, m.width, "…")))
	b.WriteByte('\n')
	rows := m.rows()
	switch {
	case m.err != nil:
		b.WriteString(m.styles.Error.Render(ansi.Truncate("cannot read the cache: "+m.err.Error(), m.width, "…")))
		b.WriteByte('\n')
		rows--
	case !m.loaded:
		b.WriteString("loading…\n")
		rows--
	case len(m.stories) == 0:
		b.WriteString(ansi.Truncate("No stories yet. Run 'trawl fetch' to refresh your feeds.", m.width, "…"))
		b.WriteByte('\n')
		rows--
	}
	now := m.now()
	end := min(len(m.stories), m.offset+rows)
	for i := m.offset; i < end; i++ {
		b.WriteString(m.row(m.stories[i], i == m.cursor, now))
		b.WriteByte('\n')
		rows--
	}
	for ; rows > 0; rows-- {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(m.help.View(m.keys))
	return b.String()
}

func (m Model) row(s store.Story, selected bool, now time.Time) string {
	// The cursor is a character as well as a colour, so it shows with
	// NO_COLOR and on monochrome terminals.
	cursor := " "
	if selected {
		cursor = ">"
	}
	marks := cursor
	if s.Starred {
		marks += "★"
	} else {
		marks += " "
	}
	if s.Note != "" {
		marks += "✎"
	} else {
		marks += " "
	}
	age := fmt.Sprintf("%4s", Age(now, s.Published))
	outlet := fit(s.Outlet, 14)
	var chips []string
	for _, t := range s.Tags {
		chips = append(chips, "#"+t.Name)
	}
	chipText := strings.Join(chips, " ")
	fixed := 3 + 1 + 4 + 1 + 14 + 1
	titleWidth := m.width - fixed
	if chipText != "" {
		titleWidth -= lipgloss.Width(chipText) + 1
	}
	if titleWidth < 10 {
		chipText = ""
		titleWidth = m.width - fixed
	}
	title := fit(s.Title, max(titleWidth, 0))
	line := marks + " " + age + " " + outlet + " " + title
	if chipText != "" {
		line += " " + chipText
	}
	line = ansi.Truncate(line, m.width, "")
	if selected {
		return m.styles.Selected.Render(line)
	}
	if s.Read {
		return m.styles.Dim.Render(line)
	}
	return line
}

// fit pads or truncates s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Age renders how old t is: 5m, 3h, 2d, 7w, 1y.
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
