package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeRules puts a user rules file where trawl looks for it.
func (c *cli) writeRules(text string) string {
	c.t.Helper()
	path := filepath.Join(c.home, ".config", "trawl", "rules.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return path
}

func TestExplainTitle(t *testing.T) {
	c := newCLI(t)
	r := c.run("explain", "--title", "Forum will charge developers for API access", "--summary", "Hobby apps lose their free tier.")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"title:   Forum will charge developers for API access\n",
		"summary: Hobby apps lose their free tier.\n",
		"\napi-pricing    YES  score ",
		"\ntraining-data  no   score 0.0 < threshold",
		`title   [11:17]   "charge"`,                        // the matched text, quoted, with its byte range
		`summary [22:31]   "free tier"`,                     // the summary's evidence names its field
		`"charge developers for API access" near price-api`, // a near rule quotes the span
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestExplainShowsNegativesAndInflections(t *testing.T) {
	c := newCLI(t)
	r := c.run("explain", "--title", "Samsung raises the price of its Galaxy phones", "--summary", "Developers get a new API for the watch.")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// The hard negative "price of a device" has a minus sign and quotes
	// the span it matched.
	if !regexp.MustCompile(`-\d+\.\d  title .*"price of its Galaxy" +near device-price`).MatchString(r.stdout) {
		t.Errorf("the price-of-a-phone negative is not shown:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "\napi-pricing    no ") {
		t.Errorf("a phone price with an API mention should not be api-pricing:\n%s", r.stdout)
	}
}

func TestExplainUsage(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"explain"},
		{"explain", "--summary", "only a summary"},
		{"explain", "abc", "--title", "both"},
		{"explain", "a", "b"},
		{"explain", "--title", " "},
	} {
		r := c.run(args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "usage: trawl explain") {
			t.Errorf("trawl %s: exit %d, stderr %q; want usage error", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// fetchPolicy subscribes c to the policy fixture feed (three stories)
// and fetches it.
func fetchPolicy(t *testing.T, c *cli) {
	t.Helper()
	c.addFeeds(serveFixtures(t).URL + "/policy.rss.xml")
	if r := c.run("fetch"); r.code != 0 {
		t.Fatalf("fetch: %q", r.stderr)
	}
}

// fetchPolicyDesk fetches the policy fixture feed and returns the ID of
// the story whose title contains title.
func fetchPolicyDesk(t *testing.T, c *cli, title string) string {
	t.Helper()
	fetchPolicy(t, c)
	for _, s := range listJSON(t, c) {
		if strings.Contains(s.Title, title) {
			return s.ID
		}
	}
	t.Fatalf("no fixture story with %q in its title", title)
	return ""
}

func TestExplainStoredStory(t *testing.T) {
	c := newCLI(t)
	id := fetchPolicyDesk(t, c, "Authors sue")
	r := c.run("explain", id[:8])
	if r.code != 0 {
		t.Fatalf("explain %s: exit %d, stderr %q", id, r.code, r.stderr)
	}
	for _, want := range []string{
		"story:   " + id + "\n",
		"stored:  training-data, by these rules\n",
		"\ntraining-data  YES  score ",
		`"pirated"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain ID lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := c.run("explain", "zzzzzzzz"); r.code != exitFailed || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("explain of an unknown ID: exit %d, stderr %q", r.code, r.stderr)
	}
}

const evalTSV = "labels\ttitle\tsummary\n" +
	"api-pricing\tForum will charge developers for API access\tA paid tier replaces free access.\n" +
	"training-data\tAuthors sue a startup for training its AI on pirated books\tThe company scraped a shadow library.\n" +
	"training-data,api-pricing\tReddit wants AI companies to pay for its API\tModel makers scrape the site for training data.\n" +
	"none\tCity council approves new bike lanes\tTwelve kilometres of protected lanes.\n" +
	"training-data\tA story about gardening\tTomatoes and beans.\n" // a miss: labelled, not found

func TestEvalPrintsOneLinePerCoreTag(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "set.tsv")
	if err := os.WriteFile(path, []byte(evalTSV), 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("eval", path)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	want := "training-data precision=1.0000 recall=0.6667 f1=0.8000 tp=2 fp=0 fn=1\n" +
		"api-pricing precision=1.0000 recall=1.0000 f1=1.0000 tp=2 fp=0 fn=0\n"
	if r.stdout != want {
		t.Errorf("eval printed\n%s\nwant\n%s", r.stdout, want)
	}
	if r.stderr != "" {
		t.Errorf("eval wrote to stderr without --misses: %q", r.stderr)
	}
	// The same from stdin, with the misses listed apart.
	r = c.runWithInput(evalTSV, "eval", "--misses", "-")
	if r.stdout != want || r.stderr != "line 6: training-data missed: A story about gardening\n" {
		t.Errorf("eval --misses -: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestEvalMalformedLine(t *testing.T) {
	c := newCLI(t)
	tests := []struct{ in, want string }{
		{"labels\ttitle\n", "line 1: header"},
		{evalTSV + "none\tonly a title\n", "line 7: 2 tab-separated fields, want 3"},
		{"labels\ttitle\tsummary\nreddit-watch\tA\tB\n", `line 2: unknown label "reddit-watch"`},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "bad.tsv")
		if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
			t.Fatal(err)
		}
		r := c.run("eval", path)
		if r.code != exitFailed {
			t.Errorf("exit %d for %q, want %d", r.code, tt.want, exitFailed)
		}
		if !strings.Contains(r.stderr, path+": "+tt.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr %q, want one line with %q", r.stderr, tt.want)
		}
		if r.stdout != "" {
			t.Errorf("a malformed file still printed results: %q", r.stdout)
		}
	}
	if r := c.run("eval", filepath.Join(t.TempDir(), "missing.tsv")); r.code != exitFailed || !strings.Contains(r.stderr, "missing.tsv") {
		t.Errorf("missing file: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := c.run("eval"); r.code != exitUsage {
		t.Errorf("eval without a file: exit %d, want %d", r.code, exitUsage)
	}
}

func TestUserRulesAddATagAndEvalIt(t *testing.T) {
	c := newCLI(t)
	c.writeRules(`
[tags.bikes]
threshold = 1
[tags.bikes.concepts.cycling]
weight = 1
phrases = ["bike lane", "cycling"]
`)
	in := "labels\ttitle\tsummary\nbikes\tCity council approves new bike lanes\tProtected lanes.\nnone\tA\tB\n"
	r := c.runWithInput(in, "eval", "--all-tags", "-")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "\nbikes precision=1.0000 recall=1.0000 f1=1.0000 tp=1 fp=0 fn=0\n") {
		t.Errorf("the user's tag is not evaluated:\n%s", r.stdout)
	}
}

func TestBadRulesFileIsOneLineNamingFileAndLine(t *testing.T) {
	c := newCLI(t)
	path := c.writeRules("[tags.api-pricing]\nthreshold = 5\n\n[tags.api-pricing.concepts.price]\nwieght = 2\n")
	for _, args := range [][]string{
		{"explain", "--title", "anything"},
		{"eval", "-"},
		{"retag"},
	} {
		r := c.runWithInput(evalTSV, args...)
		want := "rules " + path + ":5: unknown key \"tags.api-pricing.concepts.price.wieght\""
		if r.code != exitFailed || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("trawl %s with a bad rules file: exit %d, stderr %q; want one line with %q", args[0], r.code, r.stderr, want)
		}
	}
}

func TestRetagAfterRulesChange(t *testing.T) {
	c := newCLI(t)
	bikes := fetchPolicyDesk(t, c, "bike lanes")
	if r := c.run("star", bikes); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := c.run("note", bikes, "keep this"); r.code != 0 {
		t.Fatal(r.stderr)
	}

	// Nothing changed: every story is current.
	r := c.run("retag")
	if r.code != 0 {
		t.Fatalf("retag: exit %d, stderr %q", r.code, r.stderr)
	}
	if !regexp.MustCompile(`^retagged 0 stories with rules [0-9a-f]{12}: 0 changed tags, 3 already current\n$`).MatchString(r.stdout) {
		t.Errorf("retag with unchanged rules printed %q", r.stdout)
	}

	// A user tag: only the bike story gains it, and all three are re-tagged
	// because the rules version moved.
	c.writeRules("[tags.bikes]\nthreshold = 1\n[tags.bikes.concepts.cycling]\nweight = 1\nphrases = [\"bike lane\"]\n")
	r = c.run("retag")
	if r.code != 0 {
		t.Fatalf("retag: exit %d, stderr %q", r.code, r.stderr)
	}
	if !regexp.MustCompile(`^retagged 3 stories with rules [0-9a-f]{12}: 1 changed tags, 0 already current\n$`).MatchString(r.stdout) {
		t.Errorf("retag after a rules change printed %q", r.stdout)
	}
	if strings.Contains(r.stderr, "\x1b") {
		t.Errorf("retag drew a progress bar on a non-terminal: %q", r.stderr)
	}
	for _, s := range listJSON(t, c) {
		if s.ID == bikes {
			if strings.Join(s.Tags, ",") != "bikes" || !s.Starred || s.Note != "keep this" {
				t.Errorf("bike story after retag: tags %v, starred %v, note %q", s.Tags, s.Starred, s.Note)
			}
		} else if strings.Contains(strings.Join(s.Tags, ","), "bikes") {
			t.Errorf("story %q got the bikes tag", s.Title)
		}
	}
	if r := c.run("explain", bikes); !strings.Contains(r.stdout, "stored:  bikes, by these rules") {
		t.Errorf("explain after retag:\n%s", r.stdout)
	}

	// And again: nothing left to do.
	if r := c.run("retag"); !strings.Contains(r.stdout, "retagged 0 stories") || !strings.Contains(r.stdout, "3 already current") {
		t.Errorf("second retag printed %q", r.stdout)
	}
}

func TestRetagProgressOnATerminal(t *testing.T) {
	var out strings.Builder
	e := &env{stderr: &out, stderrTerminal: true}
	progress, finish := retagProgress(e)
	progress(2000, 4000)
	progress(4000, 4000)
	finish()
	if !strings.Contains(out.String(), "retagging: 2000 of 4000 stories checked (50%)") || !strings.HasSuffix(out.String(), "\r\x1b[2K") {
		t.Errorf("progress on a terminal: %q", out.String())
	}
}

func TestExplainRulesPrintsALoadableStart(t *testing.T) {
	c := newCLI(t)
	r := c.run("explain", "--rules")
	if r.code != 0 || !strings.Contains(r.stdout, "[tags.training-data]") {
		t.Fatalf("explain --rules: exit %d, stdout starts %.80q", r.code, r.stdout)
	}
	// Used as the user's rules file, the built-in rules change nothing.
	before := c.run("explain", "--title", "x").stdout
	c.writeRules(r.stdout)
	if after := c.run("explain", "--title", "x").stdout; after != before[:strings.Index(before, " (built-in)")]+" (built-in + "+filepath.Join(c.home, ".config", "trawl", "rules.toml")+")"+before[strings.Index(before, " (built-in)")+len(" (built-in)"):] {
		t.Errorf("the built-in rules as a user file changed the result:\n%s\nwant the same as\n%s", after, before)
	}
}
