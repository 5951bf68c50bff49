// Package htmltext turns the HTML fragments that feeds carry into plain text
// for the terminal: paragraphs become blank-line separated blocks, list items
// get a bullet, scripts and styles vanish, entities are decoded. Line is
// the variant for one-line fields such as titles, where only inline
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
func Convert(fragment string) string {
	// Two byte scans, which the runtime vectorises, rather than
	// ContainsAny's rune loop: most titles and many summaries stop here.
	if strings.IndexByte(fragment, '<') < 0 && strings.IndexByte(fragment, '&') < 0 {
		return fragment
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var out bytes.Buffer
	out.Grow(len(fragment))
	skipDepth := 0 // inside <script>, <style>, ...
	preDepth := 0  // inside <pre>, where line breaks are content
	pendingBreak := 0
	flushBreak := func() {
		if out.Len() > 0 {
			for range pendingBreak {
				out.WriteByte('\n')
			}
		}
		pendingBreak = 0
	}
	write := func(text []byte) {
		flushBreak()
		out.Write(text)
	}
	brk := func(n int) {
		if n > pendingBreak {
			pendingBreak = n
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF or a tokenizer error: either way, what was read is the text.
			return strings.TrimSpace(out.String())
		case html.TextToken:
			if skipDepth > 0 {
				continue
			}
			text := z.Text()
			if preDepth > 0 {
				write(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")))
				continue
			}
			if len(bytes.TrimSpace(text)) == 0 {
				if out.Len() > 0 && pendingBreak == 0 && len(text) > 0 {
					write([]byte(" "))
				}
				continue
			}
			flushBreak()
			collapseSpace(&out, text)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Svg, atom.Head, atom.Title:
				if tt == html.StartTagToken {
					skipDepth++
				}
			case atom.Br:
				brk(1)
			case atom.Li:
				brk(1)
				write([]byte("• "))
			case atom.Td, atom.Th:
				// cells of a row side by side, apart
				if out.Len() > 0 && pendingBreak == 0 {
					write([]byte(" "))
				}
			case atom.Img:
				if alt := attr(z, hasAttr, "alt"); alt != "" {
					write([]byte("[" + alt + "]"))
				}
			default:
				if isBlock(a) {
					brk(2)
				}
				if a == atom.Pre && tt == html.StartTagToken {
					preDepth++
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Svg, atom.Head, atom.Title:
				if skipDepth > 0 {
					skipDepth--
				}
			case atom.Li:
				brk(1)
			default:
				if isBlock(a) {
					brk(2)
				}
				if a == atom.Pre && preDepth > 0 {
					preDepth--
				}
			}
		}
	}
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
