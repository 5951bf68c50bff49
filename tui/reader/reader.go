// Package reader shows one story: title and summary with the classifier's
// matched phrases highlighted, outlet, date, link, tags with their
// evidence, the clean article text and the note, wrapped to the width in a
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
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
)

// Source is what the reader reads.
type Source interface {
	Get(id string) (store.Story, error)
}

// StoryLoadedMsg carries the story the reader asked for.
type StoryLoadedMsg struct {
	Story store.Story
	Err   error
}

// Model is the reader.
type Model struct {
	sh     *common.Shared
	src    Source
	vp     viewport.Model
	story  store.Story
	loaded bool
	err    error
	width  int
	height int
}

// New returns an empty reader.
func New(sh *common.Shared, src Source) Model {
	return Model{sh: sh, src: src, vp: viewport.New(80, 20), width: 80, height: 20}
}

// LoadCmd fetches a story from the cache in a command.
func (m Model) LoadCmd(id string) tea.Cmd {
	src := m.src
	return func() tea.Msg {
		s, err := src.Get(id)
		if err != nil {
			err = fmt.Errorf("load story %s: %w", id, err)
		}
		return StoryLoadedMsg{Story: s, Err: err}
	}
}

// Story is the story shown, if one is loaded.
func (m Model) Story() (store.Story, bool) { return m.story, m.loaded && m.err == nil }

// SetSize fits the reader to w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.vp.Width = max(w, 1)
	m.vp.Height = max(h, 1)
	m.render()
}

// ApplyState shows a change of the story's user state.
func (m *Model) ApplyState(id string, st store.State) {
	if m.loaded && m.story.ID == id {
		m.story.State = st
		y := m.vp.YOffset
		m.render()
		m.vp.SetYOffset(y)
	}
}

// Update scrolls and takes in the loaded story.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.sh.Keys
	switch msg := msg.(type) {
	case StoryLoadedMsg:
		m.story, m.err, m.loaded = msg.Story, msg.Err, true
		m.render()
		m.vp.GotoTop()
		return m, nil
	case tea.MouseMsg:
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Back):
			return m, func() tea.Msg { return common.CloseMsg{} }
		case key.Matches(msg, k.NextStory):
			return m, func() tea.Msg { return common.StepStoryMsg{Delta: 1} }
		case key.Matches(msg, k.PrevStory):
			return m, func() tea.Msg { return common.StepStoryMsg{Delta: -1} }
		default:
			common.Scroll(&m.vp, msg, k)
		}
	}
	return m, nil
}

func (m *Model) render() {
	st := m.sh.Styles
	w := max(m.width, 1)
	if m.err != nil {
		m.vp.SetContent(st.Error.Render(ansi.Wordwrap(common.Clean(m.err.Error()), w, "")))
		return
	}
	if !m.loaded {
		m.vp.SetContent("loading…")
		return
	}
	s := m.story
	var b strings.Builder
	line := func(text string) {
		b.WriteString(text)
		b.WriteByte('\n')
	}
	line(wrap(marked(s.Title, s.Tags, item.FieldTitle, false, st.HeadMark.Render, st.ReaderHead.Render), w))
	meta := []string{common.Clean(s.Outlet)}
	if !s.Published.IsZero() {
		meta = append(meta, s.Published.Local().Format("Mon 2 Jan 2006 15:04"))
	}
	if s.Author != "" {
		meta = append(meta, "by "+common.Clean(s.Author))
	}
	line(st.Dim.Render(wrap(strings.Join(meta, " · "), w)))
	if s.Link != "" {
		line(st.Link.Render(ansi.Hardwrap(common.Clean(s.Link), w, false)))
	}
	if marks := stateLine(s.State); marks != "" {
		line(st.Star.Render(wrap(marks, w)))
	}
	for _, t := range s.Tags {
		line(wrap(m.tagLine(t), w))
	}
	b.WriteByte('\n')
	if s.Summary != "" {
		line(wrap(marked(s.Summary, s.Tags, item.FieldSummary, true, st.Highlight.Render, nil), w))
	}
	if body := bodyText(s); body != "" {
		if s.Summary != "" {
			line(st.Dim.Render(strings.Repeat("─", min(w, 40))))
		}
		line(wrap(body, w))
	}
	if s.Note != "" {
		b.WriteByte('\n')
		line(st.Header.Render("Note") + st.Dim.Render(noteEdited(s.State)))
		line(wrap(sanitize.Text(s.Note), w))
	}
	m.vp.SetContent(strings.TrimSuffix(b.String(), "\n"))
}

func noteEdited(st store.State) string {
	if st.NoteEdited.IsZero() {
		return ""
	}
	return " (edited " + st.NoteEdited.Local().Format("2 Jan 2006 15:04") + ")"
}

func stateLine(st store.State) string {
	var parts []string
	if st.Starred {
		parts = append(parts, "★ starred")
	}
	if st.Note != "" {
		parts = append(parts, "✎ note")
	}
	if st.Dismissed {
		parts = append(parts, "dismissed")
	}
	return strings.Join(parts, " · ")
}

// tagLine is a tag chip with its score and the phrases that decided it;
// hard negatives are struck through.
func (m Model) tagLine(t item.Tag) string {
	st := m.sh.Styles
	var b strings.Builder
	b.WriteString(st.Chip.Render("#" + common.Clean(t.Name)))
	if t.Threshold > 0 {
		b.WriteString(st.Dim.Render(fmt.Sprintf(" %.1f/%.1f", t.Score, t.Threshold)))
	}
	seen := map[string]bool{}
	for _, mt := range t.Matches {
		p := common.Clean(mt.Phrase)
		if seen[p] {
			continue
		}
		seen[p] = true
		b.WriteByte(' ')
		if mt.Negative {
			b.WriteString(st.Negative.Render("−" + p))
		} else {
			b.WriteString(st.Highlight.Render(p))
		}
	}
	return b.String()
}

// bodyText is the article's clean text, unless it only repeats the summary.
func bodyText(s store.Story) string {
	if s.Content == "" {
		return ""
	}
	body := strings.TrimSpace(sanitize.Text(htmltext.Convert(s.Content)))
	sum := strings.TrimSpace(s.Summary)
	if body == sum || (len(sum) > 40 && strings.HasPrefix(body, sum) && len(body) < len(sum)+40) {
		return ""
	}
	return body
}

func wrap(s string, w int) string { return ansi.Wrap(s, w, "") }

// View renders the viewport.
func (m Model) View() string {
	return common.Lines(m.vp.View(), m.width, m.height)
}

// Position is how far down the story the reader is, for the status bar.
func (m Model) Position() string {
	if m.vp.TotalLineCount() <= m.vp.Height {
		return "all"
	}
	return fmt.Sprintf("%3.f%%", m.vp.ScrollPercent()*100)
}

// ShortHelp is the reader's line of help.
func (m Model) ShortHelp() []key.Binding {
	k := m.sh.Keys
	return []key.Binding{k.Back, k.NextStory, k.PrevStory, k.Star, k.Note, k.Browser, k.Help}
}

// FullHelp is every binding that works in the reader.
func (m Model) FullHelp() [][]key.Binding {
	k := m.sh.Keys
	return [][]key.Binding{
		k.Moving(),
		{k.Back, k.NextStory, k.PrevStory},
		k.Triage(),
		k.Global(),
	}
}
