package classify

import (
	"math"
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds/item"
)

// rulesOnly compiles rules without the built-in set, so a test controls
// every phrase.
func rulesOnly(t *testing.T, rules string) *Classifier {
	t.Helper()
	rs := newRuleSet()
	if err := rs.merge("test.toml", []byte(rules)); err != nil {
		t.Fatal(err)
	}
	if err := rs.check(); err != nil {
		t.Fatal(err)
	}
	return compile(rs)
}

const semanticsRules = `
[fields]
title = 2.0
summary = 1.0
body = 0.5

[tags.probe]
threshold = 1
[tags.probe.concepts.words]
weight = 1
phrases = [
  "api", "ai", "train", "web scraping", "opt out", "price", "robots.txt",
  "$", "charge for api access", "pre-training",
]
`

// matched returns the text each match of the tag covers, in order.
func matched(c *Classifier, tag, title, summary string) []string {
	var out []string
	for _, d := range c.Explain(title, summary, "") {
		if d.Name != tag {
			continue
		}
		for _, m := range d.Matches {
			text := title
			if m.Field == item.FieldSummary {
				text = summary
			}
			out = append(out, text[m.Start:m.End])
		}
	}
	return out
}

func TestMatchingSemantics(t *testing.T) {
	c := rulesOnly(t, semanticsRules)
	tests := []struct {
		name, title string
		want        string // matched texts joined by |
	}{
		{"word-bounded: api inside rapid", "Rapid growth at the therapist", ""},
		{"word-bounded: ai inside said, paid, Thailand", "He said Thailand paid", ""},
		{"case", "The API and the AI", "API|AI"},
		{"plural", "New APIs", "APIs"},
		{"upper case", "TRAINING", "TRAINING"},
		{"inflection trains", "Firm trains models", "trains"},
		{"inflection trained", "Models were trained", "trained"},
		{"inflection training", "Training begins", "Training"},
		{"inflection pricing", "Pricing and priced", "Pricing"},
		{"hyphen", "Web-scraping rises", "Web-scraping"},
		{"space", "web scraping rises", "web scraping"},
		{"run together", "webscraping rises", "webscraping"},
		{"dash", "web—scraping rises", "web—scraping"},
		{"hyphenated phrase in text", "opt-out form", "opt-out"},
		{"spaced phrase in text", "opt out form", "opt out"},
		{"joined phrase in text", "optout form", "optout"},
		{"inflected multi-word", "users opted out", "opted out"},
		{"hyphenated rule, joined text", "pretraining starts", "pretraining"},
		{"hyphenated rule, spaced text", "pre training starts", "pre training|training"},
		{"multi-word phrase", "They charge for API access now", "charge for API access|API"},
		{"multi-word needs every word", "They charge for the API access", "API"},
		{"no phrase across sentences", "We charge for. API access is free.", "API"},
		{"dotted word", "A new robots.txt file", "robots.txt"},
		{"currency sign", "Costs $20", "$"},
		{"full-width letters", "ＡＰＩ", "ＡＰＩ"},
		{"possessive", "AI's rise", "AI"},
		{"curly possessive", "AI’s rise", "AI"},
		{"soft hyphen inside a word", "tr\u00adaining", "tr\u00adaining"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(matched(c, "probe", tt.title, ""), "|"); got != tt.want {
				t.Errorf("%q matched %q, want %q", tt.title, got, tt.want)
			}
		})
	}
}

func TestNear(t *testing.T) {
	c := rulesOnly(t, `
[fields]
title = 1.0
summary = 1.0
[tags.probe]
threshold = 5
[tags.probe.concepts.price]
weight = 0
phrases = ["charge", "price"]
[tags.probe.concepts.api]
weight = 0
phrases = ["api access", "api"]
[tags.probe.near.charge-api]
concepts = ["price", "api"]
within = 3
weight = 5
`)
	tests := []struct {
		title, summary string
		fired          bool
		span           string
	}{
		{"Site will charge developers for API access", "", true, "charge developers for API access"},
		{"Site will charge developers and hobbyists for API access", "", false, ""}, // 4 words apart
		{"API access will carry a charge", "", true, "API access will carry a charge"},
		{"We charge. API access stays free.", "", false, ""}, // not across a sentence
		{"A new charge", "for API access", false, ""},        // not across fields
		{"", "Price of API access doubles", true, "Price of API access"},
	}
	for _, tt := range tests {
		d := c.Explain(tt.title, tt.summary, "")[0]
		if d.Fired != tt.fired {
			t.Errorf("%q / %q: fired %v, want %v (%+v)", tt.title, tt.summary, d.Fired, tt.fired, d)
		}
		got := strings.Join(matched(c, "probe", tt.title, tt.summary), "|")
		if got != tt.span {
			t.Errorf("%q / %q: near matched %q, want %q", tt.title, tt.summary, got, tt.span)
		}
	}
}

