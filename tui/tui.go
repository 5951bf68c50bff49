// Package tui is trawl's keyboard-driven interface: a root model that
// routes messages to one small model per screen (list, reader, note editor,
// feeds, help) and runs the triage actions. It reads and writes the cache
// only through the Source interface, and only inside commands, so the
// interface never waits on the disk or the network.
package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
	"github.com/trawl-news/trawl/tui/feedview"
	"github.com/trawl-news/trawl/tui/helpview"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/list"
	"github.com/trawl-news/trawl/tui/note"
	"github.com/trawl-news/trawl/tui/reader"
	"github.com/trawl-news/trawl/tui/status"
	"github.com/trawl-news/trawl/tui/styles"
)

// Source is what the TUI needs of the cache. *store.DB implements it.
type Source interface {
	Page(v store.View, after store.Cursor, limit int) ([]store.Story, store.Cursor, error)
	Get(id string) (store.Story, error)
	Counts() (store.Counts, error)
	Update(id string, fn func(*store.State)) (store.State, error)
	// Scan reads every story for the search index (see search.Walker).
	Scan(meta func(*store.Brief) (int, error), text func(n int, title, summary []byte) error) error
	FeedStates() (map[string]store.FeedState, error)
}

// MemoryLimit is the heap the interface is built to stay within with 100k
// stories (the search index is about 40 MB of it). The command sets it as
// the Go runtime's soft memory limit, so that the garbage collector works
// harder near it instead of letting the heap grow to twice what is live.
const MemoryLimit = 64 << 20

// Options configure the interface. Only Source is required; each missing
// callback turns its key into a message saying it is not available.
type Options struct {
	Source Source
	// Context ends the background work (refresh, search index) when it
	// is done, as the program's own context does; quitting ends it too.
	Context context.Context
	Now     func() time.Time // the clock for ages; time.Now if nil
	Title   string           // shown in the header, e.g. "trawl demo"
	// Renderer draws the styles; its colour profile decides colours
	// (ASCII for NO_COLOR). lipgloss's default renderer if nil.
	Renderer *lipgloss.Renderer
	// CoreTags are the tag tabs shown first, in order.
	CoreTags []string
	// Refresh fetches every feed, calling progress for each event.
	Refresh func(ctx context.Context, progress func(feeds.Event)) (feeds.Summary, error)
	// Subscriptions lists the feeds followed, for the feeds screen.
	Subscriptions func() ([]feeds.Subscription, error)
	// Export writes the starred stories and says where.
	Export func() (path string, err error)
	// OpenURL opens an http(s) link in the browser.
	OpenURL func(url string) error
	// Copy puts text on the clipboard.
	Copy func(text string) error
}

type screen int

const (
	screenList screen = iota
	screenReader
	screenNote
	screenFeeds
	screenHelp
)

// Model is the root model.
type Model struct {
	opts   Options
	sh     *common.Shared
	ctx    context.Context
	cancel context.CancelFunc

	list     list.Model
	reader   reader.Model
	note     note.Model
	feeds    feedview.Model
	help     helpview.Model
	status   status.Model
	helpLine help.Model

	screen screen
	back   []screen // where esc returns to

	width, height int

	undo         []undoEntry
	writes       *writeQueue
	indexing     bool // until the search index is built (or failed)
	indexStarted bool
	rebuildDue   bool                   // a refresh added stories while the index was building
	stateLog     map[string]store.State // changes made while the index builds
	reloadDue    bool                   // a list reload is scheduled during a refresh
}

// New returns the root model. It is used by pointer: its screens are big
// enough that copying them on every message would cost more than drawing.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Title == "" {
		opts.Title = "trawl"
	}
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	sh := &common.Shared{Keys: keys.Default(), Styles: styles.New(r), Now: opts.Now}
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	hl := help.New()
	hl.Styles = sh.Styles.Help
	m := &Model{
		opts: opts, sh: sh, ctx: ctx, cancel: cancel,
		list:     list.New(sh, opts.Source, opts.Title, opts.CoreTags),
		reader:   reader.New(sh, opts.Source),
		note:     note.New(sh),
		feeds:    feedview.New(sh, opts.Source, opts.Subscriptions),
		status:   status.New(sh, r.ColorProfile()),
		helpLine: hl,
		width:    80, height: 24,
		indexing: true,
		stateLog: map[string]store.State{},
		writes:   newWriteQueue(),
	}
	m.help = helpview.New(sh, m.helpSections())
	return m
}

