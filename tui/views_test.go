package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// TestViews renders every screen at 80×24 and 120×40 through the real
// program and compares the last frame with a golden file.
func TestViews(t *testing.T) {
	screens := []struct {
		name string
		// steps alternate keys and texts to wait for: a step starting
		// with "=" waits until each of the |-separated texts after it is
		// drawn. Waiting consumes output, so texts that may be drawn in
		// one frame are waited for together.
		steps []string
	}{
		{"list", []string{"=OpenAI signs|[All 6]"}},
		{"tag", []string{"=OpenAI signs", "tab", "=[training-data 3]"}},
		{"reader", []string{"=OpenAI signs", "enter", "=Critics say scraped"}},
		{"note", []string{"=OpenAI signs", "n", "=Note on:", "Worth a follow-up", "=Worth a follow-up"}},
		{"feeds", []string{"=OpenAI signs", "f", "=Feeds: 3 followed"}},
		{"help", []string{"=OpenAI signs", "?", "=Note editor"}},
		{"search", []string{"=OpenAI signs|[All 6]", "/", "train", "=3 matches"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				db := fixtureDB(t, fixtureItems(t))
				tm := start(t, testOptions(db), size[0], size[1])
				for _, s := range sc.steps {
					if text, ok := strings.CutPrefix(s, "="); ok {
						waitFor(t, tm, strings.Split(text, "|")...)
						continue
					}
					if len([]rune(s)) > 1 && !isKeyName(s) {
						tm.Type(s)
						continue
					}
					press(tm, s)
				}
				view := finalView(t, tm)
				checkFrame(t, view, size[0], size[1])
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

func isKeyName(s string) bool {
	switch s {
	case "enter", "esc", "tab", "shift+tab", "ctrl+s", "ctrl+c", "down", "up", "space", "pgdown":
		return true
	}
	return false
}

// checkFrame fails when a frame does not fit w×h or holds bytes a terminal
// would act on.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("frame has %d lines, terminal has %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, terminal has %d: %q", i+1, n, w, l)
		}
	}
	if bad := controlBytes(view); bad != "" {
		t.Errorf("frame holds control characters %s", bad)
	}
}

// controlBytes lists the characters of s that a terminal would act on or
// that reorder text: everything below space but newline, DEL, C1 controls
// and bidi controls.
func controlBytes(s string) string {
	var found []string
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			found = append(found, fmt.Sprintf("%U", r))
		}
	}
	return strings.Join(found, " ")
}
