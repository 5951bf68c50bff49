package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/store"
)

// messages runs cmd and the commands of any batch it returns, once, and
// returns what they said, without feeding anything back to a model.
func messages(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, messages(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

func hasIndexDue(msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(indexDueMsg); ok {
			return true
		}
	}
	return false
}

// TestIndexStartsAfterFirstPage: the search index, which reads the whole
// cache, is not built until the first stories are in the list, and then
// once.
func TestIndexStartsAfterFirstPage(t *testing.T) {
	db := fixtureDB(t, fixtureItems(t))
	m := New(testOptions(db))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})

	_, cmd := m.Update(messages(countsCmd(db))[0])
	if hasIndexDue(messages(cmd)) {
		t.Fatal("the index build was due before any story was listed")
	}
	var due bool
	for _, msg := range messages(m.list.Init()) {
		_, cmd := m.Update(msg)
		due = due || hasIndexDue(messages(cmd))
	}
	if !due {
		t.Fatal("the first page arrived and the index build was not started")
	}
	_, build := m.Update(indexDueMsg{})
	if build == nil {
		t.Fatal("indexDueMsg started nothing")
	}
	if _, again := m.Update(indexDueMsg{}); again != nil {
		t.Fatal("a second indexDueMsg started a second build")
	}
	_, cmd = m.Update(keyMsg("j"))
	if hasIndexDue(messages(cmd)) {
		t.Fatal("the build was due again after it started")
	}
	built := messages(build)
	if len(built) != 1 {
		t.Fatalf("the build said %v", built)
	}
	if msg, ok := built[0].(indexBuiltMsg); !ok || msg.err != nil || msg.ix.Len() != 6 {
		t.Fatalf("the build said %#v, want an index of the 6 stories", built[0])
	}
}

// TestSearchBeforeIndex: a search typed before the index is built says it
// is indexing, and shows its matches as soon as the index arrives.
func TestSearchBeforeIndex(t *testing.T) {
	db := fixtureDB(t, fixtureItems(t))
	var tm tea.Model = New(testOptions(db))
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	tm = drain(tm, tm.(*Model).list.Init())
	for _, k := range []string{"/", "r", "e", "d", "d", "i", "t"} {
		tm, _ = tm.Update(keyMsg(k))
	}
	view := tm.View()
	if !strings.Contains(view, "indexing") || !strings.Contains(view, "Samsung raises") {
		t.Fatalf("before the index, the search should say it is indexing and leave the list as it is:\n%s", view)
	}
	tm = drain(tm, buildIndexCmd(context.Background(), db))
	view = tm.View()
	if !strings.Contains(view, "1 match") || !strings.Contains(view, "Reddit blocks AI crawlers") || strings.Contains(view, "Samsung raises") {
		t.Fatalf("once the index is built, the search typed before it should show its one match:\n%s", view)
	}
}

// TestIndexNotStartedWhenQuitFirst: quitting before the delayed build
// begins ends it without reading the cache.
func TestIndexNotStartedWhenQuitFirst(t *testing.T) {
	db := fixtureDB(t, fixtureItems(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msgs := messages(buildIndexAfterCmd(ctx, db, hangLimit))
	if msg, ok := msgs[0].(indexBuiltMsg); !ok || msg.ix != nil || msg.err == nil {
		t.Fatalf("a build cancelled while waiting said %#v", msgs[0])
	}
}

// TestRefreshDuringIndexBuild: a refresh that adds stories while the
// index is building does not start a second build beside it (two would
// read the cache twice and could land in either order); the first build's
// result keeps the stars given while it ran, and one rebuild follows it.
func TestRefreshDuringIndexBuild(t *testing.T) {
	items := fixtureItems(t)
	db := fixtureDB(t, items)
	m := New(testOptions(db))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, msg := range messages(m.list.Init()) {
		m.Update(msg)
	}
	_, first := m.Update(indexDueMsg{})
	if first == nil {
		t.Fatal("indexDueMsg started nothing")
	}
	// While the build runs: a star, then a refresh that found stories.
	// The build has read past the starred story before its write lands.
	m.applyState(items[2].ID, store.State{Starred: true})
	m.Update(refreshDoneMsg{sum: feeds.Summary{Fetched: 1, New: 1}})
	built := messages(first)
	if len(built) != 1 {
		t.Fatalf("the build said %v", built)
	}
	if _, err := db.Update(items[2].ID, func(st *store.State) { st.Starred = true }); err != nil {
		t.Fatal(err)
	}
	_, rebuild := m.Update(built[0])
	if n := m.list.Index().Search("Samsung", store.Starred, nil).Len(); n != 1 {
		t.Errorf("the index lost the star given while it was built: %d starred", n)
	}
	rebuilt := messages(rebuild)
	if len(rebuilt) != 1 {
		t.Fatalf("after the first build: %v, want one rebuild", rebuilt)
	}
	if _, again := m.Update(rebuilt[0]); again != nil {
		t.Error("a second rebuild followed the first")
	}
	if n := m.list.Index().Search("Samsung", store.Starred, nil).Len(); n != 1 {
		t.Errorf("the rebuilt index has %d starred, want 1", n)
	}
}
