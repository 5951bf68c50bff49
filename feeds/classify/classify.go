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
	"sort"
	"strings"
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
	vocab    map[string]int32 // stem → id, while compiling
	table    *vocabTable      // the same, for matching
	starts   [][]int32        // vocabulary id → phrases starting with it
	phrases  []cphrase
	version  string
	sources  []string
	pool     sync.Pool // *scratch
}

type ctag struct {
	name, description string
	threshold         float64
	concepts          []int32
	near              []cnear
	require           [][][]int32 // alternatives → elements → units (concept ≥ 0, near rule k as -k-1)
	requireText       string
}

type cconcept struct {
	tag    int32
	name   string
	weight float64
}

type cnear struct {
	name     string
	a, b     []int32  // concepts
	aIn, bIn []uint64 // bit p: phrase p has a reference to a concept of a (b)
	within   int32
	weight   float64
}

// cphrase is a sequence of vocabulary ids and the concepts it belongs to.
type cphrase struct {
	toks     []int32
	refs     []pref
	negative bool // some ref is to a negative concept
}

type pref struct {
	concept int32
	tag     int32  // the concept's tag, to save a lookup when scanning
	neg     bool   // the concept's weight is negative
	text    string // the phrase as the rules wrote it
}

// maxOccurrences bounds the matches kept for one story, so a hostile body
// of repeated keywords costs time linear in its length and no more.
const maxOccurrences = 4096

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
	rs := newRuleSet()
	if err := rs.merge("built-in", builtinRules); err != nil {
		return nil, err
	}
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

// scratch is the per-call working memory, pooled so that classifying
// allocates nothing for stories that get no tag.
type scratch struct {
	tz       tokenizer
	occ      []occurrence
	fieldEnd [3]int  // occ[fieldEnd[f-1]:fieldEnd[f]] are field f's
	hit      []uint8 // per concept: bit f set when it matched in field f
	counted  []uint8 // per concept, while building evidence
	touched  []int32 // concepts with hit != 0
	tagHit   []bool  // per tag: some concept of it matched
	nearHit  []uint8 // per near rule of the tag being scored
	matches  []matchAt
}

// occurrence is one phrase found in one field.
type occurrence struct {
	phrase     int32
	field      uint8
	tok, tokTo int32 // token range
	sent       int32
	start, end int32  // byte range in the field
	supp       uint32 // bit i: refs[i] cancelled by a hard negative around it
}

func (c *Classifier) getScratch() *scratch {
	if s, ok := c.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		tz:      tokenizer{cache: new(wordCache)},
		hit:     make([]uint8, len(c.concepts)),
		counted: make([]uint8, len(c.concepts)),
		tagHit:  make([]bool, len(c.tags)),
	}
}

func (c *Classifier) putScratch(s *scratch) {
	for _, ci := range s.touched {
		s.hit[ci] = 0
	}
	s.touched = s.touched[:0]
	clear(s.tagHit)
	if cap(s.occ) > 4*maxOccurrences {
		s.occ = nil // do not keep a hostile story's buffers
	}
	c.pool.Put(s)
}

// scan finds every phrase occurrence in the fields.
func (c *Classifier) scan(s *scratch, texts [3]string) {
	s.occ = s.occ[:0]
	for f, text := range texts {
		if text != "" && c.fields[f] != 0 {
			c.scanField(s, uint8(f), text)
		}
		s.fieldEnd[f] = len(s.occ)
	}
}

