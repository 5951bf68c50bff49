package main

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/trawl-news/trawl/tui"
)

func TestDemoFirstScreen(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" },
		now: func() time.Time { return fixedNow }, ctx: context.Background()}
	db, srv, err := prepareDemo(e, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); db.Close() })
	counts, err := db.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if counts.All < 60 || counts.Tags["training-data"] == 0 || counts.Tags["api-pricing"] == 0 {
		t.Fatalf("demo cache: %d stories, tags %v; want 60+ with both core tags", counts.All, counts.Tags)
	}

	m := tui.New(tui.Options{Source: db, Now: e.now, Title: "trawl demo"})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("stories"))
	}, teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	final := tm.FinalModel(t).(tui.Model)
	golden.RequireEqual(t, []byte(final.View()))
}
