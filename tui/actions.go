package tui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/store/export"
	"github.com/trawl-news/trawl/tui/common"
	"github.com/trawl-news/trawl/tui/search"
)

// action names a triage action, for messages and undo.
type action int

const (
	actStar action = iota
	actRead
	actDismiss
	actNote
	actOpened // opening a story marks it read; not undoable on its own
	actUndo
)

func (a action) done(st store.State) string {
	switch a {
	case actStar:
		if st.Starred {
			return "starred"
		}
		return "unstarred"
	case actRead:
		if st.Read {
			return "marked read"
		}
		return "marked unread"
	case actDismiss:
		if st.Dismissed {
			return "dismissed (u undoes)"
		}
		return "back in the inbox"
	case actNote:
		if st.Note == "" {
			return "note removed"
		}
		return "note saved"
	case actUndo:
		return "undone"
	}
	return ""
}

// maxUndo bounds the undo history.
const maxUndo = 100

// undoEntry is how to take back one action: the story's state before it.
type undoEntry struct {
	id     string
	before store.State
	seq    uint64 // the write's place in line
}

// storyUpdatedMsg is the outcome of a change to one story's state.
type storyUpdatedMsg struct {
	id            string
	act           action
	before, after store.State
	err           error
	quit          bool   // end the program once stored (note saved on ctrl+c)
	seq           uint64 // the write's place in line
}

// noteLoadedMsg carries the story whose note is to be edited.
type noteLoadedMsg struct {
	story store.Story
	err   error
}

type countsMsg struct {
	counts store.Counts
	err    error
}

type indexBuiltMsg struct {
	ix  *search.Index
	err error
}

func countsCmd(src Source) tea.Cmd {
	return func() tea.Msg {
		c, err := src.Counts()
		return countsMsg{counts: c, err: err}
	}
}

// indexDueMsg says it is time to start building the search index.
type indexDueMsg struct{}

// Building the search index reads every story, which takes a core for
// half a second or more with 100k stories; started with the first page,
// it competes with the first frame for the CPU and the disk. So it starts
// once the first stories are in the list, indexDelay later, by which time
// the renderer (60 frames a second) has drawn them. A key typed before it
// is built still works: the search box says it is indexing and searches
// as soon as the index arrives.
const (
	indexDelay    = 50 * time.Millisecond
	indexFallback = time.Second // the cache is empty or the first page failed
)

// indexDue returns the command that starts the index build once the list
// shows its first stories, and nil before then or once it has started.
func (m *Model) indexDue() tea.Cmd {
	if m.indexStarted {
		return nil
	}
	if _, ok := m.list.Selected(); !ok {
		return nil
	}
	return func() tea.Msg { return indexDueMsg{} }
}

// startIndex starts the index build, once.
func (m *Model) startIndex() tea.Cmd {
	if m.indexStarted {
		return nil
	}
	m.indexStarted = true
	return buildIndexAfterCmd(m.ctx, m.opts.Source, indexDelay)
}

// rebuildIndex builds the index again for stories a refresh added. A
// first build that has not started will read them itself, and one under
// way may have missed them: another follows it (see indexBuilt). Two
// builds at once would read the whole cache twice and could land in
// either order.
func (m *Model) rebuildIndex() tea.Cmd {
	switch {
	case !m.indexStarted:
		return nil
	case m.indexing:
		m.rebuildDue = true
		return nil
	}
	m.indexing, m.stateLog = true, map[string]store.State{}
	return buildIndexCmd(m.ctx, m.opts.Source)
}

func buildIndexCmd(ctx context.Context, src Source) tea.Cmd {
	return buildIndexAfterCmd(ctx, src, 0)
}

// buildIndexAfterCmd builds the search index after waiting delay, unless
// ctx ends first.
func buildIndexAfterCmd(ctx context.Context, src Source, delay time.Duration) tea.Cmd {
	return func() tea.Msg {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return indexBuiltMsg{err: ctx.Err()}
			}
		}
		ix, err := search.Build(ctx, src)
		return indexBuiltMsg{ix: ix, err: err}
	}
}

