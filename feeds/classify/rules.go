package classify

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// RulesError is a problem in a rules file: which file, which line (0 when
// unknown) and what is wrong.
type RulesError struct {
	File string
	Line int
	Msg  string
}

func (e *RulesError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("rules %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("rules %s: %s", e.File, e.Msg)
}

// Limits that keep a rules file from making the classifier useless or slow.
const (
	maxPhraseWords = 8
	maxPhraseBytes = 200
	maxPhrases     = 50000
	maxWithin      = 30
	maxWeight      = 100
	maxThreshold   = 1000
	maxFieldWeight = 10
)

// The TOML shape of a rules file. Pointers tell "not set" from zero, so a
// user file changes only what it mentions.
type rulesFile struct {
	Fields *fieldsFile         `toml:"fields"`
	Tags   map[string]*tagFile `toml:"tags"`
}

type fieldsFile struct {
	Title   *float64 `toml:"title"`
	Summary *float64 `toml:"summary"`
	Body    *float64 `toml:"body"`
}

type tagFile struct {
	Description *string                 `toml:"description"`
	Threshold   *float64                `toml:"threshold"`
	Require     *[][]string             `toml:"require"`
	Enabled     *bool                   `toml:"enabled"`
	Concepts    map[string]*conceptFile `toml:"concepts"`
	Near        map[string]*nearFile    `toml:"near"`
}

type conceptFile struct {
	Weight  *float64 `toml:"weight"`
	Phrases []string `toml:"phrases"`
	Remove  []string `toml:"remove"`
	Replace bool     `toml:"replace"`
}

type nearFile struct {
	Concepts []string `toml:"concepts"`
	Within   *int     `toml:"within"`
	Weight   *float64 `toml:"weight"`
}

// knownKeys lists the keys allowed at each depth of a rules file, for the
// message about an unknown key.
func knownKeys(path []string) string {
	switch {
	case len(path) == 1:
		return "fields, tags"
	case path[0] == "fields":
		return "title, summary, body"
	case len(path) == 3:
		return "description, threshold, require, enabled, concepts, near"
	case len(path) == 5 && path[2] == "concepts":
		return "weight, phrases, remove, replace"
	case len(path) == 5 && path[2] == "near":
		return "concepts, within, weight"
	}
	return ""
}

// ruleSet is the merged, validated rules: built-in plus user files.
type ruleSet struct {
	fields  [3]float64 // title, summary, body
	tags    map[string]*tagRule
	sources []string
}

type tagRule struct {
	name        string
	disabled    bool // defined but not given; enabled = true turns it on
	description string
	threshold   float64
	require     [][]string // alternatives, each a list of "a|b" elements
	concepts    map[string]*conceptRule
	near        map[string]*nearRule
	at          where // where the tag was first defined
	requireAt   where // where require was last set
}

type conceptRule struct {
	weight  float64
	phrases []rulePhrase // in order, without normalised duplicates
	keys    map[string]bool
	at      where
}

// rulePhrase is a phrase as written and the word sequences it matches,
// worked out once when the rules are read.
type rulePhrase struct {
	text     string
	key      string
	variants [][]string
}

type nearRule struct {
	a, b   string // "a|b" elements
	within int
	weight float64
	at     where
}

// where is a place in a rules file, for error messages.
type where struct {
	file  string
	lines keyLines
	path  []string
}

func (w where) sub(keys ...string) where {
	return where{file: w.file, lines: w.lines, path: append(slices.Clip(w.path), keys...)}
}

func (w where) errf(format string, args ...any) *RulesError {
	return &RulesError{File: w.file, Line: w.lines.line(w.path, 0), Msg: fmt.Sprintf(format, args...)}
}

func newRuleSet() *ruleSet {
	return &ruleSet{tags: map[string]*tagRule{}}
}

// clone copies the set deeply enough that merging into the copy leaves
// the original alone (phrases and places are never changed in place).
func (rs *ruleSet) clone() *ruleSet {
	out := &ruleSet{fields: rs.fields, tags: make(map[string]*tagRule, len(rs.tags)), sources: slices.Clone(rs.sources)}
	for name, t := range rs.tags {
		ct := *t
		ct.require = slices.Clone(t.require)
		ct.concepts = make(map[string]*conceptRule, len(t.concepts))
		for cn, c := range t.concepts {
			cc := *c
			cc.phrases = slices.Clone(c.phrases)
			cc.keys = maps.Clone(c.keys)
			ct.concepts[cn] = &cc
		}
		ct.near = make(map[string]*nearRule, len(t.near))
		for nn, n := range t.near {
			cn := *n
			ct.near[nn] = &cn
		}
		out.tags[name] = &ct
	}
	return out
}

var (
	tagNameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	ruleNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	tomlLineRE = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)
)

