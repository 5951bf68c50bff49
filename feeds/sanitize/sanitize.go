// Package sanitize makes untrusted text safe to show on a terminal.
//
// Feed text is hostile: a title can carry escape sequences that clear the
// screen, rewrite the window title, write the clipboard (OSC 52) or reorder
// what the reader sees (bidi overrides). Everything that reaches the screen,
// the cache's display fields or an export goes through Line or Text first.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// Line returns s as one line of plain, printable text: escape sequences,
// control characters, bidi controls, invisible characters (see
// isInvisible) and invalid UTF-8 removed, and runs of white space
// (including newlines and tabs) folded to single spaces, trimmed.
func Line(s string) string {
	if plainRun(s, 0) == len(s) {
		return s // the common case: nothing to remove, no copy
	}
	return clean(s, false)
}

// Text is like Line but keeps line structure: newlines survive (at most two
// in a row, so a hostile feed cannot push content off screen with blank
// lines), tabs become spaces, other white space runs are folded.
func Text(s string) string {
	return clean(s, true)
}

// cleaner accumulates sanitised text. White space is held back until the
// next visible character, so that runs fold and nothing trails.
type cleaner struct {
	b         strings.Builder
	multiline bool
	space     bool // a space is owed before the next text
	newlines  int  // newlines owed (multiline only)
	wrote     bool
}

// text writes visible text, preceded by the white space it is owed.
func (c *cleaner) text(s string) {
	if c.wrote {
		switch {
		case c.newlines > 0:
			c.b.WriteString("\n\n"[:min(c.newlines, 2)])
		case c.space:
			c.b.WriteByte(' ')
		}
	}
	c.space, c.newlines = false, 0
	c.b.WriteString(s)
	c.wrote = true
}

// lineBreak records a line break: a newline in text, a space in a line.
func (c *cleaner) lineBreak() {
	if c.multiline {
		c.newlines++
	} else {
		c.space = true
	}
}

func clean(s string, multiline bool) string {
	c := cleaner{multiline: multiline}
	c.b.Grow(len(s))
	for i := 0; i < len(s); {
		// The common case, a run of ordinary text, is copied in one go.
		if j := plainRun(s, i); j > i {
			c.text(s[i:j])
			i = j
			continue
		}
		ch := s[i]
		if ch == 0x1b { // ESC: drop the whole sequence, not just the byte
			i = skipEscape(s, i+1, false)
			continue
		}
		if ch < utf8.RuneSelf {
			i++
			switch {
			case ch == '\r' && i < len(s) && s[i] == '\n':
				// CRLF is one line break; the LF is handled next round.
			case ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f':
				c.lineBreak()
			case ch == ' ' || ch == '\t':
				c.space = true
			}
			// other C0 controls and DEL: dropped
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			// invalid UTF-8: dropped
		case r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			// C1 CSI, OSC, DCS, SOS, PM, APC: drop them and their payload
			i = skipC1String(s, i+size, r)
			continue
		case r == 0x2028 || r == 0x2029: // line and paragraph separators
			c.lineBreak()
		case isSpace(r):
			c.space = true
		}
		// other C1 controls, bidi controls, BOM, annotation controls,
		// invisible characters: dropped
		i += size
	}
	return c.b.String()
}

// plainRun returns the end of the run of text starting at s[i] that passes
// through unchanged: printable characters, and single spaces between them.
func plainRun(s string, i int) int {
	start := i
	for i < len(s) {
		ch := s[i]
		if ch < utf8.RuneSelf {
			if ch == ' ' && i > start && i+1 < len(s) && s[i+1] > ' ' && s[i+1] < 0x7f {
				i += 2
				continue
			}
			if ch <= ' ' || ch == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !plainRune(r) {
			return i
		}
		i += size
	}
	return i
}

// plainRune reports a non-ASCII rune that is kept as it is: neither
// dropped nor white space to fold.
func plainRune(r rune) bool {
	if r > 0x3000 && r < 0xfeff {
		// CJK and most other scripts: one invisible filler, else kept.
		return r != 0x3164
	}
	return !dropped(r) && !isSpace(r) && r != 0x2028 && r != 0x2029
}

// dropped reports the non-ASCII characters that Text removes outright:
// C1 controls, bidi controls, the byte order mark, the interlinear
// annotation controls and the invisible characters.
func dropped(r rune) bool {
	return r >= 0x80 && r <= 0x9f || isBidiControl(r) || r == 0xfeff || r >= 0xfff9 && r <= 0xfffb || isInvisible(r)
}

// isInvisible reports the characters that show nothing yet are not white
// space: they hide text from the reader that scripts and search still see
// (tag characters can spell a whole hidden sentence), or split words that
// look whole. ZWNJ and ZWJ are not among them (Persian, Indic scripts and
// emoji sequences need them), nor are the variation selectors (emoji
// presentation).
func isInvisible(r rune) bool {
	switch r {
	case 0x00ad, // soft hyphen
		0x034f,         // combining grapheme joiner
		0x115f, 0x1160, // Hangul fillers
		0x17b4, 0x17b5, // Khmer inherent vowels
		0x180e,         // Mongolian vowel separator
		0x200b,         // zero width space
		0x3164, 0xffa0: // Hangul fillers
		return true
	}
	// Invisible operators and deprecated format characters (the isolates
	// among them are bidi controls too; U+2065 is reserved), and the tag
	// characters.
	return r >= 0x2060 && r <= 0x206f || r >= 0xe0000 && r <= 0xe007f
}

// isSpace reports the Unicode spaces that fold to one ASCII space.
func isSpace(r rune) bool {
	return r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x202f || r == 0x205f || r == 0x3000
}

// isBidiControl reports the characters that change display order: the
// embeddings and overrides (LRE..RLO), the isolates (LRI..PDI) and the
// implicit marks. Stripped so that a title cannot show one thing and say
// another ("Trojan Source").
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c:
		return true
	}
	return false
}

