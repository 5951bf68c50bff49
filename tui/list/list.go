// Package list is the story list: tabs for the views with live counts, one
// row per story (markers, age, outlet, title, tag chips) fitted to the
// width, and search as you type. It holds only the rows read so far, a page
// at a time, so a cache of 100k stories opens as fast as one of 100.
package list

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
	"github.com/trawl-news/trawl/tui/search"
)

// Source is what the list reads.
type Source interface {
	Page(v store.View, after store.Cursor, limit int) ([]store.Story, store.Cursor, error)
}

// PageSize is how many stories one read of the store brings in.
const PageSize = 200

// Row is what the list keeps of a story: only what a row shows. It is
// the search index's hit, so a page of the store and a page of search
// results draw alike.
type Row = search.Hit

// Tab is one view of the list.
type Tab struct {
	View  store.View
	Label string
}

// pageLoadedMsg carries a page of the view that was asked for in gen.
type pageLoadedMsg struct {
	gen      int
	rows     []Row
	next     store.Cursor
	err      error
	reset    bool   // replace the rows instead of appending
	selectID string // after a reset, put the cursor on this story
	toEnd    bool   // this was a load to the end: put the cursor there
}

// Model is the story list.
type Model struct {
	sh       *common.Shared
	src      Source
	title    string
	coreTags []string

	tabs   []Tab
	active int
	counts store.Counts
	extra  *Tab // a feed's view, opened from the feeds screen

	rows    []Row
	next    store.Cursor
	loading bool
	loaded  bool
	gen     int
	err     error

	cursor, offset int
	width, height  int

	input     textinput.Model
	searching bool // the search box has the keyboard
	idx       *search.Index
	res       *search.Result
}

// New returns an empty list of every story; Init loads it. coreTags are
// shown first among the tag tabs, in their order.
func New(sh *common.Shared, src Source, title string, coreTags []string) Model {
	in := textinput.New()
	in.Prompt = "/"
	in.PromptStyle = sh.Styles.Prompt
	in.Placeholder = "search titles, summaries, outlets"
	in.PlaceholderStyle = sh.Styles.Dim
	in.Cursor.SetMode(cursor.CursorStatic)
	in.CharLimit = 200
	m := Model{sh: sh, src: src, title: title, coreTags: coreTags, input: in, width: 80, height: 20}
	m.tabs = m.buildTabs(store.Counts{})
	return m
}

// Init loads the first page of the first view.
func (m Model) Init() tea.Cmd { return m.loadCmd(nil, true, "") }

func (m Model) loadCmd(after store.Cursor, reset bool, selectID string) tea.Cmd {
	src, v, gen := m.src, m.View(), m.gen
	want := PageSize
	if reset && selectID != "" {
		// Reload at least as far as the cursor was, so it can stay put.
		want = max(want, m.cursor+m.bodyRows()+1)
	}
	return func() tea.Msg {
		var rows []Row
		next := after
		for {
			stories, n, err := src.Page(v, next, min(want-len(rows), 1000))
			if err != nil {
				return pageLoadedMsg{gen: gen, err: err}
			}
			rows = appendRows(rows, stories)
			next = n
			if next == nil || len(rows) >= want {
				break
			}
		}
		return pageLoadedMsg{gen: gen, rows: rows, next: next, reset: reset, selectID: selectID}
	}
}

// loadRestCmd reads the rest of the view from next, for a jump to the
// bottom.
func (m Model) loadRestCmd(next store.Cursor) tea.Cmd {
	src, v, gen := m.src, m.View(), m.gen
	return func() tea.Msg {
		var rows []Row
		for next != nil {
			stories, n, err := src.Page(v, next, 1000)
			if err != nil {
				return pageLoadedMsg{gen: gen, err: err}
			}
			rows = appendRows(rows, stories)
			next = n
		}
		return pageLoadedMsg{gen: gen, rows: rows, toEnd: true}
	}
}

func appendRows(rows []Row, stories []store.Story) []Row {
	for i := range stories {
		rows = append(rows, RowOf(&stories[i]))
	}
	return rows
}

