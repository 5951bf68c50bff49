package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/trawl-news/trawl/feeds"
)

const feedsDetail = `
Subcommands:
  feeds list               every subscription with its last fetch, errors and story count
  feeds add URL [TITLE]    subscribe (http and https only)
  feeds remove URL         unsubscribe (stories already fetched stay)
  feeds import FILE.opml   subscribe to every feed in an OPML file
  feeds export             print the subscriptions as OPML

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
	a, err := setup(e, g, true)
	if err != nil {
		return err
	}
	list, err := a.subscriptions()
	if err != nil {
		return err
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "list":
		if len(rest) != 0 {
			return usagef("feeds list takes no arguments")
		}
		return feedsList(a, list)
	case "add":
		if len(rest) < 1 || len(rest) > 2 {
			return usagef("feeds add URL [TITLE]")
		}
		s := feeds.Subscription{URL: rest[0]}
		if len(rest) == 2 {
			s.Title = rest[1]
		}
		if err := list.Add(s); err != nil {
			return fmt.Errorf("feeds add: %w", err)
		}
		if err := list.Save(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "subscribed to %s (%d feeds in %s)\n", rest[0], len(list.Feeds()), list.Path())
		return nil
	case "remove":
		if len(rest) != 1 {
			return usagef("feeds remove URL")
		}
		if err := list.Remove(rest[0]); err != nil {
			return fmt.Errorf("feeds remove: %w", err)
		}
		if err := list.Save(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "unsubscribed from %s; its stories stay in the cache\n", rest[0])
		return nil
	case "import", "export":
		return fmt.Errorf("feeds %s: %w", sub, errNotYet)
	default:
		return usagef("unknown feeds subcommand %q (list, add, remove, import, export)", sub)
	}
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
	tw := tabwriter.NewWriter(a.env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED\tSTATUS\tLAST OK\tSTORIES\tURL")
	now := a.env.now()
	for _, s := range subs {
		st := states[s.URL]
		status := "never fetched"
		switch {
		case st.Gone:
			status = "gone (410)"
		case st.LastError != "":
			status = "error: " + st.LastError
			if !st.NextTry.IsZero() {
				status += " (next try " + st.NextTry.Local().Format("Jan 2 15:04") + ")"
			}
		case !st.LastSuccess.IsZero():
			status = "ok"
		}
		name := firstSet(s.Title, st.Title, "-")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", name, truncate(status, 60), ago(now, st.LastSuccess), st.Items, s.URL)
	}
	return tw.Flush()
}

// ago renders the age of t compactly: 5m, 3h, 2d, 7w.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d < 365*24*time.Hour:
		return fmt.Sprintf("%dw", int(d.Hours()/24/7))
	}
	return fmt.Sprintf("%dy", int(d.Hours()/24/365))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
