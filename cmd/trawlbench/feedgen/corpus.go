// Package feedgen generates the benchmark's feeds: N feeds of M stories
// each, with content that is a pure function of the options, and serves
// them over HTTP with latency, ETag and Last-Modified.
//
// The corpus mixes stories on trawl's beat (AI training data, API pricing)
// with near misses (employee training, data breaches, phone prices) and
// ordinary tech news, and knows the right labels of each, so the same
// corpus can drive refresh benchmarks and a classifier evaluation.
package feedgen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what a generated story is about.
type Kind int

// The kinds of story, with the labels trawl's classifier should give them.
const (
	KindOrdinary     Kind = iota // tech news off the beat: no tags
	KindTrainingData             // training-data
	KindAPIPricing               // api-pricing
	KindBoth                     // training-data and api-pricing
	KindNearMiss                 // looks close to the beat but is not: no tags
)

// Core tag names, from trawl's CLI contract.
const (
	TagTrainingData = "training-data"
	TagAPIPricing   = "api-pricing"
)

// Labels returns the core tags a story of kind k should carry.
func (k Kind) Labels() []string {
	switch k {
	case KindTrainingData:
		return []string{TagTrainingData}
	case KindAPIPricing:
		return []string{TagAPIPricing}
	case KindBoth:
		return []string{TagTrainingData, TagAPIPricing}
	}
	return nil
}

// Format is a feed's document format.
type Format int

// Formats the generator writes. Both are read by trawl and newsboat.
const (
	RSS Format = iota
	Atom
)

// Options shape a corpus. Content depends only on these: feed i's story j
// is the same in every corpus that has it, so a 200x50 corpus is the newest
// fiftieth of a 200x500 one.
type Options struct {
	Feeds int       // number of feeds
	Items int       // stories per feed
	Base  time.Time // publication time of the newest possible story
	Seed  uint64    // varies the wording; 0 is a fine default
}

// Period is the time between consecutive stories of one feed.
const Period = 6 * time.Hour

// Corpus is a deterministic set of feeds.
type Corpus struct {
	opts Options
}

// New returns the corpus for opts. Negative sizes count as zero.
func New(opts Options) Corpus {
	opts.Feeds = max(opts.Feeds, 0)
	opts.Items = max(opts.Items, 0)
	opts.Base = opts.Base.UTC().Truncate(time.Second)
	return Corpus{opts: opts}
}

// Options returns the options the corpus was made with.
func (c Corpus) Options() Options { return c.opts }

// Len is the number of stories in the corpus.
func (c Corpus) Len() int { return c.opts.Feeds * c.opts.Items }

// Feed describes one feed of the corpus.
type Feed struct {
	Index   int
	Outlet  string // outlet name, shared by its four section feeds
	Title   string // outlet and section
	Slug    string // lower-case outlet name for links
	Format  Format
	Updated time.Time // publication time of its newest story
}

// Feed returns feed i.
func (c Corpus) Feed(i int) Feed {
	o := i / len(sections)
	outlet := outletHeads[o%len(outletHeads)] + " " + outletTails[(o/len(outletHeads))%len(outletTails)]
	if n := o / (len(outletHeads) * len(outletTails)); n > 0 {
		outlet += " " + strconv.Itoa(n+1)
	}
	f := Feed{
		Index:  i,
		Outlet: outlet,
		Title:  outlet + ": " + sections[i%len(sections)],
		Slug:   strings.ToLower(strings.ReplaceAll(outlet, " ", "")),
		Format: RSS,
	}
	// One feed in four is Atom, as on the real web where most outlets
	// still publish RSS.
	if i%4 == 3 {
		f.Format = Atom
	}
	f.Updated = c.published(i, 0)
	return f
}

// Story is one generated story.
type Story struct {
	Feed       int
	Index      int // 0 is the newest in its feed
	Kind       Kind
	Title      string
	Link       string // also the GUID: unique in the corpus
	Summary    string // plain text, about 400 bytes
	Category   string
	Published  time.Time
	Outlet     string
	OutletSlug string
}

// published staggers the feeds so that stories from different feeds
// interleave in time, the way a real refresh looks.
func (c Corpus) published(feed, index int) time.Time {
	phase := time.Duration(feed*7919%int(Period/time.Second)) * time.Second
	return c.opts.Base.Add(-phase - time.Duration(index)*Period)
}

