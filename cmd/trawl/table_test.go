package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/tui/common"
)

// 'trawl list' lines its columns up on the screen, in terminal cells,
// whatever the headlines and outlets hold: wide characters, emoji,
// combining accents. A cut title ends on a whole character.
func TestListColumnsLineUpOnScreen(t *testing.T) {
	c := newCLI(t)
	titles := []string{
		"Reddit will charge for API access",
		"🚨 Musk claims Microsoft trained its AI on Twitter data",
		"日本の新聞社、AI学習データの利用料を要求",
		"Cafe\u0301 owners sue over scraped menus used as training data",
		strings.Repeat("Long ", 17) + "abc🇪🇺 data act", // the flag takes cells 89 and 90
	}
	outlets := []string{"The Wire", "テック速報", "Ars", "Le Monde diplomatique numérique et plus", "EU"}
	stories := make([]seeded, len(titles))
	for i := range titles {
		stories[i].Item = item.Item{
			Feed: fmt.Sprintf("https://o%d.example/feed", i), Outlet: outlets[i],
			GUID: fmt.Sprint(i), Title: titles[i], Link: fmt.Sprintf("https://o%d.example/%d", i, i),
			Published: c.now.Add(-time.Duration(i+1) * time.Hour),
			Tags:      []item.Tag{{Name: "training-data"}},
		}
	}
	seedCache(t, c.home, c.now, stories)
	r := c.run("list")
	if r.code != 0 {
		t.Fatalf("list: exit %d, %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != len(titles) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(titles), r.stdout)
	}
	// The cell where the title column and the tag column start, by line.
	titleAt, tagsAt := map[int]bool{}, map[int]bool{}
	for i, line := range lines { // newest first, as titles are
		ti := strings.Index(line, string([]rune(titles[i])[:5]))
		gi := strings.Index(line, "[training-data]")
		if ti < 0 || gi < 0 {
			t.Fatalf("line %q lacks its title or tags", line)
		}
		titleAt[common.Width(line[:ti])] = true
		tagsAt[common.Width(line[:gi])] = true
	}
	if len(titleAt) != 1 || len(tagsAt) != 1 {
		t.Errorf("columns out of line (title starts at cells %v, tags at %v):\n%s", titleAt, tagsAt, r.stdout)
	}
	if !strings.Contains(r.stdout, strings.Repeat("Long ", 17)+"abc…") || strings.Contains(r.stdout, "\U0001F1EA…") {
		t.Errorf("the long title is not cut before the flag:\n%s", r.stdout)
	}
}
