package export

import (
	"net/url"
	"strings"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// EscapeLine returns s as one line of CommonMark text that renders as
// exactly s: terminal controls are stripped and white space folded first
// (sanitize.Line), then every character that could start markup is
// backslash-escaped. The result cannot become a link, an image, an
// autolink, raw HTML, a code span, emphasis, a heading, a list, a block
// quote, a table or a thematic break, wherever on a line it is placed.
func EscapeLine(s string) string {
	return escapeLine(sanitize.Line(s), true)
}

// EscapeText is EscapeLine for text with line breaks, such as a note: line
// structure survives (at most one blank line in a row), and each line is
// escaped as if it began a paragraph line.
func EscapeText(s string) string {
	lines := textLines(s)
	for i, l := range lines {
		lines[i] = escapeLine(l, true)
	}
	return strings.Join(lines, "\n")
}

// Quote renders s as a CommonMark block quote, one "> " line per line of s
// and a bare ">" for a blank line, so every line stays inside the quote.
func Quote(s string) string {
	lines := textLines(s)
	for i, l := range lines {
		if l == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + escapeLine(l, true)
		}
	}
	return strings.Join(lines, "\n")
}

// textLines splits sanitised multi-line text into trimmed lines. Leading
// white space is dropped because four spaces would start a code block.
func textLines(s string) []string {
	s = sanitize.Text(s)
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// escapeLine escapes one line of already sanitised text.
//
// Backslash-escaping every ASCII punctuation character would be simplest,
// but exports are read as plain text too ("Q\&A: what\'s next\?"), so only
// characters with a markup meaning are escaped:
//
//   - always: \ ` * _ [ ] < | ~ # { } @ — emphasis, code, links and
//     images, raw HTML and autolinks, tables, strikethrough and fences,
//     heading closers, attribute lists, e-mail autolinks;
//   - & where it would start an entity reference (&amp; &#60;), not in
//     "Q&A";
//   - at the start of a line: - + = > : and the . or ) of "12. " — list
//     items, setext underlines, thematic breaks, block quotes, definition
//     lists, ordered lists;
//   - ':' before '/' and '.' after "www" — the extended autolinks of GFM
//     (http://..., www....), which need no angle brackets. Link labels are
//     never autolinked, so the visible URL of a link passes autolinks false
//     and stays readable.
func escapeLine(s string, autolinks bool) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	digits := 0 // leading ASCII digits seen so far, or -1 once past them
	for i := 0; i < len(s); i++ {
		c := s[i]
		esc := false
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '|', '~', '#', '{', '}', '@':
			esc = true
		case '&':
			esc = entityNext(s[i+1:])
		case '-', '+', '=', '>':
			esc = i == 0
		case ':':
			esc = i == 0 || autolinks && i+1 < len(s) && s[i+1] == '/'
		case '.':
			esc = autolinks && i >= 3 && strings.EqualFold(s[i-3:i], "www") || listNumber(s, i, digits)
		case ')':
			esc = listNumber(s, i, digits)
		}
		if c >= '0' && c <= '9' && digits >= 0 {
			digits++
		} else {
			digits = -1
		}
		if esc {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// listNumber reports whether the '.' or ')' at s[i] ends an ordered list
// marker: after one to nine leading digits, before a space or the end
// ("2026. A year", not "1.5 billion").
func listNumber(s string, i, digits int) bool {
	return digits > 0 && digits <= 9 && (i+1 == len(s) || s[i+1] == ' ')
}

// needsEscape is a fast check for the common case of plain words.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '`', '*', '_', '[', ']', '<', '&', '|', '~', '#', '{', '}', '@', '-', '+', '=', '>', ':', '.', ')':
			return true
		}
	}
	return false
}

// entityNext reports whether s, the text after an '&', would make it an
// entity or character reference: a run of letters, digits or '#' ended by
// ';'. Real references are a subset, so this errs on the side of escaping.
func entityNext(s string) bool {
	for i := 0; i < len(s) && i < 40; i++ {
		c := s[i]
		switch {
		case c == ';':
			return i > 0
		case c == '#' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		default:
			return false
		}
	}
	return false
}

// WebURL returns u, cleaned of terminal controls and of any user:password
// part, if it is an absolute http or https URL with a host; otherwise ""
// and false. Only such URLs become links in an export: javascript:,
// data:, file: and relative URLs are shown as inert text.
func WebURL(u string) (string, bool) {
	u = sanitize.Line(u)
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "", false
	}
	if !strings.EqualFold(p.Scheme, "http") && !strings.EqualFold(p.Scheme, "https") {
		return "", false
	}
	// A cache written before trawl dropped credentials from links may
	// still hold "https://bank.example:login@evil.example/": the link
	// goes where it goes, without the part that disguises it.
	if p.User != nil {
		p.User = nil
		u = p.String()
	}
	return u, true
}

// Destination encodes a web URL for use as a CommonMark link destination
// in [text](destination): characters that are not allowed in URLs anyway
// (space, <, >, ", `, \, {, }, |, ^, non-ASCII) are percent-encoded, and
// parentheses, and an & that would start an entity reference, are
// backslash-escaped so that the destination cannot end early or decode an
// entity. The link a reader follows is unchanged.
func Destination(u string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(u) + 8)
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '(' || c == ')' || c == '&' && entityNext(u[i+1:]):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c <= ' ' || c >= 0x7f || strings.IndexByte("<>\"`\\{}|^", c) >= 0:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Link renders text as a link to u when u is a web URL (see WebURL), and as
// escaped inert text otherwise. Text that is the URL itself is left
// readable (https://, not https\://): inside a link label nothing becomes an
// autolink.
func Link(text, u string) string {
	web, ok := WebURL(u)
	return link(text, web, ok)
}

// link is Link with the URL already checked by WebURL.
func link(text, web string, ok bool) string {
	text = sanitize.Line(text)
	label := escapeLine(text, !ok || text != web)
	if label == "" {
		label = "(untitled)"
	}
	if !ok {
		return label
	}
	return "[" + label + "](" + Destination(web) + ")"
}
