package tui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/list"
)

// state reads a story's user state straight from the cache.
func state(t *testing.T, db *store.DB, id string) store.State {
	t.Helper()
	s, err := db.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return s.State
}

// TestTriagePersisted drives each triage key through the real program and
// reads the cache after each: every decision is stored at once.
func TestTriagePersisted(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs", "[All 6]")
	first, second := items[0].ID, items[1].ID

	steps := []struct {
		keys  []string
		wait  string
		id    string
		check func(store.State) bool
		want  string
	}{
		{[]string{"s"}, "starred", first, func(s store.State) bool { return s.Starred && !s.StarredAt.IsZero() }, "starred"},
		{[]string{"u"}, "undone", first, func(s store.State) bool { return !s.Starred }, "star undone"},
		{[]string{"m"}, "marked read", first, func(s store.State) bool { return s.Read }, "read"},
		{[]string{"m"}, "marked unread", first, func(s store.State) bool { return !s.Read }, "unread again"},
		{[]string{"x"}, "dismissed", first, func(s store.State) bool { return s.Dismissed }, "dismissed"},
		// The dismissed story left the list: the cursor is on the next one.
		{[]string{"s"}, "Starred 1", second, func(s store.State) bool { return s.Starred }, "next story starred"},
		{[]string{"u"}, "undone", second, func(s store.State) bool { return !s.Starred }, "second star undone"},
		{[]string{"u"}, "[All 6]", first, func(s store.State) bool { return !s.Dismissed }, "dismissal undone"},
		{[]string{"n"}, "Note on:", first, func(s store.State) bool { return s.Note == "" }, "no note yet"},
		{[]string{"Ask the publisher for the contract terms", "ctrl+s"}, "note saved", first,
			func(s store.State) bool {
				return s.Note == "Ask the publisher for the contract terms" && !s.NoteEdited.IsZero()
			}, "note stored"},
		{[]string{"u"}, "undone", first, func(s store.State) bool { return s.Note == "" }, "note undone"},
	}
	for _, st := range steps {
		for _, k := range st.keys {
			if len([]rune(k)) > 1 && !isKeyName(k) {
				tm.Type(k)
			} else {
				press(tm, k)
			}
		}
		waitFor(t, tm, st.wait)
		if got := state(t, db, st.id); !st.check(got) {
			t.Fatalf("after %q: want %s, cache has %+v", st.keys, st.want, got)
		}
	}
}

// TestOpenMarksRead opens a story: the cache records it as read, and J in
// the reader goes to the next story, marking that one read too.
func TestOpenMarksRead(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs")
	press(tm, "enter")
	waitFor(t, tm, "Critics say scraped")
	press(tm, "J")
	waitFor(t, tm, "Developers will pay")
	press(tm, "esc")
	waitFor(t, tm, "Unread 4")
	for _, id := range []string{items[0].ID, items[1].ID} {
		if !state(t, db, id).Read {
			t.Errorf("story %s opened but not marked read", id)
		}
	}
	if state(t, db, items[2].ID).Read {
		t.Error("a story never opened is marked read")
	}
}

// typeNote opens the note editor on the selected story and types text.
func typeNote(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	press(tm, "n")
	waitFor(t, tm, "Note on:")
	tm.Type(text)
	waitFor(t, tm, text)
}

// TestAbandonedNoteAsksFirst types a note and presses esc: nothing is
// stored and nothing is dropped; the editor asks, and keeps the text when
// told to keep editing. Only an explicit y discards it.
func TestAbandonedNoteAsksFirst(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs")
	typeNote(t, tm, "half a thought")
	press(tm, "esc")
	waitFor(t, tm, "Discard the unsaved note?")
	press(tm, "n") // keep editing
	waitFor(t, tm, "unsaved")
	tm.Type(", finished")
	waitFor(t, tm, "finished")
	press(tm, "esc")
	waitFor(t, tm, "Discard the unsaved note?")
	if got := state(t, db, items[0].ID).Note; got != "" {
		t.Fatalf("note stored without ctrl+s: %q", got)
	}
	view := finalView(t, tm)
	if !strings.Contains(view, "half a thought, finished") {
		t.Errorf("the typed note is gone from the editor:\n%s", view)
	}
}

// TestNoteDiscardNeedsYes checks that y after the question does discard,
// and ctrl+c with unsaved text asks too, then saves on ctrl+s and quits.
func TestNoteDiscardNeedsYes(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs")
	typeNote(t, tm, "not this one")
	press(tm, "esc")
	waitFor(t, tm, "Discard the unsaved note?")
	press(tm, "y")
	waitFor(t, tm, "[All 6]")
	if got := state(t, db, items[0].ID).Note; got != "" {
		t.Fatalf("discarded note was stored: %q", got)
	}

	typeNote(t, tm, "keep me")
	press(tm, "ctrl+c")
	waitFor(t, tm, "Quit without saving this note?")
	press(tm, "ctrl+s")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangLimit))
	if got := state(t, db, items[0].ID).Note; got != "keep me" {
		t.Fatalf("note saved on the way out = %q, want %q", got, "keep me")
	}
}

// TestSearchCombinesWithView keeps a search while switching views: the
// results are always those of the view in front.
func TestSearchCombinesWithView(t *testing.T) {
	db := fixtureDB(t, fixtureItems(t))
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs", "[All 6]")
	press(tm, "/")
	tm.Type("data")
	waitFor(t, tm, "2 matches") // the licensing deal, and Reddit's "data access"
	press(tm, "enter", "tab")
	waitFor(t, tm, "[training-data 3]")
	press(tm, "tab")
	waitFor(t, tm, "[api-pricing 2]", "1 match")
	press(tm, "tab")
	waitFor(t, tm, "No story matches")
	press(tm, "esc")
	view := finalView(t, tm)
	if !strings.Contains(view, "Record labels sue") || strings.Contains(view, "matches") {
		t.Errorf("after esc the lawsuit view should list its story without a search:\n%s", view)
	}
}

// TestMouseWheel scrolls the list and the reader with the wheel.
func TestMouseWheel(t *testing.T) {
	db := fixtureDB(t, fixtureItems(t))
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs", "1/6")
	tm.Send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	waitFor(t, tm, "4/6")
	tm.Send(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	waitFor(t, tm, "1/6")
	press(tm, "enter")
	waitFor(t, tm, "Critics say")
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 8})
	tm.Send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	view := finalView(t, tm)
	if strings.Contains(view, "OpenAI signs") {
		t.Errorf("the wheel did not scroll the reader:\n%s", view)
	}
}

// TestPagesLoadAsYouGo lists more stories than one page holds: the list
// starts with a page, reads ahead as the cursor moves, and G reads the
// rest to reach the oldest story.
func TestPagesLoadAsYouGo(t *testing.T) {
	base := fixtureItems(t)[5]
	var items []item.Item
	for i := range 2*list.PageSize + 50 {
		it := base
		it.Title = fmt.Sprintf("Story number %d", i)
		it.Link = fmt.Sprintf("https://marsh.example/story/%d", i)
		it.Tags = nil
		it.Published = fixedNow.Add(-time.Duration(i) * time.Minute)
		it.ID = item.NewID(it.Feed, "", it.Link, it.Title, it.Published)
		items = append(items, it)
	}
	db := fixtureDB(t, items)

	// Opening reads one page, however many stories there are.
	m := New(testOptions(db))
	drain(m, m.list.Init())
	if n := m.list.Len(); n != list.PageSize {
		t.Fatalf("first frame read %d stories, want one page of %d", n, list.PageSize)
	}

	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "Story number 0", "1/450")
	for range 12 {
		press(tm, "pgdown") // 22 rows a page: into the second page
	}
	// G reads whatever is left, whether or not a read-ahead is under way.
	press(tm, "G")
	waitFor(t, tm, "Story number 449", "450/450")
	press(tm, "k")
	waitFor(t, tm, "449/450")
	press(tm, "g")
	waitFor(t, tm, "Story number 0", "1/450")
}

// TestKeysInABurst sends "jjs" as one message, as the terminal reader does
// for keys typed faster than it reads: each key still counts.
func TestKeysInABurst(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	tm := start(t, testOptions(db), 80, 24)
	waitFor(t, tm, "OpenAI signs", "1/6")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjs")})
	waitFor(t, tm, "3/6", "starred")
	if !state(t, db, items[2].ID).Starred {
		t.Error("the third story is not starred")
	}
	// In a text box the same burst is text.
	press(tm, "/")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("tsmc")})
	waitFor(t, tm, "/tsmc", "1 match")
}

// TestUndoFollowsKeyOrder stars and dismisses in one burst: undo takes
// back the dismissal first, then the star, whatever order the writes'
// results came back in.
func TestUndoFollowsKeyOrder(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	tm := start(t, testOptions(db), 120, 24) // wide enough to show every tab
	waitFor(t, tm, "OpenAI signs", "1/6")
	id := items[0].ID
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("sx")})
	waitFor(t, tm, "Dismissed 1", "Starred 1")
	press(tm, "u")
	waitFor(t, tm, "Dismissed 0")
	if st := state(t, db, id); st.Dismissed || !st.Starred {
		t.Fatalf("after one undo: %+v, want starred and not dismissed", st)
	}
	press(tm, "u")
	waitFor(t, tm, "Starred 0")
	if st := state(t, db, id); st.Starred {
		t.Fatalf("after two undos: %+v, want not starred", st)
	}
}

// TestOpenAndCopyOnlyWebLinks: o and y hand the browser and the clipboard
// only http(s) links, without a user:password part that would disguise
// where they go, whatever a cache written by an older trawl holds.
func TestOpenAndCopyOnlyWebLinks(t *testing.T) {
	items := fixtureItems(t)
	items[0].Link = "https://www.bank.example:login@evil.example/x"
	items[1].Link = "javascript:alert(1)"
	db := fixtureDB(t, items)
	var mu sync.Mutex
	var handed []string
	hand := func(link string) error {
		mu.Lock()
		defer mu.Unlock()
		handed = append(handed, link)
		return nil
	}
	opts := testOptions(db)
	opts.OpenURL, opts.Copy = hand, hand
	tm := start(t, opts, 100, 24)
	waitFor(t, tm, "OpenAI signs")
	press(tm, "o")
	waitFor(t, tm, "opened https://evil.example/x")
	press(tm, "j", "y")
	waitFor(t, tm, "this story has no web link")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(hangLimit))
	mu.Lock()
	defer mu.Unlock()
	if len(handed) != 1 || handed[0] != "https://evil.example/x" {
		t.Errorf("handed on %q, want only the first link without its credentials", handed)
	}
}