func (m *Model) helpSections() []helpview.Section {
	// Shared groups come first; each screen's section then shows only the
	// bindings that are its own, so every key is listed once.
	k := m.sh.Keys
	return []helpview.Section{
		{Title: "Everywhere", Bindings: [][]key.Binding{k.Global()}},
		{Title: "Moving", Bindings: [][]key.Binding{k.Moving()}},
		{Title: "Triage", Bindings: [][]key.Binding{k.Triage()}},
		{Title: "Search box", Bindings: [][]key.Binding{{k.SearchAccept, k.SearchClear, k.ResultDown, k.ResultUp}}},
		{Title: "Story list", Bindings: m.list.FullHelp()},
		{Title: "Reader", Bindings: m.reader.FullHelp()},
		{Title: "Note editor", Bindings: m.note.FullHelp()},
		{Title: "Feeds", Bindings: m.feeds.FullHelp()},
	}
}

// Init loads the first page and the counts. The search index is built in
// the background once the first stories are on screen (see indexDue), or
// after indexFallback if none ever show.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.list.Init(), countsCmd(m.opts.Source),
		tea.Tick(indexFallback, func(time.Time) tea.Msg { return indexDueMsg{} }))
}

// Update routes a message to the screen it belongs to.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	case tea.MouseMsg:
		return m.toScreen(msg)
	case common.OpenStoryMsg:
		m.push(screenReader)
		return m, tea.Batch(m.reader.LoadCmd(msg.ID), m.markReadCmd(msg.ID))
	case common.StepStoryMsg:
		id, ok, cmd := m.list.Step(msg.Delta)
		if !ok {
			return m, tea.Batch(cmd, m.status.Set("no more stories in this view", false))
		}
		return m, tea.Batch(cmd, m.reader.LoadCmd(id), m.markReadCmd(id))
	case common.CloseMsg:
		m.pop()
		return m, nil
	case common.FeedSelectedMsg:
		m.screen, m.back = screenList, nil
		return m, m.list.ShowFeed(msg.URL, msg.Title)
	case common.NoteSavedMsg:
		return m, m.saveNoteCmd(msg)
	case common.StatusMsg:
		return m, m.status.Set(msg.Text, msg.Err)
	case noteLoadedMsg:
		return m.noteLoaded(msg)
	case storyUpdatedMsg:
		return m.storyUpdated(msg)
	case countsMsg:
		if msg.err == nil {
			m.list.SetCounts(msg.counts)
		}
		return m, nil
	case indexDueMsg:
		return m, m.startIndex()
	case indexBuiltMsg:
		return m.indexBuilt(msg)
	case refreshEventMsg:
		return m.refreshEvent(msg)
	case refreshDoneMsg:
		return m.refreshDone(msg)
	case reloadTickMsg:
		m.reloadDue = false
		return m, tea.Batch(m.list.ReloadCmd(), countsCmd(m.opts.Source))
	case reader.StoryLoadedMsg:
		if r, ok := m.list.Selected(); ok && msg.Err == nil && msg.Story.ID != r.ID {
			return m, nil // overtaken: J pressed again before this one came
		}
		var cmd tea.Cmd
		m.reader, cmd = m.reader.Update(msg)
		return m, cmd
	}
	// Everything else (pages, ticks, loaded feeds) goes to whoever owns it;
	// each ignores what is not its own.
	var c1, c2, c3, c4 tea.Cmd
	m.list, c1 = m.list.Update(msg)
	m.feeds, c2 = m.feeds.Update(msg)
	m.status, c3 = m.status.Update(msg)
	if m.screen == screenNote {
		m.note, c4 = m.note.Update(msg)
	}
	return m, tea.Batch(c1, c2, c3, c4, m.indexDue())
}

func (m *Model) push(s screen) {
	if m.screen != s {
		m.back = append(m.back, m.screen)
	}
	m.screen = s
}

func (m *Model) pop() {
	if n := len(m.back); n > 0 {
		m.screen = m.back[n-1]
		m.back = m.back[:n-1]
		return
	}
	m.screen = screenList
}

