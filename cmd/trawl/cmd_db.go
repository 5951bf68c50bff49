package main

import (
	"fmt"
)

// Longer --help texts.
const pruneDetail = ""
const dbDetail = ""

func runPrune(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "prune")
	older := fs.String("older-than", "", "drop stories published longer ago than this (e.g. 90d)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *older == "" || fs.NArg() != 0 {
		return usagef("prune needs --older-than DUR")
	}
	d, err := parseDuration(*older)
	if err != nil {
		return usagef("--older-than: %s", err)
	}
	a, err := setup(e, g, false)
	if err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()
	n, err := a.db.Prune(e.now().Add(-d))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pruned %d %s older than %s (starred and annotated stories are kept)\n", n, plural(n, "story", "stories"), *older)
	return nil
}

func runDB(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "check" && fs.Arg(0) != "compact") {
		return usagef("db check | db compact")
	}
	a, err := setup(e, g, false)
	if err != nil {
		return err
	}
	if err := a.open(fs.Arg(0) == "check"); err != nil {
		return err
	}
	defer a.close()
	if fs.Arg(0) == "check" {
		if err := a.db.Check(); err != nil {
			return fmt.Errorf("cache %s is damaged: %w", a.db.Path(), err)
		}
		c, err := a.db.Counts()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "cache %s is consistent: %d stories, %d starred\n", a.db.Path(), c.All+c.Dismissed, c.Starred)
		return nil
	}
	before, after, err := a.db.Compact()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "compacted %s from %d KiB to %d KiB\n", a.db.Path(), before>>10, after>>10)
	return nil
}
