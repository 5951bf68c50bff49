// Package export turns stored stories into a document that leaves trawl:
// markdown for a newsletter or a memo, or the user's own format through a
// text/template.
//
// An export is made in three steps: Select reads the stories from the
// store, Build files them into groups by tag (deterministically: the same
// cache and clock give the same bytes), and WriteMarkdown or a Template
// renders the Document.
//
// # Safety
//
// Story text is hostile. Everything taken from a story (title, outlet,
// author, tags, link) or typed by the user (note, tag filter) is stripped of
// terminal control sequences, and in the built-in markdown escaped for
// CommonMark (EscapeLine, EscapeText, Quote) so that it renders as the very
// text it is: it cannot turn into a link, an image, an autolink, raw HTML, a
// code span, a heading, a list, a quote or a table. Only http and https
// links become links (WebURL); any other link is shown as inert text.
//
// # Template data
//
// A template (trawl export --template FILE) is executed with a Document as
// ".":
//
//	.Title       string     "Starred stories", or "Stories" with --all
//	.Generated   time.Time  when the export was made, local time
//	.Count       int        number of stories
//	.Filters     .All bool, .Tag string, .Since time.Time (zero if none),
//	             .SinceText string (the --since value, e.g. "7d")
//	.Groups      list of groups, in order: core tags, other tags, untagged
//	  .Tag       string     the tag ("" for the untagged group)
//	  .Name      string     the tag, or "untagged"
//	  .Stories   list of entries, newest first; each story is in one group
//	    .ID .Title .Outlet .Author .Feed  string
//	    .Published                         time.Time, local time
//	    .Tags                              []string, every tag of the story
//	    .Note                              string, may span lines
//	    .Starred .Read                     bool
//	    .Link      string  the story's link if it is http(s), else ""
//	    .LinkText  string  the story's link whatever it is, to show as text
//
// Strings are free of terminal controls but not escaped: text/template
// writes them as they are. A template that writes markdown should pass
// them through these functions:
//
//	md S          S escaped for CommonMark, on one line
//	mdtext S      S escaped for CommonMark, keeping its lines
//	quote S       S as a CommonMark block quote ("> " lines)
//	link TEXT URL [TEXT](URL) when URL is http(s), else escaped TEXT
//	mdurl URL     URL encoded for a link destination, or "" if not http(s)
//	yaml S        S as a YAML double-quoted string
//	json V        V as JSON
//	join LIST SEP the strings of LIST joined with SEP
//	date T        T as 2006-01-02 (or use .Format with any Go layout)
//
// An example that writes one bullet per story:
//
//	# {{md .Title}} ({{.Count}})
//	{{range .Groups}}
//	## {{md .Name}}
//	{{range .Stories}}
//	- {{link .Title .Link}}, {{md .Outlet}}, {{date .Published}}
//	{{- with .Note}} — {{md .}}{{end}}
//	{{end}}{{end}}
package export
