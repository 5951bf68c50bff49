package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII unchanged", "Forum platform will charge for API access", "Forum platform will charge for API access"},
		{"empty", "", ""},
		{"CSI clear screen", "Breaking\x1b[2J\x1b[H news", "Breaking news"},
		{"CSI colour", "\x1b[31;1mred\x1b[0m alert", "red alert"},
		{"CSI private mode", "a\x1b[?1049hb", "ab"},
		{"OSC 52 clipboard write, BEL", "copy \x1b]52;c;cm0gLXJmIH4K\x07this", "copy this"},
		{"OSC window title, ST", "x\x1b]0;pwned\x1b\\y", "xy"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ here", "click here"},
		{"DCS", "a\x1bP1$r0m\x1b\\b", "ab"},
		{"APC", "a\x1b_payload\x1b\\b", "ab"},
		{"unterminated OSC eats the rest", "title\x1b]52;c;bm90aGluZw== and more", "title"},
		{"full reset ESC c", "a\x1bcb", "ab"},
		{"charset ESC ( B", "a\x1b(Bb", "ab"},
		{"lone ESC at end", "abc\x1b", "abc"},
		{"8-bit CSI", "a\u009b2Jb", "ab"},
		{"8-bit OSC with 8-bit ST", "a\u009d52;c;Zm9v\u009cb", "ab"},
		{"8-bit DCS with BEL", "a\u0090junk\x07b", "ab"},
		{"other C1 control", "a\u0085b\u0084c", "abc"},
		{"C0 controls dropped", "a\x00b\x07c\x08d\x7fe", "abcde"},
		{"newlines and tabs fold", "one\ntwo\r\nthree\tfour\v\ffive", "one two three four five"},
		{"space runs fold and trim", "  lots   of\t\t space  ", "lots of space"},
		{"unicode spaces fold", "a\u00a0b\u2003c\u3000d\u202fe", "a b c d e"},
		{"line separators", "a\u2028b\u2029c", "a b c"},
		{"bidi override", "invoice\u202egnp.exe", "invoicegnp.exe"},
		{"bidi embeddings", "\u202aa\u202bb\u202cc\u202dd", "abcd"},
		{"bidi isolates", "\u2066x\u2067y\u2068z\u2069", "xyz"},
		{"implicit marks", "a\u200eb\u200fc\u061cd", "abcd"},
		{"BOM", "\ufeffTitle", "Title"},
		{"annotation controls", "a\ufff9b\ufffac\ufffbd", "abcd"},
		{"invalid UTF-8", "caf\xe9 \xff\xfeok", "caf ok"},
		{"lone 0x9b byte is invalid UTF-8", "a\x9b2Jb", "a2Jb"},
		{"truncated UTF-8", "abc\xe2\x82", "abc"},
		{"accents kept", "Café Zürich naïve", "Café Zürich naïve"},
		{"CJK kept", "人工智能 训练数据", "人工智能 训练数据"},
		{"Arabic letters kept", "بيانات التدريب", "بيانات التدريب"},
		{"emoji with ZWJ kept", "family 👩\u200d👩\u200d👧 ok", "family 👩\u200d👩\u200d👧 ok"},
		{"combining mark kept", "e\u0301", "e\u0301"},
		{"en dash and quotes kept", "“AI” – data", "“AI” – data"},
		{"control between words keeps words apart", "word\x1b[0m word", "word word"},
		{"soft hyphen", "co\u00adoperate", "cooperate"},
		{"combining grapheme joiner", "a\u034fb", "ab"},
		{"Hangul fillers", "\u115f\u1160name\u3164\uffa0", "name"},
		{"Khmer inherent vowels", "a\u17b4b\u17b5c", "abc"},
		{"Mongolian vowel separator", "a\u180eb", "ab"},
		{"zero width space", "Safe\u200b update", "Safe update"},
		{"zero width space between spaces", "a \u200b b", "a b"},
		{"only invisible", "\u200b\u2060\U000e0041", ""},
		{"word joiner and invisible operators", "a\u2060b\u2061c\u2062d\u2063e\u2064f", "abcdef"},
		{"deprecated format characters", "a\u206ab\u206bc\u206cd\u206de\u206ef\u206fg", "abcdefg"},
		{"tag characters", "Safe update\U000e0001\U000e0041\U000e0042\U000e0020\U000e007f", "Safe update"},
		{"tag block bounds", "\U000e0000a\U000e007f", "a"},
		// The whole tag block goes, so a subdivision flag falls back to the
		// black flag it is built on.
		{"subdivision flag loses its tags", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "\U0001f3f4"},
		{"ZWJ emoji sequence kept", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469\u200d\U0001f467"},
		{"ZWNJ in a Persian word kept", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"},
		{"VS16 emoji kept", "I \u2764\ufe0f it", "I \u2764\ufe0f it"},
		{"VS15 text presentation kept", "\u263a\ufe0e", "\u263a\ufe0e"},
		{"ideographic variation selector kept", "\u845b\U000e0100", "\u845b\U000e0100"},
		{"Mongolian free variation selector kept", "\u1820\u180b", "\u1820\u180b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.in)
			if got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if HasControl(got) {
				t.Errorf("Line(%q) = %q still has control characters", tt.in, got)
			}
			if strings.ContainsAny(got, "\n\t") {
				t.Errorf("Line(%q) = %q is not one line", tt.in, got)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs kept", "first\n\nsecond", "first\n\nsecond"},
		{"single newline kept", "a\nb", "a\nb"},
		{"blank line runs capped at one", "a\n\n\n\n\n\nb", "a\n\nb"},
		{"CRLF is one break", "a\r\nb\r\n\r\nc", "a\nb\n\nc"},
		{"lone CR is a break", "a\rb", "a\nb"},
		{"leading and trailing breaks trimmed", "\n\n  a  \n\n", "a"},
		{"spaces around breaks dropped", "a  \n  b", "a\nb"},
		{"tabs become spaces", "a\tb", "a b"},
		{"paragraph separator is a break", "a\u2029b", "a\nb"},
		{"escapes dropped across lines", "a\x1b[2J\nb\x1b]52;c;eA==\x07", "a\nb"},
		{"vertical tab and form feed are breaks", "a\vb\fc", "a\nb\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if HasControl(got) {
				t.Errorf("Text(%q) = %q still has control characters", tt.in, got)
			}
		})
	}
}

func TestHasControl(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"plain", false},
		{"two\nlines\tand tab", false},
		{"esc\x1b", true},
		{"nul\x00", true},
		{"del\x7f", true},
		{"c1\u0085", true},
		{"bidi\u202e", true},
		{"isolate\u2066", true},
		{"invalid\xff", true},
		{"cr\r", true},
		{"bom\ufeff", true},
		{"Café 人工 👍", false},
		{"soft\u00adhyphen", true},
		{"cgj\u034f", true},
		{"filler\u115f", true},
		{"filler\u1160", true},
		{"khmer\u17b4", true},
		{"khmer\u17b5", true},
		{"mvs\u180e", true},
		{"zwsp\u200b", true},
		{"wj\u2060", true},
		{"invisible times\u2062", true},
		{"invisible plus\u2064", true},
		{"deprecated\u206a", true},
		{"deprecated\u206f", true},
		{"filler\u3164", true},
		{"halfwidth filler\uffa0", true},
		{"tag\U000e0000", true},
		{"tag\U000e0041", true},
		{"cancel tag\U000e007f", true},
		{"zwnj\u200c zwj\u200d", false},
		{"\U0001f468\u200d\U0001f469\u200d\U0001f467", false},
		{"\u2764\ufe0f \u845b\U000e0100", false},
		{"\u2010\u2027\u2030\u205e", false},
	}
	for _, tt := range tests {
		if got := HasControl(tt.in); got != tt.want {
			t.Errorf("HasControl(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestEveryRuneIsSafe runs every code point through Line and Text and
// checks that nothing HasControl objects to survives.
func TestEveryRuneIsSafe(t *testing.T) {
	var b strings.Builder
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // surrogates cannot be encoded
		}
		b.WriteString("x")
		b.WriteRune(r)
	}
	all := b.String()
	if got := Line(all); HasControl(got) {
		t.Errorf("Line left a control character in the full range")
	}
	if got := Text(all); HasControl(got) {
		t.Errorf("Text left a control character in the full range")
	}
}

func BenchmarkText(b *testing.B) {
	para := strings.Repeat("Publishers say the crawler scraped their archive to train a model; the company disputes it. ", 20)
	in := strings.Repeat("<p>"+para+"</p>\n", 10)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Text(in)
	}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean document unchanged", "<rss><title>a &#8217; b</title></rss>", "<rss><title>a &#8217; b</title></rss>"},
		{"tabs and newlines kept", "<a>\t\r\n</a>", "<a>\t\r\n</a>"},
		{"raw CSI removed", "<t>a\x1b[2Jb</t>", "<t>ab</t>"},
		{"raw OSC 52 removed", "<t>a\x1b]52;c;eA==\x07b</t>", "<t>ab</t>"},
		{"unterminated OSC stops at markup", "<t>a\x1b]0;title</t><u>b</u>", "<t>a</t><u>b</u>"},
		{"other C0 removed", "<t>a\x00b\x08c</t>", "<t>abc</t>"},
		{"decimal reference to ESC and its payload removed", "<t>a&#27;[2Jb</t>", "<t>ab</t>"},
		{"hex reference to ESC removed", "<t>a&#x1B;[31mb</t>", "<t>ab</t>"},
		{"reference to BEL removed", "<t>a&#7;b</t>", "<t>ab</t>"},
		{"allowed references kept", "<t>&#9;&#10;&#x20;&#160;&#x202e;</t>", "<t>&#9;&#10;&#x20;&#160;&#x202e;</t>"},
		{"broken reference left to the parser", "<t>&#27</t>", "<t>&#27</t>"},
		{"JSON with raw controls", "{\"t\":\"a\x1b[1mb\x01\"}", "{\"t\":\"ab\"}"},
	}
	for _, tt := range tests {
		if got := string(Document([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: Document(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func BenchmarkDocument(b *testing.B) {
	item := "<item><title>Publishers say the crawler scraped their archive</title><description>&lt;p&gt;A summary &#8217;with&#8217; references.&lt;/p&gt;</description></item>\n"
	in := []byte("<rss><channel>" + strings.Repeat(item, 200) + "</channel></rss>")
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Document(in)
	}
}

// TestEscapeInsideString: an ESC that does not end an OSC starts the next
// sequence, as in a terminal, so the text after it is not lost.
func TestEscapeInsideString(t *testing.T) {
	if got := Line("a\x1b]0;title\x1b[31mred"); got != "ared" {
		t.Errorf("got %q, want %q", got, "ared")
	}
}
