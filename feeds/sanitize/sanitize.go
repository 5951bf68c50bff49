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
// control characters, bidi controls and invalid UTF-8 removed, and runs of
// white space (including newlines and tabs) folded to single spaces, trimmed.
func Line(s string) string {
	if isPlainLine(s) {
		return s
	}
	return clean(s, false)
}

// Text is like Line but keeps line structure: newlines survive (at most two
// in a row, so a hostile feed cannot push content off screen with blank
// lines), tabs become spaces, other white space runs are folded.
func Text(s string) string {
	return clean(s, true)
}

// isPlainLine reports whether s is already printable ASCII with no leading,
// trailing or doubled spaces: the common case, which needs no copy.
func isPlainLine(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		space := c == ' '
		if space && prevSpace {
			return false
		}
		prevSpace = space
	}
	return true
}

func clean(s string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	newlines := 0
	wrote := false
	emit := func(r rune) {
		if newlines > 0 && multiline {
			if wrote {
				b.WriteString(strings.Repeat("\n", min(newlines, 2)))
			}
			newlines = 0
			pendingSpace = false
		} else if pendingSpace && wrote {
			b.WriteByte(' ')
		}
		newlines = 0
		pendingSpace = false
		b.WriteRune(r)
		wrote = true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0x1b { // ESC: drop the whole sequence, not just the byte
			i = skipEscape(s, i)
			continue
		}
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\n' || c == '\r' || c == '\v' || c == '\f':
				if multiline {
					if c == '\r' && i < len(s) && s[i] == '\n' {
						i++
					}
					newlines++
				} else {
					pendingSpace = true
				}
			case c == ' ' || c == '\t':
				pendingSpace = true
			case c < 0x20 || c == 0x7f:
				// other C0 controls and DEL: dropped
			default:
				emit(rune(c))
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			i++ // invalid UTF-8: dropped
			continue
		}
		switch {
		case r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			// C1 CSI, OSC, DCS, SOS, PM, APC: drop them and their payload
			i = skipC1String(s, i+size, r)
			continue
		case r >= 0x80 && r <= 0x9f:
			// other C1 controls
		case isBidiControl(r):
		case r == 0xfeff: // byte order mark / zero width no-break space
		case r == 0x2028 || r == 0x2029: // line and paragraph separators
			if multiline {
				newlines++
			} else {
				pendingSpace = true
			}
		case r == 0xa0 || r == 0x2007 || r == 0x202f || (r >= 0x2000 && r <= 0x200a) || r == 0x3000:
			pendingSpace = true
		case r >= 0xfff9 && r <= 0xfffb: // interlinear annotation controls
		default:
			emit(r)
		}
		i += size
	}
	return b.String()
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

// skipEscape returns the index just past the escape sequence starting with
// ESC at s[i]. Unterminated strings swallow the rest of the input: text after
// an unterminated OSC is exactly what a terminal would have eaten too.
func skipEscape(s string, i int) int {
	i++ // ESC
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40..0x7e
		i++
		for i < len(s) {
			c := s[i]
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
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: until BEL or ST
		i++
		for i < len(s) {
			switch {
			case s[i] == 0x07:
				return i + 1
			case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
				return i + 2
			case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // C1 ST
				return i + 2
			}
			i++
		}
		return i
	default:
		// two- or three-byte escapes: intermediates 0x20..0x2f, then one final
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	}
}

// skipC1String handles the 8-bit forms of CSI, OSC and the string controls.
func skipC1String(s string, i int, intro rune) int {
	if intro == 0x9b { // CSI
		for i < len(s) {
			c := s[i]
			i++
			if c >= 0x40 && c <= 0x7e {
				return i
			}
			if c < 0x20 || c > 0x7e {
				return i - 1
			}
		}
		return i
	}
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
		i++
	}
	return i
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
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return true
		case isBidiControl(r):
			return true
		}
	}
	return false
}
