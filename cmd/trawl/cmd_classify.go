package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trawl-news/trawl/feeds/classify"
	"github.com/trawl-news/trawl/feeds/item"
	"github.com/trawl-news/trawl/feeds/sanitize"
)

const explainDetail = `
Shows, for every tag the rules define, the score against the threshold and
each phrase that matched: its weight, the field (title, summary) and byte
range it matched at, the text it matched, and the concept or near rule it
belongs to. A negative weight is a hard negative counting against the tag.
"needs ..." names the concepts a tag requires that were not all found.

With an ID, explains a stored story from its title and summary, as fetch
and retag tag it. With --title (and optionally --summary), explains text
you type. The rules are the built-in ones plus rules.toml beside the
config file; --rules prints the built-in rules, whose comments describe
the format, as a start for your own.`

const evalDetail = `
Reads labelled stories as UTF-8 TSV: a header line
"labels<TAB>title<TAB>summary", then one story a line, labels being a
comma-separated list of tag names or "none". Classifies each story by
title and summary and prints one line per core tag:

  TAG precision=P recall=R f1=F tp=N fp=N fn=N

When a tag was never predicted, precision is 1 if there was also nothing
to find and 0 otherwise; when there was nothing to find, recall is 1 if
nothing was predicted and 0 otherwise; F1 is 0 when both are 0. A
malformed line (wrong number of fields, a bad header, an unknown label)
stops the run with exit status 1 and names the line.`

const retagDetail = `
Re-runs the classifier over every cached story whose tags were made by
different rules (after you edit rules.toml, or after an upgrade), with a
progress bar on a terminal and a summary line at the end. Stars, notes
and read state are not touched.`

func runExplain(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "explain")
	title := fs.String("title", "", "classify this title instead of a stored story")
	summary := fs.String("summary", "", "with --title: the summary to classify")
	rules := fs.Bool("rules", false, "print the built-in rules and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rules {
		if fs.NArg() > 0 {
			return usagef("--rules takes no story ID")
		}
		_, err := e.stdout.Write(classify.BuiltinRules())
		return err
	}
	titleSet, summarySet := false, false
	fs.Visit(func(f *flag.Flag) {
		titleSet = titleSet || f.Name == "title"
		summarySet = summarySet || f.Name == "summary"
	})
	switch {
	case titleSet && fs.NArg() > 0:
		return usagef("give a story ID or --title, not both")
	case summarySet && !titleSet:
		return usagef("--summary goes with --title")
	case !titleSet && fs.NArg() != 1:
		return usagef("explain takes one story ID (or a unique prefix), or --title T [--summary S]")
	case titleSet && strings.TrimSpace(*title) == "":
		return usagef("--title is empty")
	}
	if titleSet {
		_, cls, err := setupClassifier(e, g)
		if err != nil {
			return err
		}
		// Typed text gets the same cleaning as fetched text, so offsets mean
		// the same thing and nothing odd reaches the terminal.
		printExplanation(e.stdout, cls, sanitize.Line(*title), sanitize.Text(*summary), nil)
		return nil
	}
	return withStory(e, g, fs.Arg(0), true, func(a *app, id string) error {
		cls, err := a.classifier()
		if err != nil {
			return err
		}
		st, err := a.db.Get(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "story:   %s\n", st.ID)
		printExplanation(e.stdout, cls, sanitize.Line(st.Title), sanitize.Text(st.Summary), &st.Item)
		return nil
	})
}

