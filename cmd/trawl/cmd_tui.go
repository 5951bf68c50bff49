package main

import (
	"fmt"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/demo"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui"
)

const tuiDetail = `
Keys: j/k or arrows move, enter opens a story, esc or q goes back, q quits
from the list, ctrl+c quits from anywhere, ? shows every key.`

const demoDetail = `
Starts a loopback server with eight fictional outlets, fetches them into a
temporary cache through the real pipeline, and opens the reader on it. No
network is needed and nothing is left behind.`

func runTUI(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "tui")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	a, err := setup(e, g, true)
	if err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()
	return runProgram(e, tui.New(tui.Options{Source: a.db, Now: e.now}))
}

// runProgram runs the interface on the real terminal. Bubble Tea restores
// the terminal when the program ends, including after a panic.
func runProgram(e *env, m tui.Model) error {
	if !e.isTerminal {
		return fmt.Errorf("the reader needs a terminal; for scripts use 'trawl list'")
	}
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(e.ctx))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("reader: %w", err)
	}
	return nil
}

func runDemo(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "demo")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("demo takes no arguments")
	}
	dir, err := os.MkdirTemp("", "trawl-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	db, srv, err := prepareDemo(e, dir)
	if err != nil {
		return err
	}
	defer srv.Close()
	defer db.Close()
	return runProgram(e, tui.New(tui.Options{Source: db, Now: e.now, Title: "trawl demo"}))
}

// prepareDemo fills a fresh cache in dir from the bundled outlets, served
// on loopback and fetched through the real refresh path.
func prepareDemo(e *env, dir string) (*store.DB, *demo.Server, error) {
	srv, err := demo.Start(e.now())
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(filepath.Join(dir, "demo.db"), store.Options{Now: e.now, NoSync: true})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	a := &app{env: e, db: db}
	cls, err := a.classifier()
	if err != nil {
		db.Close()
		srv.Close()
		return nil, nil, err
	}
	r := feeds.NewRefresher(db, cls, a.refreshOptions(nil))
	sum, err := r.Refresh(e.ctx, srv.Subscriptions())
	if err == nil && sum.Failed > 0 {
		err = fmt.Errorf("demo: %d bundled feeds failed to load", sum.Failed)
	}
	if err != nil {
		db.Close()
		srv.Close()
		return nil, nil, err
	}
	return db, srv, nil
}
