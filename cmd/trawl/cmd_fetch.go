package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/tui/common"
)

const fetchDetail = `
Fetches every subscribed feed that is due and stores new and changed
stories. On a terminal a progress bar runs on stderr; otherwise (cron, a
pipe) each feed gets one line on stderr. A feed that fails gets a line
naming it, the reason and when it will be tried again. The last line, on
stdout, sums up: feeds fetched, not modified, failed, new stories.

Unchanged feeds cost a conditional request (a 304). A feed that moved
permanently (301/308) is followed and its line in feeds.txt rewritten. A
feed the server says is gone (410) is no longer fetched. Feeds that keep
failing, or whose server asks for a pause (429/503 with Retry-After), wait
before the next try; --force tries them now.

Exit status 1 if any feed failed.`

func runFetch(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "fetch")
	force := fs.Bool("force", false, "also fetch feeds that are waiting after errors, or marked gone")
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

	defer tuneGC(e)()
	rep := newFetchReporter(e)
	opts := a.refreshOptions(rep.event)
	opts.Force = *force
	sum, err := feeds.NewRefresher(a.db, cls, opts).Refresh(e.ctx, subs)
	rep.finish()
	moves, merr := followMoves(list.Path(), sum.Moved)
	for _, m := range moves {
		if m.Merged {
			fmt.Fprintf(e.stderr, "%s: %s moved to %s, which you already follow; removed the old line from %s\n", programName, m.From, m.To, list.Path())
		} else {
			fmt.Fprintf(e.stderr, "%s: %s moved permanently to %s; updated %s\n", programName, m.From, m.To, list.Path())
		}
	}
	fmt.Fprintln(e.stdout, summaryLine(sum))
	if merr != nil {
		merr = fmt.Errorf("follow moved feeds: %w", merr)
		if err == nil {
			return merr
		}
		// The refresh's own error (a full cache, Ctrl-C) is the one to
		// end on; this one is said first.
		fmt.Fprintf(e.stderr, "%s: %s\n", programName, sanitize.Line(merr.Error()))
	}
	if err != nil {
		return err
	}
	if maxAge := a.cfg.Retention.MaxAge.Duration; maxAge > 0 {
		n, err := a.db.Prune(e.now().Add(-maxAge))
		if err != nil {
			return fmt.Errorf("retention ([retention] max_age in %s): %w", a.paths.config, err)
		}
		if n > 0 {
			fmt.Fprintf(e.stderr, "%s: pruned %d unstarred, unannotated %s older than %s ([retention] max_age)\n",
				programName, n, plural(n, "story", "stories"), maxAge)
		}
	}
	if sum.Failed > 0 {
		return errQuietFailure
	}
	return nil
}

