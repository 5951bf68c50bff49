package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
)

const feedsDetail = `
Subcommands:
  feeds list               every subscription: status, last success, stories
                           in the cache, next try and the last error
  feeds add URL [TITLE]    subscribe (http and https only)
  feeds remove URL         unsubscribe (stories already fetched stay)
  feeds import FILE.opml   subscribe to every feed in an OPML file ('-' reads
                           stdin); folders become tags, feeds already
                           followed are skipped
  feeds export             print the subscriptions as OPML 2.0 on stdout

Subscriptions live in feeds.txt beside the config file: one feed per line,
URL ["Title"] [+tag ...]. You can edit it by hand.`

func runFeeds(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "feeds")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) == 0 {
		return usagef("which? list, add, remove, import or export")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list", "export":
		if len(rest) != 0 {
			return usagef("feeds %s takes no arguments", sub)
		}
	case "add":
		if len(rest) < 1 || len(rest) > 2 {
			return usagef("feeds add URL [TITLE]")
		}
	case "remove":
		if len(rest) != 1 {
			return usagef("feeds remove URL")
		}
	case "import":
		if len(rest) != 1 {
			return usagef("feeds import FILE.opml")
		}
	default:
		return usagef("unknown feeds subcommand %q (list, add, remove, import, export)", sub)
	}
	a, err := setup(e, g, true)
	if err != nil {
		return err
	}
	list, err := a.subscriptions()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return feedsList(a, list)
	case "add":
		s := feeds.Subscription{URL: rest[0]}
		if len(rest) == 2 {
			s.Title = sanitize.Line(rest[1])
		}
		if err := list.Add(s); err != nil {
			return fmt.Errorf("feeds add: %w", err)
		}
		if err := list.Save(); err != nil {
			return err
		}
		if added, ok := list.Find(rest[0]); ok {
			forgetFailures(a, added.URL)
		}
		n := len(list.Feeds())
		fmt.Fprintf(e.stdout, "subscribed to %s (%d %s in %s)\n", rest[0], n, plural(n, "feed", "feeds"), list.Path())
		return nil
	case "remove":
		if err := list.Remove(rest[0]); err != nil {
			return fmt.Errorf("feeds remove: %w", err)
		}
		if err := list.Save(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "unsubscribed from %s; its stories stay in the cache\n", sanitize.Line(rest[0]))
		return nil
	case "import":
		return feedsImport(a, list, rest[0])
	default:
		return feedsExport(a, list)
	}
}

func feedsImport(a *app, list *feeds.SubscriptionList, path string) error {
	in, done, err := a.env.openInput(path)
	if err != nil {
		return fmt.Errorf("feeds import: %w", err)
	}
	defer done()
	if path == "-" {
		path = "standard input"
	}
	doc, err := feeds.ReadOPML(in)
	if err != nil {
		return fmt.Errorf("feeds import %s: %w", path, err)
	}
	e := a.env
	for _, r := range doc.Rejected {
		fmt.Fprintf(e.stderr, "%s: feeds import %s: skipped %q: %s\n", programName, path, firstSet(r.Title, r.URL), sanitize.Line(r.Err.Error()))
	}
	added, dup := 0, 0
	for _, s := range doc.Feeds {
		switch err := list.Add(s); {
		case errors.Is(err, feeds.ErrDuplicate):
			dup++
		case err != nil:
			return fmt.Errorf("feeds import %s: %w", path, err)
		default:
			added++
		}
	}
	if added > 0 {
		if err := list.Save(); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "imported %d %s from %s (%d already subscribed, %d not usable); %d feeds in %s\n",
		added, plural(added, "feed", "feeds"), path, dup, len(doc.Rejected), len(list.Feeds()), list.Path())
	if len(doc.Feeds) == 0 && len(doc.Rejected) == 0 {
		return fmt.Errorf("feeds import %s: the file lists no feeds (no outline has an xmlUrl)", path)
	}
	return nil
}

// feedsExport prints the subscriptions as OPML. Feeds without a title of
// their own get the one their last fetch found, so other readers show
// names rather than URLs. It reads the cache only if one exists.
func feedsExport(a *app, list *feeds.SubscriptionList) error {
	subs := list.Feeds()
	if _, err := os.Stat(a.paths.db); err == nil {
		if err := a.open(true); err == nil {
			defer a.close()
			if states, err := a.db.FeedStates(); err == nil {
				for i := range subs {
					subs[i].Title = firstSet(subs[i].Title, states[subs[i].URL].Title)
				}
			}
		}
	}
	return feeds.WriteOPML(a.env.stdout, "trawl subscriptions", subs, a.env.now())
}

func feedsList(a *app, list *feeds.SubscriptionList) error {
	subs := list.Feeds()
	if len(subs) == 0 {
		fmt.Fprintf(a.env.stdout, "no subscriptions; add one with 'trawl feeds add URL' (file: %s)\n", list.Path())
		return nil
	}
	if err := a.open(true); err != nil {
		return err
	}
	defer a.close()
	states, err := a.db.FeedStates()
	if err != nil {
		return err
	}
	counts, err := a.db.Counts()
	if err != nil {
		return err
	}
	var tb table
	tb.row("FEED", "STATUS", "LAST OK", "STORIES", "NEXT TRY", "URL", "LAST ERROR")
	now := a.env.now()
	for _, s := range subs {
		st := states[s.URL]
		stories := counts.Feeds[s.URL]
		if st.Origin != "" && st.Origin != s.URL {
			// Stories fetched before the feed moved, in a cache written
			// before a move took its stories along (store's rehome).
			stories += counts.Feeds[st.Origin]
		}
		name := common.Truncate(sanitize.Line(firstSet(s.Title, st.Title, "-")), 30)
		tb.row(name, feedStatus(st), common.Age(now, st.LastSuccess), strconv.Itoa(stories),
			feedNextTry(now, st), s.URL, common.Truncate(sanitize.Line(firstSet(st.LastError, "-")), 80))
	}
	return tb.write(a.env.stdout)
}

func feedStatus(st item.FeedState) string {
	switch {
	case st.Gone:
		return "gone (410)"
	case st.Failures > 0:
		return fmt.Sprintf("failing (%d)", st.Failures)
	case !st.LastSuccess.IsZero():
		return "ok"
	}
	return "new"
}

func feedNextTry(now time.Time, st item.FeedState) string {
	switch {
	case st.Gone:
		return "never"
	case st.NextTry.After(now):
		return nextTry(now, st.NextTry)
	}
	return "next fetch"
}

// forgetFailures clears what the cache remembers of a feed's failures
// when it is subscribed to again: one removed after it was gone (410) or
// kept failing, and added back by hand, is the user's decision to try it
// anew, and would otherwise be skipped for good or for up to a day. Its
// validators and origin stay, so its stories keep their IDs. It is best
// effort: with no cache yet there is nothing to forget, and a cache held
// by a running reader stays as it is.
func forgetFailures(a *app, feedURL string) {
	if _, err := os.Stat(a.paths.db); err != nil {
		return
	}
	db, err := store.Open(a.paths.db, store.Options{Now: a.env.now, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		return
	}
	defer db.Close()
	st, err := db.FeedState(feedURL)
	if err != nil || !st.Gone && st.Failures == 0 && st.NextTry.IsZero() {
		return
	}
	st.Gone, st.Failures, st.NextTry, st.LastError = false, 0, time.Time{}, ""
	db.PutFeedState(st)
}