// merge applies one rules file to the set. The first file (the built-in
// rules) defines; later files change weights and thresholds, add phrases,
// concepts and tags, and remove phrases.
func (rs *ruleSet) merge(file string, src []byte) error {
	var rf rulesFile
	md, err := toml.Decode(string(src), &rf)
	if err != nil {
		return tomlError(file, err)
	}
	lines := scanKeyLines(string(src))
	root := where{file: file, lines: lines}
	if und := md.Undecoded(); len(und) > 0 {
		key := []string(und[0])
		msg := fmt.Sprintf("unknown key %q", strings.Join(key, "."))
		if known := knownKeys(key); known != "" {
			msg += " (known keys here: " + known + ")"
		}
		return root.sub(key...).errf("%s", msg)
	}
	var errs []*RulesError
	fail := func(e *RulesError) { errs = append(errs, e) }

	if f := rf.Fields; f != nil {
		for i, v := range []*float64{f.Title, f.Summary, f.Body} {
			if v == nil {
				continue
			}
			name := [...]string{"title", "summary", "body"}[i]
			if !finite(*v) || *v < 0 || *v > maxFieldWeight {
				fail(root.sub("fields", name).errf("field weight %s = %v: want a number from 0 to %d", name, *v, maxFieldWeight))
				continue
			}
			rs.fields[i] = *v
		}
	}
	for _, name := range sortedKeys(rf.Tags) {
		if e := rs.mergeTag(root.sub("tags", name), name, rf.Tags[name]); e != nil {
			fail(e)
		}
	}
	rs.sources = append(rs.sources, file)
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs[0]
}

func (rs *ruleSet) mergeTag(at where, name string, tf *tagFile) *RulesError {
	if !tagNameRE.MatchString(name) {
		return at.errf("tag name %q: use 1 to 32 lower-case letters, digits and hyphens", name)
	}
	if tf == nil {
		return at.errf("tag %s is empty", name)
	}
	t := rs.tags[name]
	if tf.Enabled != nil {
		if !*tf.Enabled && isCore(name) {
			return at.sub("enabled").errf("tag %s is a core tag and cannot be disabled; raise its threshold instead", name)
		}
		if t == nil && tf.Threshold == nil && tf.Concepts == nil {
			return at.sub("enabled").errf("there is no tag %s to turn on or off", name)
		}
	}
	if t == nil {
		t = &tagRule{name: name, concepts: map[string]*conceptRule{}, near: map[string]*nearRule{}, at: at, threshold: math.NaN()}
		rs.tags[name] = t
	}
	if tf.Enabled != nil {
		// A disabled tag keeps its rules, so a later file can turn it on.
		t.disabled = !*tf.Enabled
	}
	if tf.Description != nil {
		t.description = strings.TrimSpace(*tf.Description)
	}
	if tf.Threshold != nil {
		v := *tf.Threshold
		if !finite(v) || v <= 0 || v > maxThreshold {
			return at.sub("threshold").errf("threshold %v of tag %s: want a number above 0 and at most %d", v, name, maxThreshold)
		}
		t.threshold = v
	}
	if math.IsNaN(t.threshold) {
		return at.errf("new tag %s needs a threshold", name)
	}
	if tf.Require != nil {
		t.require = nil
		for _, alt := range *tf.Require {
			if len(alt) == 0 {
				return at.sub("require").errf("require of tag %s has an empty group; write [\"concept\", ...]", name)
			}
			t.require = append(t.require, slices.Clone(alt))
		}
		t.requireAt = at.sub("require")
	}
	for _, cname := range sortedKeys(tf.Concepts) {
		if e := t.mergeConcept(at.sub("concepts", cname), cname, tf.Concepts[cname]); e != nil {
			return e
		}
	}
	for _, nname := range sortedKeys(tf.Near) {
		if e := t.mergeNear(at.sub("near", nname), nname, tf.Near[nname]); e != nil {
			return e
		}
	}
	return nil
}

