package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
)

var coreTags = []string{"training-data", "api-pricing"}

// render selects, builds and writes one export of db.
func render(t testing.TB, db *store.DB, f Filters, mo MarkdownOptions) []byte {
	t.Helper()
	stories, err := Select(db, f)
	if err != nil {
		t.Fatal(err)
	}
	doc := Build(stories, Options{Now: testNow, Filters: f, CoreTags: coreTags})
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, doc, mo); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMarkdownGolden(t *testing.T) {
	db := openFixture(t)
	tests := []struct {
		golden string
		f      Filters
		mo     MarkdownOptions
	}{
		{"starred.golden.md", Filters{}, MarkdownOptions{}},
		{"all.golden.md", Filters{All: true}, MarkdownOptions{}},
		{"tag-training-data.golden.md", Filters{Tag: "training-data"}, MarkdownOptions{}},
		{"since-front-matter.golden.md", Filters{All: true, Since: testNow.Add(-48 * time.Hour), SinceText: "2d"}, MarkdownOptions{FrontMatter: true}},
		{"none.golden.md", Filters{Tag: "no-such-tag"}, MarkdownOptions{FrontMatter: true}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			checkGolden(t, tt.golden, render(t, db, tt.f, tt.mo))
		})
	}
}

// The properties the goldens show, stated so a careless -update cannot
// bless a regression.
func TestMarkdownGrouping(t *testing.T) {
	db := openFixture(t)
	out := string(render(t, db, Filters{}, MarkdownOptions{}))
	headings := func(prefix string) []string {
		var hs []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, prefix) {
				hs = append(hs, strings.TrimPrefix(l, prefix))
			}
		}
		return hs
	}
	wantGroups := []string{"training-data", "api-pricing", "lawsuit", "scraping", "untagged"}
	if got := headings("## "); strings.Join(got, "|") != strings.Join(wantGroups, "|") {
		t.Errorf("groups = %q, want %q", got, wantGroups)
	}
	entries := headings("### ")
	if len(entries) != 7 {
		t.Errorf("%d stories exported, want the 7 starred ones (dismissed included): %q", len(entries), entries)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e] {
			t.Errorf("story listed twice: %s", e)
		}
		seen[e] = true
	}
	// Newest first within training-data: the hostile story (28th 12:00),
	// the lawsuit (28th 09:30), then the two-tag pricing story (27th).
	order := []string{"pirated books", "Forum platform"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		if i < last {
			t.Errorf("%q is out of order", s)
		}
		last = i
	}
	if strings.Contains(out, "Regulator opens consultation") {
		t.Error("an unstarred story reached a starred export")
	}
}

func TestMarkdownIsDeterministic(t *testing.T) {
	db := openFixture(t)
	f := Filters{All: true}
	first := render(t, db, f, MarkdownOptions{FrontMatter: true})
	for range 5 {
		if again := render(t, db, f, MarkdownOptions{FrontMatter: true}); !bytes.Equal(first, again) {
			t.Fatalf("two exports of the same cache differ:\n%s\n---\n%s", first, again)
		}
	}
}

func TestBuildTiesAndTimeZone(t *testing.T) {
	at := time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC)
	mk := func(id string) store.Story {
		var s store.Story
		s.ID, s.Title, s.Published, s.Starred = id, "story "+id, at, true
		return s
	}
	// Same time: ordered by ID whatever the input order.
	stories := []store.Story{mk("c"), mk("a"), mk("b")}
	tokyo := time.FixedZone("JST", 9*3600)
	doc := Build(stories, Options{Now: testNow.In(tokyo)})
	if len(doc.Groups) != 1 || doc.Groups[0].Name != Untagged {
		t.Fatalf("groups = %+v, want one untagged group", doc.Groups)
	}
	var ids []string
	for _, e := range doc.Groups[0].Stories {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, "") != "abc" {
		t.Errorf("tied stories in order %v, want a b c", ids)
	}
	// Dates are in the clock's zone: 23:30 UTC is the next day in Tokyo.
	if got := doc.Groups[0].Stories[0].Published.Format(dateLayout); got != "2026-11-29" {
		t.Errorf("published date in JST = %s, want 2026-11-29", got)
	}
}

