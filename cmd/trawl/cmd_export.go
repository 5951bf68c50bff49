package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/classify"
	"github.com/trawl-news/trawl/store/export"
)

// Longer --help texts.
const exportDetail = `
Writes the starred stories (with --all, every story matching --tag and
--since) as markdown: a heading with the date and the filters, then one
section per tag. A story with several tags is listed once, under the first
core tag it carries (training-data, then api-pricing), else under the first
of its other tags alphabetically; untagged stories come last (with --tag,
all are under that tag). Newest first within a section. Each story has its linked title, outlet, date, tags, your
note and its link. The same cache gives the same file.

Everything from a feed is escaped so it shows as text: a hostile title
cannot add links, images, HTML or headings to your document, and only
http(s) links are made clickable.

-o FILE replaces FILE atomically: if anything fails, an earlier FILE is left
as it was.

--template FILE formats the export with your own Go text/template. It sees:

  .Title .Generated .Count .Filters{.All .Tag .Since .SinceText}
  .Groups: each with .Tag .Name .Stories; each story with
    .ID .Title .Outlet .Author .Feed .Published .Tags .Note .Starred .Read
    .Link (only if http(s), else empty) .LinkText (the link as stored)

Strings are not escaped for you; for markdown use the functions
md, mdtext, quote, link TEXT URL, mdurl; also yaml, json, join LIST SEP,
date TIME. Example:

  {{range .Groups}}## {{md .Name}}
  {{range .Stories}}- {{link .Title .Link}} ({{md .Outlet}}, {{date .Published}})
  {{end}}{{end}}

The reader's export key (e) writes the starred stories to
$XDG_DATA_HOME/trawl/exports/trawl-starred-YYYY-MM-DD.md (by default under
~/.local/share), never over an earlier file.`

func runExport(e *env, g *globals, args []string) error {
	fs := newFlagSet(e, g, "export")
	tag := fs.String("tag", "", "only stories with this tag")
	all := fs.Bool("all", false, "all matching stories, not only starred ones")
	since := fs.String("since", "", "only stories published within this long (e.g. 24h, 7d)")
	out := fs.String("o", "", "write to FILE (atomically) instead of stdout")
	frontMatter := fs.Bool("front-matter", false, "start with YAML front matter (title, date, filters, counts)")
	tmplPath := fs.String("template", "", "format with this Go text/template FILE instead of the built-in markdown")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("export takes no arguments (did you mean --tag %s?)", fs.Arg(0))
	}
	cutoff, err := parseSince(e, *since)
	if err != nil {
		return err
	}
	f := export.Filters{All: *all, Tag: strings.TrimSpace(*tag), Since: cutoff, SinceText: *since}
	var tmpl *export.Template
	if *tmplPath != "" {
		if *frontMatter {
			return usagef("--front-matter is for the built-in markdown; put front matter in your --template")
		}
		text, err := os.ReadFile(*tmplPath)
		if err != nil {
			return fmt.Errorf("read the template: %w", err)
		}
		if tmpl, err = export.ParseTemplate(*tmplPath, string(text)); err != nil {
			return err
		}
	}
	a, err := openCache(e, g, true)
	if err != nil {
		return err
	}
	defer a.close()

	doc, err := exportDocument(a, f)
	if err != nil {
		return err
	}
	render := func(w io.Writer) error {
		if tmpl != nil {
			return tmpl.Execute(w, doc)
		}
		return export.WriteMarkdown(w, doc, export.MarkdownOptions{FrontMatter: *frontMatter})
	}
	if *out == "" {
		// Rendered whole first, so that a template that fails half-way
		// leaves no half document on stdout.
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			return err
		}
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	if _, err := writeAtomic(*out, true, render); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d %s to %s\n", doc.Count, plural(doc.Count, "story", "stories"), *out)
	return nil
}

// exportDocument selects and groups the stories of an export, with dates in
// the time zone of the command's clock.
func exportDocument(a *app, f export.Filters) (export.Document, error) {
	stories, err := export.Select(a.db, f)
	if err != nil {
		return export.Document{}, err
	}
	return export.Build(stories, export.Options{Now: a.env.now(), Filters: f, CoreTags: classify.CoreTags()}), nil
}

// exportForTUI writes the starred stories as markdown, the same document
// as a plain 'trawl export', to
// $XDG_DATA_HOME/trawl/exports/trawl-starred-YYYY-MM-DD.md (by default
// ~/.local/share/trawl/exports/...) and returns the path. The directory
// does not depend on the working directory, which in a reader session is
// wherever the user happened to start trawl. The file is written
// atomically and never over an earlier export: a second export on the same
// day goes to trawl-starred-YYYY-MM-DD-2.md, and so on, since the user may
// have edited the first.
func exportForTUI(a *app) (string, error) {
	dir, err := exportDir(a.env)
	if err != nil {
		return "", err
	}
	doc, err := exportDocument(a, export.Filters{})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "trawl-starred-"+doc.Generated.Format("2006-01-02")+".md")
	return writeAtomic(path, false, func(w io.Writer) error {
		return export.WriteMarkdown(w, doc, export.MarkdownOptions{})
	})
}

// exportDir is where exports started from the reader go.
func exportDir(e *env) (string, error) {
	if dir := e.getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "trawl", "exports"), nil
	}
	home := e.getenv("HOME")
	if home == "" {
		return "", fmt.Errorf("export: cannot find the home directory ($HOME is not set); set $XDG_DATA_HOME")
	}
	return filepath.Join(home, ".local", "share", "trawl", "exports"), nil
}

// writeAtomic writes a file through a temporary file in the same directory,
// synced and then moved into place, so that readers see the old file or the
// whole new one and a failure at any step (a full disk, a template error
// half-way) leaves an earlier file untouched. With replace, the file at
// path is replaced (through a symlink, the file it points to), keeping its
// permissions. Without, an existing file is never replaced: the name gets
// -2, -3, ... before its extension until one is free. It returns the path
// written.
func writeAtomic(path string, replace bool, write func(io.Writer) error) (string, error) {
	fail := func(err error) (string, error) {
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			err = pe.Err // the temporary file's name would only confuse
		case errors.As(err, &le):
			err = le.Err
		}
		return "", fmt.Errorf("export: cannot write %s: %w (nothing was changed)", path, err)
	}
	if replace {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return fail(errors.New("it is a directory"))
		}
		if err := feeds.WriteAtomic(path, 0o644, write); err != nil {
			return fail(err)
		}
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fail(err)
	}
	tmpName, err := feeds.WriteTemp(path, 0o644, write)
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmpName) // after a link, the spare name; after a rename, a no-op
	// A hard link creates the name only if it is free, atomically.
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for n := 1; n < 1000; n++ {
		name := path
		if n > 1 {
			name = stem + "-" + strconv.Itoa(n) + ext
		}
		err := os.Link(tmpName, name)
		switch {
		case err == nil:
			return name, nil
		case errors.Is(err, fs.ErrExist):
			continue
		}
		// A file system without hard links: check, then rename.
		if _, serr := os.Lstat(name); serr == nil {
			continue
		} else if !errors.Is(serr, fs.ErrNotExist) {
			return fail(err)
		}
		if err := os.Rename(tmpName, name); err != nil {
			return fail(err)
		}
		return name, nil
	}
	return fail(errors.New("too many exports with this name already"))
}