// RowOf keeps what a row shows of a story.
func RowOf(s *store.Story) Row {
	return Row{
		ID: s.ID, Title: common.Clean(s.Title), Outlet: common.Clean(s.Outlet),
		Published: s.Published, Tags: s.TagNames(),
		Starred: s.Starred, Read: s.Read, Dismissed: s.Dismissed, HasNote: s.Note != "",
	}
}

// SetSize fits the list to w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(w-20, 1)
	m.clampOffset()
}

// View is the view of the active tab.
func (m Model) View() store.View {
	if m.extra != nil {
		return m.extra.View
	}
	return m.tabs[m.active].View
}

// Capturing reports whether the search box has the keyboard, so the root
// passes every key through.
func (m Model) Capturing() bool { return m.searching }

// SetIndex hands the list a freshly built search index.
func (m *Model) SetIndex(ix *search.Index) {
	m.idx = ix
	m.research()
}

// Index is the search index, nil until built.
func (m Model) Index() *search.Index { return m.idx }

// Query is the search in force, if any.
func (m Model) Query() string { return m.input.Value() }

func (m Model) inSearch() bool { return m.res != nil }

func (m *Model) research() {
	q := m.input.Value()
	if m.idx == nil || strings.TrimSpace(q) == "" {
		m.res = nil
		m.clampCursor()
		return
	}
	m.res = m.idx.Search(q, m.View(), m.res)
	m.clampCursor()
}

// ShowFeed switches to the stories of one feed.
func (m *Model) ShowFeed(url, title string) tea.Cmd {
	m.extra = &Tab{View: store.FeedView(url), Label: title}
	return m.switched()
}

// switched starts over on the view now active.
func (m *Model) switched() tea.Cmd {
	m.gen++
	m.rows, m.next, m.loaded, m.err = nil, nil, false, nil
	m.cursor, m.offset = 0, 0
	m.loading = true
	if m.res != nil {
		m.res = nil
		m.research()
	}
	return m.loadCmd(nil, true, "")
}

// ReloadCmd reads the active view again from the top, keeping the cursor on
// the same story where it is still listed.
func (m *Model) ReloadCmd() tea.Cmd {
	id := ""
	if r, ok := m.Selected(); ok {
		id = r.ID
	}
	return m.ReloadAtCmd(id)
}

// ReloadAtCmd reads the active view again from the top and puts the cursor
// on story id if it is listed (after an undo brought it back).
func (m *Model) ReloadAtCmd(id string) tea.Cmd {
	m.gen++
	m.loading = true
	m.research()
	return m.loadCmd(nil, true, id)
}

// Len is the number of rows the list can show now.
func (m Model) Len() int {
	if m.inSearch() {
		return m.res.Len()
	}
	return len(m.rows)
}

// At returns row i.
func (m Model) At(i int) Row {
	if m.inSearch() {
		return m.idx.Hit(m.res, i)
	}
	return m.rows[i]
}

// Position says where the cursor is in the view, for the status line.
func (m Model) Position() string {
	if m.Len() == 0 {
		return ""
	}
	total := m.Len()
	if !m.inSearch() && m.next != nil {
		total = max(total, m.count(m.View()))
	}
	return fmt.Sprintf("%d/%d", m.cursor+1, total)
}

// Selected is the row under the cursor.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= m.Len() {
		return Row{}, false
	}
	return m.At(m.cursor), true
}

// Step moves the cursor by delta and returns the story now selected, for
// the reader's next and previous story.
func (m *Model) Step(delta int) (string, bool, tea.Cmd) {
	before := m.cursor
	m.move(delta)
	r, ok := m.Selected()
	if !ok || m.cursor == before {
		return "", false, m.readAhead()
	}
	return r.ID, true, m.readAhead()
}

// ApplyState shows a story's new user state. A dismissed story leaves the
// views that hide dismissed stories at once; other changes only update the
// row, so the cursor never jumps under the user.
func (m *Model) ApplyState(id string, st store.State) {
	if m.inSearch() {
		m.research()
		return
	}
	for i := range m.rows {
		if m.rows[i].ID != id {
			continue
		}
		r := &m.rows[i]
		r.Starred, r.Read, r.Dismissed, r.HasNote = st.Starred, st.Read, st.Dismissed, st.Note != ""
		v := m.View()
		gone := (st.Dismissed && v.Kind != store.ViewStarred && v.Kind != store.ViewDismissed) ||
			(!st.Dismissed && v.Kind == store.ViewDismissed)
		if gone {
			m.rows = slices.Delete(m.rows, i, i+1)
			m.clampCursor()
		}
		return
	}
}

