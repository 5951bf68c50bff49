// Package search is the TUI's search-as-you-type: a compact in-memory index
// of every story's title, outlet and summary, built once in the background,
// that answers a keystroke over 100k stories in a few milliseconds by
// scanning one lower-cased byte buffer.
package search

import (
	"bytes"
	"cmp"
	"context"
	"math/bits"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
)

// MaxSummaryBytes is how much of each summary is searched. Summaries run to
// 2,000 characters; indexing their first couple of hundred bytes keeps the
// index of 100k stories within the memory target while still catching what
// a summary's opening sentence says.
const MaxSummaryBytes = 200

// Walker is what Build reads: the store's file-order scan of every story
// (store.DB.Scan), and its counts, to size the index's buffers once.
type Walker interface {
	Scan(meta func(*store.Brief) (int, error), text func(n int, title, summary []byte) error) error
	Counts() (store.Counts, error)
}

// Flag bits of an entry's user state.
const (
	flagStarred uint8 = 1 << iota
	flagRead
	flagDismissed
	flagNote
)

// entry is one story, with just what a list row shows. Strings live in
// the index's arena, so an entry holds no pointers and 100k of them cost
// the garbage collector nothing to scan.
type entry struct {
	published int64  // unix seconds
	tags      uint64 // bit i = tagName[i]; tags past the 64th are not searchable by view
	nsec      uint32 // of published, for ordering as the store's indexes do
	id        uint32 // offset of the ID in strs
	title     uint32 // offset of the clean title in strs
	titleLen  uint32
	outlet    uint32 // index into outlets
	feed      uint32 // index into feeds: every feed that carried the story
	idLen     uint8
	flags     uint8
}

// Index is the search index. It is not safe for concurrent use: Build
// returns it to the program, which then only touches it from Update.
type Index struct {
	// entries and hay are in the order the cache stores the stories'
	// text, which is how Build reads them fastest; rank puts them in the
	// order of the store's views, newest first, for results.
	entries []entry
	hay     []byte   // per entry: lower(title) \n lower(outlet) \n lower(summary) \n
	starts  []uint32 // entry i's text is hay[starts[i]:starts[i+1]]
	strs    []byte   // IDs and clean titles
	byID    []int32  // entries sorted by ID, for SetState
	rank    []int32  // entry i is the rank[i]-th newest
	byRank  []int32  // the entry of each rank
	outlets []string
	feeds   []string // each the story's feeds joined by newlines
	tagBits map[string]int
	tagName []string
	gen     int // bumped by every state change, so stale results are not refined
	recent  []*Result
}

// keepRecent is how many results a search remembers, so that deleting
// what was just typed costs nothing.
const keepRecent = 8

// Hit is one story a search found, ready to show as a row.
type Hit struct {
	ID        string
	Title     string // clean
	Outlet    string // clean
	Published time.Time
	Tags      []string
	Starred   bool
	Read      bool
	Dismissed bool
	HasNote   bool
}

// interner numbers the distinct values of a field shared by many stories.
// Values are looked up by bytes that may point into the cache's map, so a
// value is copied only when it is new.
type interner struct {
	index  map[string]uint32
	values *[]string
}

func (in interner) of(b []byte, clean func(string) string) uint32 {
	if i, ok := in.index[string(b)]; ok { // no copy: the compiler looks up in place
		return i
	}
	i := uint32(len(*in.values))
	*in.values = append(*in.values, strings.Clone(clean(unsafeString(b))))
	in.index[string(b)] = i
	return i
}

