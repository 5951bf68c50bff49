package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// maxProblems bounds what Check reports: a badly damaged cache would
// otherwise produce one line per page.
const maxProblems = 20

// Check verifies the whole cache; nil means healthy, otherwise a
// *CheckError listing what is wrong. First bbolt's own check of the file's
// pages, then trawl's invariants: every story decodes, bodies and states
// belong to stories, each index holds exactly the stories that belong in
// it at their dates, and each counter equals the size of its index.
func (db *DB) Check() error {
	p := &problems{}
	err := db.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			p.add(err)
		}
		if p.n > 0 {
			return nil // do not walk a damaged tree
		}
		checkSchema(tx, p)
		return nil
	})
	if err != nil {
		return err
	}
	if p.n == 0 {
		return nil
	}
	return &CheckError{Path: db.path, Problems: p.list, Total: p.n}
}

// CheckError is a failed Check: the first problems found (at most
// maxProblems; a badly damaged file would otherwise give one per page) and
// how many there were. It matches ErrDamaged.
type CheckError struct {
	Path     string
	Problems []string
	Total    int
}

func (e *CheckError) Error() string {
	msg := fmt.Sprintf("cache %s is damaged: %s", e.Path, strings.Join(e.Problems, "; "))
	if more := e.Total - len(e.Problems); more > 0 {
		msg += fmt.Sprintf("; and %d more problems", more)
	}
	return msg
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *CheckError) Is(target error) bool { return target == ErrDamaged }

type problems struct {
	list []string
	n    int
}

func (p *problems) add(err error) {
	p.n++
	if len(p.list) < maxProblems {
		p.list = append(p.list, err.Error())
	}
}

func (p *problems) addf(format string, args ...any) { p.add(fmt.Errorf(format, args...)) }

// checked is what the index walk needs to know about one story.
type checked struct {
	key   []byte  // its index key
	names []int32 // the indexes it belongs in, interned
}

func checkSchema(tx *bolt.Tx, p *problems) {
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			p.addf("bucket %s is missing", name)
		}
	}
	if p.n > 0 {
		return
	}
	if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != strconv.Itoa(SchemaVersion) {
		p.addf("schema is %q, want %d", v, SchemaVersion)
	}

	// Intern index names: a cache of 100k stories has half a million
	// memberships but only as many names as feeds and tags.
	ids := map[string]int32{}
	var names []string
	intern := func(n string) int32 {
		if i, ok := ids[n]; ok {
			return i
		}
		ids[n] = int32(len(names))
		names = append(names, n)
		return int32(len(names) - 1)
	}
	stories := map[string]checked{}
	seqs := map[uint64]bool{}
	want := map[int32]int64{}
	content, html, states := tx.Bucket(bucketContent), tx.Bucket(bucketHTML), tx.Bucket(bucketState)
	var scratch []string
	tx.Bucket(bucketItems).ForEach(func(k, v []byte) error {
		id := string(k)
		rec, err := decodeMeta(id, v)
		if err != nil {
			p.add(err)
			return nil
		}
		if seqs[rec.Seq] {
			p.addf("story %s shares its content number %d with another", id, rec.Seq)
		}
		seqs[rec.Seq] = true
		key := seqKey(rec.Seq)
		if raw := content.Get(key); raw == nil {
			p.addf("story %s: content missing", id)
		} else if err := rec.decodeContent(raw); err != nil {
			p.add(err)
		} else if !sameTags(rec) {
			p.addf("story %s: its content and meta record disagree on its tags", id)
		}
		if has := html.Get(key) != nil; has != rec.HasBody {
			p.addf("story %s: body flag %t but body present %t", id, rec.HasBody, has)
		}
		st, err := decodeState(id, states.Get(k))
		if err != nil {
			p.add(err)
		}
		c := checked{key: timeKey(rec.Published, id)}
		scratch = memberships(scratch[:0], rec, st)
		for _, n := range scratch {
			i := intern(n)
			c.names = append(c.names, i)
			want[i]++
		}
		stories[id] = c
		return nil
	})
	for _, b := range [][]byte{bucketContent, bucketHTML} {
		tx.Bucket(b).ForEach(func(k, _ []byte) error {
			if len(k) != 8 || !seqs[binary.BigEndian.Uint64(k)] {
				p.addf("%s has an entry %x that no story refers to", b, k)
			}
			return nil
		})
	}
	states.ForEach(func(k, _ []byte) error {
		if _, ok := stories[string(k)]; !ok {
			p.addf("state has an entry for %s, which is not a story", k)
		}
		return nil
	})
	tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
		var fs FeedState
		if err := decodeFeed(string(k), v, &fs); err != nil {
			p.add(err)
		}
		return nil
	})

	// Each index entry must be a story that belongs there, at its date.
	// Entries are distinct keys, so if every entry is right and the number
	// of entries equals the number of stories that belong, the index is
	// exactly right.
	have := map[string]int64{}
	ix := tx.Bucket(bucketIndex)
	ix.ForEach(func(name, v []byte) error {
		b := ix.Bucket(name)
		if b == nil {
			p.addf("index bucket holds a stray key %q", name)
			return nil
		}
		n := string(name)
		i, known := ids[n]
		b.ForEach(func(k, _ []byte) error {
			have[n]++
			if len(k) <= 8 {
				p.addf("index %s: malformed key %x", n, k)
				return nil
			}
			id := idFromKey(k)
			c, ok := stories[id]
			switch {
			case !ok:
				p.addf("index %s lists %s, which is not a story", n, id)
			case !bytes.Equal(k, c.key):
				p.addf("index %s lists %s at the wrong date", n, id)
			case !known || !slices.Contains(c.names, i):
				p.addf("index %s lists %s, which does not belong there", n, id)
			}
			return nil
		})
		return nil
	})
	for i, n := range names {
		if have[n] != want[int32(i)] {
			p.addf("index %s has %d entries, want %d", n, have[n], want[int32(i)])
		}
	}
	counts := tx.Bucket(bucketCounts)
	counts.ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			p.addf("counter %s is malformed", k)
		} else if got := readCount(v); got != have[string(k)] {
			p.addf("counter %s says %d, index has %d", k, got, have[string(k)])
		}
		return nil
	})
	for _, n := range sortedNames(have) {
		if have[n] > 0 && counts.Get([]byte(n)) == nil {
			p.addf("index %s has %d entries but no counter", n, have[n])
		}
	}
}

// sameTags reports whether the tag names a meta record repeats match the
// tags of its content.
func sameTags(rec *itemRecord) bool {
	if len(rec.Tags) != len(rec.tagNames) {
		return false
	}
	for i, t := range rec.Tags {
		if t.Name != rec.tagNames[i] {
			return false
		}
	}
	return true
}