// bytesOrString lets one set of escape scanners serve field text (Line,
// Text) and whole documents (Document).
type bytesOrString interface{ ~string | ~[]byte }

// skipEscape returns the index just past the escape sequence whose ESC was
// just before s[i]. In field text an unterminated string swallows the rest
// of the input: what follows an unterminated OSC is exactly what a
// terminal would have eaten too. In a document (inDoc) a sequence never
// runs past '<', '>', '"' or '&', which would cut into the document's own
// structure.
func skipEscape[T bytesOrString](s T, i int, inDoc bool) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI
		return skipCSI(s, i+1, inDoc)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC
		return skipString(s, i+1, inDoc)
	}
	// two- or three-byte escapes: intermediates 0x20..0x2f, then one final
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e && !(inDoc && structural(s[i])) {
		i++
	}
	return i
}

// skipCSI skips a control sequence's parameters and intermediates up to
// and including its final byte (0x40..0x7e).
func skipCSI[T bytesOrString](s T, i int, inDoc bool) int {
	for i < len(s) {
		c := s[i]
		if inDoc && structural(c) {
			return i
		}
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 || c > 0x7e {
			// a broken sequence: stop at the first byte that cannot be part of it
			return i - 1
		}
	}
	return i
}

// skipString skips the payload of OSC, DCS and the other string controls
// up to and including its terminator: BEL, ESC \ or the 8-bit ST. An ESC
// that does not terminate it starts the next sequence, as in a terminal.
func skipString[T bytesOrString](s T, i int, inDoc bool) int {
	for i < len(s) {
		switch c := s[i]; {
		case c == 0x07:
			return i + 1
		case c == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case c == 0x1b:
			return i
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // C1 ST
			return i + 2
		case inDoc && structural(c):
			return i
		}
		i++
	}
	return i
}

// structural reports the bytes of XML and JSON syntax that an escape
// sequence inside a document is not allowed to swallow.
func structural(c byte) bool { return c == '<' || c == '>' || c == '"' || c == '&' }

// skipC1String handles the 8-bit forms of CSI, OSC and the string controls.
func skipC1String(s string, i int, intro rune) int {
	if intro == 0x9b {
		return skipCSI(s, i, false)
	}
	return skipString(s, i, false)
}

// HasControl reports whether s contains anything Text would remove other
// than white space: tests use it to assert that output is clean.
func HasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && dropped(r):
			return true
		}
	}
	return false
}

// Document removes terminal escape sequences and the C0 control
// characters that XML and JSON forbid (all but tab, newline and carriage
// return) from a whole feed document before it is parsed, whether raw or
// spelled as XML character references (&#27;). The parsers reject a
// document with one such character in a title, so without this one
// hostile entry would make the whole feed unreadable. Everything else is
// left for Line and Text to clean field by field. A document with nothing
// to remove is returned as it is.
//
// An escape sequence's payload never runs past '<', '>', '"' or '&', which
// no terminal sequence needs and which would cut into the document's own
// structure; an unterminated payload ends there.
func Document(b []byte) []byte {
	first := firstForbidden(b)
	if first < 0 {
		return b
	}
	out := make([]byte, first, len(b))
	copy(out, b[:first])
	for i := first; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b:
			i = skipEscape(b, i+1, true)
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			i++
		case c == ';':
			// A character reference ends here. Checking the output rather
			// than the input also catches one that dropping a control
			// joined together ("&#0\x030;" becomes "&#00;").
			out = append(out, c)
			i++
			if p, r := refEnding(out); p >= 0 {
				out = out[:p]
				if r == 0x1b {
					i = skipEscape(b, i, true)
				}
			}
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}

// refEnding returns where a forbidden character reference ending out
// starts, and the character it names; p is -1 if there is none.
// References are at most 12 bytes long.
func refEnding(out []byte) (p int, r rune) {
	for p := len(out) - 4; p >= 0 && p >= len(out)-12; p-- {
		if out[p] == '&' {
			if r, n := forbiddenRef(out[p:]); n == len(out)-p {
				return p, r
			}
			break
		}
	}
	return -1, 0
}

// firstForbidden returns the index of the first control character or
// forbidden character reference in b, or -1. Feeds are megabytes of text
// that almost never hold one, so this is the part that must be fast.
func firstForbidden(b []byte) int {
	for i, c := range b {
		if c >= 0x20 && c != '&' {
			continue
		}
		switch {
		case c == '&':
			if i+1 < len(b) && b[i+1] == '#' {
				if _, n := forbiddenRef(b[i:]); n > 0 {
					return i
				}
			}
		case c != '\t' && c != '\n' && c != '\r':
			return i
		}
	}
	return -1
}

// forbiddenRef reads a character reference at the start of b (&#27; or
// &#x1b;) and returns the character and the reference's length if it
// names a control character XML forbids; n is 0 otherwise.
func forbiddenRef(b []byte) (r rune, n int) {
	if len(b) < 4 || b[0] != '&' || b[1] != '#' {
		return 0, 0
	}
	i, base := 2, rune(10)
	if b[i] == 'x' || b[i] == 'X' {
		i, base = 3, 16
	}
	start := i
	for ; i < len(b) && i < start+8; i++ {
		var d rune
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		case c == ';' && i > start:
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				return r, i + 1
			}
			return 0, 0
		default:
			return 0, 0
		}
		r = r*base + d
	}
	return 0, 0
}