// Build reads every story into a new index. It runs in a command;
// nothing else touches the index meanwhile. It stops when ctx is done:
// the scan holds a read transaction, and the cache cannot close while it
// is open.
//
// The scan hands over each story's fields in the cache's own memory; they
// are viewed as strings without copying (unsafeString) only to be cleaned
// and copied into the index at once, so nothing kept points into the
// cache, and reading a story allocates nothing but what the index keeps.
func Build(ctx context.Context, w Walker) (*Index, error) {
	ix := &Index{tagBits: map[string]int{}}
	outlets := interner{index: map[string]uint32{}, values: &ix.outlets}
	feeds := interner{index: map[string]uint32{}, values: &ix.feeds}
	keep := func(s string) string { return s }
	var feedKey []byte
	// The first pass reads what is not text, the second the text, each
	// in the order the cache keeps it; pending holds the first pass's
	// entries until the second puts them in its order.
	var pending []entry
	if counts, err := w.Counts(); err == nil {
		n := counts.All + counts.Dismissed
		pending = make([]entry, 0, n)
		ix.strs = make([]byte, 0, n*idBytes)
	}
	var idsEnd int // where the IDs end in strs and the titles start
	meta := func(s *store.Brief) (int, error) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		feedKey = appendFeedsKey(feedKey[:0], s.Feeds)
		e := entry{
			published: s.Published.Unix(),
			nsec:      uint32(s.Published.Nanosecond()),
			id:        uint32(len(ix.strs)),
			idLen:     uint8(min(len(s.ID), 255)),
			outlet:    outlets.of(s.Outlet, sanitize.Line),
			feed:      feeds.of(feedKey, keep),
			flags:     flagsOf(s.State),
		}
		// IDs are 16 characters; a longer one (a damaged cache) is cut,
		// which only makes SetState miss it.
		ix.strs = append(ix.strs, s.ID[:e.idLen]...)
		for _, t := range s.Tags {
			e.tags |= ix.bit(t)
		}
		pending = append(pending, e)
		return len(pending) - 1, nil
	}
	text := func(n int, rawTitle, rawSummary []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ix.entries == nil {
			ix.entries = make([]entry, 0, len(pending))
			ix.starts = make([]uint32, 0, len(pending)+1)
			idsEnd = len(ix.strs)
		}
		e := pending[n]
		title := sanitize.Line(unsafeString(rawTitle))
		summary := clip(sanitize.Line(clip(unsafeString(rawSummary), 2*MaxSummaryBytes)), MaxSummaryBytes)
		outlet := ix.outlets[e.outlet]
		done, total := len(ix.entries), len(pending)
		ix.strs = reserve(ix.strs, len(title), idsEnd, done, total)
		e.title, e.titleLen = uint32(len(ix.strs)), uint32(len(title))
		ix.strs = append(ix.strs, title...)
		ix.hay = reserve(ix.hay, len(title)+len(outlet)+len(summary)+3, 0, done, total)
		ix.starts = append(ix.starts, uint32(len(ix.hay)))
		ix.hay = appendLower(ix.hay, title)
		ix.hay = append(ix.hay, '\n')
		ix.hay = appendLower(ix.hay, outlet)
		ix.hay = append(ix.hay, '\n')
		ix.hay = appendLower(ix.hay, summary)
		ix.hay = append(ix.hay, '\n')
		ix.entries = append(ix.entries, e)
		return nil
	}
	if err := w.Scan(meta, text); err != nil {
		return nil, err
	}
	pending = nil
	ix.starts = append(ix.starts, uint32(len(ix.hay)))
	n := len(ix.entries)
	ix.byID = make([]int32, n)
	ix.byRank = make([]int32, n)
	for i := range n {
		ix.byID[i], ix.byRank[i] = int32(i), int32(i)
	}
	slices.SortFunc(ix.byID, func(a, b int32) int { return strings.Compare(ix.idOf(a), ix.idOf(b)) })
	// Newest first, ties by ID from the greatest: the order of the
	// store's index keys (time, then ID), read from the end.
	slices.SortFunc(ix.byRank, func(a, b int32) int {
		ea, eb := &ix.entries[a], &ix.entries[b]
		if c := cmp.Compare(eb.published, ea.published); c != 0 {
			return c
		}
		if c := cmp.Compare(eb.nsec, ea.nsec); c != 0 {
			return c
		}
		return strings.Compare(ix.idOf(b), ix.idOf(a))
	})
	ix.rank = make([]int32, n)
	for r, i := range ix.byRank {
		ix.rank[i] = int32(r)
	}
	ix.renumberTags()
	return ix, nil
}

// renumberTags gives the tags their numbers in the order of the newest
// story carrying each rather than the order Build met them, which is the
// order of the file, so that a result's tag chips come in the same order
// from one build to the next.
func (ix *Index) renumberTags() {
	to := make([]int, len(ix.tagName))
	for i := range to {
		to[i] = -1
	}
	next := 0
	for _, i := range ix.byRank {
		for m := ix.entries[i].tags; m != 0; m &= m - 1 {
			if b := bits.TrailingZeros64(m); to[b] < 0 {
				to[b], next = next, next+1
			}
		}
	}
	// Only the first 64 tags have bits, so next stays within them; the
	// rest keep their order after.
	for i := range to {
		if to[i] < 0 {
			to[i], next = next, next+1
		}
	}
	names := make([]string, len(ix.tagName))
	for old, n := range to {
		names[n] = ix.tagName[old]
		ix.tagBits[ix.tagName[old]] = n
	}
	ix.tagName = names
	for i := range ix.entries {
		var m uint64
		for old := ix.entries[i].tags; old != 0; old &= old - 1 {
			m |= 1 << to[bits.TrailingZeros64(old)]
		}
		ix.entries[i].tags = m
	}
}