// Story returns story j of feed i.
func (c Corpus) Story(i, j int) Story {
	r := rng{state: mix(c.opts.Seed, uint64(i), uint64(j))}
	f := c.Feed(i)
	s := Story{
		Feed:       i,
		Index:      j,
		Kind:       kindFor(r.intn(100)),
		Published:  c.published(i, j),
		Outlet:     f.Outlet,
		OutletSlug: f.Slug,
	}
	fill := filler(&r, i, j)
	s.Title = fill(pick(&r, titles[s.Kind]))
	s.Summary = summary(&r, s.Kind, fill)
	s.Category = sections[i%len(sections)]
	s.Link = fmt.Sprintf("https://%s.example/%s/%s-%d-%d", f.Slug, s.Published.Format("2006/01"), slug(s.Title), i, j)
	return s
}

// kindFor maps a percentile to a kind: the beat is a minority of the news,
// as it is in a real tech outlet's feed.
func kindFor(p int) Kind {
	switch {
	case p < 12:
		return KindTrainingData
	case p < 22:
		return KindAPIPricing
	case p < 25:
		return KindBoth
	case p < 33:
		return KindNearMiss
	}
	return KindOrdinary
}

// Newest returns the n newest stories of the corpus, newest first.
func (c Corpus) Newest(n int) []Story {
	if n <= 0 || c.Len() == 0 {
		return nil
	}
	// Every feed's story j is older than its story j-1, so the n newest
	// are among the first n/Feeds+1 of each feed.
	var out []Story
	depth := min(c.opts.Items, n/c.opts.Feeds+1)
	for i := 0; i < c.opts.Feeds; i++ {
		for j := 0; j < depth; j++ {
			out = append(out, c.Story(i, j))
		}
	}
	sortNewestFirst(out)
	return out[:min(n, len(out))]
}

// Each calls fn for every story, feed by feed, newest first within a feed.
func (c Corpus) Each(fn func(Story)) {
	for i := 0; i < c.opts.Feeds; i++ {
		for j := 0; j < c.opts.Items; j++ {
			fn(c.Story(i, j))
		}
	}
}

func summary(r *rng, k Kind, fill func(string) string) string {
	const target = 400
	var b strings.Builder
	b.WriteString(fill(pick(r, leads[k])))
	start := r.intn(len(followUps))
	for n := 0; b.Len() < target-60 && n < len(followUps); n++ {
		b.WriteByte(' ')
		b.WriteString(fill(followUps[(start+n)%len(followUps)]))
	}
	return b.String()
}

// filler returns a function that fills a template's placeholders. Each
// story picks its names once, so a title and its summary agree.
func filler(r *rng, feed, index int) func(string) string {
	co := pick(r, companies)
	co2 := pick(r, companies)
	if co2 == co {
		co2 = companies[(indexOf(companies, co)+1)%len(companies)]
	}
	repl := strings.NewReplacer(
		"{ai}", pick(r, aiLabs),
		"{plat}", pick(r, platforms),
		"{pub}", pick(r, publishers),
		"{co2}", co2,
		"{co}", co,
		"{prod}", pick(r, products),
		"{city}", pick(r, cities),
		"{n}", strconv.Itoa(2+r.intn(98)),
		"{p}", strconv.Itoa(1+r.intn(9))+".50",
		"{pct}", strconv.Itoa(5+r.intn(60)),
		"{v}", fmt.Sprintf("%d.%d", 2+feed%7, index%20),
	)
	return repl.Replace
}

func pick(r *rng, list []string) string { return list[r.intn(len(list))] }

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// slug turns a title into a URL path segment.
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// rng is splitmix64: tiny, fast and fully specified, so the corpus does
// not change when the standard library's generators do.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); n must be positive. The modulo bias is
// irrelevant for choosing words.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// mix derives a story's seed from the corpus seed and its position.
func mix(vals ...uint64) uint64 {
	r := rng{state: 0x2545f4914f6cdd1d}
	for _, v := range vals {
		r.state ^= v
		r.state = r.next()
	}
	return r.state
}
