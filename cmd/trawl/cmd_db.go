package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
)

// Longer --help texts.
const pruneDetail = `
Deletes stories published longer ago than DUR (forms like 36h, 90d, 2w)
with their bodies and index entries. Starred stories and stories with a
note are always kept, however old. Stories older than the cutoff that
feeds still carry are not fetched again. Setting [retention] max_age in
the config does the same after every fetch.`

const dbDetail = `
check    verifies every page of the cache file (bbolt's own check) and
         trawl's own bookkeeping: every story readable, every index and
         count matching the stories. Lists each problem found; exit
         status 1 if there is any. Safe while nothing else writes.
compact  rewrites the cache into a fresh file without the free space
         deleted stories left, checks the copy, and swaps it in. If
         anything fails the original file is left as it was.`

func runPrune(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "prune")
	older := fs.String("older-than", "", "drop stories published longer ago than this (e.g. 90d)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *older == "" || fs.NArg() != 0 {
		return usagef("prune needs --older-than DUR and nothing else")
	}
	d, err := parseDuration(*older)
	if err != nil {
		return usagef("--older-than: %s", err)
	}
	if d <= 0 {
		// A zero age would drop every unkept story and keep refreshes
		// from bringing any of them back.
		return usagef("--older-than must be more than zero")
	}
	a, err := setup(e, g, false)
	if err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()
	cutoff := e.now().Add(-d)
	n, err := a.db.Prune(cutoff)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pruned %d %s published before %s (starred and annotated stories are kept)\n",
		n, plural(n, "story", "stories"), cutoff.Local().Format("2006-01-02 15:04"))
	return nil
}

func runDB(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "check" && fs.Arg(0) != "compact") {
		return usagef("db needs check or compact")
	}
	a, err := setup(e, g, false)
	if err != nil {
		return err
	}
	if fs.Arg(0) == "check" {
		return dbCheck(e, a)
	}
	return dbCompact(e, a)
}

func dbCheck(e *env, a *app) error {
	if err := a.open(true); err != nil {
		return err
	}
	defer a.close()
	err := a.db.Check()
	var damage *store.CheckError
	if errors.As(err, &damage) {
		for _, p := range damage.Problems {
			// Problems quote keys, which hold feed URLs and tag names.
			fmt.Fprintln(e.stdout, sanitize.Line(p))
		}
		if more := damage.Total - len(damage.Problems); more > 0 {
			fmt.Fprintf(e.stdout, "... and %d more\n", more)
		}
		return fmt.Errorf("cache %s is damaged: %d %s (listed above); copy the file somewhere safe before changing anything",
			a.db.Path(), damage.Total, plural(damage.Total, "problem", "problems"))
	}
	if err != nil {
		return err
	}
	c, err := a.db.Counts()
	if err != nil {
		return err
	}
	feeds, err := a.db.FeedStates()
	if err != nil {
		return err
	}
	fi, err := os.Stat(a.db.Path())
	if err != nil {
		return err
	}
	total := c.All + c.Dismissed
	fmt.Fprintf(e.stdout, "cache %s is consistent: %d %s (%d starred, %d dismissed), %d %s, %s\n",
		a.db.Path(), total, plural(total, "story", "stories"), c.Starred, c.Dismissed,
		len(feeds), plural(len(feeds), "feed", "feeds"), humanSize(fi.Size()))
	return nil
}

func dbCompact(e *env, a *app) error {
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()
	before, after, err := a.db.Compact()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "compacted %s from %s to %s\n", a.db.Path(), humanSize(before), humanSize(after))
	return nil
}

// humanSize writes a file size the way people read them.
func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