// key handles the bindings that work across screens, then hands the key
// to the screen in front.
func (m *Model) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.sh.Keys
	if key.Matches(msg, k.ForceQuit) {
		if m.screen == screenNote && m.note.Dirty() && !m.note.Confirming() {
			m.note.AskQuit() // a second ctrl+c quits
			return m, nil
		}
		return m.quit()
	}
	if m.screen == screenNote || m.list.Capturing() && m.screen == screenList {
		return m.toScreen(msg)
	}
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		// Keys typed faster than the terminal is read (key repeat on j,
		// or "jjs" typed in a burst) arrive as one message; outside a
		// text box each is a command of its own.
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			_, cmd := m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	}
	// Leaving a screen happens here and now rather than through a
	// message, so a key typed right after esc or q lands on the screen
	// the user sees.
	back := key.Matches(msg, k.Back) || m.screen == screenHelp && key.Matches(msg, k.Help)
	if back && (m.screen == screenReader || m.screen == screenFeeds || m.screen == screenHelp) {
		m.pop()
		return m, nil
	}
	if m.screen == screenList || m.screen == screenReader {
		switch {
		case m.screen == screenList && key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Star):
			return m, m.toggleCmd(actStar)
		case key.Matches(msg, k.ToggleRead):
			return m, m.toggleCmd(actRead)
		case key.Matches(msg, k.Dismiss):
			return m, m.toggleCmd(actDismiss)
		case key.Matches(msg, k.Undo):
			return m, m.undoCmd()
		case key.Matches(msg, k.Note):
			return m, m.openNoteCmd()
		case key.Matches(msg, k.Browser):
			return m, m.browserCmd()
		case key.Matches(msg, k.CopyLink):
			return m, m.copyCmd()
		case key.Matches(msg, k.Export):
			return m, m.exportCmd()
		}
	}
	if m.screen != screenHelp {
		switch {
		case key.Matches(msg, k.Refresh):
			return m.startRefresh()
		case key.Matches(msg, k.Feeds) && m.screen != screenFeeds:
			m.push(screenFeeds)
			return m, m.feeds.LoadCmd()
		case key.Matches(msg, k.Help):
			m.push(screenHelp)
			return m, nil
		}
	}
	return m.toScreen(msg)
}

func (m *Model) quit() (tea.Model, tea.Cmd) {
	m.cancel() // stops a refresh under way
	return m, tea.Quit
}

// toScreen hands a message to the screen in front.
func (m *Model) toScreen(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.screen {
	case screenReader:
		m.reader, cmd = m.reader.Update(msg)
	case screenNote:
		m.note, cmd = m.note.Update(msg)
	case screenFeeds:
		m.feeds, cmd = m.feeds.Update(msg)
	case screenHelp:
		m.help, cmd = m.help.Update(msg)
	default:
		m.list, cmd = m.list.Update(msg)
	}
	return m, cmd
}

// frame is how the terminal's rows are shared: the screen, a status line
// and a line of help, which go first when the terminal is short.
func (m *Model) frame() (body int, statusLine, helpLine bool) {
	switch {
	case m.height >= 6:
		return m.height - 2, true, true
	case m.height >= 3:
		return m.height - 1, true, false
	}
	return max(m.height, 1), false, false
}

func (m *Model) resize() {
	w := max(m.width, 1)
	body, _, _ := m.frame()
	m.list.SetSize(w, body)
	m.reader.SetSize(w, body)
	m.note.SetSize(w, body)
	m.feeds.SetSize(w, body)
	m.help.SetSize(w, body)
	m.status.SetWidth(w)
	m.helpLine.Width = w
}

func (m *Model) current() common.Component {
	switch m.screen {
	case screenReader:
		return &m.reader
	case screenNote:
		return &m.note
	case screenFeeds:
		return &m.feeds
	case screenHelp:
		return &m.help
	}
	return &m.list
}

// View renders the screen in front, the status line and the help line.
func (m *Model) View() string {
	w := max(m.width, 1)
	body, statusLine, helpLine := m.frame()
	var screen, right string
	switch m.screen {
	case screenReader:
		screen, right = m.reader.View(), m.reader.Position()
	case screenNote:
		screen = m.note.View()
	case screenFeeds:
		screen = m.feeds.View()
	case screenHelp:
		screen = m.help.View()
	default:
		screen, right = m.list.Render(), m.list.Position()
	}
	parts := []string{common.Lines(screen, w, body)}
	if statusLine {
		parts = append(parts, m.status.View(right))
	}
	if helpLine {
		parts = append(parts, m.helpLine.ShortHelpView(m.current().ShortHelp()))
	}
	return common.Lines(strings.Join(parts, "\n"), w, max(m.height, 1))
}
