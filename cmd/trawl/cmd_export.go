package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/store"
)

// Longer --help texts.
const exportDetail = ""

func runExport(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "export")
	fs.String("tag", "", "only stories with this tag")
	fs.Bool("all", false, "all matching stories, not only starred ones")
	fs.String("o", "", "write to FILE (atomically) instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return errNotYet
}

// exportForTUI writes the starred stories as markdown to
// $XDG_DATA_HOME/trawl/exports/trawl-starred-YYYY-MM-DD.md (by default
// ~/.local/share/trawl/exports/...) and returns the path. The directory does
// not depend on the working directory, which in a TUI session is wherever
// the user happened to start trawl. The file is written atomically.
func exportForTUI(a *app) (string, error) {
	dir, err := exportDir(a.env)
	if err != nil {
		return "", err
	}
	now := a.env.now()
	var b strings.Builder
	fmt.Fprintf(&b, "# Starred stories, %s\n\n", now.Format("2006-01-02"))
	err = a.db.Each(store.Starred, func(s store.Story) error {
		fmt.Fprintf(&b, "- %s (%s, %s) <%s>\n", s.Title, s.Outlet, s.Published.UTC().Format("2006-01-02"), s.Link)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	path := filepath.Join(dir, "trawl-starred-"+now.Format("2006-01-02")+".md")
	if err := feeds.WriteFileAtomic(path, []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	return path, nil
}

// exportDir is where exports started from the reader go.
func exportDir(e *env) (string, error) {
	if dir := e.getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "trawl", "exports"), nil
	}
	home := e.getenv("HOME")
	if home == "" {
		return "", fmt.Errorf("export: cannot find the home directory ($HOME is not set)")
	}
	return filepath.Join(home, ".local", "share", "trawl", "exports"), nil
}