func (m *Model) clampCursor() {
	m.cursor = max(0, min(m.cursor, m.Len()-1))
	m.clampOffset()
}

// Update handles keys, mouse wheel and loaded pages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case pageLoadedMsg:
		return m.loadedPage(msg)
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			m.move(3)
			return m, m.readAhead()
		case tea.MouseButtonWheelUp:
			m.move(-3)
		}
		return m, nil
	case tea.KeyMsg:
		if m.searching {
			return m.searchKey(msg)
		}
		return m.key(msg)
	}
	return m, nil
}

func (m Model) loadedPage(msg pageLoadedMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil // a page of a view the user has left
	}
	m.loading, m.loaded = false, true
	if msg.err != nil {
		m.err = msg.err
		return m, nil
	}
	m.err = nil
	if msg.reset {
		m.rows = msg.rows
	} else {
		m.rows = append(m.rows, msg.rows...)
	}
	m.next = msg.next
	if msg.selectID != "" && !m.inSearch() {
		for i, r := range m.rows {
			if r.ID == msg.selectID {
				m.cursor = i
				break
			}
		}
	}
	if msg.toEnd && !m.inSearch() {
		m.cursor = len(m.rows) - 1
	}
	m.clampCursor()
	return m, nil
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.sh.Keys
	switch {
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.PageDown):
		m.move(m.bodyRows())
	case key.Matches(msg, k.PageUp):
		m.move(-m.bodyRows())
	case key.Matches(msg, k.Top):
		m.move(-m.Len())
	case key.Matches(msg, k.Bottom):
		if m.next != nil && !m.inSearch() {
			next := m.next
			m.gen++ // a page already under way would duplicate rows
			m.next, m.loading = nil, true
			return m, m.loadRestCmd(next)
		}
		m.move(m.Len())
	case key.Matches(msg, k.NextView), key.Matches(msg, k.PrevView):
		d := 1
		if key.Matches(msg, k.PrevView) {
			d = -1
		}
		if m.extra != nil {
			m.extra = nil // leaving a feed's view returns to the tabs
		} else {
			m.active = (m.active + d + len(m.tabs)) % len(m.tabs)
		}
		return m, m.switched()
	case key.Matches(msg, k.Open):
		if r, ok := m.Selected(); ok {
			id := r.ID
			return m, func() tea.Msg { return common.OpenStoryMsg{ID: id} }
		}
	case key.Matches(msg, k.Search):
		m.searching = true
		return m, m.input.Focus()
	case key.Matches(msg, k.SearchClear):
		if m.input.Value() != "" {
			m.input.SetValue("")
			m.research()
		} else if m.extra != nil {
			m.extra = nil
			return m, m.switched()
		}
	}
	return m, m.readAhead()
}

func (m Model) searchKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.sh.Keys
	switch {
	case key.Matches(msg, k.SearchAccept):
		m.searching = false
		m.input.Blur()
		return m, nil
	case key.Matches(msg, k.SearchClear):
		m.searching = false
		m.input.Blur()
		m.input.SetValue("")
		m.research()
		return m, nil
	case key.Matches(msg, k.ResultDown):
		m.move(1)
		return m, nil
	case key.Matches(msg, k.ResultUp):
		m.move(-1)
		return m, nil
	}
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() != before {
		m.cursor, m.offset = 0, 0
		m.research()
	}
	return m, cmd
}

// readAhead asks for the next page when the cursor nears the end of what is
// loaded.
func (m *Model) readAhead() tea.Cmd {
	if m.inSearch() || m.next == nil || m.loading || m.cursor < len(m.rows)-2*max(m.bodyRows(), 10) {
		return nil
	}
	m.loading = true
	next := m.next
	return m.loadCmd(next, false, "")
}

