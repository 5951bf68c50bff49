package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/store"
)

// seeded is a story to put in a test cache, with the user state to give it.
type seeded struct {
	Item      item.Item `json:"item"`
	Starred   bool      `json:"starred"`
	Dismissed bool      `json:"dismissed"`
	Read      bool      `json:"read"`
	Note      string    `json:"note"`
}

// mixedStories is the export package's fixture: several tags, notes with
// markdown in them, stories without notes, a hostile story, an unstarred
// and a dismissed one.
func mixedStories(t testing.TB) []seeded {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "store", "export", "testdata", "mixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stories []seeded
	if err := json.Unmarshal(raw, &stories); err != nil {
		t.Fatalf("mixed.json: %v", err)
	}
	return stories
}

// seedCache writes stories into the cache the CLI uses under home, through
// the store's own API, and returns their IDs in order.
func seedCache(t testing.TB, home string, now time.Time, stories []seeded) []string {
	t.Helper()
	path := filepath.Join(home, ".local", "share", "trawl", "trawl.db")
	db, err := store.Open(path, store.Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items := make([]item.Item, len(stories))
	ids := make([]string, len(stories))
	for i := range stories {
		it := stories[i].Item
		it.ID = item.NewID(it.Feed, it.GUID, it.Link, it.Title, it.Published)
		items[i], ids[i] = it, it.ID
	}
	if _, err := db.Upsert(items); err != nil {
		t.Fatal(err)
	}
	for i, s := range stories {
		if !s.Starred && !s.Dismissed && !s.Read && s.Note == "" {
			continue // no user state
		}
		if _, err := db.Update(ids[i], func(st *store.State) {
			st.Starred, st.Dismissed, st.Read, st.Note = s.Starred, s.Dismissed, s.Read, s.Note
		}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// The field list of `list --json` in DESIGN.md's CLI contract: "at least
// id, feed, title, link, published (RFC 3339), tags (names), starred, read,
// note".
func TestListJSONHasTheContractFields(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	r := c.run("list", "--json", "--limit", "0")
	if r.code != 0 {
		t.Fatalf("list --json: exit %d, %q", r.code, r.stderr)
	}
	var objs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &objs); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, r.stdout)
	}
	if len(objs) != 8 {
		t.Fatalf("%d stories, want the 8 not dismissed", len(objs))
	}
	isString := func(v any) bool { _, ok := v.(string); return ok }
	isBool := func(v any) bool { _, ok := v.(bool); return ok }
	fields := map[string]func(any) bool{
		"id": isString, "feed": isString, "title": isString, "link": isString, "note": isString,
		"starred": isBool, "read": isBool,
		"published": func(v any) bool {
			s, ok := v.(string)
			_, err := time.Parse(time.RFC3339, s)
			return ok && err == nil
		},
		"tags": func(v any) bool {
			list, ok := v.([]any)
			for _, x := range list {
				ok = ok && isString(x)
			}
			return ok
		},
	}
	for _, o := range objs {
		for name, valid := range fields {
			v, present := o[name]
			if !present || !valid(v) {
				t.Errorf("story %v: field %q is %#v, missing or of the wrong type", o["id"], name, v)
			}
		}
	}
	// Values, not only types, for one story.
	var lead map[string]any
	for _, o := range objs {
		if strings.Contains(o["title"].(string), "pirated books") {
			lead = o
		}
	}
	if lead == nil {
		t.Fatal("the lead story is missing")
	}
	if lead["published"] != "2026-11-28T09:30:00Z" || lead["starred"] != true || lead["read"] != false ||
		!slices.Equal(lead["tags"].([]any), []any{"training-data", "lawsuit"}) ||
		!strings.HasPrefix(lead["note"].(string), "Lead item. Check *this*") ||
		lead["feed"] != "https://policy.example/feed.xml" || lead["link"] != "https://policy.example/2026/11/authors-sue" {
		t.Errorf("the lead story came out as %v", lead)
	}
	// An empty result is an empty array, not null, for scripts.
	if r := c.run("list", "--json", "--tag", "no-such-tag"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("list --json with no match printed %q", r.stdout)
	}
}

func TestListFiltersCombine(t *testing.T) {
	c := newCLI(t)
	stories := mixedStories(t)
	stories[0].Read = true // the starred lawsuit story
	stories[7].Read = true // the unstarred opt-out story
	seedCache(t, c.home, c.now, stories)
	// Short names of the fixture stories, by a word in the title.
	short := map[string]string{
		"pirated": "lawsuit", "Forum": "forum", "halves": "tokens", "Judge": "judge",
		"Appeals": "appeal", "folding": "phone", "script": "hostile", "Regulator": "optout", "bike": "bikes",
	}
	names := func(out string) []string {
		var list []listedStory
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var got []string
		for _, s := range list {
			for word, name := range short {
				if strings.Contains(s.Title, word) {
					got = append(got, name)
				}
			}
		}
		return got
	}
	tests := []struct {
		args []string
		want []string // newest first
	}{
		{nil, []string{"optout", "phone", "tokens", "hostile", "lawsuit", "forum", "judge", "bikes"}},
		{[]string{"--starred"}, []string{"phone", "tokens", "hostile", "lawsuit", "forum", "judge", "appeal"}},
		{[]string{"--starred", "--tag", "training-data"}, []string{"hostile", "lawsuit", "forum"}},
		{[]string{"--tag", "training-data"}, []string{"optout", "hostile", "lawsuit", "forum"}},
		{[]string{"--tag", "scraping"}, []string{"judge"}}, // the appeal is dismissed
		{[]string{"--starred", "--tag", "scraping"}, []string{"judge", "appeal"}},
		{[]string{"--unread", "--tag", "training-data"}, []string{"hostile", "forum"}},
		{[]string{"--starred", "--unread"}, []string{"phone", "tokens", "hostile", "forum", "judge", "appeal"}},
		{[]string{"--search", "COURT"}, []string{"judge"}}, // outlet "Court Watch"
		{[]string{"--search", "token", "--tag", "api-pricing"}, []string{"tokens"}},
		{[]string{"--since", "24h"}, []string{"optout", "phone", "tokens", "hostile"}},
		{[]string{"--since", "2d", "--starred", "--tag", "api-pricing"}, []string{"tokens", "forum"}},
		{[]string{"--limit", "2", "--tag", "training-data"}, []string{"optout", "hostile"}},
		{[]string{"--tag", "no-such-tag"}, nil},
	}
	for _, tt := range tests {
		args := append([]string{"list", "--json", "--limit", "0"}, tt.args...)
		r := c.run(args...)
		if r.code != 0 {
			t.Errorf("trawl %s: exit %d, %q", strings.Join(args, " "), r.code, r.stderr)
			continue
		}
		if got := names(r.stdout); !slices.Equal(got, tt.want) {
			t.Errorf("trawl list %s = %v, want %v", strings.Join(tt.args, " "), got, tt.want)
		}
	}
}

func TestListTableIsCleanOfControls(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	r := c.run("list", "--starred")
	if r.code != 0 {
		t.Fatalf("list: exit %d, %q", r.code, r.stderr)
	}
	assertClean(t, "list --starred", r.stdout)
	if !strings.Contains(r.stdout, "<script>alert(1)</script>") {
		t.Errorf("the hostile title should show as plain text:\n%s", r.stdout)
	}
}

// fillerStories are n stories whose IDs, being hashes, must share first
// characters once n passes 32.
func fillerStories(n int) []seeded {
	out := make([]seeded, n)
	for i := range out {
		out[i].Item = item.Item{
			Feed: "https://filler.example/feed", Outlet: "Filler", GUID: fmt.Sprintf("f-%d", i),
			Title:     fmt.Sprintf("Filler story %d", i),
			Link:      fmt.Sprintf("https://filler.example/%d", i),
			Published: fixedNow.Add(-time.Duration(i+1) * time.Hour),
		}
	}
	return out
}

// prefixes finds a one-character prefix shared by several IDs and, for
// another ID, its shortest unique prefix.
func prefixes(t *testing.T, ids []string) (ambiguous, unique, full string) {
	t.Helper()
	byFirst := map[string]int{}
	for _, id := range ids {
		byFirst[id[:1]]++
	}
	for _, id := range ids {
		if byFirst[id[:1]] > 1 && ambiguous == "" {
			ambiguous = id[:1]
		}
	}
	for _, id := range ids {
		if id[:1] == ambiguous {
			continue
		}
		for n := 1; n <= len(id); n++ {
			shared := 0
			for _, other := range ids {
				if strings.HasPrefix(other, id[:n]) {
					shared++
				}
			}
			if shared == 1 {
				return ambiguous, id[:n], id
			}
		}
	}
	t.Fatal("no unique prefix among the fixture IDs")
	return
}

func TestStoryIDsByPrefix(t *testing.T) {
	c := newCLI(t)
	ids := seedCache(t, c.home, c.now, fillerStories(40))
	ambiguous, unique, full := prefixes(t, ids)

	r := c.run("show", unique)
	if r.code != 0 || !strings.Contains(r.stdout, "id:        "+full) {
		t.Errorf("show %s (unique prefix of %s): exit %d, %q %q", unique, full, r.code, r.stdout, r.stderr)
	}
	if r := c.run("show", strings.ToUpper(full)); r.code != 0 {
		t.Errorf("show with the ID in capitals: exit %d, %q", r.code, r.stderr)
	}

	for _, cmd := range [][]string{{"show"}, {"star"}, {"unstar"}, {"note"}} {
		args := append(cmd, ambiguous)
		if cmd[0] == "note" {
			args = append(args, "some text")
		}
		r := c.run(args...)
		if r.code != exitFailed || !strings.Contains(r.stderr, "ambiguous") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("trawl %s: exit %d, stderr %q; want exit 1 and one line saying the prefix is ambiguous", strings.Join(args, " "), r.code, r.stderr)
		}
		args[1] = strings.Repeat("z", 20) // longer than any ID
		r = c.run(args...)
		if r.code != exitFailed || !strings.Contains(r.stderr, "no such story") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("trawl %s: exit %d, stderr %q; want exit 1 and one line saying there is no such story", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	// Nothing was changed by the failed commands.
	if got := listJSON(t, c); slices.ContainsFunc(got, func(s listedStory) bool { return s.Starred || s.Note != "" }) {
		t.Error("a failed command changed a story")
	}
}

func TestStarUnstarAndNote(t *testing.T) {
	c := newCLI(t)
	ids := seedCache(t, c.home, c.now, fillerStories(3))
	id := ids[1]
	get := func() listedStory {
		t.Helper()
		r := c.run("show", "--json", id[:8])
		if r.code != 0 {
			t.Fatalf("show --json: exit %d, %q", r.code, r.stderr)
		}
		var s listedStory
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
			t.Fatalf("show --json: %v\n%s", err, r.stdout)
		}
		return s
	}

	if r := c.run("star", id[:6]); r.code != 0 || r.stdout != "starred "+id+"\n" {
		t.Fatalf("star: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if !get().Starred {
		t.Error("star did not star")
	}
	if r := c.run("star", id); r.code != 0 || !get().Starred {
		t.Errorf("starring twice: exit %d, %q", r.code, r.stderr)
	}
	if r := c.run("unstar", id); r.code != 0 || get().Starred {
		t.Errorf("unstar: exit %d, %q", r.code, r.stderr)
	}

	note := "See *p. 4* — [the filing](https://court.example/x) & <b>that</b>"
	if r := c.run("note", id, "--", note); r.code != 0 {
		t.Fatalf("note TEXT: exit %d, %q", r.code, r.stderr)
	}
	if got := get().Note; got != note {
		t.Errorf("note stored as %q, want it verbatim %q", got, note)
	}
	long := "First line from stdin.\n\nSecond paragraph, with a tab\there.\n"
	r := c.runWithInput(long, "note", id, "-")
	if r.code != 0 {
		t.Fatalf("note -: exit %d, %q", r.code, r.stderr)
	}
	if got := get().Note; got != "First line from stdin.\n\nSecond paragraph, with a tab here." {
		t.Errorf("note from stdin stored as %q", got)
	}
	if !strings.Contains(r.stderr, note) {
		t.Errorf("replacing a note should print the earlier one to stderr, got %q", r.stderr)
	}
	if r := c.run("note", id, "--clear"); r.code != 0 || get().Note != "" || !strings.Contains(r.stderr, "First line from stdin.") {
		t.Errorf("note --clear: exit %d, stderr %q, note %q", r.code, r.stderr, get().Note)
	}

	for _, args := range [][]string{
		{"note", id},                    // no text
		{"note", id, "   "},             // blank text
		{"note", id, "text", "--clear"}, // both
		{"note", id, "-", "--clear"},    // both
		{"star"},                        // no ID
		{"star", id, ids[0]},            // two IDs
		{"show", id, "--no-such-flag"},  // bad flag
	} {
		if r := c.run(args...); r.code != exitUsage {
			t.Errorf("trawl %s: exit %d, want %d (%q)", strings.Join(args, " "), r.code, exitUsage, r.stderr)
		}
	}
}

func TestShowPrintsTheStory(t *testing.T) {
	c := newCLI(t)
	stories := mixedStories(t)
	ids := seedCache(t, c.home, c.now, stories)
	r := c.run("show", ids[0])
	if r.code != 0 {
		t.Fatalf("show: exit %d, %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"Authors sue a startup for training its AI on pirated books\n",
		"outlet:    Policy Wire\n",
		"author:    Dana Reyes\n",
		"published: 2026-11-28 09:30 UTC\n",
		"link:      https://policy.example/2026/11/authors-sue\n",
		"state:     starred\n",
		"tag:       training-data",
		"tag:       lawsuit",
		"Lead item. Check *this*",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	hostile := c.run("show", ids[6])
	if strings.ContainsAny(hostile.stdout, "\x1b\x07\u202e") {
		t.Errorf("show let control characters through: %q", hostile.stdout)
	}
}

// BenchmarkList runs `trawl list` on a cache of 20,000 stories, 1% of them
// starred, for filters that walk a small index, a large one, and (for
// --search on a rare word) the whole cache.
func BenchmarkList(b *testing.B) {
	home := b.TempDir()
	tags := [][]item.Tag{{{Name: "training-data"}}, {{Name: "api-pricing"}}, {{Name: "lawsuit"}, {Name: "training-data"}}, nil, nil}
	stories := make([]seeded, 20000)
	for i := range stories {
		title := fmt.Sprintf("Story %d about platforms and prices", i)
		if i == 15000 {
			title = "A rare zeppelin story"
		}
		stories[i] = seeded{
			Item: item.Item{
				Feed: fmt.Sprintf("https://outlet%d.example/feed", i%50), Outlet: fmt.Sprintf("Outlet %d", i%50),
				GUID: fmt.Sprintf("story-%d", i), Title: title, Summary: strings.Repeat("A summary sentence. ", 10),
				Link:      fmt.Sprintf("https://outlet%d.example/story-%d", i%50, i),
				Published: fixedNow.Add(-time.Duration(i) * time.Minute),
				Tags:      tags[i%len(tags)],
			},
			Starred: i%100 == 0,
			Read:    i%2 == 0,
		}
	}
	seedCache(b, home, fixedNow, stories)
	c := &cli{home: home, now: fixedNow}
	for _, args := range [][]string{
		{"--json"},
		{"--json", "--starred", "--tag", "api-pricing"},
		{"--json", "--unread", "--tag", "lawsuit", "--limit", "0"},
		{"--json", "--search", "zeppelin"},
	} {
		b.Run(strings.Join(args[1:], " "), func(b *testing.B) {
			var stdout, stderr bytes.Buffer
			for b.Loop() {
				stdout.Reset()
				if code := run(c.env(strings.NewReader(""), &stdout, &stderr), append([]string{"list"}, args...)); code != 0 {
					b.Fatalf("list: exit %d, %s", code, stderr.String())
				}
			}
			if stdout.Len() < 3 {
				b.Fatalf("list %v found nothing", args)
			}
		})
	}
}
