// Package helpview is the help screen: every binding of every screen,
// generated from the keymap through each screen's FullHelp, so a key is
// documented exactly where it is defined.
package helpview

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/trawl-news/trawl/tui/common"
)

// Section is one screen's bindings.
type Section struct {
	Title    string
	Bindings [][]key.Binding
}

// Model is the help screen.
type Model struct {
	sh       *common.Shared
	sections []Section
	vp       viewport.Model
	width    int
	height   int
}

// New returns the help screen for sections.
func New(sh *common.Shared, sections []Section) Model {
	m := Model{sh: sh, sections: sections, vp: viewport.New(80, 20), width: 80, height: 20}
	m.render()
	return m
}

// SetSize fits the screen to w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.vp.Width, m.vp.Height = max(w, 1), max(h, 1)
	m.render()
}

// block renders one section as a column of "key  description" lines,
// leaving out bindings an earlier section already showed.
func (m Model) block(s Section, width int, shown map[string]bool) []string {
	st := m.sh.Styles
	var bindings []key.Binding
	keyWidth := 0
	for _, group := range s.Bindings {
		for _, b := range group {
			h := b.Help()
			if !b.Enabled() || shown[h.Key+"\x00"+h.Desc] {
				continue
			}
			shown[h.Key+"\x00"+h.Desc] = true
			bindings = append(bindings, b)
			keyWidth = max(keyWidth, ansi.StringWidth(h.Key))
		}
	}
	if len(bindings) == 0 {
		return nil
	}
	lines := []string{st.HelpGroup.Render(common.Truncate(s.Title, width))}
	for _, b := range bindings {
		h := b.Help()
		keyCol := h.Key + strings.Repeat(" ", keyWidth-ansi.StringWidth(h.Key))
		lines = append(lines, common.Truncate(st.HelpKey.Render(keyCol)+" "+st.Dim.Render(h.Desc), width))
	}
	return lines
}

// render lays the sections out in newspaper columns: as many as fit, each
// filled to about the same height, so the whole keymap fits on one 80×24
// screen.
func (m *Model) render() {
	const colWidth, gap = 25, 2
	cols := max(1, (m.width+gap)/(colWidth+gap))
	width := colWidth
	if cols == 1 {
		width = max(m.width, 1)
	}
	shown := map[string]bool{}
	var blocks [][]string
	total := 0
	for _, s := range m.sections {
		if b := m.block(s, width, shown); b != nil {
			blocks = append(blocks, b)
			total += len(b) + 1
		}
	}
	target := (total + cols - 1) / cols
	var columns []string
	var cur []string
	for _, b := range blocks {
		if len(cur) > 0 && len(cur)+len(b) > target && len(columns) < cols-1 {
			columns = append(columns, pad(strings.Join(cur, "\n"), width))
			cur = nil
		}
		if len(cur) > 0 {
			cur = append(cur, "")
		}
		cur = append(cur, b...)
	}
	columns = append(columns, pad(strings.Join(cur, "\n"), width))
	for i := 1; i < len(columns); i++ {
		columns[i] = indent(columns[i])
	}
	note := m.sh.Styles.Dim.Render(common.Truncate("The mouse wheel scrolls lists and stories.", max(m.width, 1)))
	m.vp.SetContent(lipgloss.JoinHorizontal(lipgloss.Top, columns...) + "\n\n" + note)
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// pad makes every line of a block the same width so columns line up.
func pad(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if n := ansi.StringWidth(l); n < w {
			lines[i] = l + strings.Repeat(" ", w-n)
		}
	}
	return strings.Join(lines, "\n")
}

// Update scrolls; esc, q or ? closes.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.sh.Keys
	switch msg := msg.(type) {
	case tea.MouseMsg:
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Help):
			return m, func() tea.Msg { return common.CloseMsg{} }
		default:
			common.Scroll(&m.vp, msg, k)
		}
	}
	return m, nil
}

// View renders the help.
func (m Model) View() string { return common.Lines(m.vp.View(), m.width, m.height) }

// ShortHelp is the help screen's line of help.
func (m Model) ShortHelp() []key.Binding {
	k := m.sh.Keys
	return []key.Binding{k.Down, k.Up, k.Back}
}

// FullHelp is every binding of the help screen.
func (m Model) FullHelp() [][]key.Binding {
	k := m.sh.Keys
	return [][]key.Binding{k.Moving(), {k.Back, k.Help}}
}
