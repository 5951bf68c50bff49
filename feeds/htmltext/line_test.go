package htmltext

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "No markup here", "No markup here"},
		{"fast path leaves white space alone", "  two  spaces ", "  two  spaces "},
		{"script tag named in a title", "Why the <script> tag blocks rendering", "Why the <script> tag blocks rendering"},
		{"title tag named in a title", "Styling the <title> element", "Styling the <title> element"},
		{"unknown element named in a title", "the <dialog> element", "the <dialog> element"},
		{"inline markup dropped", "<em>Foo</em> bar", "Foo bar"},
		{"inline markup inside a word", "Java<b>Script</b>", "JavaScript"},
		{"inline tags in any case, with attributes", `<A HREF="/x">Link</A> and <SPAN class="k">span</SPAN>`, "Link and span"},
		{"every inline tag dropped",
			"<b>1</b><i>2</i><em>3</em><strong>4</strong><code>5</code><span>6</span><a>7</a><sup>8</sup><sub>9</sub>" +
				"<small>a</small><mark>b</mark><abbr>c</abbr><cite>d</cite><q>e</q><s>f</s><u>g</u><del>h</del><ins>i</ins>" +
				"<font>j</font><tt>k</tt><kbd>l</kbd><var>m</var><dfn>n</dfn>",
			"123456789abcdefghijklmn"},
		{"self-closing inline tag dropped", "a<b/>b", "ab"},
		{"entities decoded", "AT&amp;T", "AT&T"},
		{"escaped markup is text", "the &lt;em&gt; tag", "the <em> tag"},
		{"numeric and named entities", "&#8220;q&#x201d; &eacute;t&eacute; &mdash; x", "“q” été — x"},
		{"bare ampersand kept", "Q&A: R&D", "Q&A: R&D"},
		{"br is a space", "a<br>b", "a b"},
		{"br variants", "a<br/>b<BR >c</br>d", "a b c d"},
		{"br beside spaces folds", "a <br> b", "a b"},
		{"wbr is nothing", "super<wbr>cali", "supercali"},
		{"other tags kept as written", `<img src="x.png" ALT='a &amp; b'> caption`, `<img src="x.png" ALT='a &amp; b'> caption`},
		{"block tags kept", "<p>para</p>", "<p>para</p>"},
		{"unknown tags kept", "<foo-bar x=1>y</foo-bar>", "<foo-bar x=1>y</foo-bar>"},
		{"comment kept", "a<!-- c -->b", "a<!-- c -->b"},
		{"doctype kept", "<!DOCTYPE html> x", "<!DOCTYPE html> x"},
		{"processing instruction kept", "<?php echo 1 ?> x", "<?php echo 1 ?> x"},
		{"empty end tag kept", "a</>b", "a</>b"},
		{"less-than as a character", "5 < 6 and 1<2", "5 < 6 and 1<2"},
		{"script content kept and decoded", "<script>a &amp; b</script> after", "<script>a & b</script> after"},
		{"style content kept", "<style>p { color: red }</style>x", "<style>p { color: red }</style>x"},
		{"inline tags inside raw text kept", "<xmp><b>bold</b></xmp>", "<xmp><b>bold</b></xmp>"},
		{"textarea content decoded once", "<textarea>&amp;lt;</textarea>", "<textarea>&lt;</textarea>"},
		{"raw text to the end", "Use <noscript> and <iframe> &amp; more", "Use <noscript> and <iframe> & more"},
		{"plaintext swallows the rest, decoded", "<plaintext>x </plaintext> &gt; y", "<plaintext>x </plaintext> > y"},
		{"white space folds across tags", " a \n\t<b> b </b>\r\n c  ", "a b c"},
		{"decoded white space folds", "a&#10;&#9;&nbsp;b", "a \u00a0b"},
		{"only markup", "<b></b>", ""},
		// Hostile input.
		{"unterminated script", "<script>alert(1)", "<script>alert(1)"},
		{"unterminated comment", "a <!-- b", "a <!-- b"},
		{"bare comment opener", "<!--", "<!--"},
		{"unterminated tag", "text <a href=", "text <a href="},
		{"unterminated quoted attribute", `x <img alt="y`, `x <img alt="y`},
		{"unterminated inline tag", "x <b", "x <b"},
		{"lone less-than at the end", "x <", "x <"},
		{"end tag never opened", "x</em> y</dialog>", "x y</dialog>"},
		{"script end hidden in a comment", "<script><!--<script></script>x", "<script><!--<script></script>x"},
		{"control characters are passed on", "a&#27;[2J<b>b</b>\x1b", "a\x1b[2Jb\x1b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzLine checks that Line never panics, keeps valid UTF-8 valid, and,
// once it has parsed its input, returns one line of folded white space.
// Control characters are sanitize.Line's job, not checked here.
func FuzzLine(f *testing.F) {
	for _, s := range []string{
		"Why the <script> tag blocks rendering",
		"Styling the <title> element",
		"<em>Foo</em> bar",
		"AT&amp;T &#x1F600; &notin &#0;",
		"a<br>b<wbr>c",
		"<!--",
		"<script><!--<script>",
		`<a href="x`,
		"<plaintext>&lt;",
		"\xff<b>\xfe</b>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		if !markupKept(t, "Line", s, got) {
			return
		}
		if strings.ContainsAny(got, "\n\r\t\f") || strings.Contains(got, "  ") || got != strings.Trim(got, " ") {
			t.Errorf("Line(%q) = %q: white space not folded", s, got)
		}
		if !strings.Contains(s, "&") && !subsequence(got, s) {
			t.Errorf("Line(%q) = %q adds text", s, got)
		}
	})
}

// subsequence reports whether the non-space bytes of out appear in in, in
// order: without entities, Line only drops tags and folds white space.
func subsequence(out, in string) bool {
	for i := 0; i < len(out); i++ {
		if out[i] == ' ' {
			continue
		}
		j := strings.IndexByte(in, out[i])
		if j < 0 {
			return false
		}
		in = in[j+1:]
	}
	return true
}