func TestScoring(t *testing.T) {
	c := rulesOnly(t, `
[fields]
title = 2.0
summary = 1.0
body = 0.5
[tags.probe]
threshold = 3
require = [["ai", "data"]]
[tags.probe.concepts.ai]
weight = 1
phrases = ["ai", "model"]
[tags.probe.concepts.data]
weight = 1
phrases = ["data", "dataset"]
[tags.probe.concepts.noise]
weight = -2
phrases = ["data breach", "ev charging"]
[tags.probe.concepts.price]
weight = 1
phrases = ["charging"]
`)
	tests := []struct {
		name                 string
		title, summary, body string
		score                float64
		fired                bool
		unmet                bool
	}{
		{"a concept counts once per field", "AI AI model", "", "", 2, false, true},
		{"title over summary over body", "AI", "AI", "AI", 3.5, false, true},
		{"required groups met", "AI data", "", "", 4, true, false},
		{"required group missing", "AI model AI", "AI", "AI", 3.5, false, true},
		// "data" inside "data breach" is cancelled, so the group is unmet too.
		{"hard negative counts against", "AI data breach", "", "", 2 - 4, false, true},
		{"negative cancels the words inside it", "EV charging", "", "", -4, false, true},
		{"the word alone still counts", "Charging AI data", "", "", 6, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Explain(tt.title, tt.summary, tt.body)[0]
			if d.Score != tt.score || d.Fired != tt.fired || (d.Unmet != "") != tt.unmet {
				t.Errorf("score %v fired %v unmet %q; want score %v fired %v unmet %v\n%+v", d.Score, d.Fired, d.Unmet, tt.score, tt.fired, tt.unmet, d.Matches)
			}
			checkDecision(t, tt.title, tt.summary, tt.body, d)
		})
	}
}

// The hard negatives the issue names, with the built-in rules: each
// counts against its tag, and the same story without it is tagged.
func TestHardNegatives(t *testing.T) {
	c := Default()
	tests := []struct {
		name, tag      string
		title, summary string
		negative       string // a phrase of the negative evidence
		positiveTwin   [2]string
	}{
		{
			"employee training", TagTrainingData,
			"Microsoft staff must complete new responsible AI training", "Employees will take a two-hour course on the company's AI principles.",
			"course",
			[2]string{"Microsoft must stop AI training on customer data", "Regulators say the company used customer files to train models without consent."},
		},
		{
			"staff trained by an AI firm", TagTrainingData,
			"OpenAI trains its employees on new security rules", "The AI company says all staff must finish by June.",
			"train … employee",
			[2]string{"OpenAI trains its models on news articles", "The AI company says publishers were paid for the data."},
		},
		{
			"data breach without an AI angle", TagTrainingData,
			"Hackers breach retailer and steal data on 40 million customers", "The stolen dataset was posted on a dark web forum.",
			"breach",
			[2]string{"AI startup scraped data on 40 million users to train its chatbot", "The dataset was built from public profiles."},
		},
		{
			"price of a phone", TagAPIPricing,
			"Apple raises the price of the iPhone for developers in Europe", "The company also opened a new API for its Wallet app.",
			"price … iphone",
			[2]string{"Apple raises the price of its Maps API for developers in Europe", "Calls over the free quota now cost more."},
		},
		{
			"API launch with no pricing", TagAPIPricing,
			"Stripe launches a new payments API for marketplaces", "Developers can split payouts between sellers from one endpoint.",
			"launch",
			[2]string{"Stripe launches a paid API tier for marketplaces", "Developers will pay a fee per call above the free quota."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decisionFor(c, tt.tag, tt.title, tt.summary)
			if d.Fired {
				t.Errorf("%q fired %s:\n%s", tt.title, tt.tag, describe(d))
			}
			found, counted := false, false
			for _, m := range d.Matches {
				// A concept counts once per field, so the named phrase may
				// show with weight 0 after another of its concept counted.
				found = found || m.Negative && m.Phrase == tt.negative
				counted = counted || m.Weight < 0
			}
			if !found || !counted {
				t.Errorf("%q: no negative evidence %q:\n%s", tt.title, tt.negative, describe(d))
			}
			if twin := decisionFor(c, tt.tag, tt.positiveTwin[0], tt.positiveTwin[1]); !twin.Fired {
				t.Errorf("the positive twin %q did not fire %s:\n%s", tt.positiveTwin[0], tt.tag, describe(twin))
			}
		})
	}
}