func (t *tagRule) mergeConcept(at where, name string, cf *conceptFile) *RulesError {
	if !ruleNameRE.MatchString(name) {
		return at.errf("concept name %q: use 1 to 32 lower-case letters, digits, - and _", name)
	}
	if cf == nil {
		return at.errf("concept %s is empty", name)
	}
	if _, clash := t.near[name]; clash {
		return at.errf("tag %s has a near rule called %s already; concepts and near rules need different names", t.name, name)
	}
	c := t.concepts[name]
	if c == nil {
		if cf.Weight == nil {
			return at.errf("new concept %s needs a weight", name)
		}
		c = &conceptRule{keys: map[string]bool{}, at: at}
		t.concepts[name] = c
	}
	if cf.Weight != nil {
		if e := checkWeight(at.sub("weight"), *cf.Weight, true); e != nil {
			return e
		}
		c.weight = *cf.Weight
	}
	if cf.Replace {
		c.phrases, c.keys = nil, map[string]bool{}
	}
	for _, p := range cf.Remove {
		key, err := phraseKey(p)
		if err != nil || !c.keys[key] {
			return at.sub("remove").errf("cannot remove %q from concept %s: it has no such phrase", p, name)
		}
		delete(c.keys, key)
		c.phrases = slices.DeleteFunc(c.phrases, func(q rulePhrase) bool { return q.key == key })
	}
	for _, p := range cf.Phrases {
		words, err := phraseWords(p)
		if err != nil {
			return at.sub("phrases").errf("phrase %q in concept %s: %s", p, name, err)
		}
		key := strings.Join(words, " ")
		if c.keys[key] {
			continue
		}
		c.keys[key] = true
		text := strings.Join(strings.Fields(p), " ")
		c.phrases = append(c.phrases, rulePhrase{text: text, key: key, variants: phraseVariants(text, words)})
	}
	if len(c.phrases) == 0 {
		return at.errf("concept %s has no phrases", name)
	}
	return nil
}

func (t *tagRule) mergeNear(at where, name string, nf *nearFile) *RulesError {
	if !ruleNameRE.MatchString(name) {
		return at.errf("near rule name %q: use 1 to 32 lower-case letters, digits, - and _", name)
	}
	if nf == nil {
		return at.errf("near rule %s is empty", name)
	}
	if _, clash := t.concepts[name]; clash {
		return at.errf("tag %s has a concept called %s already; concepts and near rules need different names", t.name, name)
	}
	n := t.near[name]
	if n == nil {
		if nf.Concepts == nil || nf.Within == nil || nf.Weight == nil {
			return at.errf("new near rule %s needs concepts, within and weight", name)
		}
		n = &nearRule{at: at}
		t.near[name] = n
	}
	if nf.Concepts != nil {
		if len(nf.Concepts) != 2 {
			return at.sub("concepts").errf("near rule %s: concepts wants exactly two entries, got %d", name, len(nf.Concepts))
		}
		n.a, n.b = nf.Concepts[0], nf.Concepts[1]
		n.at = at
	}
	if nf.Within != nil {
		if *nf.Within < 1 || *nf.Within > maxWithin {
			return at.sub("within").errf("near rule %s: within %d: want 1 to %d words", name, *nf.Within, maxWithin)
		}
		n.within = *nf.Within
	}
	if nf.Weight != nil {
		if e := checkWeight(at.sub("weight"), *nf.Weight, false); e != nil {
			return e
		}
		n.weight = *nf.Weight
	}
	return nil
}

