package classify

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRules loads any text as the user's rules file on top of the
// built-in rules. Rules that do not load fail with a RulesError naming
// the file and a line inside it, in one line with no control characters
// (the message goes to a terminal); rules that load classify a story with
// evidence that adds up. The seed corpus is in testdata/fuzz/FuzzRules.
func FuzzRules(f *testing.F) {
	builtin, err := parseBuiltin()
	if err != nil {
		f.Fatal(err)
	}
	const (
		title   = "Forum platform will charge AI firms for API access to train models"
		summary = "The company says scraping its posts for training data must now be licensed."
	)
	f.Fuzz(func(t *testing.T, rules []byte) {
		c, err := newFrom(builtin.clone(), Source{Name: "rules.toml", Data: rules})
		if err != nil {
			var re *RulesError
			if !errors.As(err, &re) || re.File != "rules.toml" {
				t.Fatalf("error %q is not a RulesError naming the file", err)
			}
			if lines := bytes.Count(rules, []byte("\n")) + 1; re.Line < 0 || re.Line > lines {
				t.Errorf("error %q names line %d of a %d-line file", err, re.Line, lines)
			}
			if msg := err.Error(); !utf8.ValidString(msg) || strings.ContainsFunc(msg, isControl) {
				t.Errorf("error is not one clean line: %q", msg)
			}
			return
		}
		for _, d := range c.Explain(title, summary, "") {
			checkDecision(t, title, summary, "", d)
			if !c.HasTag(d.Name) {
				t.Errorf("a decision about %q, a tag the rules do not define", d.Name)
			}
		}
	})
}

// isControl reports the characters an error message must not carry to a
// terminal: C0 and C1 controls (newlines included), DEL and bidi controls
// (the Arabic letter mark too, as feeds/sanitize counts it).
func isControl(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
