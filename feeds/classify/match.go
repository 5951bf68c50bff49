package classify

import (
	"slices"
	"sort"

	"github.com/trawl-news/trawl/feeds/item"
)

// maxOccurrences bounds the matches kept for one story, so a hostile body
// of repeated keywords costs time linear in its length and no more.
const maxOccurrences = 4096

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
	// Do not keep the buffers of an unusually long story in the pool.
	if cap(s.tz.toks) > 1<<14 {
		s.tz.toks = nil
	}
	if cap(s.tz.word) > 1<<10 {
		s.tz.word = nil
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
