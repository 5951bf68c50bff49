package sanitize

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSanitize checks what every terminal, cache field and export relies
// on, for any input: Line and Text leave no control character, bidi
// control, invisible character or invalid UTF-8 (the check is written
// here, apart from HasControl, and HasControl must agree), only remove or
// fold characters and never add any, and are idempotent; Document leaves
// no escape sequence or forbidden control, raw or as a character
// reference, and leaves a clean document as it was. The seed corpus is in
// testdata/fuzz/FuzzSanitize.
func FuzzSanitize(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		line, text := Line(s), Text(s)
		for _, out := range []struct {
			name, s   string
			multiline bool
		}{{"Line", line, false}, {"Text", text, true}} {
			if !utf8.ValidString(out.s) {
				t.Fatalf("%s(%q) is not valid UTF-8: %q", out.name, s, out.s)
			}
			for _, r := range out.s {
				if unsafeRune(r) && !(out.multiline && r == '\n') {
					t.Fatalf("%s(%q) = %q keeps %U", out.name, s, out.s, r)
				}
			}
			if HasControl(out.s) {
				t.Errorf("HasControl(%s(%q)) is true", out.name, s)
			}
			if out.s != strings.TrimSpace(out.s) || strings.Contains(out.s, "  ") || strings.Contains(out.s, "\n\n\n") {
				t.Errorf("%s(%q) = %q: white space not folded", out.name, s, out.s)
			}
			if !subsequence(out.s, s) {
				t.Errorf("%s(%q) = %q adds characters", out.name, s, out.s)
			}
		}
		if again := Line(line); again != line {
			t.Errorf("Line is not idempotent: %q then %q", line, again)
		}
		if again := Text(text); again != text {
			t.Errorf("Text is not idempotent: %q then %q", text, again)
		}
		if strings.ContainsAny(line, "\n\t") {
			t.Errorf("Line(%q) = %q is not one line", s, line)
		}

		doc := Document([]byte(s))
		if firstForbidden(doc) >= 0 || bytes.IndexByte(doc, 0x1b) >= 0 {
			t.Errorf("Document(%q) = %q keeps a control", s, doc)
		}
		if again := Document(doc); !bytes.Equal(again, doc) {
			t.Errorf("Document is not idempotent: %q then %q", doc, again)
		}
		if firstForbidden([]byte(s)) < 0 && string(doc) != s {
			t.Errorf("Document changed a clean document %q to %q", s, doc)
		}
	})
}

// unsafeRune reports what must not reach a terminal: C0 controls (tab
// and newline included; callers allow what they keep), DEL, C1 controls,
// the bidi controls, BOM and annotation controls, and the invisible
// characters that hide or split text (ZWNJ, ZWJ and the variation
// selectors are allowed).
func unsafeRune(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0x061c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
		r == 0xfeff || r >= 0xfff9 && r <= 0xfffb ||
		r == 0xad || r == 0x34f || r == 0x115f || r == 0x1160 || r == 0x17b4 || r == 0x17b5 ||
		r == 0x180e || r == 0x200b || r >= 0x2060 && r <= 0x2064 || r >= 0x206a && r <= 0x206f ||
		r == 0x3164 || r == 0xffa0 || r >= 0xe0000 && r <= 0xe007f
}

// subsequence reports whether the visible characters of out appear in in,
// in order: the sanitiser may drop characters and turn white space into
// spaces or newlines, but not invent text.
func subsequence(out, in string) bool {
	visible := func(r rune) bool { return r != ' ' && r != '\n' }
	rest := in
	for _, r := range out {
		if !visible(r) {
			continue
		}
		i := strings.IndexRune(rest, r)
		if i < 0 {
			return false
		}
		rest = rest[i+utf8.RuneLen(r):]
	}
	return true
}
