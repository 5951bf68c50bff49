package classify

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadExamples reads any bytes as a labelled TSV file. A file that is
// refused gets one clean line naming a line of the file; a file that is
// read gives one example for every non-blank line after the header, with
// known labels and a title. The seed corpus is in
// testdata/fuzz/FuzzReadExamples.
func FuzzReadExamples(f *testing.F) {
	known := func(s string) bool { return s == TagTrainingData || s == TagAPIPricing || s == "lawsuit" }
	lineRE := regexp.MustCompile(`^line (\d+): `)
	f.Fuzz(func(t *testing.T, data []byte) {
		examples, err := ReadExamples(bytes.NewReader(data), known)
		lines := bytes.Split(data, []byte("\n"))
		if err != nil {
			msg := err.Error()
			m := lineRE.FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("error %q does not name a line", msg)
			}
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > len(lines)+1 {
				t.Errorf("error %q names line %s of %d", msg, m[1], len(lines))
			}
			if !utf8.ValidString(msg) || strings.ContainsFunc(msg, isControl) {
				t.Errorf("error is not one clean line: %q", msg)
			}
			return
		}
		header := strings.TrimSuffix(strings.TrimPrefix(string(lines[0]), "\ufeff"), "\r")
		if header != EvalHeader {
			t.Fatalf("read a file whose first line is %q", lines[0])
		}
		want := 0
		for _, l := range lines[1:] {
			if strings.TrimSpace(strings.TrimSuffix(string(l), "\r")) != "" {
				want++
			}
		}
		if len(examples) != want {
			t.Errorf("%d examples from %d story lines", len(examples), want)
		}
		last := 1
		for _, ex := range examples {
			if ex.Line <= last || ex.Line > len(lines) {
				t.Errorf("example on line %d after line %d of %d", ex.Line, last, len(lines))
			}
			last = ex.Line
			if strings.TrimSpace(ex.Title) == "" || strings.ContainsAny(ex.Title+ex.Summary, "\t\n") {
				t.Errorf("example on line %d: title %q, summary %q", ex.Line, ex.Title, ex.Summary)
			}
			for _, l := range ex.Labels {
				if !known(l) {
					t.Errorf("example on line %d has the label %q", ex.Line, l)
				}
			}
		}
	})
}
