package reader

import (
	"strings"
	"unicode/utf8"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

// marked returns the stored text of one field with the classifier's
// positive matches in it highlighted, ready to wrap.
//
// The evidence holds byte offsets into the stored text, so the marks go in
// before anything changes the bytes: before wrapping, and instead of
// sanitising. Sanitising would move the offsets, so it is only skipped
// when it would change nothing; text that is not already clean (a damaged
// or hostile cache) is shown sanitised and without marks. Offsets that are
// out of range or cut a character are ignored.
//
// plain styles the text between marks (nil leaves it as it is): a mark
// resets the style, so an outer style would not survive the first one.
func marked(text string, tags []item.Tag, field item.Field, multiline bool, mark, plain func(...string) string) string {
	if plain == nil {
		plain = func(s ...string) string { return s[0] }
	}
	clean := sanitize.Line(text)
	if multiline {
		clean = sanitize.Text(text)
	}
	if clean != text {
		return plain(clean)
	}
	on := make([]bool, len(text))
	any := false
	for _, t := range tags {
		for _, m := range t.Matches {
			if m.Field != field || m.Negative || !validSpan(text, m.Start, m.End) {
				continue
			}
			for i := m.Start; i < m.End; i++ {
				on[i] = true
			}
			any = true
		}
	}
	if !any {
		return plain(text)
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && on[j] == on[i] {
			j++
		}
		if on[i] {
			// Each line of a mark is styled on its own so a newline inside
			// a match cannot leave the style open across lines.
			for k, part := range strings.Split(text[i:j], "\n") {
				if k > 0 {
					b.WriteByte('\n')
				}
				if part != "" {
					b.WriteString(mark(part))
				}
			}
		} else {
			b.WriteString(plain(text[i:j]))
		}
		i = j
	}
	return b.String()
}

func validSpan(s string, start, end int) bool {
	if start < 0 || end > len(s) || start >= end {
		return false
	}
	if !utf8.RuneStart(s[start]) {
		return false
	}
	return end == len(s) || utf8.RuneStart(s[end])
}
