// Package classify tags stories with the beats trawl follows and keeps the
// evidence for every decision, so that a user can see why a story was
// tagged and tune the rules when it was wrong.
//
// Rules are TOML: the built-in set (rules.toml in this package, embedded
// in the binary) merged with the user's file. A tag has concepts (named
// lists of phrases with a weight, negative for hard negatives), near rules
// (two concepts within a few words of each other), a threshold, and
// optionally groups of concepts that must all be present before it can
// fire. A concept counts once per field in which it matches, multiplied by
// the field's weight (title over summary over body).
package classify

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/trawl-news/trawl/feeds/item"
)

// Core tag names: part of the CLI contract.
const (
	TagTrainingData = "training-data"
	TagAPIPricing   = "api-pricing"
)

// CoreTags returns the core tag names in display order.
func CoreTags() []string { return []string{TagTrainingData, TagAPIPricing} }

func isCore(name string) bool { return name == TagTrainingData || name == TagAPIPricing }

//go:embed rules.toml
var builtinRules []byte

// BuiltinRules returns the text of the built-in rules, the best
// documentation of the rules format.
func BuiltinRules() []byte { return slices.Clone(builtinRules) }

// Source is a rules file: its name (for error messages) and contents.
type Source struct {
	Name string
	Data []byte
}

// Decision is the classifier's verdict on one tag for one story, fired or
// not, with its evidence.
type Decision struct {
	item.Tag
	Fired bool
	// Unmet describes the concepts the tag requires that did not all
	// match ("needs ai + acquire"); empty when the requirement is met.
	Unmet string
	// From names the concept or near rule each match came from, in the
	// order of Matches.
	From []string
}

// Classifier applies a rule set. It is safe for concurrent use.
type Classifier struct {
	fields   [3]float64 // weight of title, summary, body
	tags     []ctag
	concepts []cconcept
	table    *vocabTable // stem → vocabulary id
	starts   [][]int32   // vocabulary id → phrases starting with it
	phrases  []cphrase
	version  string
	sources  []string
	pool     sync.Pool // *scratch
}

// Default returns the classifier with the built-in rules.
func Default() *Classifier {
	c, err := New()
	if err != nil {
		// The built-in rules are tested; this is a build mistake.
		panic("classify: built-in rules: " + err.Error())
	}
	return c
}

// New returns a classifier with the built-in rules changed by each user
// rules source in turn.
func New(user ...Source) (*Classifier, error) {
	base, err := parseBuiltin()
	if err != nil {
		return nil, err
	}
	return newFrom(base, user...)
}

func parseBuiltin() (*ruleSet, error) {
	rs := newRuleSet()
	if err := rs.merge("built-in", builtinRules); err != nil {
		return nil, err
	}
	return rs, nil
}

// newFrom merges user rules into rs, which it changes, and compiles the
// result.
func newFrom(rs *ruleSet, user ...Source) (*Classifier, error) {
	for _, s := range user {
		if err := rs.merge(s.Name, s.Data); err != nil {
			return nil, err
		}
	}
	if err := rs.check(); err != nil {
		return nil, err
	}
	return compile(rs), nil
}

// LoadFile returns a classifier with the built-in rules and the user's
// rules file at path. A missing file means the built-in rules alone.
func LoadFile(path string) (*Classifier, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return New()
	}
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return New(Source{Name: path, Data: data})
}

// Version identifies the rule set, so retag can skip stories tagged by the
// same rules. It is a hash of the merged rules and changes whenever they
// do.
func (c *Classifier) Version() string { return c.version }

// Sources names the rules merged into this classifier, built-in first.
func (c *Classifier) Sources() []string { return slices.Clone(c.sources) }

// TagNames lists every tag the rules can give, core tags first.
func (c *Classifier) TagNames() []string {
	out := make([]string, len(c.tags))
	for i, t := range c.tags {
		out[i] = t.name
	}
	return out
}

// Description returns what a tag is for, as the rules describe it.
func (c *Classifier) Description(tag string) string {
	for _, t := range c.tags {
		if t.name == tag {
			return t.description
		}
	}
	return ""
}

// Tag classifies it in place from its title and summary.
//
// The body is left out on purpose: Content is sanitised HTML that would
// have to be converted to text first, which costs more than classifying,
// and feeds put the lede in the summary. Explain on the same title and
// summary reproduces the decision.
func (c *Classifier) Tag(it *item.Item) {
	it.Tags = c.Classify(it.Title, it.Summary, "")
	it.RulesVer = c.version
}

// Classify returns the tags that fire for a story, with their evidence;
// nil when none does. body is plain text; evidence offsets are byte
// offsets into whichever of title, summary or body they name.
func (c *Classifier) Classify(title, summary, body string) []item.Tag {
	s := c.getScratch()
	defer c.putScratch(s)
	c.scan(s, [3]string{title, summary, body})
	var out []item.Tag
	for ti := range c.tags {
		if !s.tagHit[ti] {
			continue
		}
		if score, ok := c.score(s, ti); ok && score >= c.tags[ti].threshold {
			out = append(out, c.decision(s, ti, score, ok, false).Tag)
		}
	}
	return out
}

// Explain returns a decision for every tag, fired or not, in TagNames
// order.
func (c *Classifier) Explain(title, summary, body string) []Decision {
	s := c.getScratch()
	defer c.putScratch(s)
	c.scan(s, [3]string{title, summary, body})
	out := make([]Decision, len(c.tags))
	for ti := range c.tags {
		score, gate := c.score(s, ti)
		out[ti] = c.decision(s, ti, score, gate, true)
	}
	return out
}