func (c *Classifier) scanField(s *scratch, f uint8, text string) {
	toks := s.tz.tokenize(text, c.table)
	first := len(s.occ)
	negative := false
tokens:
	for i := range toks {
		id := toks[i].id
		if id < 0 {
			continue
		}
		for _, pi := range c.starts[id] {
			p := &c.phrases[pi]
			n := len(p.toks)
			if i+n > len(toks) || toks[i+n-1].sent != toks[i].sent {
				continue
			}
			match := true
			for j := 1; j < n; j++ {
				if toks[i+j].id != p.toks[j] {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			if len(s.occ) >= maxOccurrences {
				break tokens
			}
			s.occ = append(s.occ, occurrence{
				phrase: pi, field: f, tok: int32(i), tokTo: int32(i + n), sent: toks[i].sent,
				start: toks[i].start, end: toks[i+n-1].end,
			})
			negative = negative || p.negative
		}
	}
	occ := s.occ[first:]
	for k := range occ {
		x := &occ[k]
		for ri, r := range c.phrases[x.phrase].refs {
			if negative && !r.neg && ri < 32 && c.covered(occ, k, r.tag) {
				x.supp |= 1 << ri
				continue
			}
			if s.hit[r.concept] == 0 {
				s.touched = append(s.touched, r.concept)
			}
			s.hit[r.concept] |= 1 << f
			s.tagHit[r.tag] = true
		}
	}
}

// covered reports whether occ[k] lies within a match of one of tag's
// negative concepts: a hard negative such as "EV charging" or "employee
// training" cancels the words inside it rather than merely outweighing
// them.
func (c *Classifier) covered(occ []occurrence, k int, tag int32) bool {
	x := &occ[k]
	// Only an occurrence starting at most a phrase's length before x can
	// reach past its end.
	for j := firstFrom(occ, x.tok-maxPhraseWords+1); j < len(occ); j++ {
		y := &occ[j]
		if y.tok > x.tok {
			break // occurrences are in token order
		}
		if j == k || y.tokTo < x.tokTo {
			continue
		}
		for _, r := range c.phrases[y.phrase].refs {
			if r.neg && r.tag == tag {
				return true
			}
		}
	}
	return false
}

// score adds up a tag: each concept once per field it matched in, each
// near rule once per field it holds in, times the field weight. It also
// reports which near rules held (in s.nearHit) and whether the tag's
// required concepts are present.
func (c *Classifier) score(s *scratch, ti int) (score float64, gate bool) {
	t := &c.tags[ti]
	for _, ci := range t.concepts {
		m := s.hit[ci]
		if m == 0 {
			continue
		}
		w := c.concepts[ci].weight
		for f := range 3 {
			if m&(1<<f) != 0 {
				score += w * c.fields[f]
			}
		}
	}
	s.nearHit = s.nearHit[:0]
	for k := range t.near {
		n := &t.near[k]
		var m uint8
		both := c.fieldsHit(s, n.a) & c.fieldsHit(s, n.b)
		for f := range 3 {
			if both&(1<<f) == 0 {
				continue // one side never matched in this field
			}
			if a, _ := c.nearIn(s, n, f); a >= 0 {
				m |= 1 << f
				score += n.weight * c.fields[f]
			}
		}
		s.nearHit = append(s.nearHit, m)
	}
	return score, c.gate(s, t)
}

// fieldsHit returns the fields in which any of the concepts matched.
func (c *Classifier) fieldsHit(s *scratch, concepts []int32) uint8 {
	var m uint8
	for _, ci := range concepts {
		m |= s.hit[ci]
	}
	return m
}

// gate reports whether one of the tag's required groups is fully present.
func (c *Classifier) gate(s *scratch, t *ctag) bool {
	if len(t.require) == 0 {
		return true
	}
	for _, alt := range t.require {
		ok := true
		for _, el := range alt {
			if !c.anyPresent(s, el) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c *Classifier) anyPresent(s *scratch, units []int32) bool {
	for _, u := range units {
		if u >= 0 && s.hit[u] != 0 || u < 0 && s.nearHit[-u-1] != 0 {
			return true
		}
	}
	return false
}

// nearIn finds the closest pair of occurrences, one of each concept set of
// n, in field f and the same sentence, no more than n.within words apart.
// It returns their indices in s.occ, or -1.
func (c *Classifier) nearIn(s *scratch, n *cnear, f int) (int, int) {
	lo := 0
	if f > 0 {
		lo = s.fieldEnd[f-1]
	}
	occ := s.occ[lo:s.fieldEnd[f]]
	bestA, bestB, bestGap := -1, -1, int32(1<<30)
	for i := range occ {
		x := &occ[i]
		if !inSet(n.aIn, x.phrase) || x.supp != 0 && c.refIn(x, n.a) == nil {
			continue
		}
		for j := firstFrom(occ, x.tok-n.within-maxPhraseWords); j < len(occ); j++ {
			y := &occ[j]
			if y.tok > x.tokTo+n.within {
				break // occurrences are in token order
			}
			if y.sent != x.sent || y.tokTo+n.within < x.tok || !inSet(n.bIn, y.phrase) || y.supp != 0 && c.refIn(y, n.b) == nil {
				continue
			}
			var gap int32
			switch {
			case x.tokTo <= y.tok:
				gap = y.tok - x.tokTo
			case y.tokTo <= x.tok:
				gap = x.tok - y.tokTo
			default:
				continue // overlapping: one phrase is not near itself
			}
			if gap <= n.within && gap < bestGap {
				bestA, bestB, bestGap = lo+i, lo+j, gap
			}
		}
	}
	return bestA, bestB
}

func inSet(set []uint64, p int32) bool { return set[p>>6]&(1<<(p&63)) != 0 }

// phraseSet marks the phrases with a reference to one of the concepts.
func (c *Classifier) phraseSet(concepts []int32) []uint64 {
	set := make([]uint64, (len(c.phrases)+63)/64)
	for p := range c.phrases {
		for _, r := range c.phrases[p].refs {
			if slices.Contains(concepts, r.concept) {
				set[p>>6] |= 1 << (p & 63)
			}
		}
	}
	return set
}

// firstFrom returns the index of the first occurrence starting at token
// tok or later; occurrences are in token order.
func firstFrom(occ []occurrence, tok int32) int {
	return sort.Search(len(occ), func(i int) bool { return occ[i].tok >= tok })
}

// refIn returns the first reference of occurrence x to a concept in set
// that a hard negative did not cancel, or nil.
func (c *Classifier) refIn(x *occurrence, set []int32) *pref {
	refs := c.phrases[x.phrase].refs
	for i := range refs {
		if x.supp&(1<<i) == 0 && slices.Contains(set, refs[i].concept) {
			return &refs[i]
		}
	}
	return nil
}

// matchAt is a match with the rule it came from, while evidence is built.
type matchAt struct {
	m     item.Match
	field uint8  // index of m.Field, for ordering
	from  string // concept name, or "" for near rule near
	near  int32
}

// decision builds the full decision for tag ti from a scanned story: the
// score, whether it fired, and every match. A concept's first match in a
// field carries its weight; further matches of it in that field are shown
// with weight 0, because a concept counts once per field.
//
// score and gate are what c.score just returned for the tag, which also
// left the tag's near rules in s.nearHit.
func (c *Classifier) decision(s *scratch, ti int, score float64, gate, withFrom bool) Decision {
	t := &c.tags[ti]
	d := Decision{Tag: item.Tag{Name: t.name, Threshold: t.threshold}}
	d.Score = score
	d.Fired = gate && score >= t.threshold
	if !gate {
		d.Unmet = c.unmet(t)
	}
	s.matches = s.matches[:0]
	for i := range s.occ {
		x := &s.occ[i]
		for ri, r := range c.phrases[x.phrase].refs {
			cc := &c.concepts[r.concept]
			if cc.tag != int32(ti) || cc.weight == 0 || x.supp&(1<<ri) != 0 {
				continue // weight-0 concepts show through the near rules they feed
			}
			bit := uint8(1) << x.field
			var w float64
			if s.counted[r.concept]&bit == 0 {
				s.counted[r.concept] |= bit
				w = cc.weight * c.fields[x.field]
			} else if seen(s.matches, r.text, fieldNames[x.field], cc.name) {
				continue // the same phrase again adds nothing to show
			}
			s.matches = append(s.matches, matchAt{m: item.Match{
				Phrase: r.text, Field: fieldNames[x.field], Start: int(x.start), End: int(x.end),
				Weight: w, Negative: cc.weight < 0,
			}, field: x.field, from: cc.name})
		}
	}
	// Concept matches are in field and text order, as the occurrences
	// were found; near matches go after and are merged in below.
	concepts := len(s.matches)
	for _, ci := range t.concepts {
		s.counted[ci] = 0
	}
	for k := range t.near {
		n := &t.near[k]
		for f := range 3 {
			if s.nearHit[k]&(1<<f) == 0 {
				continue
			}
			a, b := c.nearIn(s, n, f)
			if a < 0 {
				continue
			}
			x, y := &s.occ[a], &s.occ[b]
			s.matches = append(s.matches, matchAt{m: item.Match{
				Phrase: c.refIn(x, n.a).text + " … " + c.refIn(y, n.b).text,
				Field:  fieldNames[f], Start: int(min(x.start, y.start)), End: int(max(x.end, y.end)),
				Weight: n.weight * c.fields[f], Negative: n.weight < 0,
			}, field: uint8(f), near: int32(k)})
		}
	}
	before := func(a, b *matchAt) bool {
		return a.field < b.field || a.field == b.field && a.m.Start < b.m.Start
	}
	nears := s.matches[concepts:]
	slices.SortStableFunc(nears, func(a, b matchAt) int {
		if before(&a, &b) {
			return -1
		}
		if before(&b, &a) {
			return 1
		}
		return 0
	})
	d.Matches = make([]item.Match, len(s.matches))
	if withFrom {
		d.From = make([]string, len(s.matches))
	}
	i, j := 0, concepts
	for out := range d.Matches {
		m := &s.matches[i]
		if i == concepts || j < len(s.matches) && before(&s.matches[j], m) {
			m = &s.matches[j]
			j++
		} else {
			i++
		}
		d.Matches[out] = m.m
		if withFrom {
			d.From[out] = m.from
			if m.from == "" {
				d.From[out] = "near " + t.near[m.near].name
			}
		}
	}
	return d
}

func seen(ms []matchAt, phrase string, f item.Field, from string) bool {
	for _, m := range ms {
		if m.m.Phrase == phrase && m.m.Field == f && m.from == from {
			return true
		}
	}
	return false
}

var fieldNames = [3]item.Field{item.FieldTitle, item.FieldSummary, item.FieldBody}

func (c *Classifier) unmet(t *ctag) string {
	if len(t.require) == 0 {
		return ""
	}
	return "needs " + t.requireText
}

// compile turns merged rules into the matcher: a vocabulary of stems, the
// phrases indexed by their first word, and flat tables per tag.
func compile(rs *ruleSet) *Classifier {
	c := &Classifier{fields: rs.fields, vocab: map[string]int32{}, version: rs.hash(), sources: slices.Clone(rs.sources)}
	byKey := map[string]int32{}
	var names []string
	for _, n := range CoreTags() {
		if rs.tags[n] != nil {
			names = append(names, n)
		}
	}
	for _, n := range sortedKeys(rs.tags) {
		if !isCore(n) {
			names = append(names, n)
		}
	}
	for ti, name := range names {
		t := rs.tags[name]
		ct := ctag{name: name, description: t.description, threshold: t.threshold}
		index := map[string]int32{}
		for _, cn := range sortedKeys(t.concepts) {
			cr := t.concepts[cn]
			ci := int32(len(c.concepts))
			c.concepts = append(c.concepts, cconcept{tag: int32(ti), name: cn, weight: cr.weight})
			ct.concepts = append(ct.concepts, ci)
			index[cn] = ci
			for _, p := range cr.phrases {
				for _, words := range phraseVariants(p) {
					c.addPhrase(byKey, words, ci, p)
				}
			}
		}
		nearIndex := map[string]int32{}
		for _, nn := range sortedKeys(t.near) {
			nr := t.near[nn]
			nearIndex[nn] = int32(len(ct.near))
			ct.near = append(ct.near, cnear{name: nn, a: units(nr.a, index, nil), b: units(nr.b, index, nil), within: int32(nr.within), weight: nr.weight})
		}
		var alts []string
		for _, alt := range t.require {
			var els [][]int32
			var text []string
			for _, el := range alt {
				els = append(els, units(el, index, nearIndex))
				text = append(text, strings.ReplaceAll(el, "|", " or "))
			}
			ct.require = append(ct.require, els)
			alts = append(alts, strings.Join(text, " + "))
		}
		ct.requireText = strings.Join(alts, ", or ")
		c.tags = append(c.tags, ct)
	}
	// Near rules need every phrase compiled before their phrase sets.
	for ti := range c.tags {
		for k := range c.tags[ti].near {
			n := &c.tags[ti].near[k]
			n.aIn, n.bIn = c.phraseSet(n.a), c.phraseSet(n.b)
		}
	}
	c.table = newVocabTable(c.vocab)
	return c
}

// units resolves an "a|b" element to concept indices, and near rule k to
// -k-1 when near rules are allowed.
func units(el string, concepts, near map[string]int32) []int32 {
	var out []int32
	for _, n := range strings.Split(el, "|") {
		n = strings.TrimSpace(n)
		if ci, ok := concepts[n]; ok {
			out = append(out, ci)
		} else if k, ok := near[n]; ok {
			out = append(out, -k-1)
		}
	}
	return out
}

func (c *Classifier) addPhrase(byKey map[string]int32, words []string, concept int32, text string) {
	ids := make([]int32, len(words))
	for i, w := range words {
		id, ok := c.vocab[w]
		if !ok {
			id = int32(len(c.vocab))
			c.vocab[w] = id
			c.starts = append(c.starts, nil)
		}
		ids[i] = id
	}
	key := strings.Join(words, " ")
	pi, ok := byKey[key]
	if !ok {
		pi = int32(len(c.phrases))
		byKey[key] = pi
		c.phrases = append(c.phrases, cphrase{toks: ids})
		c.starts[ids[0]] = append(c.starts[ids[0]], pi)
	}
	p := &c.phrases[pi]
	for _, r := range p.refs {
		if r.concept == concept {
			return
		}
	}
	cc := &c.concepts[concept]
	p.refs = append(p.refs, pref{concept: concept, tag: cc.tag, neg: cc.weight < 0, text: text})
	p.negative = p.negative || cc.weight < 0
}

// phraseWords returns the stems of a rule phrase, or why it cannot be one.
func phraseWords(p string) ([]string, error) {
	if len(p) > maxPhraseBytes {
		return nil, fmt.Errorf("longer than %d bytes", maxPhraseBytes)
	}
	tz := tokenizer{keep: true}
	tz.tokenize(p, nil)
	switch {
	case len(tz.stems) == 0:
		return nil, errors.New("has no words (only letters, digits and currency signs are matched)")
	case len(tz.stems) > maxPhraseWords:
		return nil, fmt.Errorf("has %d words; the limit is %d (use a near rule for words further apart)", len(tz.stems), maxPhraseWords)
	}
	return tz.stems, nil
}

// phraseKey is what makes two phrases the same phrase.
func phraseKey(p string) (string, error) {
	words, err := phraseWords(p)
	return strings.Join(words, " "), err
}

// phraseVariants returns the word sequences a rule phrase matches: its own
// words, and for a compound of two or three words also the words run
// together, so "web scraping" matches "web-scraping", "web scraping" and
// "webscraping", and "opt out" matches "opt-out" and "optout".
func phraseVariants(p string) [][]string {
	words, err := phraseWords(p)
	if err != nil {
		return nil // checked when the rules were merged
	}
	out := [][]string{words}
	if len(words) == 2 || len(words) == 3 {
		joined := strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '\u2010' || r == '\u2011' {
				return -1
			}
			return r
		}, p)
		if j, err := phraseWords(joined); err == nil && len(j) == 1 && strings.IndexFunc(j[0], func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
			out = append(out, j)
		}
	}
	return out
}
