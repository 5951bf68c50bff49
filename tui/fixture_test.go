package tui

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
)

// fixedNow is the clock of every test: ages and dates in goldens do not
// change from run to run.
var fixedNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// Dates in the reader are shown in local time; pin it for goldens.
	time.Local = time.UTC
	// Widgets that draw with lipgloss's default renderer (the search box's
	// cursor) must not colour goldens either.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

func nowFn() time.Time { return fixedNow }

// hangLimit is how long a test waits for a frame before calling the
// program stuck: generous, so a loaded machine under the race detector
// does not fail a test that is only slow.
const hangLimit = 45 * time.Second

// coreTags are the classifier's core tags, named in the CLI contract.
var coreTags = []string{"training-data", "api-pricing"}

// evidence finds phrase in text and returns the match the classifier
// would record for it.
func evidence(t testing.TB, field item.Field, text, phrase string, weight float64) item.Match {
	t.Helper()
	i := strings.Index(strings.ToLower(text), strings.ToLower(phrase))
	if i < 0 {
		t.Fatalf("fixture: %q not in %q", phrase, text)
	}
	return item.Match{Phrase: phrase, Field: field, Start: i, End: i + len(phrase), Weight: weight}
}

// fixtureItems is a small beat: six stories from three outlets, tagged
// with evidence pointing into their titles and summaries.
func fixtureItems(t testing.TB) []item.Item {
	mk := func(feed, outlet, title, summary, content string, age time.Duration) item.Item {
		link := "https://" + strings.ToLower(strings.ReplaceAll(outlet, " ", "")) + ".example/" +
			strings.ToLower(strings.Join(strings.Fields(title)[:3], "-"))
		it := item.Item{
			Feed: feed, Outlet: outlet, Title: title, Summary: summary, Content: content,
			Link: link, Published: fixedNow.Add(-age),
		}
		it.ID = item.NewID(feed, "", link, title, it.Published)
		return it
	}
	const circuit, ledger, marsh = "https://circuit.example/feed", "https://ledger.example/rss", "https://marsh.example/atom"
	items := []item.Item{
		mk(circuit, "The Circuit", "OpenAI signs a licensing deal with a news publisher for training data",
			"The agreement lets the company train models on ten years of archives; critics say scraped text was used before.",
			"<p>The agreement lets the company train models on ten years of archives.</p><p>Critics say scraped text was used long before any deal.</p>",
			20*time.Minute),
		mk(ledger, "Byte Ledger", "X doubles the price of its Basic API tier",
			"Developers will pay $200 a month for the Basic API tier, up from $100, starting in April.", "", 2*time.Hour),
		mk(marsh, "Silicon Marsh", "Samsung raises Galaxy phone prices in Europe",
			"Memory costs push the price of the phone line up by 8 percent.", "", 3*time.Hour),
		mk(circuit, "The Circuit", "Record labels sue AI song generator over training on catalogues",
			"The lawsuit says the model was trained on copyrighted recordings without a licence.", "", 26*time.Hour),
		mk(ledger, "Byte Ledger", "Reddit blocks AI crawlers in robots.txt",
			"Reddit now turns away crawlers that collect posts for AI training unless they pay for data access.", "", 4*24*time.Hour),
		mk(marsh, "Silicon Marsh", "TSMC starts volume shipments of 2nm chips",
			"Apple and AMD are the first customers.", "", 30*24*time.Hour),
	}
	tag := func(i int, name string, matches ...item.Match) {
		items[i].Tags = append(items[i].Tags, item.Tag{Name: name, Score: 2.5, Threshold: 2, Matches: matches})
	}
	tag(0, "training-data",
		evidence(t, item.FieldTitle, items[0].Title, "licensing deal", 1.5),
		evidence(t, item.FieldTitle, items[0].Title, "training data", 2),
		evidence(t, item.FieldSummary, items[0].Summary, "scraped", 1))
	tag(1, "api-pricing",
		evidence(t, item.FieldTitle, items[1].Title, "price of its Basic API", 2),
		evidence(t, item.FieldSummary, items[1].Summary, "$200 a month", 1))
	tag(3, "training-data", evidence(t, item.FieldTitle, items[3].Title, "training", 1.5),
		evidence(t, item.FieldSummary, items[3].Summary, "trained on copyrighted", 2))
	tag(3, "lawsuit", evidence(t, item.FieldTitle, items[3].Title, "sue", 2))
	tag(4, "training-data", evidence(t, item.FieldSummary, items[4].Summary, "crawlers that collect posts for AI training", 2.5))
	tag(4, "api-pricing", evidence(t, item.FieldSummary, items[4].Summary, "pay for data access", 2))
	return items
}

// fixtureDB is a real cache in a temporary directory holding items.
func fixtureDB(t testing.TB, items []item.Item) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "cache.db"), store.Options{Now: nowFn, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Upsert(items); err != nil {
		t.Fatal(err)
	}
	return db
}

// asciiRenderer draws without colour, as goldens need.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

func testOptions(db *store.DB) Options {
	return Options{
		Source: db, Now: nowFn, Title: "trawl", Renderer: asciiRenderer(), CoreTags: coreTags,
		Subscriptions: func() ([]feeds.Subscription, error) {
			return []feeds.Subscription{
				{URL: "https://circuit.example/feed", Title: "The Circuit"},
				{URL: "https://ledger.example/rss", Title: "Byte Ledger"},
				{URL: "https://marsh.example/atom", Title: "Silicon Marsh"},
			}, nil
		},
	}
}

// start runs the real program at w×h and waits for its first rows.
func start(t *testing.T, opts Options, w, h int) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { tm.Quit() })
	return tm
}

// waitFor waits until the program has drawn every one of texts, and
// returns what it drew meanwhile.
func waitFor(t *testing.T, tm *teatest.TestModel, texts ...string) []byte {
	t.Helper()
	seen := make([]bool, len(texts))
	var all []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		all = append(all, b...)
		done := true
		for i, s := range texts {
			seen[i] = seen[i] || bytes.Contains(all, []byte(s))
			done = done && seen[i]
		}
		return done
	}, teatest.WithDuration(hangLimit), teatest.WithCheckInterval(5*time.Millisecond))
	return all
}

// press sends key presses, each a key name as bubbletea spells it or a
// run of runes.
func press(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// finalView ends the program and returns its last frame.
func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(hangLimit)).View()
}