func TestTemplate(t *testing.T) {
	db := openFixture(t)
	stories, err := Select(db, Filters{Tag: "api-pricing"})
	if err != nil {
		t.Fatal(err)
	}
	doc := Build(stories, Options{Now: testNow, Filters: Filters{Tag: "api-pricing"}, CoreTags: coreTags})
	text, err := os.ReadFile(filepath.Join("testdata", "bullets.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := ParseTemplate("bullets.tmpl", string(text))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, doc); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "bullets.golden.md", buf.Bytes())
}

func TestTemplateErrorsNameTheFile(t *testing.T) {
	doc := Build(nil, Options{Now: testNow})
	tests := []struct {
		name, text, want string
	}{
		{"parse", "{{range .Groups}}", "template: my.tmpl:1: unexpected EOF"},
		{"unknown function", "line one\n{{shout .Title}}", `template: my.tmpl:2: function "shout" not defined`},
		{"unknown field", "{{.Nope}}", `template: my.tmpl:1:2: executing "my.tmpl" at <.Nope>: can't evaluate field Nope`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate("my.tmpl", tt.text)
			if err == nil {
				err = tmpl.Execute(&bytes.Buffer{}, doc)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to start %q", err, tt.want)
			}
		})
	}
}

// BenchmarkBuildAndRender10k is the part of an export after the cache has
// been read: grouping, sorting, escaping and writing 10,000 stories.
func BenchmarkBuildAndRender10k(b *testing.B) {
	stories := make([]store.Story, 10000)
	tags := []string{"training-data", "api-pricing", "lawsuit", "scraping"}
	for i := range stories {
		s := &stories[i]
		s.ID = fmt.Sprintf("id%06d", i)
		s.Title = fmt.Sprintf("Story %d: a platform [changes] its *API* prices & who pays", i)
		s.Outlet, s.Author = "Outlet <name>", "A. Reporter"
		s.Link = fmt.Sprintf("https://outlet.example/2026/story-%d?ref=rss&x=(1)", i)
		s.Published = testNow.Add(-time.Duration(i) * time.Minute)
		s.Tags = []item.Tag{{Name: tags[i%4]}, {Name: tags[(i+1)%4]}}
		s.Starred = true
		if i%3 == 0 {
			s.Note = fmt.Sprintf("Note %d: follow up with *legal*;\n- ask about the <deal>", i)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		doc := Build(stories, Options{Now: testNow, CoreTags: coreTags})
		if err := WriteMarkdown(io.Discard, doc, MarkdownOptions{FrontMatter: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// Front matter holds exactly its keys, whatever the filter text: values are
// quoted, so a tag with quotes, newlines or "---" cannot end the block or
// add a key.
func TestFrontMatterCannotBeBrokenOut(t *testing.T) {
	hostileTag := "x\"\n---\nevil: true\n# \u2028"
	f := Filters{Tag: hostileTag, SinceText: "1d\n---", Since: testNow.Add(-24 * time.Hour)}
	doc := Build(nil, Options{Now: testNow, Filters: f})
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, doc, MarkdownOptions{FrontMatter: true}); err != nil {
		t.Fatal(err)
	}
	block, body, ok := strings.Cut(strings.TrimPrefix(buf.String(), "---\n"), "\n---\n")
	if !ok || !strings.HasPrefix(buf.String(), "---\n") {
		t.Fatalf("no front matter block:\n%s", buf.String())
	}
	var keys []string
	for _, line := range strings.Split(block, "\n") {
		key, value, _ := strings.Cut(strings.TrimLeft(line, " "), ": ")
		keys = append(keys, key)
		if strings.HasPrefix(value, `"`) {
			var s string
			if err := json.Unmarshal([]byte(value), &s); err != nil {
				t.Errorf("%s: value %s is not one quoted string: %v", key, value, err)
			}
			if key == "tag" && s != sanitize.Line(hostileTag) {
				t.Errorf("tag reads %q, want %q", s, sanitize.Line(hostileTag))
			}
		}
	}
	want := "title,date,generated,filters:,starred_only,tag,since,stories,groups"
	if strings.Join(keys, ",") != want {
		t.Errorf("front matter keys %v, want %s:\n%s", keys, want, block)
	}
	if strings.Contains(body, "\n---\n") {
		t.Errorf("a second --- line in the body:\n%s", body)
	}
}