// checkWeight accepts weights from -maxWeight to maxWeight; zero only for
// concepts, which may exist just to feed near rules and require.
func checkWeight(at where, v float64, zeroOK bool) *RulesError {
	if !finite(v) || v == 0 && !zeroOK || math.Abs(v) > maxWeight {
		what := "a non-zero number"
		if zeroOK {
			what = "a number"
		}
		return at.errf("weight %v: want %s from -%d to %d (negative counts against the tag)", v, what, maxWeight, maxWeight)
	}
	return nil
}

// check validates what only the merged set can tell: that every name a
// rule refers to exists and that each tag can fire at all.
func (rs *ruleSet) check() error {
	total := 0
	for _, name := range sortedKeys(rs.tags) {
		t := rs.tags[name]
		positive := false
		for _, c := range t.concepts {
			total += len(c.phrases)
			positive = positive || c.weight > 0
		}
		for _, n := range t.near {
			positive = positive || n.weight > 0
		}
		if !positive {
			return t.at.errf("tag %s has no concept or near rule with a positive weight, so it can never fire", name)
		}
		for _, nname := range sortedKeys(t.near) {
			n := t.near[nname]
			for _, el := range []string{n.a, n.b} {
				if bad := t.unknownNames(el, false); bad != "" {
					return n.at.sub("concepts").errf("near rule %s of tag %s: no concept %q", nname, name, bad)
				}
			}
		}
		for _, alt := range t.require {
			for _, el := range alt {
				if bad := t.unknownNames(el, true); bad != "" {
					return t.requireAt.errf("require of tag %s: no concept or near rule %q", name, bad)
				}
			}
		}
	}
	if total > maxPhrases {
		return &RulesError{File: rs.sources[len(rs.sources)-1], Msg: fmt.Sprintf("%d phrases in all; the limit is %d", total, maxPhrases)}
	}
	return nil
}

// unknownNames returns the first name in an "a|b" element that is not a
// concept (or, when nearToo, a near rule) of t.
func (t *tagRule) unknownNames(el string, nearToo bool) string {
	for _, n := range strings.Split(el, "|") {
		n = strings.TrimSpace(n)
		if t.concepts[n] != nil || nearToo && t.near[n] != nil {
			continue
		}
		return n
	}
	return ""
}

// hash is the rules version: it changes whenever the merged rules change
// in any way that can change a tag or its evidence.
func (rs *ruleSet) hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "engine %d\nfields %v %v %v\n", engineVersion, rs.fields[0], rs.fields[1], rs.fields[2])
	for _, name := range sortedKeys(rs.tags) {
		t := rs.tags[name]
		if t.disabled {
			continue // rules that give no tag cannot change any story
		}
		fmt.Fprintf(h, "tag %q %v %q\n", name, t.threshold, t.require)
		for _, cn := range sortedKeys(t.concepts) {
			c := t.concepts[cn]
			fmt.Fprintf(h, "concept %q %v", cn, c.weight)
			for _, p := range c.phrases {
				fmt.Fprintf(h, " %q", p.text)
			}
			fmt.Fprintln(h)
		}
		for _, nn := range sortedKeys(t.near) {
			n := t.near[nn]
			fmt.Fprintf(h, "near %q %q %q %d %v\n", nn, n.a, n.b, n.within, n.weight)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// engineVersion is part of the rules version: bump it when tokenising,
// stemming or scoring changes, so retag re-tags every story.
const engineVersion = 1

// tomlError turns the TOML library's error into a RulesError with a line.
func tomlError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = pe.LastKey + ": " + msg
		}
		return &RulesError{File: file, Line: pe.Position.Line, Msg: escapeControls(msg)}
	}
	if m := tomlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg := m[3]
		if m[2] != "" {
			msg = m[2] + ": " + msg
		}
		return &RulesError{File: file, Line: line, Msg: escapeControls(msg)}
	}
	return &RulesError{File: file, Msg: escapeControls(strings.TrimPrefix(err.Error(), "toml: "))}
}

// escapeControls writes newlines and tabs as \n and \t and drops other
// control and bidi characters: the TOML library quotes the offending input
// in its messages, and an error must stay one line and never drive the
// terminal.
func escapeControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r < 0xa0 || r >= 0x200e && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return -1
		}
		return r
	}, strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