// tuneGC sets the collector for a refresh (see feeds.RefreshGCPercent),
// unless the user set GOGC or GOMEMLIMIT, and returns what puts the
// previous settings back.
func tuneGC(e *env) func() {
	if e.getenv("GOGC") != "" || e.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(feeds.RefreshGCPercent)
	limit := debug.SetMemoryLimit(feeds.RefreshMemoryLimit)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
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
	if s.Cancelled > 0 {
		parts = append(parts, fmt.Sprintf("%d cancelled", s.Cancelled))
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

// fetchReporter tells the user how a refresh goes: a progress bar on a
// terminal, one plain line per feed otherwise, and on both a line for
// every feed that failed or was skipped.
type fetchReporter struct {
	w     io.Writer
	tty   bool
	width int // the terminal's columns; 0 when unknown
	now   func() time.Time
	drawn bool
}

func newFetchReporter(e *env) *fetchReporter {
	return &fetchReporter{w: e.stderr, tty: e.stderrTerminal, width: e.stderrWidth, now: e.now}
}

// event is the refresh's Progress callback; the refresher calls it from
// one goroutine at a time.
func (r *fetchReporter) event(ev feeds.Event) {
	if ev.Kind == feeds.EventStarted {
		return
	}
	if line := r.line(ev); line != "" {
		r.clear()
		fmt.Fprintf(r.w, "%s: %s\n", programName, line)
	}
	r.bar(ev.Done, ev.Total, feedName(ev))
}

// line is what to say about a finished feed; on a terminal, successes
// are left to the progress bar.
func (r *fetchReporter) line(ev feeds.Event) string {
	name := feedName(ev)
	switch ev.Kind {
	case feeds.EventFailed:
		if errors.Is(ev.Err, feeds.ErrStore) || errors.Is(ev.Err, context.Canceled) {
			// The refresh's own error says it once, at the end: the
			// cache cannot take the stories, or the user stopped it.
			return ""
		}
		return fmt.Sprintf("feed %s: %s%s", name, sanitize.Line(ev.Err.Error()), r.afterFailure(ev))
	case feeds.EventSkipped:
		if errors.Is(ev.Err, feeds.ErrGone) {
			return fmt.Sprintf("skipped %s: %s; remove it with 'trawl feeds remove %s' (or try again with --force)", name, ev.Err, ev.Feed)
		}
		return fmt.Sprintf("skipped %s: %s; next try %s (or now with --force)", name, sanitize.Line(ev.Err.Error()), r.when(ev.NextTry))
	}
	if r.tty {
		return ""
	}
	switch ev.Kind {
	case feeds.EventDone:
		s := fmt.Sprintf("ok %s: %d %s, %d new", name, ev.Items, plural(ev.Items, "story", "stories"), ev.New)
		if ev.Dropped > 0 {
			s += fmt.Sprintf(" (%d more entries over the per-feed limit left out)", ev.Dropped)
		}
		return s
	case feeds.EventNotModified:
		return fmt.Sprintf("not modified %s", name)
	}
	return ""
}

// afterFailure says what happens next to a feed that just failed, and
// what the user can do about it.
func (r *fetchReporter) afterFailure(ev feeds.Event) string {
	var he *feeds.HTTPError
	if errors.As(ev.Err, &he) && he.Gone() {
		return fmt.Sprintf("; trawl will stop fetching it (remove it with 'trawl feeds remove %s')", ev.Feed)
	}
	var notes []string
	if !ev.NextTry.IsZero() {
		notes = append(notes, fmt.Sprintf("%s in a row, next try %s", failureCount(ev.Failures), r.when(ev.NextTry)))
	}
	if errors.Is(ev.Err, feeds.ErrTooLarge) {
		notes = append(notes, "raise max_feed_mb in config.toml if it is a feed you trust")
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

func failureCount(n int) string {
	if n == 1 {
		return "1 failure"
	}
	return fmt.Sprintf("%d failures", n)
}

// when renders a next-try time: the clock time today, else the date too.
func (r *fetchReporter) when(t time.Time) string {
	return nextTry(r.now(), t)
}

func nextTry(now, t time.Time) string {
	switch {
	case t.IsZero() || !t.After(now):
		return "at the next fetch"
	case t.Sub(now) < time.Minute:
		return "in under a minute"
	}
	local, today := t.Local(), now.Local()
	if local.YearDay() == today.YearDay() && local.Year() == today.Year() {
		return "at " + local.Format("15:04")
	}
	return "on " + local.Format("Jan 2 15:04")
}

// bar draws a one-line progress bar on a terminal. The line fits the
// terminal's width in columns (wide characters count two): one that wraps
// cannot be redrawn in place, and each redraw would scroll.
func (r *fetchReporter) bar(done, total int, label string) {
	if !r.tty || total == 0 {
		return
	}
	cols := 79 // the last column is left alone: some terminals wrap there
	if r.width > 0 {
		cols = r.width - 1
	}
	line := fmt.Sprintf("%d/%d", done, total)
	// The bar gives way first, so that a narrow terminal still shows
	// the count and some of the feed's name.
	if barWidth := min(24, cols-len(line)-12); barWidth >= 4 {
		filled := done * barWidth / total
		line = strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled) + " " + line
	}
	if room := cols - common.Width(line) - 1; room > 1 && label != "" {
		line += " " + common.Truncate(label, room)
	}
	fmt.Fprintf(r.w, "\r\x1b[2K%s", common.Cut(line, cols))
	r.drawn = true
}

func (r *fetchReporter) clear() {
	if r.drawn {
		fmt.Fprint(r.w, "\r\x1b[2K")
		r.drawn = false
	}
}

func (r *fetchReporter) finish() { r.clear() }
