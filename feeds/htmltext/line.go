package htmltext

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Line returns the text of a one-line field (a title, an author, a
// category) that may carry a little inline HTML. Entities are decoded and
// inline formatting tags dropped, but every other tag, comment or
// fragment of markup is kept as written: in tech news "the <dialog>
// element" is far more often the story than markup, and a title has no
// use for scripts, images or blocks anyway. White space runs fold to one
// space and the ends are trimmed. Text without '<' or '&' is returned
// unchanged.
//
// Like Convert's, the result still needs sanitising.
func Line(s string) string {
	if noMarkup(s) {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	w := lineWriter{}
	w.b.Grow(len(s))
	var raw []byte
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// At the end of input inside a tag, the tokenizer drops the
			// bytes it read; they are text as written.
			w.write(z.Raw())
			return w.b.String()
		case html.TextToken:
			// Raw, not Text: the tokenizer leaves text after <script>,
			// <style> and the like undecoded, and decodes all other
			// text the same way UnescapeString does.
			if t := z.Raw(); bytes.IndexByte(t, '&') < 0 {
				w.write(t)
			} else {
				w.write([]byte(html.UnescapeString(string(t))))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			// Copied first: TagName lower-cases the name in the buffer.
			raw = append(raw[:0], z.Raw()...)
			name, _ := z.TagName()
			switch a := atom.Lookup(name); {
			case a == atom.Br:
				w.space = true
			case a == atom.Wbr || inlineTag(a):
			default:
				w.write(raw)
			}
		default:
			// Comments, doctypes, and the bogus comments the tokenizer
			// makes of "</>" or "<?...>": all text to a reader.
			w.write(z.Raw())
		}
	}
}

// inlineTag reports the formatting tags that a title's author meant as
// markup: they change how text looks, never what it says.
func inlineTag(a atom.Atom) bool {
	switch a {
	case atom.B, atom.I, atom.Em, atom.Strong, atom.Code, atom.Span, atom.A,
		atom.Sup, atom.Sub, atom.Small, atom.Mark, atom.Abbr, atom.Cite, atom.Q,
		atom.S, atom.U, atom.Del, atom.Ins, atom.Font, atom.Tt, atom.Kbd,
		atom.Var, atom.Dfn:
		return true
	}
	return false
}

// lineWriter folds white space across the pieces written to it. A space
// is owed after white space and paid only before more text, so runs fold
// and nothing leads or trails.
type lineWriter struct {
	b     strings.Builder
	space bool
}

func (w *lineWriter) write(p []byte) {
	for len(p) > 0 {
		i := 0
		for i < len(p) && isSpace(p[i]) {
			i++
		}
		if i > 0 {
			w.space = true
			p = p[i:]
			continue
		}
		for i < len(p) && !isSpace(p[i]) {
			i++
		}
		if w.space && w.b.Len() > 0 {
			w.b.WriteByte(' ')
		}
		w.space = false
		w.b.Write(p[:i])
		p = p[i:]
	}
}
