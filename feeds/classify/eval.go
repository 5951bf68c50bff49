package classify

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Example is one labelled story of an evaluation set.
type Example struct {
	Line    int      // line number in the file
	Labels  []string // tag names; empty for "none"
	Title   string
	Summary string
}

// EvalHeader is the first line of a labelled TSV file.
const EvalHeader = "labels\ttitle\tsummary"

// maxExampleLine bounds one line of a labelled file.
const maxExampleLine = 1 << 20

// ReadExamples reads labelled stories as UTF-8 TSV: the header line
// EvalHeader, then one story a line with a comma-separated list of tag
// names (or "none"), the title and the summary. known reports whether a
// label names a tag. Blank lines are skipped. The first malformed line is
// an error naming it.
func ReadExamples(r io.Reader, known func(string) bool) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxExampleLine)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text() // the scanner already dropped a CRLF's CR
		bad := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
		}
		if !utf8.ValidString(text) {
			return nil, bad("not valid UTF-8")
		}
		if line == 1 {
			if strings.TrimPrefix(text, "\ufeff") != EvalHeader {
				return nil, bad("header is %q, want %q (tab-separated)", truncate(text, 60), EvalHeader)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 3 {
			return nil, bad("%d tab-separated fields, want 3 (labels, title, summary)", len(fields))
		}
		ex := Example{Line: line, Title: fields[1], Summary: fields[2]}
		if strings.TrimSpace(ex.Title) == "" {
			return nil, bad("empty title")
		}
		labels := strings.TrimSpace(fields[0])
		switch labels {
		case "":
			return nil, bad("no labels; write \"none\" for a story with no tag")
		case "none":
		default:
			for _, l := range strings.Split(labels, ",") {
				l = strings.TrimSpace(l)
				switch {
				case l == "none":
					return nil, bad("\"none\" together with other labels")
				case l == "":
					return nil, bad("empty label in %q", labels)
				case !known(l):
					return nil, bad("unknown label %q", truncate(l, 40))
				}
				ex.Labels = append(ex.Labels, l)
			}
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, maxExampleLine)
		}
		return nil, err
	}
	if line == 0 {
		return nil, fmt.Errorf("line 1: empty file, want the header %q", EvalHeader)
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Score counts one tag's outcomes over an evaluation set.
type Score struct {
	Tag    string
	TP, FP int
	FN, TN int
}

// Precision is TP/(TP+FP). With nothing predicted it is 1 when there was
// also nothing to find, else 0.
func (s Score) Precision() float64 { return ratio(s.TP, s.TP+s.FP, s.FN == 0) }

// Recall is TP/(TP+FN). With nothing to find it is 1 when nothing was
// predicted either, else 0.
func (s Score) Recall() float64 { return ratio(s.TP, s.TP+s.FN, s.FP == 0) }

// F1 is the harmonic mean of precision and recall, 0 when both are 0.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(n, d int, vacuous bool) float64 {
	if d == 0 {
		if vacuous {
			return 1
		}
		return 0
	}
	return float64(n) / float64(d)
}

// String is the line `trawl eval` prints for the tag.
func (s Score) String() string {
	return fmt.Sprintf("%s precision=%.4f recall=%.4f f1=%.4f tp=%d fp=%d fn=%d",
		s.Tag, s.Precision(), s.Recall(), s.F1(), s.TP, s.FP, s.FN)
}

// Miss is one wrong decision: a tag given that was not labelled (false
// positive) or labelled and not given (false negative).
type Miss struct {
	Example
	Tag           string
	FalsePositive bool
}

// Evaluate classifies each example by title and summary and counts the
// outcomes for each of tags, returning the wrong decisions too.
func (c *Classifier) Evaluate(examples []Example, tags []string) ([]Score, []Miss) {
	scores := make([]Score, len(tags))
	for i, t := range tags {
		scores[i].Tag = t
	}
	var misses []Miss
	for _, ex := range examples {
		got := c.Classify(ex.Title, ex.Summary, "")
		for i, t := range tags {
			want := slices.Contains(ex.Labels, t)
			has := false
			for _, g := range got {
				has = has || g.Name == t
			}
			switch {
			case want && has:
				scores[i].TP++
			case has:
				scores[i].FP++
				misses = append(misses, Miss{Example: ex, Tag: t, FalsePositive: true})
			case want:
				scores[i].FN++
				misses = append(misses, Miss{Example: ex, Tag: t})
			default:
				scores[i].TN++
			}
		}
	}
	return scores, misses
}

// HasTag reports whether the rules define the named tag.
func (c *Classifier) HasTag(name string) bool {
	for _, t := range c.tags {
		if t.name == name {
			return true
		}
	}
	return false
}
