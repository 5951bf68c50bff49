// Package htmltext turns the HTML fragments that feeds carry into plain text
// for the terminal: paragraphs become blank-line separated blocks, list items
// get a bullet, closed scripts and styles vanish, entities are decoded. Line
// is the variant for one-line fields such as titles, where only inline
// formatting goes and any other tag is kept as text.
//
// Parsing is done by golang.org/x/net/html's tokenizer (the Go project's own
// HTML5 tokenizer); this package only decides where line breaks go. The
// result still needs sanitising: decoded entities can spell control
// characters.
package htmltext

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Convert returns the text of an HTML fragment. Text without markup or
// entities is returned unchanged, which is most feed summaries.
//
// The content of a script, style and the like is dropped only if the
// element ends: an Atom summary of type "text" reaches here as HTML, and
// in "Why the <script> element blocks parsing" the tag is the subject, not
// markup. An element the input ends inside is kept as text: its start tag
// as written, then its content converted like the rest.
func Convert(fragment string) string {
	if noMarkup(fragment) {
		return fragment
	}
	text, unclosed := convert(fragment, nil)
	if len(unclosed) > 0 {
		// Only the end of the input tells that an element is not closed;
		// a second pass, rare, keeps the first one simple and linear.
		text, _ = convert(fragment, unclosed)
	}
	return text
}

// convert does Convert's work. Skipped elements whose start tags are at
// the offsets asText (ascending) are treated as text. It returns the
// offsets of the skipped elements left open at the end of the input.
func convert(fragment string, asText []int) (string, []int) {
	z := html.NewTokenizer(strings.NewReader(fragment))
	c := converter{}
	c.out.Grow(len(fragment))
	var skip []skipped           // open <script>, <style>, ... elements, outermost first
	var open [len(skipElems)]int // how many of each are in skip
	pos := 0                     // offset of the next token: Raw partitions the input
	rawNext := false             // the next text is an unclosed raw-text element's, undecoded
	for {
		tt := z.Next()
		start := pos
		pos += len(z.Raw())
		switch tt {
		case html.ErrorToken:
			// io.EOF or a tokenizer error: either way, what was read is the text.
			var unclosed []int
			for _, e := range skip {
				unclosed = append(unclosed, e.pos)
			}
			return strings.TrimSpace(c.out.String()), unclosed
		case html.TextToken:
			if len(skip) > 0 {
				continue
			}
			text := z.Text()
			if rawNext {
				text = []byte(html.UnescapeString(string(text)))
				rawNext = false
			}
			c.text(text)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if i := skipIndex(a); i >= 0 {
				// "<script/>" still opens a script: the tokenizer reads
				// what follows as its content. "<svg/>" is empty.
				if tt == html.SelfClosingTagToken && !rawText(a) {
					continue
				}
				if len(asText) > 0 && asText[0] == start {
					asText = asText[1:]
					c.text([]byte(fragment[start:pos]))
					rawNext = rawText(a)
					continue
				}
				skip = append(skip, skipped{a, start})
				open[i]++
				continue
			}
			if len(skip) > 0 {
				continue
			}
			switch a {
			case atom.Br:
				c.brk(1)
			case atom.Li:
				c.brk(1)
				c.write([]byte("• "))
			case atom.Td, atom.Th:
				// cells of a row side by side, apart
				if c.out.Len() > 0 && c.pendingBreak == 0 {
					c.write([]byte(" "))
				}
			case atom.Img:
				if alt := attr(z, hasAttr, "alt"); alt != "" {
					c.write([]byte("[" + alt + "]"))
				}
			default:
				if isBlock(a) {
					c.brk(2)
				}
				if a == atom.Pre && tt == html.StartTagToken {
					c.preDepth++
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if i := skipIndex(a); i >= 0 {
				// An end tag closes the innermost open element of its
				// name and whatever is open inside it; a stray one is
				// ignored.
				if open[i] > 0 {
					for {
						e := skip[len(skip)-1]
						skip = skip[:len(skip)-1]
						open[skipIndex(e.a)]--
						if e.a == a {
							break
						}
					}
				}
				continue
			}
			if len(skip) > 0 {
				continue
			}
			switch a {
			case atom.Li:
				c.brk(1)
			default:
				if isBlock(a) {
					c.brk(2)
				}
				if a == atom.Pre && c.preDepth > 0 {
					c.preDepth--
				}
			}
		}
	}
}

// noMarkup reports text with neither tags nor entities: most titles and
// many summaries. Two byte scans, which the runtime vectorises, rather
// than ContainsAny's rune loop.
func noMarkup(s string) bool {
	return strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0
}

// converter accumulates Convert's output. Line breaks are held back until
// the next text, so that they do not add up and nothing trails.
type converter struct {
	out          bytes.Buffer
	preDepth     int // inside <pre>, where line breaks are content
	pendingBreak int
}

func (c *converter) flushBreak() {
	if c.out.Len() > 0 {
		for range c.pendingBreak {
			c.out.WriteByte('\n')
		}
	}
	c.pendingBreak = 0
}

func (c *converter) write(text []byte) {
	c.flushBreak()
	c.out.Write(text)
}

func (c *converter) brk(n int) {
	if n > c.pendingBreak {
		c.pendingBreak = n
	}
}

// text writes a text node: as it is inside <pre>, else with its white
// space folded.
func (c *converter) text(text []byte) {
	if c.preDepth > 0 {
		c.write(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")))
		return
	}
	if len(bytes.TrimSpace(text)) == 0 {
		if c.out.Len() > 0 && c.pendingBreak == 0 && len(text) > 0 {
			c.write([]byte(" "))
		}
		return
	}
	c.flushBreak()
	collapseSpace(&c.out, text)
}

// skipped is an open element whose content is not text for a reader.
type skipped struct {
	a   atom.Atom
	pos int // offset of its start tag
}

// skipElems are the elements whose content Convert drops.
var skipElems = [...]atom.Atom{atom.Script, atom.Style, atom.Noscript, atom.Template,
	atom.Iframe, atom.Object, atom.Svg, atom.Head, atom.Title}

// skipIndex returns a's index in skipElems, or -1.
func skipIndex(a atom.Atom) int {
	for i, s := range skipElems {
		if s == a {
			return i
		}
	}
	return -1
}

// rawText reports the skipped elements whose content the tokenizer reads
// as raw text, up to their end tag and with entities left alone. (Title's
// content is read the same way, but its entities are decoded.)
func rawText(a atom.Atom) bool {
	return a == atom.Script || a == atom.Style || a == atom.Noscript || a == atom.Iframe
}

func attr(z *html.Tokenizer, hasAttr bool, want string) string {
	for hasAttr {
		key, val, more := z.TagAttr()
		if string(key) == want {
			return string(val)
		}
		hasAttr = more
	}
	return ""
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Blockquote, atom.Pre,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol,
		atom.Table, atom.Tr, atom.Figure, atom.Figcaption, atom.Header, atom.Footer,
		atom.Aside, atom.Hr, atom.Dl, atom.Dt, atom.Dd:
		return true
	}
	return false
}

// collapseSpace appends a text node to out with its white space runs
// folded to one space, as a browser would outside <pre>. Runs of other
// bytes are copied whole: a summary has a few hundred of them per space.
func collapseSpace(out *bytes.Buffer, b []byte) {
	for len(b) > 0 {
		i := 0
		for i < len(b) && !isSpace(b[i]) {
			i++
		}
		out.Write(b[:i])
		if i == len(b) {
			return
		}
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		out.WriteByte(' ')
		b = b[i:]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }
