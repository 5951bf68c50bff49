// Package reader shows one story: its header, tags and clean text in a
// scrollable viewport.
package reader

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/trawl-news/trawl/feeds/htmltext"
	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/styles"
)

// Source is what the reader reads.
type Source interface {
	Get(id string) (store.Story, error)
}

// CloseMsg asks the root to go back to the list.
type CloseMsg struct{}

type storyLoadedMsg struct {
	story store.Story
	err   error
}

// Model is the reader.
type Model struct {
	src    Source
	keys   keys.Map
	styles styles.Styles
	vp     viewport.Model
	story  store.Story
	err    error
	width  int
	height int
}

// New returns an empty reader.
func New(src Source, km keys.Map, st styles.Styles) Model {
	return Model{src: src, keys: km, styles: st, vp: viewport.New(80, 22), width: 80, height: 24}
}

// Load fetches a story from the cache in a command.
func (m Model) Load(id string) tea.Cmd {
	src := m.src
	return func() tea.Msg {
		s, err := src.Get(id)
		return storyLoadedMsg{story: s, err: err}
	}
}

// SetSize fits the reader to the terminal.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.vp.Width = w
	m.vp.Height = max(h-1, 1)
	m.render()
}

// Update scrolls and handles the loaded story.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case storyLoadedMsg:
		m.story, m.err = msg.story, msg.err
		m.render()
		m.vp.GotoTop()
		return m, nil
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			return m, func() tea.Msg { return CloseMsg{} }
		case key.Matches(msg, m.keys.Down):
			m.vp.ScrollDown(1)
		case key.Matches(msg, m.keys.Up):
			m.vp.ScrollUp(1)
		case key.Matches(msg, m.keys.PageDown):
			m.vp.PageDown()
		case key.Matches(msg, m.keys.PageUp):
			m.vp.PageUp()
		case key.Matches(msg, m.keys.Top):
			m.vp.GotoTop()
		case key.Matches(msg, m.keys.Bottom):
			m.vp.GotoBottom()
		}
	}
	return m, nil
}

func (m *Model) render() {
	if m.err != nil {
		m.vp.SetContent(m.styles.Error.Render("cannot load the story: " + m.err.Error()))
		return
	}
	s := m.story
	w := max(m.width, 10)
	var b strings.Builder
	b.WriteString(m.styles.ReaderHead.Render(ansi.Wordwrap(s.Title, w, "")))
	b.WriteString("\n")
	meta := s.Outlet
	if !s.Published.IsZero() {
		meta += " · " + s.Published.Local().Format("Mon 2 Jan 2006 15:04")
	}
	b.WriteString(m.styles.Dim.Render(ansi.Wordwrap(meta, w, "")) + "\n")
	if s.Link != "" {
		b.WriteString(m.styles.Link.Render(ansi.Hardwrap(s.Link, w, false)) + "\n")
	}
	for _, t := range s.Tags {
		var phrases []string
		for _, mt := range t.Matches {
			phrases = append(phrases, mt.Phrase)
		}
		b.WriteString(m.styles.Chip.Render(fmt.Sprintf("#%s", t.Name)))
		b.WriteString(m.styles.Dim.Render(ansi.Truncate(" "+strings.Join(phrases, ", "), max(w-len(t.Name)-1, 0), "…")) + "\n")
	}
	b.WriteString("\n")
	body := s.Summary
	if s.Content != "" {
		body = sanitize.Text(htmltext.Convert(s.Content))
	}
	b.WriteString(ansi.Wordwrap(body, w, ""))
	if s.Note != "" {
		b.WriteString("\n\n" + m.styles.Header.Render("Note") + "\n" + ansi.Wordwrap(s.Note, w, ""))
	}
	m.vp.SetContent(b.String())
}

// View renders the viewport and a status line.
func (m Model) View() string {
	status := fmt.Sprintf(" %3.f%%  esc back · j/k scroll · ? help", m.vp.ScrollPercent()*100)
	return m.vp.View() + "\n" + m.styles.Status.Render(ansi.Truncate(status, m.width, ""))
}
