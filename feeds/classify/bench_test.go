package classify

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds/item"
)

// typicalItems are stories as feeds deliver them: a headline and a summary
// of about 400 bytes, made from the development set by running each
// summary on into the next.
func typicalItems(tb testing.TB) []item.Item {
	tb.Helper()
	f, err := os.Open("testdata/dev.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ex, err := ReadExamples(f, func(string) bool { return true })
	if err != nil {
		tb.Fatal(err)
	}
	items := make([]item.Item, len(ex))
	for i, e := range ex {
		s := e.Summary + " " + ex[(i+1)%len(ex)].Summary
		if len(s) > 400 {
			s = s[:strings.LastIndexByte(s[:400], ' ')]
		}
		items[i] = item.Item{Title: e.Title, Summary: s}
	}
	return items
}

// userRules500 is a user rules file with 500 phrases: five watch tags of
// 90 phrases each and 25 more for each core tag, one to three words drawn
// at random from words. With the dev set's own vocabulary that is like a
// real watch list: some phrases occur in some stories. With only the most
// common news words nearly every phrase occurs everywhere, which is the
// worst case.
func userRules500(words []string) string {
	r := rand.New(rand.NewPCG(1, 2))
	phrase := func() string {
		n := 1 + r.IntN(3)
		p := make([]string, n)
		for i := range p {
			p[i] = words[r.IntN(len(words))]
		}
		return strings.Join(p, " ")
	}
	var b strings.Builder
	count := 0
	seen := map[string]bool{}
	list := func(n int) string {
		var ps []string
		for len(ps) < n {
			p := phrase()
			k, _ := phraseKey(p)
			if !seen[k] {
				seen[k] = true
				ps = append(ps, fmt.Sprintf("%q", p))
			}
		}
		count += n
		return strings.Join(ps, ", ")
	}
	for t := range 5 {
		fmt.Fprintf(&b, "[tags.watch-%d]\nthreshold = 3\nrequire = [[\"a\", \"b\"]]\n", t)
		fmt.Fprintf(&b, "[tags.watch-%d.concepts.a]\nweight = 2\nphrases = [%s]\n", t, list(40))
		fmt.Fprintf(&b, "[tags.watch-%d.concepts.b]\nweight = 1\nphrases = [%s]\n", t, list(40))
		fmt.Fprintf(&b, "[tags.watch-%d.concepts.not]\nweight = -2\nphrases = [%s]\n", t, list(10))
		fmt.Fprintf(&b, "[tags.watch-%d.near.ab]\nconcepts = [\"a\", \"b\"]\nwithin = 4\nweight = 1\n", t)
	}
	fmt.Fprintf(&b, "[tags.training-data.concepts.mine]\nweight = 1\nphrases = [%s]\n", list(25))
	fmt.Fprintf(&b, "[tags.api-pricing.concepts.mine]\nweight = 1\nphrases = [%s]\n", list(25))
	if count != 500 {
		panic("userRules500 makes the wrong number of phrases")
	}
	return b.String()
}

// devWords is every distinct word of four letters or more in the stories.
func devWords(items []item.Item) []string {
	seen := map[string]bool{}
	var words []string
	for _, it := range items {
		for _, w := range strings.FieldsFunc(strings.ToLower(it.Title+" "+it.Summary), func(r rune) bool { return r < 'a' || r > 'z' }) {
			if len(w) >= 4 && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	return words
}

// commonWords are among the most frequent words in tech news.
var commonWords = strings.Fields(`ai api data model price training news app user
	company market google apple meta microsoft amazon openai reddit twitter
	deal court law government security privacy chip cloud phone game video
	music search social media startup developer platform content policy
	report study research new open free paid plan tier cost fee license
	copyright crawler scrape bot token service network store update feature`)

func benchmarkTag(b *testing.B, c *Classifier) {
	items := typicalItems(b)
	bytes := 0
	for _, it := range items {
		bytes += len(it.Title) + len(it.Summary)
	}
	b.SetBytes(int64(bytes / len(items)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := range b.N {
		it := items[i%len(items)]
		c.Tag(&it)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		// On a shared machine wall time includes waiting for a core;
		// CPU time is what the work costs on one.
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "items/cpu-s")
	}
}

// BenchmarkTag is the classify performance target: over 100k typical
// stories a second on one core.
func BenchmarkTag(b *testing.B) { benchmarkTag(b, Default()) }

// BenchmarkTagUserRules500 adds a user rules file of 500 phrases; the
// target is 50k stories a second or more.
func BenchmarkTagUserRules500(b *testing.B) {
	c, err := New(Source{Name: "user.toml", Data: []byte(userRules500(devWords(typicalItems(b))))})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTag(b, c)
}

// BenchmarkTagUserRules500Common is the worst case: 500 phrases of the most
// common news words, so that most stories fire several extra tags.
func BenchmarkTagUserRules500Common(b *testing.B) {
	c, err := New(Source{Name: "user.toml", Data: []byte(userRules500(commonWords))})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTag(b, c)
}

func BenchmarkExplain(b *testing.B) {
	c := Default()
	items := typicalItems(b)
	b.ReportAllocs()
	for i := range b.N {
		it := items[i%len(items)]
		c.Explain(it.Title, it.Summary, "")
	}
}

func BenchmarkLoadRules(b *testing.B) {
	user := []byte(userRules500(devWords(typicalItems(b))))
	b.ReportAllocs()
	for range b.N {
		if _, err := New(Source{Name: "user.toml", Data: user}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTypicalItemsAreTypical(t *testing.T) {
	items := typicalItems(t)
	total := 0
	for _, it := range items {
		total += len(it.Summary)
	}
	if avg := total / len(items); avg < 350 || avg > 400 {
		t.Errorf("benchmark summaries average %d bytes, want about 400", avg)
	}
	for _, words := range [][]string{devWords(items), commonWords} {
		if _, err := New(Source{Name: "user.toml", Data: []byte(userRules500(words))}); err != nil {
			t.Fatal(err)
		}
	}
}
