package classify

import (
	"errors"
	"strings"
	"testing"
)

// FuzzClassify feeds any text, and any user rules that load, to the
// classifier: it must not panic, every piece of evidence must lie inside
// its field, and every decision must follow from its evidence. Rules that
// do not load must fail with a one-line RulesError.
func FuzzClassify(f *testing.F) {
	f.Add("Reddit will charge AI firms for API access", "Model makers scrape it for training data.", "", "")
	f.Add("ＡＩ’s web-scraping", "opt-out\u00ad of tr\u00adaining; $20/mo. U.S. price.", "body text", "[tags.x]\nthreshold = 1\n[tags.x.concepts.c]\nweight = 1\nphrases = [\"web scraping\", \"$\"]\n")
	f.Add("\x1b[31mred\x1b[0m \xff\xfe", "\u202eevil\u202c", "", "[tags.api-pricing.concepts.price]\nremove = [\"nope\"]\n")
	base := Default()
	// Parse the built-in rules once; each input merges into a copy, which
	// is what New does, minus re-reading the TOML.
	builtin, err := parseBuiltin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, summary, body, rules string) {
		c := base
		if rules != "" {
			user, err := newFrom(builtin.clone(), Source{Name: "fuzz.toml", Data: []byte(rules)})
			if err != nil {
				var re *RulesError
				if !errors.As(err, &re) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("rules error is not one line naming the file: %q", err)
				}
			} else {
				c = user
			}
		}
		var fired []string
		for _, d := range c.Explain(title, summary, body) {
			checkDecision(t, title, summary, body, d)
			if d.Fired {
				fired = append(fired, d.Name)
			}
		}
		var got []string
		for _, tg := range c.Classify(title, summary, body) {
			got = append(got, tg.Name)
		}
		if strings.Join(got, ",") != strings.Join(fired, ",") {
			t.Fatalf("Classify gave %v, Explain fired %v", got, fired)
		}
	})
}
