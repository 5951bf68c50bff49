package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// itemRecord is a stored story, minus its HTML body. It is stored in two
// values: the meta record (items bucket, keyed by ID) with what an
// unchanged refresh and the indexes need, and the content record (content
// bucket, keyed by Seq) with the text. A refresh of 100k stories rewrites
// the small meta pages wherever the random IDs fall, while the bulky text
// is appended in Seq order and written once.
type itemRecord struct {
	ID  string // the key of the meta record; not stored in it
	Seq uint64 // the key of the content record and the HTML body
	// Feeds lists every feed that carried the story, the first one first.
	// Only the first feed rewrites the content: when two feeds carry one
	// story with slightly different summaries, refreshing both must not
	// flip it back and forth.
	Feeds     []string
	Outlet    string    // display name of Feeds[0]
	Published time.Time // the first date seen; see Upsert
	FirstSeen time.Time
	Hash      uint64 // contentHash of what the first feed last delivered
	HasBody   bool
	// tagNames repeats the names of Tags in the meta record, so the
	// indexes a story belongs to are known without reading its content.
	tagNames []string

	GUID       string
	Title      string
	Link       string
	Author     string
	Categories []string
	Updated    time.Time
	Summary    string
	Tags       []item.Tag
	RulesVer   string
}

// recordFormat is the first byte of every schema-2 meta and content value.
// Schema-1 values are JSON and start with '{', so a half-migrated bucket
// can tell the two apart (see migrate.go).
const recordFormat = 2

// errBadRecord is wrapped by every decoding failure.
var errBadRecord = errors.New("damaged story record")

// Stored forms. Strings are uvarint length + bytes; times are varint Unix
// seconds + uvarint nanoseconds; floats are 8-byte IEEE 754.
//
//	meta:    format byte, 8-byte big-endian content hash, 8-byte big-endian
//	         Seq (both fixed, so the unchanged check reads them in place),
//	         feeds, outlet (also read by the unchanged check), published,
//	         first seen, flags (bit 0: has a body), tag names
//	content: format byte, GUID, title, link, author, categories, updated,
//	         summary, rules version, tags with their matches
const metaFixed = 1 + 8 + 8

// metaSeq reads the Seq of a meta value at least metaFixed long, in place.
func metaSeq(raw []byte) uint64 { return binary.BigEndian.Uint64(raw[9:metaFixed]) }

func (r *itemRecord) encodeMeta() []byte {
	n := metaFixed + len(r.Outlet) + 32
	for _, f := range r.Feeds {
		n += len(f) + 3
	}
	for _, t := range r.tagNames {
		n += len(t) + 3
	}
	e := encoder{b: make([]byte, 0, n)}
	e.b = append(e.b, recordFormat)
	e.b = binary.BigEndian.AppendUint64(e.b, r.Hash)
	e.b = binary.BigEndian.AppendUint64(e.b, r.Seq)
	e.strs(r.Feeds)
	e.str(r.Outlet)
	e.time(r.Published)
	e.time(r.FirstSeen)
	var flags byte
	if r.HasBody {
		flags |= 1
	}
	e.b = append(e.b, flags)
	e.strs(r.tagNames)
	return e.b
}

func (r *itemRecord) encodeContent() []byte {
	e := encoder{b: make([]byte, 0, r.contentSize())}
	e.b = append(e.b, recordFormat)
	e.str(r.GUID)
	e.str(r.Title)
	e.str(r.Link)
	e.str(r.Author)
	e.strs(r.Categories)
	e.time(r.Updated)
	e.str(r.Summary)
	e.str(r.RulesVer)
	e.uvarint(uint64(len(r.Tags)))
	for _, t := range r.Tags {
		e.str(t.Name)
		e.f64(t.Score)
		e.f64(t.Threshold)
		e.uvarint(uint64(len(t.Matches)))
		for _, m := range t.Matches {
			e.str(m.Phrase)
			e.str(string(m.Field))
			e.varint(int64(m.Start))
			e.varint(int64(m.End))
			e.f64(m.Weight)
			if m.Negative {
				e.b = append(e.b, 1)
			} else {
				e.b = append(e.b, 0)
			}
		}
	}
	return e.b
}

// contentSize is a little more than the encoded content, so encoding
// allocates once.
func (r *itemRecord) contentSize() int {
	n := 32 + len(r.GUID) + len(r.Title) + len(r.Link) + len(r.Author) + len(r.Summary) + len(r.RulesVer)
	for _, c := range r.Categories {
		n += len(c) + 3
	}
	for _, t := range r.Tags {
		n += len(t.Name) + 24
		for _, m := range t.Matches {
			n += len(m.Phrase) + len(m.Field) + 32
		}
	}
	return n
}

