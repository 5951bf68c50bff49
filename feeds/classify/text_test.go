package classify

import (
	"strings"
	"testing"
)

func TestStemJoinsInflections(t *testing.T) {
	same := [][]string{
		{"train", "trains", "trained", "training", "trainings"},
		{"price", "prices", "priced", "pricing"},
		{"charge", "charges", "charged", "charging"},
		{"scrape", "scrapes", "scraped", "scraping"},
		{"scrap", "scraps", "scrapped", "scrapping"},
		{"license", "licenses", "licensed", "licensing"},
		{"company", "companies"},
		{"policy", "policies"},
		{"copy", "copies", "copied", "copying"},
		{"use", "uses", "used", "using"},
		{"sue", "sues", "sued", "suing"},
		{"api", "apis"},
		{"ai", "ais"},
		{"fee", "fees"},
		{"rate", "rates", "rated", "rating"},
		{"crawl", "crawls", "crawled", "crawling"},
		{"agree", "agreed", "agrees"},
		{"need", "needs"},
		{"cut", "cuts", "cutting"},
		{"hike", "hikes", "hiked", "hiking"},
	}
	for _, group := range same {
		want := string(stem([]byte(group[0])))
		for _, w := range group[1:] {
			if got := string(stem([]byte(w))); got != want {
				t.Errorf("stem(%q) = %q, want %q like stem(%q)", w, got, want, group[0])
			}
		}
	}
	apart := [][2]string{
		{"scrape", "scrap"},    // scraping is not scrapping
		{"news", "new"},        // not a plural
		{"trainer", "train"},   // derivations stay apart
		{"use", "us"},          // "using" must not turn into "US"
		{"api", "rapid"},       // sanity
		{"pay", "payment"},     // a payment is not paying
		{"licence", "license"}, // spelling variants are the rules' job
	}
	for _, p := range apart {
		if a, b := string(stem([]byte(p[0]))), string(stem([]byte(p[1]))); a == b {
			t.Errorf("stem(%q) = stem(%q) = %q, want them apart", p[0], p[1], a)
		}
	}
	for _, w := range []string{"gpt4o", "été", "x", "ab", ""} {
		if got := string(stem([]byte(w))); got != w {
			t.Errorf("stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

// words tokenises s and returns each token's stem and the text it covers.
func words(s string) (stems, spans []string) {
	tz := tokenizer{keep: true}
	for _, tok := range tz.tokenize(s, nil) {
		spans = append(spans, s[tok.start:tok.end])
	}
	return tz.stems, spans
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in           string
		stems, spans string // space-separated
	}{
		{"Rapid API", "rapid api", "Rapid API"},
		{"web-scraping", "web scrape", "web scraping"},
		{"OpenAI's crawler", "openai crawler", "OpenAI crawler"},
		{"OpenAI’s crawler", "openai crawler", "OpenAI crawler"},
		{"don't", "dont", "don't"},
		{"users' posts", "user post", "users posts"},
		{"ＡＰＩ ｐｒｉｃｉｎｇ", "api price", "ＡＰＩ ｐｒｉｃｉｎｇ"},
		{"Café CAFÉ cafe\u0301", "cafe cafe cafe", "Café CAFÉ cafe\u0301"},
		{"scr\u00adaping", "scrape", "scr\u00adaping"},
		{"AI\u200bcrawler", "ai crawler", "AI crawler"},
		{"$20 a month", "$ 20 a month", "$ 20 a month"},
		{"€5/mo", "€ 5 mo", "€ 5 mo"},
		{"Straße œuvre ﬁle", "strass oeuvr file", "Straße œuvre ﬁle"},
		{"bad \xff byte", "bad byte", "bad byte"},
		{"", "", ""},
	}
	for _, tt := range tests {
		stems, spans := words(tt.in)
		if got := strings.Join(stems, " "); got != tt.stems {
			t.Errorf("tokenize(%q) stems = %q, want %q", tt.in, got, tt.stems)
		}
		if got := strings.Join(spans, " "); got != tt.spans {
			t.Errorf("tokenize(%q) spans = %q, want %q", tt.in, got, tt.spans)
		}
	}
}

func TestSentences(t *testing.T) {
	var tz tokenizer
	toks := tz.tokenize("U.S. firms pay. Then an API! And 3.5 more", nil)
	var sents []int32
	for _, tok := range toks {
		sents = append(sents, tok.sent)
	}
	// U S firms pay | Then an API | And 3 5 more
	want := []int32{0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2}
	if len(sents) != len(want) {
		t.Fatalf("got %d tokens, want %d", len(sents), len(want))
	}
	for i := range want {
		if sents[i] != want[i] {
			t.Errorf("sentence numbers %v, want %v", sents, want)
			break
		}
	}
}