// printExplanation writes every tag's decision for a title and summary.
// stored, if set, is the story as cached, to say whether its tags are
// current.
func printExplanation(w io.Writer, cls *classify.Classifier, title, summary string, stored *item.Item) {
	fmt.Fprintf(w, "title:   %s\n", title)
	if summary != "" {
		fmt.Fprintf(w, "summary: %s\n", sanitize.Line(summary))
	}
	fmt.Fprintf(w, "rules:   %s (%s)\n", cls.Version(), strings.Join(cls.Sources(), " + "))
	if stored != nil {
		names := stored.TagNames()
		if len(names) == 0 {
			names = []string{"none"}
		}
		switch {
		case stored.RulesVer == cls.Version():
			fmt.Fprintf(w, "stored:  %s, by these rules\n", strings.Join(names, ", "))
		default:
			fmt.Fprintf(w, "stored:  %s, by rules %s; run 'trawl retag' to apply these rules\n", strings.Join(names, ", "), orUnknown(stored.RulesVer))
		}
	}
	decisions := cls.Explain(title, summary, "")
	width := 0
	for _, d := range decisions {
		width = max(width, len(d.Name))
	}
	for _, d := range decisions {
		verdict := "no "
		cmp := "<"
		if d.Fired {
			verdict = "YES"
		}
		if d.Score >= d.Threshold {
			cmp = ">="
		}
		fmt.Fprintf(w, "\n%-*s  %s  score %.1f %s threshold %.1f", width, d.Name, verdict, d.Score, cmp, d.Threshold)
		if d.Unmet != "" {
			fmt.Fprintf(w, "; %s", d.Unmet)
		}
		fmt.Fprintln(w)
		if len(d.Matches) == 0 {
			fmt.Fprintln(w, "  no phrase matched")
		}
		for i, m := range d.Matches {
			text := title
			if m.Field == item.FieldSummary {
				text = summary
			}
			matched := ""
			if m.Start >= 0 && m.End <= len(text) && m.Start <= m.End {
				matched = sanitize.Line(text[m.Start:m.End])
			}
			from := d.From[i]
			if !strings.EqualFold(matched, m.Phrase) {
				from += fmt.Sprintf(" %q", sanitize.Line(m.Phrase))
			}
			fmt.Fprintf(w, "  %+5.1f  %-7s %-9s %-32q %s\n", m.Weight, m.Field, fmt.Sprintf("[%d:%d]", m.Start, m.End), matched, from)
		}
	}
}

// setupClassifier resolves paths and loads the rules: the built-in ones
// and the user's rules.toml.
func setupClassifier(e *env, g *globals) (*app, *classify.Classifier, error) {
	a, err := setup(e, g, false)
	if err != nil {
		return nil, nil, err
	}
	cls, err := a.classifier()
	if err != nil {
		return nil, nil, err
	}
	return a, cls, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func runEval(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "eval")
	misses := fs.Bool("misses", false, "also list every wrong decision on stderr")
	allTags := fs.Bool("all-tags", false, "also print lines for tags beyond the core ones")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("eval takes one labelled TSV file (- for stdin)")
	}
	_, cls, err := setupClassifier(e, g)
	if err != nil {
		return err
	}
	name := fs.Arg(0)
	in, done, err := e.openInput(name)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer done()
	examples, err := classify.ReadExamples(in, cls.HasTag)
	if err != nil {
		return fmt.Errorf("eval %s: %w", name, err)
	}
	tags := classify.CoreTags()
	if *allTags {
		for _, t := range cls.TagNames() {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	scores, wrong := cls.Evaluate(examples, tags)
	for _, s := range scores {
		fmt.Fprintln(e.stdout, s)
	}
	if *misses {
		for _, m := range wrong {
			kind := "missed"
			if m.FalsePositive {
				kind = "wrongly given"
			}
			fmt.Fprintf(e.stderr, "line %d: %s %s: %s\n", m.Line, m.Tag, kind, sanitize.Line(m.Title))
		}
	}
	return nil
}

func runRetag(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "retag")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("retag takes no arguments")
	}
	a, cls, err := setupClassifier(e, g)
	if err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	defer a.close()
	ver := cls.Version()
	var seen, current, moved int
	progress, finish := retagProgress(e)
	_, err = a.db.Retag(func(it *item.Item) bool {
		seen++
		if it.RulesVer == ver {
			current++
			return false
		}
		before := it.TagNames()
		cls.Tag(it)
		if !sameTags(before, it.TagNames()) {
			moved++
		}
		return true
	}, progress)
	finish()
	if err != nil {
		return fmt.Errorf("retag: %w", err)
	}
	retagged := seen - current
	fmt.Fprintf(e.stdout, "retagged %d %s with rules %s: %d changed tags, %d already current\n",
		retagged, plural(retagged, "story", "stories"), ver, moved, current)
	return nil
}

// retagProgress shows on a terminal how far retag has got; elsewhere it
// stays quiet and the summary line says it all.
func retagProgress(e *env) (progress func(done, total int), finish func()) {
	drawn := false
	progress = func(done, total int) {
		if !e.stderrTerminal || total == 0 {
			return
		}
		fmt.Fprintf(e.stderr, "\r\x1b[2Kretagging: %d of %d stories checked (%d%%)", done, total, done*100/total)
		drawn = true
	}
	finish = func() {
		if drawn {
			fmt.Fprint(e.stderr, "\r\x1b[2K")
		}
	}
	return progress, finish
}

func sameTags(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