// decodeMeta decodes a meta value into a record without content. The
// strings are copies, so the record outlives the transaction.
func decodeMeta(id string, raw []byte) (*itemRecord, error) {
	if len(raw) < metaFixed || raw[0] != recordFormat {
		return nil, fmt.Errorf("story %s: %w (unknown format)", id, errBadRecord)
	}
	r := &itemRecord{ID: id, Hash: binary.BigEndian.Uint64(raw[1:9]), Seq: metaSeq(raw)}
	d := decoder[string]{b: string(raw[metaFixed:])}
	r.Feeds = d.strs()
	r.Outlet = d.str()
	r.Published = d.time()
	r.FirstSeen = d.time()
	r.HasBody = d.byte()&1 != 0
	r.tagNames = d.strs()
	if err := d.done(); err != nil {
		return nil, fmt.Errorf("story %s: %w (%w)", id, errBadRecord, err)
	}
	return r, nil
}

// decodeContent fills r's content from a content value.
func (r *itemRecord) decodeContent(raw []byte) error {
	if len(raw) < 1 || raw[0] != recordFormat {
		return fmt.Errorf("story %s: %w (unknown content format)", r.ID, errBadRecord)
	}
	d := decoder[string]{b: string(raw[1:])}
	r.GUID = d.str()
	r.Title = d.str()
	r.Link = d.str()
	r.Author = d.str()
	r.Categories = d.strs()
	r.Updated = d.time()
	r.Summary = d.str()
	r.RulesVer = d.str()
	if n := d.count(); n > 0 {
		r.Tags = make([]item.Tag, n)
		for i := range r.Tags {
			t := &r.Tags[i]
			t.Name = d.str()
			t.Score = d.f64()
			t.Threshold = d.f64()
			if m := d.count(); m > 0 {
				t.Matches = make([]item.Match, m)
				for j := range t.Matches {
					mt := &t.Matches[j]
					mt.Phrase = d.str()
					mt.Field = item.Field(d.str())
					mt.Start = int(d.varint())
					mt.End = int(d.varint())
					mt.Weight = d.f64()
					mt.Negative = d.byte() != 0
				}
			}
		}
	}
	if err := d.done(); err != nil {
		return fmt.Errorf("story %s: %w (content: %w)", r.ID, errBadRecord, err)
	}
	return nil
}

// seqKey is the key of a content record or body.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// peek is what the unchanged check needs from a meta value, read without
// allocating: the content hash, whether feed is the story's first feed,
// whether it is among its feeds, and the stored outlet.
type peek struct {
	hash    uint64
	primary bool
	known   bool
	outlet  []byte // aliases raw
}

func peekMeta(raw []byte, feed string) (peek, bool) {
	if len(raw) < metaFixed || raw[0] != recordFormat {
		return peek{}, false
	}
	p := peek{hash: binary.BigEndian.Uint64(raw[1:9])}
	d := decoder[[]byte]{b: raw[metaFixed:]}
	n := d.count()
	for i := 0; i < n; i++ {
		if string(d.next()) == feed { // compared in place, no allocation
			p.known = true
			p.primary = p.primary || i == 0
		}
	}
	p.outlet = d.next()
	return p, d.err == nil
}

func (p peek) outletIs(s string) bool { return string(p.outlet) == s }

// story turns the record into the public type.
func (r *itemRecord) story(st State) Story {
	var feed string
	if len(r.Feeds) > 0 {
		feed = r.Feeds[0]
	}
	return Story{
		Item: item.Item{
			ID: r.ID, Feed: feed, Outlet: r.Outlet, GUID: r.GUID, Title: r.Title,
			Link: r.Link, Author: r.Author, Categories: r.Categories,
			Published: r.Published, Updated: r.Updated, Summary: r.Summary,
			Tags: r.Tags, RulesVer: r.RulesVer,
		},
		State:     st,
		FirstSeen: r.FirstSeen,
		Feeds:     r.Feeds,
	}
}

// setContent copies what a refresh may change from it into r; hash is
// contentHash(it).
func (r *itemRecord) setContent(it *item.Item, hash uint64) {
	r.GUID, r.Title, r.Link, r.Author = it.GUID, it.Title, it.Link, it.Author
	r.Categories = it.Categories
	r.Updated = it.Updated.UTC()
	if it.Updated.IsZero() {
		r.Updated = time.Time{}
	}
	r.Summary, r.RulesVer = it.Summary, it.RulesVer
	r.HasBody = it.Content != ""
	r.Hash = hash
	r.setTags(it.Tags)
}

// setTags sets Tags and the tag names the meta record repeats.
func (r *itemRecord) setTags(tags []item.Tag) {
	r.Tags = tags
	r.tagNames = nil
	for _, t := range tags {
		r.tagNames = append(r.tagNames, t.Name)
	}

}