func (m *Model) move(delta int) {
	m.cursor = max(0, min(m.cursor+delta, m.Len()-1))
	m.clampOffset()
}

func (m *Model) clampOffset() {
	rows := m.bodyRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, min(m.offset, m.Len()-rows))
}

// layout says which of the list's lines fit: the tabs line and the search
// line go first when the terminal is tiny.
func (m Model) layout() (tabs, searchLine bool, rows int) {
	tabs = m.height >= 3
	searchLine = (m.searching || m.input.Value() != "") && m.height >= 2
	rows = m.height
	if tabs {
		rows--
	}
	if searchLine {
		rows--
	}
	return tabs, searchLine, max(rows, 1)
}

func (m Model) bodyRows() int {
	_, _, rows := m.layout()
	return rows
}

// ShortHelp is the list's line of help.
func (m Model) ShortHelp() []key.Binding {
	k := m.sh.Keys
	if m.searching {
		return []key.Binding{k.SearchAccept, k.SearchClear, k.ResultDown, k.ResultUp}
	}
	return []key.Binding{k.Open, k.Star, k.Note, k.Dismiss, k.Undo, k.Search, k.NextView, k.Refresh, k.Help, k.Quit}
}

// FullHelp is every binding that works in the list.
func (m Model) FullHelp() [][]key.Binding {
	k := m.sh.Keys
	return [][]key.Binding{
		k.Moving(),
		{k.Open, k.NextView, k.PrevView, k.Quit},
		k.Triage(),
		k.Global(),
		{k.SearchAccept, k.SearchClear, k.ResultDown, k.ResultUp},
	}
}

// Render renders the list into exactly its height.
func (m Model) Render() string {
	var b strings.Builder
	tabs, searchLine, rows := m.layout()
	if tabs {
		b.WriteString(m.tabsLine())
		b.WriteByte('\n')
	}
	terms := search.Terms(m.input.Value())
	if !m.inSearch() {
		terms = nil
	}
	body := 0
	switch {
	case m.err != nil:
		b.WriteString(m.sh.Styles.Error.Render(common.Truncate("cannot read the cache: "+m.err.Error(), m.width)))
		b.WriteByte('\n')
		body++
	case m.inSearch() && m.Len() == 0:
		b.WriteString(common.Truncate("No story matches "+fmt.Sprintf("%q", m.input.Value())+" in this view.", m.width))
		b.WriteByte('\n')
		body++
	case !m.inSearch() && !m.loaded:
		b.WriteString("loading…\n")
		body++
	case !m.inSearch() && len(m.rows) == 0:
		b.WriteString(common.Truncate(m.emptyText(), m.width))
		b.WriteByte('\n')
		body++
	}
	now := m.sh.Now()
	end := min(m.Len(), m.offset+rows-body)
	for i := m.offset; i < end; i++ {
		b.WriteString(m.row(m.At(i), i == m.cursor, now, terms))
		b.WriteByte('\n')
		body++
	}
	for ; body < rows; body++ {
		b.WriteByte('\n')
	}
	if searchLine {
		b.WriteString(m.searchLine())
		b.WriteByte('\n')
	}
	return common.Lines(strings.TrimSuffix(b.String(), "\n"), m.width, m.height)
}

func (m Model) emptyText() string {
	switch v := m.View(); v.Kind {
	case store.ViewAll:
		return "No stories yet. Press r to refresh your feeds."
	case store.ViewStarred:
		return "Nothing starred yet: s stars the story under the cursor."
	case store.ViewUnread:
		return "All read."
	case store.ViewDismissed:
		return "Nothing dismissed."
	default:
		return "No stories in " + v.String() + "."
	}
}

func (m Model) searchLine() string {
	st := m.sh.Styles
	var status string
	switch {
	case m.idx == nil:
		status = "indexing…"
	default:
		status = fmt.Sprintf("%d %s", m.res.Len(), plural(m.res.Len(), "match", "matches"))
	}
	if m.searching {
		return m.input.View() + "  " + st.Dim.Render(status)
	}
	return st.Prompt.Render("/") + common.Clean(m.input.Value()) + "  " + st.Dim.Render(status+" · esc clears")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