// currentID is the story the triage keys act on: the one in the reader,
// else the one under the list's cursor.
func (m *Model) currentID() (string, bool) {
	if m.screen == screenReader {
		if s, ok := m.reader.Story(); ok {
			return s.ID, true
		}
		return "", false
	}
	r, ok := m.list.Selected()
	return r.ID, ok
}

// updateCmd changes one story's state in one store transaction, in its
// turn; before is read inside the transaction, so undo restores exactly
// what was stored.
func (m *Model) updateCmd(id string, act action, change func(*store.State)) tea.Cmd {
	src, q := m.opts.Source, m.writes
	t := q.ticket()
	return func() tea.Msg {
		var (
			before, after store.State
			err           error
		)
		q.do(t, func() {
			after, err = src.Update(id, func(s *store.State) {
				before = *s
				change(s)
			})
		})
		if err != nil {
			err = fmt.Errorf("save story %s: %w", id, err)
		}
		return storyUpdatedMsg{id: id, act: act, before: before, after: after, err: err, seq: t}
	}
}

func (m *Model) toggleCmd(act action) tea.Cmd {
	id, ok := m.currentID()
	if !ok {
		return nil
	}
	return m.updateCmd(id, act, func(s *store.State) {
		switch act {
		case actStar:
			s.Starred = !s.Starred
		case actRead:
			s.Read = !s.Read
		case actDismiss:
			s.Dismissed = !s.Dismissed
		}
	})
}

// markReadCmd records that story id was opened. The list's row says
// whether it was read already; then there is nothing to write (each write
// is a sync to disk).
func (m *Model) markReadCmd(id string) tea.Cmd {
	if r, ok := m.list.Selected(); ok && r.ID == id && r.Read {
		return nil
	}
	return m.updateCmd(id, actOpened, func(s *store.State) { s.Read = true })
}

func (m *Model) saveNoteCmd(msg common.NoteSavedMsg) tea.Cmd {
	inner := m.updateCmd(msg.ID, actNote, func(s *store.State) { s.Note = msg.Text })
	return func() tea.Msg {
		out := inner().(storyUpdatedMsg)
		out.quit = msg.Quit
		return out
	}
}

func (m *Model) undoCmd() tea.Cmd {
	if m.writes.busy() {
		// The last action is still on its way to the cache; undoing now
		// could take back the one before it.
		return m.status.Set("still saving; press u again", false)
	}
	n := len(m.undo)
	if n == 0 {
		return m.status.Set("nothing to undo", false)
	}
	e := m.undo[n-1]
	m.undo = m.undo[:n-1]
	return m.updateCmd(e.id, actUndo, func(s *store.State) {
		s.Starred, s.Read, s.Dismissed, s.Note = e.before.Starred, e.before.Read, e.before.Dismissed, e.before.Note
	})
}

