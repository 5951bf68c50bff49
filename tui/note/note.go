// Package note is the note editor: a textarea whose text is saved only on
// an explicit ctrl+s, and that asks before dropping anything typed.
package note

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/tui/common"
)

// MaxLength bounds a note, in characters: generous for a researcher's
// annotation, small enough to keep the cache and exports sane.
const MaxLength = 20000

// Model is the note editor.
type Model struct {
	sh         *common.Shared
	ta         textarea.Model
	id         string
	title      string
	original   string
	confirming bool
	quitAfter  bool // the confirmation was asked by ctrl+c
	err        string
	width      int
	height     int
}

// New returns a closed editor.
func New(sh *common.Shared) Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "│ "
	ta.CharLimit = MaxLength
	ta.Placeholder = "Why does this story matter? (ctrl+s saves)"
	ta.Cursor.SetMode(cursor.CursorStatic)
	focused, blurred := textarea.DefaultStyles()
	focused.Base = sh.Styles.Row
	focused.CursorLine = sh.Styles.Row
	focused.Placeholder = sh.Styles.Dim
	focused.Prompt = sh.Styles.Prompt
	focused.EndOfBuffer = sh.Styles.Dim
	focused.Text = sh.Styles.Row
	blurred = focused
	ta.FocusedStyle, ta.BlurredStyle = focused, blurred
	return Model{sh: sh, ta: ta, width: 80, height: 20}
}

// Open starts editing the note of story id.
func (m *Model) Open(id, title, text string) tea.Cmd {
	m.id, m.title, m.original = id, title, text
	m.confirming, m.quitAfter, m.err = false, false, ""
	m.ta.SetValue(text)
	m.ta.CursorEnd()
	m.layout()
	return m.ta.Focus()
}

// ID is the story whose note is open.
func (m Model) ID() string { return m.id }

// Dirty reports whether the editor holds text that is not saved.
func (m Model) Dirty() bool { return m.ta.Value() != m.original }

// Confirming reports whether the editor is asking before discarding.
func (m Model) Confirming() bool { return m.confirming }

// Saved tells the editor its text is stored.
func (m *Model) Saved() { m.original = m.ta.Value() }

// Failed shows why the note could not be stored; the text stays.
func (m *Model) Failed(err error) {
	m.err = "not saved: " + err.Error()
}

// AskQuit is ctrl+c with unsaved text: ask before quitting.
func (m *Model) AskQuit() {
	m.confirming, m.quitAfter = true, true
}

// SetSize fits the editor to w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

func (m *Model) layout() {
	m.ta.SetWidth(max(m.width, 4))
	m.ta.SetHeight(max(m.height-3, 1))
}

// Update edits, saves on ctrl+s and asks before leaving with unsaved text.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.sh.Keys
	km, isKey := msg.(tea.KeyMsg)
	if !isKey {
		var cmd tea.Cmd
		m.ta, cmd = m.ta.Update(msg)
		return m, cmd
	}
	switch {
	case key.Matches(km, k.SaveNote):
		id, text := m.id, strings.TrimRight(m.ta.Value(), " \n\t")
		quit := m.quitAfter
		m.confirming, m.quitAfter = false, false
		return m, func() tea.Msg { return common.NoteSavedMsg{ID: id, Text: text, Quit: quit} }
	case m.confirming && key.Matches(km, k.ConfirmDiscard):
		m.ta.SetValue(m.original)
		m.confirming = false
		if m.quitAfter {
			return m, tea.Quit
		}
		return m, func() tea.Msg { return common.CloseMsg{} }
	case m.confirming && key.Matches(km, k.KeepEditing):
		m.confirming, m.quitAfter = false, false
		return m, nil
	case m.confirming:
		return m, nil // only the three answers count while asking
	case key.Matches(km, k.CancelNote):
		if m.Dirty() {
			m.confirming = true
			return m, nil
		}
		return m, func() tea.Msg { return common.CloseMsg{} }
	}
	m.err = ""
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(msg)
	return m, cmd
}

// View renders the editor.
func (m Model) View() string {
	st := m.sh.Styles
	var b strings.Builder
	b.WriteString(st.Header.Render(common.Truncate("Note on: "+common.Clean(m.title), m.width)))
	b.WriteByte('\n')
	b.WriteString(m.ta.View())
	b.WriteByte('\n')
	switch {
	case m.confirming && m.quitAfter:
		b.WriteString(st.Error.Render(common.Truncate("Quit without saving this note? y quit · n keep editing · ctrl+s save", m.width)))
	case m.confirming:
		b.WriteString(st.Error.Render(common.Truncate("Discard the unsaved note? y discard · n keep editing · ctrl+s save", m.width)))
	case m.err != "":
		b.WriteString(st.Error.Render(common.Truncate(common.Clean(m.err), m.width)))
	case m.Dirty():
		b.WriteString(st.Dim.Render(common.Truncate("unsaved · ctrl+s saves · esc leaves", m.width)))
	default:
		b.WriteString(st.Dim.Render(common.Truncate("saved · esc leaves", m.width)))
	}
	return common.Lines(b.String(), m.width, m.height)
}

// ShortHelp is the editor's line of help.
func (m Model) ShortHelp() []key.Binding {
	k := m.sh.Keys
	if m.confirming {
		return []key.Binding{k.ConfirmDiscard, k.KeepEditing, k.SaveNote}
	}
	return []key.Binding{k.SaveNote, k.CancelNote}
}

// FullHelp is every binding of the editor.
func (m Model) FullHelp() [][]key.Binding {
	k := m.sh.Keys
	return [][]key.Binding{{k.SaveNote, k.CancelNote}, {k.ConfirmDiscard, k.KeepEditing}, {k.ForceQuit}}
}