func decisionFor(c *Classifier, tag, title, summary string) Decision {
	for _, d := range c.Explain(title, summary, "") {
		if d.Name == tag {
			return d
		}
	}
	panic("no tag " + tag)
}

func describe(d Decision) string {
	var b strings.Builder
	for i, m := range d.Matches {
		b.WriteString("  " + d.From[i] + ": " + m.Phrase + "\n")
	}
	return b.String()
}

// TestEvidenceOffsets slices the stored title and summary with each match's
// offsets and checks it gets the words that matched, for inflected,
// hyphenated and otherwise altered forms.
func TestEvidenceOffsets(t *testing.T) {
	c := Default()
	title := "Startup trained on pirated books faces a web-scraping suit"
	summary := "Writers say its ＡＩ crawler ignored robots.txt and the opt-out, and that OpenAI’s data-licensing deals came later; scr\u00adaping continued."
	want := map[string]string{ // phrase → the text it must cover
		"trained on":     "trained on",
		"pirated":        "pirated",
		"book":           "books",
		"scrape":         "scraping",
		"suit":           "suit",
		"ai crawler":     "ＡＩ crawler",
		"robots.txt":     "robots.txt",
		"opt out":        "opt-out",
		"openai":         "OpenAI",
		"data licensing": "data-licensing",
	}
	got := map[string]string{}
	for _, d := range c.Explain(title, summary, "") {
		if d.Name != TagTrainingData {
			continue
		}
		for _, m := range d.Matches {
			text := title
			if m.Field == item.FieldSummary {
				text = summary
			}
			if _, dup := got[m.Phrase]; !dup {
				got[m.Phrase] = text[m.Start:m.End]
			}
		}
	}
	for phrase, text := range want {
		if got[phrase] != text {
			t.Errorf("phrase %q: evidence covers %q, want %q", phrase, got[phrase], text)
		}
	}
	// The soft-hyphenated repeat is in the summary too, after "scraping"
	// in the title: check it directly.
	if got := matched(c, TagTrainingData, "", "scr\u00adaping"); len(got) == 0 || got[0] != "scr\u00adaping" {
		t.Errorf("soft-hyphenated word: evidence %q", got)
	}
}

// checkDecision asserts what must hold of every decision: evidence inside
// the text, concept matches that re-read as their phrase, a score that is
// the sum of the evidence, and a verdict that follows from the score.
func checkDecision(t *testing.T, title, summary, body string, d Decision) {
	t.Helper()
	sum := 0.0
	for i, m := range d.Matches {
		text := map[item.Field]string{item.FieldTitle: title, item.FieldSummary: summary, item.FieldBody: body}[m.Field]
		if m.Start < 0 || m.Start >= m.End || m.End > len(text) {
			t.Fatalf("%s: match %+v outside its field of %d bytes", d.Name, m, len(text))
		}
		if m.Negative != (m.Weight < 0) && m.Weight != 0 {
			t.Errorf("%s: match %+v: Negative does not agree with the weight", d.Name, m)
		}
		if !strings.HasPrefix(d.From[i], "near ") {
			a, _ := phraseKey(text[m.Start:m.End])
			b, _ := phraseKey(m.Phrase)
			if a != b && strings.ReplaceAll(a, " ", "") != strings.ReplaceAll(b, " ", "") {
				// Run-together forms ("optout") differ only in spacing.
				unhyphen := strings.NewReplacer("-", "", "\u2010", "", "\u2011", "")
				ja, _ := phraseKey(unhyphen.Replace(text[m.Start:m.End]))
				jb, _ := phraseKey(unhyphen.Replace(strings.ReplaceAll(m.Phrase, " ", "")))
				if ja != jb {
					t.Errorf("%s: match %q at [%d:%d] reads %q, not the phrase", d.Name, m.Phrase, m.Start, m.End, text[m.Start:m.End])
				}
			}
		}
		sum += m.Weight
	}
	if math.Abs(sum-d.Score) > 1e-9*math.Max(1, math.Abs(sum)) {
		t.Errorf("%s: evidence adds up to %v, score is %v", d.Name, sum, d.Score)
	}
	if d.Fired && (d.Score < d.Threshold || d.Unmet != "") {
		t.Errorf("%s fired with score %v < %v or unmet %q", d.Name, d.Score, d.Threshold, d.Unmet)
	}
	if !d.Fired && d.Score >= d.Threshold && d.Unmet == "" {
		t.Errorf("%s did not fire with score %v >= %v and nothing unmet", d.Name, d.Score, d.Threshold)
	}
}

