package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"
)

// Template is a user's own export format: a text/template over a Document.
type Template struct {
	t *template.Template
}

// Funcs are the functions a template may call besides text/template's
// built-ins; the package doc describes each.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"md":     EscapeLine,
		"mdtext": EscapeText,
		"quote":  Quote,
		"link":   Link,
		"mdurl": func(u string) string {
			if web, ok := WebURL(u); ok {
				return Destination(web)
			}
			return ""
		},
		"yaml": YAMLString,
		"json": func(v any) (string, error) {
			raw, err := json.Marshal(v)
			return string(raw), err
		},
		"join": func(list []string, sep string) string { return strings.Join(list, sep) },
		"date": func(t time.Time) string { return t.Format(dateLayout) },
	}
}

// ParseTemplate parses a template. name should be the file it came from:
// every parse or execution error starts with "template: NAME:LINE:", so the
// user knows where to look.
func ParseTemplate(name, text string) (*Template, error) {
	t, err := template.New(name).Funcs(Funcs()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	return &Template{t: t}, nil
}

// Execute renders doc with the template. On an error part of the output
// may already have been written to w; callers that care write to a
// temporary file or a buffer.
func (t *Template) Execute(w io.Writer, doc Document) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := t.t.Execute(bw, doc); err != nil {
		bw.Flush()
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}
