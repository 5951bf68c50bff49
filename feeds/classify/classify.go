// Package classify tags stories with the beats trawl follows and keeps the
// evidence for every decision, so that a user can see why a story was
// tagged and tune the rules when it was wrong.
package classify

import (
	"strings"
	"unicode"

	"github.com/trawl-news/trawl/feeds/item"
)

// Core tag names: part of the CLI contract.
const (
	TagTrainingData = "training-data"
	TagAPIPricing   = "api-pricing"
)

// CoreTags lists the core tags in display order.
var coreTags = []string{TagTrainingData, TagAPIPricing}

// CoreTags returns the core tag names in display order.
func CoreTags() []string { return append([]string(nil), coreTags...) }

// Decision is the classifier's verdict on one tag for one story, fired or
// not, with its evidence.
type Decision struct {
	item.Tag
	Fired bool
}

// Classifier applies a rule set. It is safe for concurrent use.
type Classifier struct {
	rules   []rule
	version string
}

type rule struct {
	tag       string
	threshold float64
	phrases   []phrase
}

type phrase struct {
	words  []string
	weight float64
}

// Default returns the classifier with the built-in rules.
func Default() *Classifier {
	mk := func(weight float64, ps ...string) []phrase {
		var out []phrase
		for _, p := range ps {
			out = append(out, phrase{words: strings.Fields(p), weight: weight})
		}
		return out
	}
	return &Classifier{
		version: "skeleton-1",
		rules: []rule{
			{tag: TagTrainingData, threshold: 2, phrases: append(mk(2, "training data", "trained on", "train its ai", "scraped", "scraping", "ai crawler", "gptbot", "licensing deal", "opt out"), mk(1, "ai", "copyright", "dataset", "datasets")...)},
			{tag: TagAPIPricing, threshold: 2, phrases: append(mk(2, "api pricing", "charge for api", "api access", "paid api", "free api", "per million tokens", "api fees"), mk(1, "api", "price", "pricing", "charge", "fees")...)},
		},
	}
}

// Version identifies the rule set, so retag can skip stories tagged by the
// same rules.
func (c *Classifier) Version() string { return c.version }

// TagNames lists every tag the rules can give, core tags first.
func (c *Classifier) TagNames() []string {
	out := make([]string, len(c.rules))
	for i, r := range c.rules {
		out[i] = r.tag
	}
	return out
}

// Tag classifies it in place.
func (c *Classifier) Tag(it *item.Item) {
	it.Tags = c.Classify(it.Title, it.Summary, "")
	it.RulesVer = c.version
}

// Classify returns the tags that fire for a story.
func (c *Classifier) Classify(title, summary, body string) []item.Tag {
	var out []item.Tag
	for _, d := range c.Explain(title, summary, body) {
		if d.Fired {
			out = append(out, d.Tag)
		}
	}
	return out
}

// Explain returns a decision for every tag, fired or not.
func (c *Classifier) Explain(title, summary, body string) []Decision {
	fields := []struct {
		name   item.Field
		text   string
		weight float64
	}{{item.FieldTitle, title, 1.5}, {item.FieldSummary, summary, 1}, {item.FieldBody, body, 0.5}}
	var out []Decision
	for _, r := range c.rules {
		d := Decision{Tag: item.Tag{Name: r.tag, Threshold: r.threshold}}
		for _, f := range fields {
			toks := tokenize(f.text)
			for _, p := range r.phrases {
				for i := 0; i+len(p.words) <= len(toks); i++ {
					if matchAt(toks, i, p.words) {
						w := p.weight * f.weight
						d.Score += w
						d.Matches = append(d.Matches, item.Match{
							Phrase: strings.Join(p.words, " "), Field: f.name,
							Start: toks[i].start, End: toks[i+len(p.words)-1].end, Weight: w,
						})
						break
					}
				}
			}
		}
		d.Fired = d.Score >= r.threshold
		out = append(out, d)
	}
	return out
}

type token struct {
	text       string
	start, end int
}

func tokenize(s string) []token {
	var toks []token
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, token{strings.ToLower(s[start:i]), start, i})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, token{strings.ToLower(s[start:]), start, len(s)})
	}
	return toks
}

func matchAt(toks []token, i int, words []string) bool {
	for j, w := range words {
		if toks[i+j].text != w {
			return false
		}
	}
	return true
}