// TestDecisionsOnDevSet checks every decision on the development set the
// way TestScoring checks its few, and that Classify (the fast path used
// when fetching) agrees with Explain.
func TestDecisionsOnDevSet(t *testing.T) {
	c := Default()
	for _, ex := range readSet(t, c, "testdata/dev.tsv") {
		var fired []item.Tag
		for _, d := range c.Explain(ex.Title, ex.Summary, "") {
			checkDecision(t, ex.Title, ex.Summary, "", d)
			if d.Fired {
				fired = append(fired, d.Tag)
			}
		}
		got := c.Classify(ex.Title, ex.Summary, "")
		if len(got) != len(fired) {
			t.Fatalf("line %d: Classify gave %d tags, Explain fired %d", ex.Line, len(got), len(fired))
		}
		for i := range got {
			if got[i].Name != fired[i].Name || got[i].Score != fired[i].Score || len(got[i].Matches) != len(fired[i].Matches) {
				t.Errorf("line %d: Classify %+v, Explain %+v", ex.Line, got[i], fired[i])
			}
		}
	}
}

func TestTagSetsTagsAndVersion(t *testing.T) {
	c := Default()
	it := item.Item{
		Title:   "Stack Overflow will charge AI companies for API access to train models",
		Summary: "Firms that scrape its Q&A archive for training data will have to pay.",
		Content: "<p>ignored: the body is not read by Tag</p>",
	}
	c.Tag(&it)
	if it.RulesVer != c.Version() || len(c.Version()) != 12 {
		t.Errorf("RulesVer %q, version %q", it.RulesVer, c.Version())
	}
	if got := strings.Join(it.TagNames(), ","); got != "training-data,api-pricing" {
		t.Errorf("tags %q", got)
	}
	for _, tg := range it.Tags {
		if len(tg.Matches) == 0 || tg.Score < tg.Threshold {
			t.Errorf("tag %+v lacks evidence", tg)
		}
		for _, m := range tg.Matches {
			if m.Field == item.FieldBody {
				t.Errorf("Tag read the body: %+v", m)
			}
		}
	}
	none := item.Item{Title: "City council approves new bike lanes"}
	c.Tag(&none)
	if none.Tags != nil || none.RulesVer != c.Version() {
		t.Errorf("untagged story: tags %v, version %q", none.Tags, none.RulesVer)
	}
}

func TestTagNamesCoreFirst(t *testing.T) {
	if names := Default().TagNames(); strings.Join(names, ",") != "training-data,api-pricing" {
		t.Errorf("by default TagNames %v, want the core tags only (the extra tags are off)", names)
	}
	c := withUser(t, allExtras)
	names := c.TagNames()
	if len(names) < 3 || names[0] != TagTrainingData || names[1] != TagAPIPricing {
		t.Fatalf("TagNames %v: want the core tags first and more after", names)
	}
	for i := 3; i < len(names); i++ {
		if names[i-1] > names[i] {
			t.Errorf("extra tags not sorted: %v", names)
		}
	}
	for _, n := range names {
		if c.Description(n) == "" {
			t.Errorf("tag %s has no description", n)
		}
	}
}
