// Package tui is trawl's keyboard-driven interface: a root model that
// routes messages to one small model per view. It reads and writes the
// cache only through the Source interface, and only inside commands, so
// the interface never waits on the disk or the network.
package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/keys"
	"github.com/trawl-news/trawl/tui/list"
	"github.com/trawl-news/trawl/tui/reader"
	"github.com/trawl-news/trawl/tui/styles"
)

// Source is what the TUI needs of the cache.
type Source interface {
	Page(v store.View, after store.Cursor, limit int) ([]store.Story, store.Cursor, error)
	Get(id string) (store.Story, error)
	Counts() (store.Counts, error)
	Update(id string, fn func(*store.State)) (store.State, error)
}

// Options configure the interface.
type Options struct {
	Source Source
	Now    func() time.Time // the clock for story ages; time.Now if nil
	Title  string           // shown in the header, e.g. "trawl demo"
}

type view int

const (
	viewList view = iota
	viewReader
)

// Model is the root model.
type Model struct {
	opts   Options
	keys   keys.Map
	styles styles.Styles
	list   list.Model
	reader reader.Model
	view   view
	width  int
	height int
}

// New returns the root model.
func New(opts Options) Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Title == "" {
		opts.Title = "trawl"
	}
	km := keys.Default()
	st := styles.New()
	return Model{
		opts:   opts,
		keys:   km,
		styles: st,
		list:   list.New(opts.Source, km, st, opts.Now, opts.Title),
		reader: reader.New(opts.Source, km, st),
	}
}

// Init loads the first page of stories.
func (m Model) Init() tea.Cmd { return m.list.Init() }

// Update routes a message to the view it belongs to.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.list.SetSize(msg.Width, msg.Height)
		m.reader.SetSize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
	case list.OpenMsg:
		m.view = viewReader
		return m, m.reader.Load(msg.ID)
	case reader.CloseMsg:
		m.view = viewList
		return m, nil
	}
	var cmd tea.Cmd
	switch m.view {
	case viewReader:
		m.reader, cmd = m.reader.Update(msg)
		// Loaded-story messages can arrive while the list is shown.
		if _, ok := msg.(tea.KeyMsg); !ok {
			var lcmd tea.Cmd
			m.list, lcmd = m.list.Update(msg)
			cmd = tea.Batch(cmd, lcmd)
		}
	default:
		m.list, cmd = m.list.Update(msg)
		if _, ok := msg.(tea.KeyMsg); !ok {
			var rcmd tea.Cmd
			m.reader, rcmd = m.reader.Update(msg)
			cmd = tea.Batch(cmd, rcmd)
		}
	}
	return m, cmd
}

// View renders the current view.
func (m Model) View() string {
	if m.view == viewReader {
		return m.reader.View()
	}
	return m.list.View()
}