// idBytes is the length of a story ID (see item.NewID).
const idBytes = 16

// reserve makes room for need more bytes in b, whose bytes from base on
// hold done of total stories' worth: when full, it grows to what the
// stories so far say all of them need, so a buffer of tens of megabytes
// is copied once or twice instead of growing (and holding both copies)
// a dozen times, and is not left much bigger than it needs to be.
func reserve(b []byte, need, base, done, total int) []byte {
	if len(b)+need <= cap(b) {
		return b
	}
	want := len(b) + need
	if done >= 256 && total > done {
		per := (len(b) - base + need) / done
		want = max(want, base+per*total*21/20) // 5% spare: stories vary
	} else {
		want = max(want, 2*cap(b))
	}
	return slices.Grow(b, want-len(b))
}

func (ix *Index) idOf(i int32) string {
	e := &ix.entries[i]
	return unsafeString(ix.strs[e.id : e.id+uint32(e.idLen)])
}

func (ix *Index) titleOf(i int32) string {
	e := &ix.entries[i]
	return string(ix.strs[e.title : e.title+e.titleLen])
}

// unsafeString views b as a string without copying, for comparisons that
// do not keep it.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (ix *Index) bit(tag []byte) uint64 {
	i, ok := ix.tagBits[string(tag)]
	if !ok {
		i = len(ix.tagName)
		name := string(tag)
		ix.tagBits[name] = i
		ix.tagName = append(ix.tagName, name)
	}
	if i >= 64 {
		return 0
	}
	return 1 << i
}

