package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/trawl-news/trawl/feeds/sanitize"
	"github.com/trawl-news/trawl/store"
)

// Longer --help texts.
const showDetail = `
ID is a story's ID from 'trawl list' or any unique prefix of it. --json
prints the story as one object with the fields of 'trawl list --json'.`

const starDetail = `
ID is a story's ID from 'trawl list' or any unique prefix of it. Starred
stories are never pruned and are what 'trawl export' writes.`

const noteDetail = `
The note replaces any earlier one; the earlier text is printed to stderr so
nothing is lost by mistake. 'trawl note ID -' reads the note from stdin (up
to 1 MiB), for longer notes or an editor pipeline. --clear removes the note.
Annotated stories are never pruned.`

// withStory opens the cache, resolves an ID or unique prefix and calls fn.
func withStory(e *env, g *globals, id string, readOnly bool, fn func(a *app, id string) error) error {
	a, err := openCache(e, g, readOnly)
	if err != nil {
		return err
	}
	defer a.close()
	full, err := a.db.Resolve(id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w ('trawl list' shows the IDs)", err)
	}
	if err != nil {
		return err
	}
	return fn(a, full)
}

// openCache sets up a command that reads or changes stories and opens the
// cache; the caller closes it with a.close.
func openCache(e *env, g *globals, readOnly bool) (*app, error) {
	a, err := setup(e, g, false)
	if err != nil {
		return nil, err
	}
	if err := a.open(readOnly); err != nil {
		return nil, err
	}
	return a, nil
}

func oneID(fs interface{ Args() []string }, what string) (string, error) {
	if len(fs.Args()) != 1 {
		return "", usagef("%s takes one story ID (or a unique prefix of one)", what)
	}
	return fs.Args()[0], nil
}

func runShow(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "show")
	asJSON := fs.Bool("json", false, "print the story as a JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs, "show")
	if err != nil {
		return err
	}
	return withStory(e, g, id, true, func(a *app, id string) error {
		s, err := a.db.Get(id)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e, listed(&s))
		}
		// Dates in the zone of the command's clock (local time for users).
		loc := e.now().Location()
		w := e.stdout
		fmt.Fprintf(w, "%s\n", sanitize.Line(s.Title))
		fmt.Fprintf(w, "id:        %s\n", s.ID)
		fmt.Fprintf(w, "outlet:    %s\n", sanitize.Line(s.Outlet))
		if s.Author != "" {
			fmt.Fprintf(w, "author:    %s\n", sanitize.Line(s.Author))
		}
		fmt.Fprintf(w, "published: %s\n", s.Published.In(loc).Format("2006-01-02 15:04 MST"))
		if s.Link != "" {
			fmt.Fprintf(w, "link:      %s\n", sanitize.Line(s.Link))
		}
		state := []string{}
		if s.Starred {
			state = append(state, "starred")
		}
		if s.Read {
			state = append(state, "read")
		}
		if s.Dismissed {
			state = append(state, "dismissed")
		}
		if len(state) > 0 {
			fmt.Fprintf(w, "state:     %s\n", strings.Join(state, ", "))
		}
		if len(s.Tags) == 0 {
			fmt.Fprintf(w, "tags:      none\n")
		}
		for _, t := range s.Tags {
			fmt.Fprintf(w, "tag:       %s (score %.1f, threshold %.1f)\n", sanitize.Line(t.Name), t.Score, t.Threshold)
			for _, m := range t.Matches {
				fmt.Fprintf(w, "             %+.1f %q in %s\n", m.Weight, m.Phrase, m.Field)
			}
		}
		if s.Summary != "" {
			fmt.Fprintf(w, "\n%s\n", sanitize.Text(s.Summary))
		}
		if s.Note != "" {
			fmt.Fprintf(w, "\nnote (%s):\n%s\n", s.NoteEdited.In(loc).Format("2006-01-02 15:04"), sanitize.Text(s.Note))
		}
		return nil
	})
}

func runStar(e *env, g *globals, args []string) error   { return setStar(e, g, args, "star", true) }
func runUnstar(e *env, g *globals, args []string) error { return setStar(e, g, args, "unstar", false) }

func setStar(e *env, g *globals, args []string, name string, on bool) error {
	fs := newFlagSet(e, g, name)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs, name)
	if err != nil {
		return err
	}
	return withStory(e, g, id, false, func(a *app, id string) error {
		if err := a.db.SetStarred(id, on); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%sred %s\n", name, id)
		return nil
	})
}

func runNote(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "note")
	clear := fs.Bool("clear", false, "remove the note")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	var text string
	switch {
	case *clear && len(rest) == 1:
	case !*clear && len(rest) == 2 && rest[1] == "-":
		raw, err := io.ReadAll(io.LimitReader(e.input(), 1<<20+1))
		if err != nil {
			return fmt.Errorf("read note from stdin: %w", err)
		}
		if len(raw) > 1<<20 {
			return fmt.Errorf("note on stdin is over 1 MiB")
		}
		text = string(raw)
	case !*clear && len(rest) >= 2:
		text = strings.Join(rest[1:], " ")
	default:
		return usagef("note ID TEXT, note ID - (text on stdin), or note ID --clear")
	}
	text = strings.TrimSpace(sanitize.Text(text))
	if !*clear && text == "" {
		return usagef("the note is empty; use --clear to remove a note")
	}
	return withStory(e, g, rest[0], false, func(a *app, id string) error {
		var before string
		if _, err := a.db.Update(id, func(s *store.State) { before, s.Note = s.Note, text }); err != nil {
			return err
		}
		if before != "" && before != text {
			// The user's words are never lost silently.
			fmt.Fprintf(e.stderr, "the earlier note was:\n%s\n", sanitize.Text(before))
		}
		if *clear {
			fmt.Fprintf(e.stdout, "cleared the note on %s\n", id)
		} else {
			fmt.Fprintf(e.stdout, "saved the note on %s\n", id)
		}
		return nil
	})
}

func runVersion(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s\n", programName, version)
	return nil
}
