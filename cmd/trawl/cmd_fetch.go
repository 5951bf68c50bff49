package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

const fetchDetail = `
Fetches every subscribed feed that is due, stores new and changed stories,
and prints one summary line. Each feed that fails gets one line on stderr
naming it and the reason. Exit status 1 if any feed failed.`

func runFetch(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "fetch")
	force := fs.Bool("force", false, "fetch feeds that are backing off after errors too")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("fetch takes no arguments")
	}
	a, err := setup(e, g, true)
	if err != nil {
		return err
	}
	list, err := a.subscriptions()
	if err != nil {
		return err
	}
	subs := list.Feeds()
	if len(subs) == 0 {
		return fmt.Errorf("no subscriptions in %s; add one with 'trawl feeds add URL'", list.Path())
	}
	cls, err := a.classifier()
	if err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()

	bar := newProgressLine(e)
	opts := a.refreshOptions(func(ev feeds.Event) {
		switch ev.Kind {
		case feeds.EventFailed:
			bar.clear()
			fmt.Fprintf(e.stderr, "%s: feed %s: %s\n", programName, feedName(ev), oneLine(sanitize.Line(ev.Err.Error())))
		case feeds.EventSkipped:
			bar.clear()
			fmt.Fprintf(e.stderr, "%s: skipped %s: %s\n", programName, feedName(ev), sanitize.Line(ev.Err.Error()))
		}
		if ev.MovedTo != "" {
			bar.clear()
			fmt.Fprintf(e.stderr, "%s: feed %s moved permanently to %s; subscription updated\n", programName, ev.Feed, ev.MovedTo)
		}
		if ev.Kind != feeds.EventStarted {
			bar.set(ev.Done, ev.Total, feedName(ev))
		}
	})
	opts.Force = *force
	r := feeds.NewRefresher(a.db, cls, opts)
	sum, err := r.Refresh(e.ctx, subs)
	bar.clear()
	if len(sum.Moved) > 0 {
		for from, to := range sum.Moved {
			if rerr := list.Rename(from, to); rerr != nil && !errors.Is(rerr, feeds.ErrNotFound) {
				return rerr
			}
		}
		if serr := list.Save(); serr != nil {
			return serr
		}
	}
	fmt.Fprintln(e.stdout, summaryLine(sum))
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return errQuietFailure
	}
	return nil
}

// errQuietFailure makes a command exit 1 after it has already said why.
var errQuietFailure = errors.New("")

func summaryLine(s feeds.Summary) string {
	parts := []string{
		fmt.Sprintf("fetched %d %s", s.Fetched, plural(s.Fetched, "feed", "feeds")),
		fmt.Sprintf("%d not modified", s.NotModified),
		fmt.Sprintf("%d failed", s.Failed),
	}
	if s.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", s.Skipped))
	}
	parts = append(parts, fmt.Sprintf("%d new %s", s.New, plural(s.New, "story", "stories")))
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func feedName(ev feeds.Event) string {
	if ev.Title != "" {
		return fmt.Sprintf("%s (%s)", sanitize.Line(ev.Title), ev.Feed)
	}
	return ev.Feed
}

// progressLine draws a one-line progress bar on stderr when it is a
// terminal, and nothing otherwise (the summary line is always printed).
type progressLine struct {
	e     *env
	drawn bool
}

func newProgressLine(e *env) *progressLine { return &progressLine{e: e} }

func (p *progressLine) set(done, total int, label string) {
	if !p.e.stderrTerminal || total == 0 {
		return
	}
	const width = 24
	filled := done * width / total
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.e.stderr, "\r\x1b[2K%s %d/%d %s", bar, done, total, truncate(label, 40))
	p.drawn = true
}

func (p *progressLine) clear() {
	if p.drawn {
		fmt.Fprint(p.e.stderr, "\r\x1b[2K")
		p.drawn = false
	}
}
