package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/feeds/item"
)

// hostileItem is a story whose fields carry what a malicious feed would
// send, written straight into the cache as if the fetch-time sanitiser had
// been bypassed: screen clears, a title rewrite, an OSC 52 clipboard write,
// an 8-bit CSI, bidi overrides and a NUL. Its evidence offsets point into
// the raw text, some of them mid-sequence.
func hostileItem() item.Item {
	title := "\x1b]52;c;cm0gLXJmIH4=\x07Breaking\x1b[2J news \u202egnp.exe\u202c \u009b31mred\x00 end"
	summary := "\x1b]0;pwned\x07A summary \x1bP+q544e\x1b\\ with \u2066hidden\u2069 text and a bell\x07 here."
	it := item.Item{
		Feed: "https://evil.example/feed", Outlet: "Evil\x1b[31m Outlet\u202e", Title: title,
		Summary: summary, Content: "<p>Body \x1b[5mblink\x1b[0m and \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\</p>",
		Link: "https://evil.example/story", Published: fixedNow.Add(-time.Minute),
		Tags: []item.Tag{{Name: "training-data", Score: 3, Threshold: 2, Matches: []item.Match{
			{Phrase: "news", Field: item.FieldTitle, Start: strings.Index(title, "news"), End: strings.Index(title, "news") + 4, Weight: 2},
			{Phrase: "bad", Field: item.FieldTitle, Start: 2, End: 9, Weight: 1},
			{Phrase: "summary", Field: item.FieldSummary, Start: strings.Index(summary, "summary"), End: strings.Index(summary, "summary") + 7, Weight: 1},
			{Phrase: "oob", Field: item.FieldSummary, Start: 5, End: 5000, Weight: 1},
		}}},
	}
	it.ID = item.NewID(it.Feed, "", it.Link, it.Title, it.Published)
	return it
}

// TestHostileStory shows a hostile story in every screen and checks that
// no control character reaches a frame or the terminal.
func TestHostileStory(t *testing.T) {
	for _, sc := range []struct {
		name  string
		steps []string
		wait  string
	}{
		{"list", nil, ""},
		{"reader", []string{"enter"}, "blink"},
		{"note", []string{"n"}, "Note on:"},
		{"search", []string{"/", "g", "n", "p"}, "1 match"},
		{"feeds", []string{"f"}, "Feeds:"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			db := fixtureDB(t, append(fixtureItems(t), hostileItem()))
			tm := start(t, testOptions(db), 80, 24)
			out := waitFor(t, tm, "Breaking", "[All 7]")
			press(tm, sc.steps...)
			if sc.wait != "" {
				out = append(out, waitFor(t, tm, sc.wait)...)
			}
			view := finalView(t, tm)
			checkFrame(t, view, 80, 24)
			// The raw stream holds the renderer's own sequences, so look
			// for the payloads rather than for ESC.
			for _, payload := range []string{"52;c;", "]0;pwned", "[2J", "P+q", "]8;;", "\u202e", "\u2066", "\u009b", "\x00", "\a"} {
				if bytes.Contains(out, []byte(payload)) {
					t.Errorf("terminal output carries %q", payload)
				}
			}
		})
	}
}

// TestTinyTerminals shows every screen at sizes from 1×1 up: nothing
// panics and every frame fits.
func TestTinyTerminals(t *testing.T) {
	screens := []struct {
		name  string
		steps []string
		wait  string
	}{
		{"list", nil, ""},
		{"reader", []string{"enter"}, "Critics say"},
		{"note", []string{"n"}, "Note on:"},
		{"feeds", []string{"f"}, "Feeds:"},
		{"help", []string{"?"}, "Everywhere"},
		{"search", []string{"/", "t"}, "matches"},
	}
	sizes := [][2]int{{1, 1}, {2, 2}, {3, 3}, {10, 4}, {20, 5}, {30, 8}, {45, 12}, {80, 24}}
	db := fixtureDB(t, fixtureItems(t))
	for _, sc := range screens {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				tm := start(t, testOptions(db), 80, 24)
				waitFor(t, tm, "OpenAI signs")
				press(tm, sc.steps...)
				if sc.wait != "" {
					waitFor(t, tm, sc.wait)
				}
				// The real renderer draws the shrunk frame: a panic in
				// View would end the program with an error.
				tm.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				checkFrame(t, finalView(t, tm), sz[0], sz[1])
			})
		}
	}
}