// contentHash covers every field a refresh may rewrite, so an unchanged
// story costs one lookup and no write. The feed, outlet and dates that the
// store keeps from the first sighting are left out on purpose.
func contentHash(it *item.Item) uint64 {
	h := hasher(hashSeed)
	h.str(it.GUID)
	h.str(it.Title)
	h.str(it.Link)
	h.str(it.Author)
	h.u64(uint64(len(it.Categories)))
	for _, c := range it.Categories {
		h.str(c)
	}
	if !it.Updated.IsZero() {
		h.u64(uint64(it.Updated.Unix()))
		h.u64(uint64(it.Updated.Nanosecond()))
	} else {
		h.u64(0)
	}
	h.str(it.Summary)
	h.str(it.Content)
	h.str(it.RulesVer)
	h.u64(uint64(len(it.Tags)))
	for _, t := range it.Tags {
		h.str(t.Name)
		h.u64(math.Float64bits(t.Score))
		h.u64(math.Float64bits(t.Threshold))
		h.u64(uint64(len(t.Matches)))
		for _, m := range t.Matches {
			h.str(m.Phrase)
			h.str(string(m.Field))
			h.u64(uint64(m.Start))
			h.u64(uint64(m.End))
			h.u64(math.Float64bits(m.Weight))
			if m.Negative {
				h.u64(1)
			} else {
				h.u64(0)
			}
		}
	}
	return h.sum()
}

// hasher is a 64-bit change detector, not a cryptographic hash. An
// unchanged refresh hashes every summary and body it receives, so it
// reads eight bytes at a time in four independent lanes, which a CPU runs
// side by side. Fields are length-prefixed so moving text between fields
// changes the sum. The stored sums depend on it: changing it makes the
// next refresh rewrite every story once, nothing worse.
type hasher uint64

const (
	hashSeed = 0x243f6a8885a308d3
	hashMul  = 0x9e3779b97f4a7c15
)

func mix(v, x uint64) uint64 {
	v = (v ^ x) * hashMul
	return v ^ v>>29
}

func (h *hasher) u64(x uint64) { *h = hasher(mix(uint64(*h), x)) }

func (h *hasher) str(s string) {
	v := mix(uint64(*h), uint64(len(s)))
	if len(s) >= 32 {
		a, b, c, d := v, v+1, v+2, v+3
		for len(s) >= 32 {
			a = mix(a, load64(s))
			b = mix(b, load64(s[8:]))
			c = mix(c, load64(s[16:]))
			d = mix(d, load64(s[24:]))
			s = s[32:]
		}
		v = mix(mix(mix(mix(v, a), b), c), d)
	}
	for len(s) >= 8 {
		v = mix(v, load64(s))
		s = s[8:]
	}
	var tail uint64
	for i := 0; i < len(s); i++ {
		tail |= uint64(s[i]) << (8 * i)
	}
	*h = hasher(mix(v, tail))
}

// load64 reads eight bytes little-endian; the compiler makes it one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func (h hasher) sum() uint64 {
	v := uint64(h)
	v ^= v >> 33
	v *= 0xff51afd7ed558ccd
	v ^= v >> 33
	return v
}

// zeroUnix is time.Time{}.Unix(): the encoding writes the zero time as
// itself, so "no date" needs no flag.
const zeroUnix = -62135596800

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) f64(v float64)    { e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(v)) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.varint(zeroUnix)
		e.uvarint(0)
		return
	}
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

// decoder reads what encoder wrote, from a []byte (read in place, for the
// unchanged check) or from a string: a record is copied into one string
// and every text field is a substring of it, so decoding a story costs one
// allocation for all its text. The first error sticks and every later read
// returns a zero value, so callers check once at the end.
type decoder[T string | []byte] struct {
	b   T
	err error
}

var (
	errShort    = errors.New("record ends early")
	errOverflow = errors.New("number too long")
)

func (d *decoder[T]) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = d.b[:0]
}

// done reports the first error, or trailing bytes the format lacks.
func (d *decoder[T]) done() error {
	if d.err == nil && len(d.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(d.b))
	}
	return d.err
}

// uvarint is binary.Uvarint for either kind of input.
func (d *decoder[T]) uvarint() uint64 {
	var x uint64
	var shift uint
	for i := 0; i < len(d.b); i++ {
		c := d.b[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			d.fail(errOverflow)
			return 0
		}
		if c < 0x80 {
			d.b = d.b[i+1:]
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.fail(errShort)
	return 0
}

// varint undoes binary.AppendVarint's zig-zag encoding.
func (d *decoder[T]) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a length that must fit in what is left of the record, so a
// damaged value cannot make the decoder allocate gigabytes.
func (d *decoder[T]) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return 0
	}
	return int(n)
}

// next returns the next length-prefixed field, aliasing the input.
func (d *decoder[T]) next() T {
	n := d.count()
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder[T]) str() string { return string(d.next()) }

func (d *decoder[T]) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder[T]) byte() byte {
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder[T]) f64() float64 {
	if len(d.b) < 8 {
		d.fail(errShort)
		return 0
	}
	var v uint64
	for i := range 8 {
		v = v<<8 | uint64(d.b[i])
	}
	d.b = d.b[8:]
	return math.Float64frombits(v)
}

func (d *decoder[T]) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if d.err != nil || (sec == zeroUnix && nsec == 0) {
		return time.Time{}
	}
	if nsec >= 1e9 {
		d.fail(fmt.Errorf("bad nanoseconds %d", nsec))
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