// storyUpdated shows a stored change everywhere and remembers how to undo
// it.
func (m *Model) storyUpdated(msg storyUpdatedMsg) (tea.Model, tea.Cmd) {
	m.writes.done()
	if msg.err != nil {
		if msg.act == actNote && m.screen == screenNote {
			m.note.Failed(msg.err)
		}
		return m, m.status.Set(msg.err.Error(), true)
	}
	m.applyState(msg.id, msg.after)
	cmds := []tea.Cmd{countsCmd(m.opts.Source)}
	if msg.act != actUndo && msg.act != actOpened && msg.before != msg.after {
		// Results can overtake each other on the way back; the history
		// stays in the order the writes were made.
		e := undoEntry{id: msg.id, before: msg.before, seq: msg.seq}
		at, _ := slices.BinarySearchFunc(m.undo, e.seq, func(u undoEntry, seq uint64) int { return cmp.Compare(u.seq, seq) })
		m.undo = slices.Insert(m.undo, at, e)
		if len(m.undo) > maxUndo {
			m.undo = m.undo[1:]
		}
	}
	switch msg.act {
	case actNote:
		if m.screen == screenNote && m.note.ID() == msg.id {
			m.note.Saved()
			m.pop()
		}
		if msg.quit {
			return m.quit()
		}
	case actUndo:
		cmds = append(cmds, m.list.ReloadAtCmd(msg.id))
	case actDismiss:
		if msg.after.Dismissed && m.screen == screenReader {
			m.pop() // dismissed from the inbox: back to it, on the next story
		}
	}
	if text := msg.act.done(msg.after); text != "" {
		cmds = append(cmds, m.status.Set(text, false))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) applyState(id string, st store.State) {
	if ix := m.list.Index(); ix != nil {
		ix.SetState(id, st)
	}
	if m.indexing {
		m.stateLog[id] = st
	}
	m.list.ApplyState(id, st)
	m.reader.ApplyState(id, st)
}

func (m *Model) indexBuilt(msg indexBuiltMsg) (tea.Model, tea.Cmd) {
	m.indexing = false
	if msg.err != nil {
		m.rebuildDue = false // no index to bring up to date
		if m.ctx.Err() != nil {
			return m, nil // quitting
		}
		return m, m.status.Set("search index: "+msg.err.Error(), true)
	}
	for id, st := range m.stateLog {
		msg.ix.SetState(id, st)
	}
	m.stateLog = nil
	m.list.SetIndex(msg.ix)
	if m.rebuildDue {
		m.rebuildDue = false
		return m, m.rebuildIndex()
	}
	return m, nil
}

func (m *Model) openNoteCmd() tea.Cmd {
	id, ok := m.currentID()
	if !ok {
		return nil
	}
	src := m.opts.Source
	return func() tea.Msg {
		s, err := src.Get(id)
		return noteLoadedMsg{story: s, err: err}
	}
}

func (m *Model) noteLoaded(msg noteLoadedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.status.Set("cannot open the note: "+msg.err.Error(), true)
	}
	m.push(screenNote)
	return m, m.note.Open(msg.story.ID, msg.story.Title, msg.story.Note)
}

// linkCmd reads the current story's link and hands it to use, saying
// what it did (done) or what failed (what) in the status line.
func (m *Model) linkCmd(what, done string, use func(link string) error) tea.Cmd {
	id, ok := m.currentID()
	if !ok {
		return nil
	}
	src := m.opts.Source
	return func() tea.Msg {
		if use == nil {
			return common.StatusMsg{Text: what + ": " + errUnavailable.Error(), Err: true}
		}
		s, err := src.Get(id)
		if err != nil {
			return common.StatusMsg{Text: "cannot read the story: " + err.Error(), Err: true}
		}
		// Only http(s), whatever the cache holds, and without a
		// user:password part that would disguise where it goes: the
		// same links an export makes.
		link, ok := export.WebURL(s.Link)
		if !ok {
			return common.StatusMsg{Text: "this story has no web link", Err: true}
		}
		if err := use(link); err != nil {
			return common.StatusMsg{Text: what + ": " + err.Error(), Err: true}
		}
		return common.StatusMsg{Text: done + " " + link}
	}
}

var errUnavailable = errors.New("not available here")

func (m *Model) browserCmd() tea.Cmd {
	return m.linkCmd("open in browser", "opened", m.opts.OpenURL)
}

func (m *Model) copyCmd() tea.Cmd {
	return m.linkCmd("copy", "copied", m.opts.Copy)
}

func (m *Model) exportCmd() tea.Cmd {
	export := m.opts.Export
	return func() tea.Msg {
		if export == nil {
			return common.StatusMsg{Text: "export: " + errUnavailable.Error(), Err: true}
		}
		path, err := export()
		if err != nil {
			return common.StatusMsg{Text: "export failed: " + err.Error(), Err: true}
		}
		return common.StatusMsg{Text: "exported starred stories to " + path}
	}
}
