package export

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testNow is the clock of these tests: the fixture stories are dated just
// before it.
var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// fixtureStory is one story of testdata/mixed.json with the user state to
// give it.
type fixtureStory struct {
	Item      item.Item `json:"item"`
	Starred   bool      `json:"starred"`
	Dismissed bool      `json:"dismissed"`
	Note      string    `json:"note"`
}

// openFixture stores testdata/mixed.json in a real cache in a temporary
// directory, the way a fetch and the user's stars and notes would.
func openFixture(t testing.TB) *store.DB {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx []fixtureStory
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatalf("testdata/mixed.json: %v", err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "trawl.db"), store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	items := make([]item.Item, len(fx))
	for i := range fx {
		it := &fx[i].Item
		it.ID = item.NewID(it.Feed, it.GUID, it.Link, it.Title, it.Published)
		items[i] = *it
	}
	if _, err := db.Upsert(items); err != nil {
		t.Fatal(err)
	}
	for _, f := range fx {
		id := f.Item.ID
		if _, err := db.Update(id, func(s *store.State) {
			s.Starred, s.Dismissed, s.Note = f.Starred, f.Dismissed, f.Note
		}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// checkGolden compares got with testdata/NAME, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