func flagsOf(st store.State) uint8 {
	var f uint8
	if st.Starred {
		f |= flagStarred
	}
	if st.Read {
		f |= flagRead
	}
	if st.Dismissed {
		f |= flagDismissed
	}
	if st.Note != "" {
		f |= flagNote
	}
	return f
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Len is the number of stories indexed.
func (ix *Index) Len() int { return len(ix.entries) }

// SetState records a change of a story's user state, so that view filters
// and row markers stay right without a rebuild.
func (ix *Index) SetState(id string, st store.State) {
	n, found := slices.BinarySearchFunc(ix.byID, id, func(i int32, id string) int { return strings.Compare(ix.idOf(i), id) })
	if found {
		ix.entries[ix.byID[n]].flags = flagsOf(st)
		ix.gen++
		ix.recent = nil
	}
}

// Result is the outcome of one search. Keep it and pass it back as prev to
// refine it as the user types more.
type Result struct {
	Query string
	view  store.View
	gen   int
	hits  []int32 // in the order of the index's text, so refining reads it in order
	shown []int32 // hits newest first, made when first asked for (see byNewest)
}

// Len is the number of hits.
func (r *Result) Len() int {
	if r == nil {
		return 0
	}
	return len(r.hits)
}

// Terms splits a query into lower-cased words; a story matches when it
// contains every word.
func Terms(q string) []string {
	return strings.Fields(strings.ToLower(sanitize.Line(q)))
}

// Search returns the stories of view matching every word of q, newest
// first. When prev is the result of a prefix of q over the same view and
// nothing changed since, only prev's hits are checked; a query searched
// lately (typing, then deleting) is answered from memory. Results are
// shared and must not be changed.
func (ix *Index) Search(q string, v store.View, prev *Result) *Result {
	for _, r := range ix.recent {
		if r.Query == q && r.view == v && r.gen == ix.gen {
			return r
		}
	}
	res := ix.search(q, v, prev)
	if len(ix.recent) == keepRecent {
		ix.recent = ix.recent[1:]
	}
	ix.recent = append(ix.recent, res)
	return res
}

func (ix *Index) search(q string, v store.View, prev *Result) *Result {
	terms := Terms(q)
	res := &Result{Query: q, view: v, gen: ix.gen}
	if len(terms) == 0 {
		return res
	}
	if prevTerms := Terms(prevQuery(prev)); prev != nil && prev.gen == ix.gen && prev.view == v &&
		strings.HasPrefix(q, prev.Query) && len(prevTerms) > 0 {
		// prev's hits contain every word of prev already; check the rest.
		var check []string
		for _, t := range terms {
			if !slices.Contains(prevTerms, t) {
				check = append(check, t)
			}
		}
		for _, i := range prev.hits {
			if ix.matchAll(i, check) {
				res.hits = append(res.hits, i)
			}
		}
		return res
	}
	// Scan the whole buffer for the longest word (the rarest, usually),
	// jumping to the next story after each hit, then check the rest.
	at := 0
	for i, t := range terms {
		if len(t) > len(terms[at]) {
			at = i
		}
	}
	needle := []byte(terms[at])
	// The scan found the longest word already; check only the others.
	rest := slices.Delete(slices.Clone(terms), at, at+1)
	hay := ix.hay
	pos := 0
	entry := 0
	for pos < len(hay) {
		j := bytes.Index(hay[pos:], needle)
		if j < 0 {
			break
		}
		found := uint32(pos + j)
		for ix.starts[entry+1] <= found {
			entry++
		}
		i := int32(entry)
		if ix.inView(i, v) && ix.matchAll(i, rest) {
			res.hits = append(res.hits, i)
		}
		pos = int(ix.starts[entry+1])
	}
	return res
}

// byNewest returns r's hits in the order of the store's views, newest
// first. Marking each hit's rank in a bitmap and reading the bitmap back
// costs one pass over n/64 words, less than sorting when a search finds
// most stories. The hits themselves stay in the order of the index's
// text: refining a result then reads the text front to back rather than
// jumping about 30 MB of it, which took twice as long.
func (ix *Index) byNewest(r *Result) []int32 {
	if r.shown != nil || len(r.hits) < 2 {
		if r.shown == nil {
			r.shown = r.hits
		}
		return r.shown
	}
	marks := make([]uint64, (len(ix.entries)+63)/64)
	for _, i := range r.hits {
		k := ix.rank[i]
		marks[k/64] |= 1 << (k % 64)
	}
	r.shown = make([]int32, 0, len(r.hits))
	for w, m := range marks {
		for m != 0 {
			b := bits.TrailingZeros64(m)
			r.shown = append(r.shown, ix.byRank[w*64+b])
			m &= m - 1
		}
	}
	return r.shown
}

func prevQuery(prev *Result) string {
	if prev == nil {
		return ""
	}
	return prev.Query
}

func (ix *Index) matchAll(i int32, terms []string) bool {
	text := ix.hay[ix.starts[i]:ix.starts[i+1]]
	for _, t := range terms {
		if !bytes.Contains(text, []byte(t)) {
			return false
		}
	}
	return true
}

func (ix *Index) inView(i int32, v store.View) bool {
	e := &ix.entries[i]
	dismissed := e.flags&flagDismissed != 0
	switch v.Kind {
	case store.ViewAll:
		return !dismissed
	case store.ViewUnread:
		return !dismissed && e.flags&flagRead == 0
	case store.ViewStarred:
		return e.flags&flagStarred != 0
	case store.ViewDismissed:
		return dismissed
	case store.ViewTag:
		b, ok := ix.tagBits[v.Tag]
		return !dismissed && ok && b < 64 && e.tags&(1<<b) != 0
	case store.ViewFeed:
		if dismissed {
			return false
		}
		for f := range strings.SplitSeq(ix.feeds[e.feed], "\n") {
			if f == v.Feed {
				return true
			}
		}
		return false
	}
	return !dismissed
}

// appendFeedsKey names the set of feeds that carried a story, their URLs
// joined by newlines: a story in two feeds belongs to both feeds' views.
func appendFeedsKey(dst []byte, feeds [][]byte) []byte {
	for i, f := range feeds {
		if i > 0 {
			dst = append(dst, '\n')
		}
		dst = append(dst, f...)
	}
	return dst
}

// Hit returns hit n of r, for showing as a row.
func (ix *Index) Hit(r *Result, n int) Hit {
	i := ix.byNewest(r)[n]
	e := &ix.entries[i]
	h := Hit{
		ID: strings.Clone(ix.idOf(i)), Title: ix.titleOf(i), Outlet: ix.outlets[e.outlet], Published: time.Unix(e.published, 0).UTC(),
		Starred: e.flags&flagStarred != 0, Read: e.flags&flagRead != 0,
		Dismissed: e.flags&flagDismissed != 0, HasNote: e.flags&flagNote != 0,
	}
	for b := 0; b < len(ix.tagName) && b < 64; b++ {
		if e.tags&(1<<b) != 0 {
			h.Tags = append(h.Tags, ix.tagName[b])
		}
	}
	return h
}
