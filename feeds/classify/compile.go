package classify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The compiled form of the rules: flat tables indexed by small integers,
// which is what matching walks.

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

// compile turns merged rules into the matcher: a vocabulary of stems, the
// phrases indexed by their first word, and flat tables per tag.
func compile(rs *ruleSet) *Classifier {
	c := &Classifier{fields: rs.fields, version: rs.hash(), sources: slices.Clone(rs.sources)}
	vocab, byKey := map[string]int32{}, map[string]int32{}
	var names []string
	for _, n := range CoreTags() {
		if rs.tags[n] != nil {
			names = append(names, n)
		}
	}
	for _, n := range sortedKeys(rs.tags) {
		if !isCore(n) && !rs.tags[n].disabled {
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
				for _, words := range p.variants {
					c.addPhrase(vocab, byKey, words, ci, p.text)
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
	c.table = newVocabTable(vocab)
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

// addPhrase adds a word sequence for a concept: vocab gives each stem an
// id, byKey finds the phrase if another concept has it already.
func (c *Classifier) addPhrase(vocab, byKey map[string]int32, words []string, concept int32, text string) {
	ids := make([]int32, len(words))
	for i, w := range words {
		id, ok := vocab[w]
		if !ok {
			id = int32(len(vocab))
			vocab[w] = id
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
func phraseVariants(p string, words []string) [][]string {
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
