package htmltext

import (
	"strings"
	"testing"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

func TestConvert(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "No markup here", "No markup here"},
		{"paragraphs become blank-line blocks", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"source newlines between blocks do not add up", "<p>a</p>\n\n\n<p>b</p>", "a\n\nb"},
		{"br is a line break", "a<br>b<br/>c", "a\nb\nc"},
		{"list items get bullets", "<ul><li>x</li><li>y</li></ul>", "• x\n• y"},
		{"inline markup vanishes", "one <b>bold</b> and <em>em</em> word", "one bold and em word"},
		{"links keep their text", `see <a href="https://x.example/">the report</a>.`, "see the report."},
		{"entities decoded", "AT&amp;T &lt;b&gt; &quot;q&quot; &#8212; &eacute;", `AT&T <b> "q" — é`},
		{"escaped markup is text, not markup", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
		{"script removed", "<script>alert(1)</script>hi", "hi"},
		{"style removed", "x<style>p { color: red }</style>y", "xy"},
		{"noscript and iframe removed", "a<noscript>enable js</noscript><iframe src=x>frame</iframe>b", "ab"},
		{"image alt text kept", `<img src="x.jpg" alt="a chart"> caption`, "[a chart] caption"},
		{"image without alt vanishes", `<img src="x.jpg">caption`, "caption"},
		{"headings are blocks", "<h1>Title</h1>body", "Title\n\nbody"},
		{"nested blocks", "<div><p>nested</p></div>after", "nested\n\nafter"},
		{"white space collapses", "<p>lots   of\n\t space</p>", "lots of space"},
		{"pre keeps its lines", "<pre>a\n  b</pre>", "a\n  b"},
		{"table cells apart", "<table><tr><td>a</td><td>b</td></tr></table>", "a b"},
		{"unclosed tags", "<p>unclosed <b>bold", "unclosed bold"},
		{"broken markup keeps the text read", "text <a href=", "text"},
		{"leading and trailing space trimmed", "  <p> x </p>  ", "x"},
		{"comments removed", "a<!-- hidden -->b", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Convert(tt.in); got != tt.want {
				t.Errorf("Convert(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestConvertThenSanitize shows why the package doc says the result still
// needs sanitising: entities can spell control characters, and the pair
// together must remove them.
func TestConvertThenSanitize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"&#27;[2Jcleared", "cleared"},
		{"<p>copy &#x1b;]52;c;aGk=&#x07;this</p>", "copy this"},
		{"a&#x202e;b", "ab"},
		{"<p>x&#0;y</p>", "x\ufffdy"}, // NUL decodes to U+FFFD, which is printable
		{"<b>\x1b[31mred</b>", "red"},
	}
	for _, tt := range tests {
		got := sanitize.Text(Convert(tt.in))
		if got != tt.want {
			t.Errorf("Text(Convert(%q)) = %q, want %q", tt.in, got, tt.want)
		}
		if sanitize.HasControl(got) {
			t.Errorf("Text(Convert(%q)) = %q has control characters", tt.in, got)
		}
	}
}

func BenchmarkConvert(b *testing.B) {
	para := "<p>Publishers say the <a href=\"/x\">crawler</a> scraped their <em>archive</em> to train a model; the company disputes it.</p>\n"
	in := strings.Repeat(para, 40)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Convert(in)
	}
}

// BenchmarkConvertSummary is one feed summary, the size most calls see.
func BenchmarkConvertSummary(b *testing.B) {
	in := "<p>Publishers say the <a href=\"/x\">crawler</a> scraped their <em>archive</em> to train a model &amp; the company disputes it. " +
		"A spokesperson said the <b>licence</b> terms allowed it,\n  and that   opt-outs were honoured.</p><p>The case continues next month.</p>"
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Convert(in)
	}
}
