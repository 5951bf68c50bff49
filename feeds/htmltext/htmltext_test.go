package htmltext

import (
	"strings"
	"testing"
	"unicode/utf8"

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

		// The content of a script, style, svg and the like goes if the
		// element is closed...
		{"closed script with attributes and odd case", "a<SCRIPT type=x>b()</Script >c", "ac"},
		{"self-closed script still has content", "<script/>alert(1)</script>hi", "hi"},
		{"self-closed svg is empty", "a<svg/>b", "ab"},
		{"title removed", "<title>T</title>body", "body"},
		{"closed svg's children give nothing", "a<svg><text>label</text><li>x</li><p>y</p></svg>b", "ab"},
		{"closed template's images and items give nothing", "<template><li>x</li><img alt=y></template>z", "z"},
		{"nested skipped elements", "<svg><style>x{}</style><title>t</title></svg>after", "after"},
		{"end tag of another element does not close", "<svg>a</object>b</svg>c", "c"},
		{"outer end tag closes what is open inside", "<object><svg>a</object>b", "b"},
		{"stray end tag ignored", "a</script>b", "ab"},
		{"closed script, then one the input ends in", "<script>a()</script>Why <script> blocks", "Why <script> blocks"},

		// ...and is text if the input ends inside it.
		{"Atom text summary", "Why the <script> element blocks parsing, and what to do", "Why the <script> element blocks parsing, and what to do"},
		{"raw text entities decoded", "Why the <script> element &amp; &lt;style&gt; block", "Why the <script> element & <style> block"},
		{"markup in raw text kept as written", "the <script> tag, <b>not</b> this", "the <script> tag, <b>not</b> this"},
		{"start tag as written", "Use <SCRIPT  async> for   speed", "Use <SCRIPT async> for speed"},
		{"unclosed style", "The <style> tag & its scope", "The <style> tag & its scope"},
		{"unclosed noscript", "a <noscript> fallback", "a <noscript> fallback"},
		{"unclosed iframe", "an <iframe src=x> embed", "an <iframe src=x> embed"},
		{"unclosed title decoded once", "Styling the <title> element &amp;lt;", "Styling the <title> element &lt;"},
		{"self-closed script unclosed", "<script/> is not self-closing", "<script/> is not self-closing"},
		{"nothing after the tag", "end <script>", "end <script>"},
		{"input ends in the end tag", "<script>x</script", "<script>x</script"},
		{"script end hidden in a comment", "<script><!--<script></script>x", "<script><!--<script></script>x"},
		{"unclosed svg's children converted", "Inline <svg> icons:<p>small <b>and</b> sharp", "Inline <svg> icons:\n\nsmall and sharp"},
		{"closed script inside unclosed svg removed", "An <svg> with <script>evil()</script>scripts", "An <svg> with scripts"},
		{"closed svg inside unclosed svg removed", "<svg><svg>x</svg>y", "<svg>y"},
		{"unclosed inside unclosed", "The <svg> and <script> tags", "The <svg> and <script> tags"},
		{"unclosed template, object, head", "<template>a <object>b <head>c", "<template>a <object>b <head>c"},
		{"unclosed inside pre keeps its lines", "<pre>x <script>\n  y", "x <script>\n  y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Convert(tt.in); got != tt.want {
				t.Errorf("Convert(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzConvert checks that Convert never panics, keeps valid UTF-8 valid,
// leaves text without markup alone, trims, invents no text, and that its
// second pass (for unclosed elements) finds nothing left unclosed.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		"Why the <script> element blocks parsing, and what to do",
		"<script>alert(1)</script>hi",
		"<script/>x</script>y",
		"<svg><text>L</text><p>q",
		"<object><svg>a</object>b<svg>",
		"<title>a &amp;lt; b",
		"<script><!--<script></script>x",
		"<pre>a\r\n<style>b",
		"<ul><li>x<img alt=y></ul>&#x200b;",
		"\xff<b>\xfe</b><script>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Convert(s)
		if !markupKept(t, "Convert", s, got) {
			return
		}
		if got != strings.TrimSpace(got) {
			t.Errorf("Convert(%q) = %q is not trimmed", s, got)
		}
		if _, open := convert(s, nil); len(open) > 0 {
			if _, left := convert(s, open); len(left) > 0 {
				t.Errorf("Convert(%q): second pass left %v open", s, left)
			}
		}
		if utf8.ValidString(s) && !strings.ContainsAny(s, "&\x00") && !inOrder(got, s) {
			t.Errorf("Convert(%q) = %q adds text", s, got)
		}
	})
}

// inOrder reports whether the characters of out appear in in, in order,
// apart from white space and what Convert adds: bullets and the brackets
// around alt text.
func inOrder(out, in string) bool {
	for _, r := range out {
		switch r {
		case ' ', '\n', '•', '[', ']':
			continue
		}
		i := strings.IndexRune(in, r)
		if i < 0 {
			return false
		}
		in = in[i+utf8.RuneLen(r):]
	}
	return true
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
		{"Why <script>&#27;[2J it&#x200b;s slow", "Why <script> its slow"},
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

// markupKept checks what both converters promise of any input: valid
// UTF-8 stays valid, and text without markup comes back as it was. It
// reports whether s has markup left to check.
func markupKept(t *testing.T, name, s, got string) bool {
	t.Helper()
	if utf8.ValidString(s) && !utf8.ValidString(got) {
		t.Fatalf("%s(%q) = %q is not valid UTF-8", name, s, got)
	}
	if !strings.ContainsAny(s, "<&") {
		if got != s {
			t.Fatalf("%s(%q) = %q changed text without markup", name, s, got)
		}
		return false
	}
	return true
}
