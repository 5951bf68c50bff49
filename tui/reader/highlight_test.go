package reader

import (
	"testing"

	"github.com/trawl-news/trawl/feeds/item"
)

func TestMarked(t *testing.T) {
	mark := func(s ...string) string { return "[" + s[0] + "]" }
	m := func(field item.Field, start, end int, negative bool) item.Match {
		return item.Match{Field: field, Start: start, End: end, Negative: negative}
	}
	const title = "Publishers sue over training data"
	for _, tc := range []struct {
		name    string
		text    string
		matches []item.Match
		field   item.Field
		want    string
	}{
		{"one match", title, []item.Match{m(item.FieldTitle, 11, 14, false)}, item.FieldTitle, "Publishers [sue] over training data"},
		{"two and overlapping merge", title,
			[]item.Match{m(item.FieldTitle, 20, 28, false), m(item.FieldTitle, 24, 33, false)}, item.FieldTitle,
			"Publishers sue over [training data]"},
		{"other field ignored", title, []item.Match{m(item.FieldSummary, 0, 4, false)}, item.FieldTitle, title},
		{"negative not highlighted", title, []item.Match{m(item.FieldTitle, 0, 4, true)}, item.FieldTitle, title},
		{"out of range ignored", title, []item.Match{m(item.FieldTitle, 20, 400, false), m(item.FieldTitle, -1, 3, false)}, item.FieldTitle, title},
		{"empty span ignored", title, []item.Match{m(item.FieldTitle, 5, 5, false)}, item.FieldTitle, title},
		// "Café" is 5 bytes: an offset inside é would cut the character.
		{"mid-character ignored", "Café deal", []item.Match{m(item.FieldTitle, 4, 9, false)}, item.FieldTitle, "Café deal"},
		{"multibyte kept whole", "Café deal", []item.Match{m(item.FieldTitle, 0, 5, false)}, item.FieldTitle, "[Café] deal"},
		// Offsets into text that is not clean cannot be trusted to line up
		// with what is shown: the text is cleaned and left unmarked.
		{"hostile text cleaned, no marks", "a\x1b[2Jb sue", []item.Match{m(item.FieldTitle, 0, 3, false)}, item.FieldTitle, "ab sue"},
		{"match across lines", "one\ntwo", []item.Match{m(item.FieldSummary, 0, 7, false)}, item.FieldSummary, "[one]\n[two]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tags := []item.Tag{{Name: "t", Matches: tc.matches}}
			got := marked(tc.text, tags, tc.field, tc.field == item.FieldSummary, mark, nil)
			if got != tc.want {
				t.Errorf("marked = %q, want %q", got, tc.want)
			}
		})
	}
	// The text between marks gets the plain style, each run on its own.
	plain := func(s ...string) string { return "<" + s[0] + ">" }
	tags := []item.Tag{{Matches: []item.Match{m(item.FieldTitle, 11, 14, false)}}}
	if got, want := marked(title, tags, item.FieldTitle, false, mark, plain), "<Publishers >[sue]< over training data>"; got != want {
		t.Errorf("marked with a plain style = %q, want %q", got, want)
	}
}
