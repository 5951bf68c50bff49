package classify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allExtras turns on the extra built-in tags.
const allExtras = "[tags.lawsuit]\nenabled = true\n[tags.licensing]\nenabled = true\n[tags.scraping]\nenabled = true\n"

func withUser(t *testing.T, rules string) *Classifier {
	t.Helper()
	c, err := New(Source{Name: "rules.toml", Data: []byte(rules)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fired(c *Classifier, tag, title, summary string) bool {
	for _, tg := range c.Classify(title, summary, "") {
		if tg.Name == tag {
			return true
		}
	}
	return false
}

func TestBuiltinRulesLoad(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	b := Default()
	if a.Version() != b.Version() || len(a.Version()) != 12 {
		t.Errorf("versions %q and %q: want the same 12 hex digits", a.Version(), b.Version())
	}
	if got := a.Sources(); len(got) != 1 || got[0] != "built-in" {
		t.Errorf("sources %v", got)
	}
	if !strings.Contains(string(BuiltinRules()), "[tags.training-data]") {
		t.Error("BuiltinRules does not return the rules text")
	}
}

func TestVersionFollowsEffectiveRules(t *testing.T) {
	base := Default().Version()
	same := []string{
		"",
		"# only a comment\n",
		"[tags.lawsuit]\nenabled = false\n",     // off already
		"[tags.api-pricing]\nthreshold = 4.5\n", // the built-in value
		"[tags.api-pricing.concepts.price]\nphrases = [\"price\"]\n", // already there
	}
	for _, rules := range same {
		if v := withUser(t, rules).Version(); v != base {
			t.Errorf("rules %q changed the version to %s; they change nothing", rules, v)
		}
	}
	changed := []string{
		"[fields]\ntitle = 3\n",
		"[tags.api-pricing]\nthreshold = 5\n",
		"[tags.api-pricing.concepts.price]\nweight = 2\n",
		"[tags.api-pricing.concepts.price]\nphrases = [\"tariff\"]\n",
		"[tags.api-pricing.concepts.price]\nremove = [\"cents\"]\n",
		"[tags.api-pricing.near.price-api]\nwithin = 4\n",
		"[tags.lawsuit]\nenabled = true\n",
		"[tags.reddit]\nthreshold = 1\n[tags.reddit.concepts.r]\nweight = 1\nphrases = [\"reddit\"]\n",
	}
	seen := map[string]string{base: "built-in"}
	for _, rules := range changed {
		v := withUser(t, rules).Version()
		if prev, dup := seen[v]; dup {
			t.Errorf("rules %q have the same version as %q", rules, prev)
		}
		seen[v] = rules
	}
}

func TestUserRulesChangeTheBuiltins(t *testing.T) {
	title := "Forum will charge developers for API access"
	if !fired(Default(), TagAPIPricing, title, "") {
		t.Fatal("baseline story is not api-pricing")
	}
	// A threshold out of reach turns the tag off for this story.
	if fired(withUser(t, "[tags.api-pricing]\nthreshold = 100\n"), TagAPIPricing, title, "") {
		t.Error("raising the threshold did not stop the tag")
	}
	// A new phrase in an existing concept, and a new negative concept.
	story := "Forum will levy a tariff on API access"
	if fired(Default(), TagAPIPricing, story, "") {
		t.Fatal("tariff story fires without the user's phrase")
	}
	c := withUser(t, "[tags.api-pricing.concepts.price]\nphrases = [\"levy\", \"tariff\"]\n")
	if !fired(c, TagAPIPricing, story, "") {
		t.Error("an added phrase did not count")
	}
	c = withUser(t, "[tags.api-pricing.concepts.forums]\nweight = -50\nphrases = [\"forum\"]\n")
	if fired(c, TagAPIPricing, title, "") {
		t.Error("a user's negative concept did not count against the tag")
	}
	// Removing and replacing phrases.
	c = withUser(t, "[tags.api-pricing.concepts.price]\nremove = [\"charge\"]\n")
	for _, d := range c.Explain(title, "", "") {
		for _, m := range d.Matches {
			if d.Name == TagAPIPricing && m.Phrase == "charge" {
				t.Errorf("removed phrase still matches: %+v", m)
			}
		}
	}
	c = withUser(t, "[tags.api-pricing.concepts.price]\nreplace = true\nphrases = [\"tariff\"]\n")
	if fired(c, TagAPIPricing, "Forum raises the price of API access", "") {
		t.Error("replace = true kept the built-in phrases")
	}
	// A whole new tag, a watch on one platform, with a near rule.
	c = withUser(t, `
[tags.reddit-watch]
description = "Reddit and its API"
threshold = 3
require = [["reddit"]]
[tags.reddit-watch.concepts.reddit]
weight = 2
phrases = ["reddit", "subreddit"]
[tags.reddit-watch.concepts.api]
weight = 0
phrases = ["api"]
[tags.reddit-watch.near.reddit-api]
concepts = ["reddit", "api"]
within = 2
weight = 1
`)
	if !fired(c, "reddit-watch", "Reddit's API goes paid", "") || fired(c, "reddit-watch", "Twitter's API goes paid", "") {
		t.Error("the user's reddit-watch tag does not work")
	}
	if names := c.TagNames(); names[0] != TagTrainingData || !strings.Contains(strings.Join(names, ","), "reddit-watch") {
		t.Errorf("TagNames %v", names)
	}
	// Extra built-in tags are off until turned on, and a later file can
	// turn them off again.
	c = withUser(t, "[tags.scraping]\nenabled = true\n")
	if !strings.Contains(strings.Join(c.TagNames(), ","), "scraping") || !fired(c, "scraping", "Publishers block GPTBot in robots.txt", "") {
		t.Error("enabled = true did not turn the scraping tag on")
	}
	c, err := New(Source{Name: "a.toml", Data: []byte("[tags.scraping]\nenabled = true\n")}, Source{Name: "b.toml", Data: []byte("[tags.scraping]\nenabled = false\n")})
	if err != nil || strings.Contains(strings.Join(c.TagNames(), ","), "scraping") {
		t.Errorf("enabled = false in a later file kept the tag: %v %v", err, c.TagNames())
	}
}

func TestRulesErrors(t *testing.T) {
	tests := []struct {
		name, rules string
		line        int
		want        string
	}{
		// The TOML library reports an unclosed header on the line after it.
		{"syntax", "[tags.api-pricing\nthreshold = 1\n", 2, "to end table name"},
		// The library quotes the input, newline and all; the error stays one line.
		{"syntax quoting a newline", "[tags.x]\nthreshold = 0b\n1\n", 2, `not a binary number: '0b\n'`},
		{"syntax in a value", "[tags.api-pricing]\nthreshold = 1\nrequire = [[\"a\"\n", 3, "tags.api-pricing.require: expected a comma"},
		{"unknown top-level key", "\n\ntresholds = 2\n", 3, `unknown key "tresholds" (known keys here: fields, tags)`},
		{"unknown key in a concept", "[tags.api-pricing]\nthreshold = 5\n\n[tags.api-pricing.concepts.price]\nwieght = 2\n", 5, `unknown key "tags.api-pricing.concepts.price.wieght" (known keys here: weight, phrases, remove, replace)`},
		{"unknown key in a tag", "[tags.x]\nthreshold = 1\nconcept = 2\n", 3, `unknown key "tags.x.concept"`},
		{"dotted unknown key", "tags.api-pricing.treshold = 1\n", 1, `unknown key "tags.api-pricing.treshold"`},
		{"wrong type", "[tags.api-pricing]\nthreshold = \"high\"\n", 2, "threshold"},
		{"bad threshold", "[tags.api-pricing]\n\nthreshold = -1\n", 3, "threshold -1 of tag api-pricing"},
		{"bad weight", "[tags.api-pricing.concepts.price]\nweight = 1000\n", 2, "weight 1000"},
		{"zero near weight", "[tags.api-pricing.near.price-api]\nweight = 0\n", 2, "non-zero"},
		{"bad field weight", "[fields]\ntitle = -1\n", 2, "field weight title"},
		{"empty phrase", "[tags.api-pricing.concepts.price]\nphrases = [\n  \"tariff\",\n  \"--\",\n]\n", 2, `phrase "--" in concept price: has no words`},
		{"long phrase", "[tags.api-pricing.concepts.price]\nphrases = [\"a b c d e f g h i\"]\n", 2, "has 9 words"},
		{"remove a missing phrase", "[tags.api-pricing.concepts.price]\nremove = [\"tariff\"]\n", 2, `cannot remove "tariff"`},
		{"new concept without weight", "[tags.api-pricing.concepts.new]\nphrases = [\"x\"]\n", 1, "new concept new needs a weight"},
		{"new tag without threshold", "[tags.reddit.concepts.r]\nweight = 1\nphrases = [\"reddit\"]\n", 1, "new tag reddit needs a threshold"},
		{"new tag with only negatives", "[tags.reddit]\nthreshold = 1\n[tags.reddit.concepts.r]\nweight = -1\nphrases = [\"reddit\"]\n", 1, "can never fire"},
		{"bad tag name", "[tags.\"Bad Tag\"]\nthreshold = 1\n", 1, `tag name "Bad Tag"`},
		{"core tag disabled", "[tags.training-data]\n# no\nenabled = false\n", 3, "core tag"},
		{"turn on a tag that does not exist", "[tags.lawsuits]\nenabled = true\n", 2, "there is no tag lawsuits"},
		{"near to a missing concept", "[tags.api-pricing.near.n]\nwithin = 3\nweight = 1\nconcepts = [\"price\", \"nothing\"]\n", 4, `no concept "nothing"`},
		{"near with three concepts", "[tags.api-pricing.near.n]\nwithin = 3\nweight = 1\nconcepts = [\"a\", \"b\", \"c\"]\n", 4, "exactly two"},
		{"near too wide", "[tags.api-pricing.near.price-api]\nwithin = 99\n", 2, "within 99"},
		{"require a missing concept", "[tags.api-pricing]\nthreshold = 5\nrequire = [\n  [\"price\", \"nope\"],\n]\n", 3, `no concept or near rule "nope"`},
		{"name clash", "[tags.api-pricing.concepts.price-api]\nweight = 1\nphrases = [\"x\"]\n", 1, "near rule called price-api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Source{Name: "/home/u/.config/trawl/rules.toml", Data: []byte(tt.rules)})
			var re *RulesError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RulesError", err)
			}
			if re.File != "/home/u/.config/trawl/rules.toml" || re.Line != tt.line || !strings.Contains(re.Msg, tt.want) {
				t.Errorf("got %q (line %d), want line %d and %q", err, re.Line, tt.line, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if !strings.HasPrefix(err.Error(), "rules /home/u/.config/trawl/rules.toml:") {
				t.Errorf("error does not start with the file and line: %q", err)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	c, err := LoadFile(filepath.Join(dir, "missing.toml"))
	if err != nil || c.Version() != Default().Version() {
		t.Fatalf("a missing rules file: %v, version %q", err, c.Version())
	}
	path := filepath.Join(dir, "rules.toml")
	if err := os.WriteFile(path, []byte("[tags.api-pricing]\nthreshold = 6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = LoadFile(path)
	if err != nil || c.Version() == Default().Version() || c.Sources()[1] != path {
		t.Fatalf("LoadFile: %v, version %q, sources %v", err, c.Version(), c.Sources())
	}
	if _, err := LoadFile(dir); err == nil || !strings.Contains(err.Error(), "read rules") {
		t.Errorf("a directory as rules file: %v", err)
	}
}

func TestKeyLines(t *testing.T) {
	src := `# comment with [brackets] and key = value
title = "a = b # not a comment"

[tags."quoted.name"] # trailing comment
threshold = 1
phrases = [
  "x]", # a bracket inside a string
  '''multi
line = 3
''',
]
after = 2
[[array.of]]
k = 1
[[array.of]]
k = 2
a.b.c = { inner = 1 }
`
	kl := scanKeyLines(src)
	tests := []struct {
		path []string
		nth  int
		want int
	}{
		{[]string{"title"}, 0, 2},
		{[]string{"tags", "quoted.name"}, 0, 4},
		{[]string{"tags", "quoted.name", "threshold"}, 0, 5},
		{[]string{"tags", "quoted.name", "phrases"}, 0, 6},
		{[]string{"tags", "quoted.name", "after"}, 0, 12},
		{[]string{"array", "of", "k"}, 1, 16},
		{[]string{"array", "of", "a", "b", "c", "inner"}, 0, 17}, // inside an inline table: its key's line
		{[]string{"tags", "quoted.name", "line"}, 0, 4},          // not a key (inside a string): the nearest enclosing key
		{[]string{"nowhere"}, 0, 0},
	}
	for _, tt := range tests {
		if got := kl.line(tt.path, tt.nth); got != tt.want {
			t.Errorf("line(%q, %d) = %d, want %d", tt.path, tt.nth, got, tt.want)
		}
	}
}

func TestExtraTags(t *testing.T) {
	c := withUser(t, allExtras)
	tests := []struct {
		tag, title string
		want       bool
	}{
		{"licensing", "Reddit signs a $60 million content licensing deal with Google", true},
		{"licensing", "Music labels license their catalogues to an AI startup", true},
		{"licensing", "Texas changes the rules for driver's license photos", false},
		{"licensing", "Qwen models ship under a permissive license", false},
		{"lawsuit", "Authors sue OpenAI over training data", true},
		{"lawsuit", "Judge rules Google is a search monopolist", true},
		{"lawsuit", "Netflix extends its free trial in Europe", false},
		{"lawsuit", "Samsung follows suit with a cheaper foldable", false},
		{"scraping", "Perplexity accused of scraping sites that blocked its crawler", true},
		{"scraping", "Publishers block GPTBot in robots.txt", true},
		{"scraping", "Dungeon crawler tops Steam charts", false},
		{"scraping", "The team scraped through to the final", false},
	}
	for _, tt := range tests {
		if got := fired(c, tt.tag, tt.title, ""); got != tt.want {
			d := decisionFor(c, tt.tag, tt.title, "")
			t.Errorf("%s on %q: %v, want %v\n%s", tt.tag, tt.title, got, tt.want, describe(d))
		}
	}
}

// The fuzz target merges into clones of one parsed built-in set: a merge
// into a clone must leave the original as it was.
func TestCloneIsolatesMerges(t *testing.T) {
	base, err := parseBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	changed, err := newFrom(base.clone(), Source{Name: "u", Data: []byte(
		"[tags.api-pricing]\nthreshold = 9\nrequire = [[\"price\"]]\n" +
			"[tags.api-pricing.concepts.price]\nweight = 3\nremove = [\"charge\"]\nphrases = [\"levy\"]\n" +
			"[tags.api-pricing.near.price-api]\nwithin = 2\n[tags.scraping]\nenabled = false\n")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := newFrom(base.clone())
	if err != nil {
		t.Fatal(err)
	}
	if again.Version() != Default().Version() || changed.Version() == again.Version() {
		t.Errorf("versions: default %s, changed clone %s, fresh clone %s", Default().Version(), changed.Version(), again.Version())
	}
}
