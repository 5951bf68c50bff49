package feeds

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// Subscription is one feed the user follows.
type Subscription struct {
	URL   string
	Title string   // optional display name; the feed's own title otherwise
	Tags  []string // user tags, from the file or OPML folders
}

// Errors for subscription edits.
var (
	ErrDuplicate  = errors.New("already subscribed")
	ErrNotFound   = errors.New("not subscribed")
	ErrBadFeedURL = errors.New("not an http(s) feed URL")
)

// SubscriptionList is the subscriptions file in memory. It keeps every
// line, comments and blank lines included, so that edits leave the rest of
// the user's file as they wrote it.
type SubscriptionList struct {
	path   string
	lines  []subLine
	exists bool
}

type subLine struct {
	raw     string        // the line as read, for comments and untouched entries
	sub     *Subscription // nil for comments and blank lines
	comment string        // an entry's trailing "# ...", kept when it is rewritten
	key     string        // feedKey(sub.URL), what lookups compare
}

// newLine is a line of the file with its lookup key.
func newLine(raw string, sub *Subscription, comment string) subLine {
	ln := subLine{raw: raw, sub: sub, comment: comment}
	if sub != nil {
		ln.key = feedKey(sub.URL)
	}
	return ln
}

const subsHeader = `# trawl subscriptions, one feed per line:
#   URL ["Title"] [+tag ...]
# The title (in double quotes) and the +tags are optional. Lines starting
# with # are comments. trawl keeps your comments and order when it edits
# this file ('trawl feeds add' and 'trawl feeds remove').
`

// LoadSubscriptions reads the subscriptions file at path. A missing file is
// not an error: the list is empty and Exists reports false.
func LoadSubscriptions(path string) (*SubscriptionList, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &SubscriptionList{path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read subscriptions %s: %w", path, err)
	}
	defer f.Close()
	l, err := readSubscriptions(path, f)
	if err != nil {
		return nil, err
	}
	l.exists = true
	return l, nil
}

// readSubscriptions parses the file's text; path is for messages and Save.
func readSubscriptions(path string, r io.Reader) (*SubscriptionList, error) {
	l := &SubscriptionList{path: path}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	seen := map[string]int{}
	for sc.Scan() {
		n++
		raw := sc.Text()
		if n == 1 {
			// Some editors start a UTF-8 file with a byte order mark.
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		sub, comment, err := parseSubLine(raw)
		if err != nil {
			return nil, fmt.Errorf("subscriptions %s:%d: %w", path, n, err)
		}
		if sub != nil {
			if first, dup := seen[sub.URL]; dup {
				return nil, fmt.Errorf("subscriptions %s:%d: %s is already on line %d", path, n, sub.URL, first)
			}
			seen[sub.URL] = n
		}
		l.lines = append(l.lines, newLine(raw, sub, comment))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read subscriptions %s: %w", path, err)
	}
	return l, nil
}

// Path returns the file the list was read from and is saved to.
func (l *SubscriptionList) Path() string { return l.path }

// Exists reports whether the file was there when loaded (or has been saved).
func (l *SubscriptionList) Exists() bool { return l.exists }

// Feeds returns the subscriptions in file order.
func (l *SubscriptionList) Feeds() []Subscription {
	var out []Subscription
	for _, ln := range l.lines {
		if ln.sub != nil {
			out = append(out, *ln.sub)
		}
	}
	return out
}

// Find returns the subscription with url, however its scheme and host are
// spelled (see feedKey).
func (l *SubscriptionList) Find(u string) (Subscription, bool) {
	key := feedKey(u)
	for _, ln := range l.lines {
		if ln.sub != nil && ln.key == key {
			return *ln.sub, true
		}
	}
	return Subscription{}, false
}

// Add appends a subscription after checking its URL.
func (l *SubscriptionList) Add(s Subscription) error {
	u, err := CheckFeedURL(s.URL)
	if err != nil {
		return err
	}
	s.URL = u
	if _, ok := l.Find(s.URL); ok {
		return fmt.Errorf("%s: %w", s.URL, ErrDuplicate)
	}
	if len(l.lines) == 0 {
		for _, h := range strings.Split(strings.TrimSuffix(subsHeader, "\n"), "\n") {
			l.lines = append(l.lines, subLine{raw: h})
		}
	}
	sub := s
	l.lines = append(l.lines, newLine(formatSubLine(sub), &sub, ""))
	return nil
}

// Remove drops the subscription with url, spelled as Add would take it.
func (l *SubscriptionList) Remove(u string) error {
	key := feedKey(u)
	for i, ln := range l.lines {
		if ln.sub != nil && ln.key == key {
			l.lines = append(l.lines[:i], l.lines[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%s: %w", u, ErrNotFound)
}

// Rename changes a subscription's URL in place (after a permanent
// redirect), keeping its title, tags and position. If the new URL is
// already subscribed, it returns ErrDuplicate and changes nothing.
func (l *SubscriptionList) Rename(from, to string) error {
	// A move to another spelling of the same URL finds the feed itself:
	// that is a rename, not a duplicate.
	if s, ok := l.Find(to); ok && s.URL != from {
		return fmt.Errorf("%s: %w", to, ErrDuplicate)
	}
	for i, ln := range l.lines {
		if ln.sub != nil && ln.sub.URL == from {
			sub := *ln.sub
			sub.URL = to
			raw := formatSubLine(sub)
			if ln.comment != "" {
				raw += " " + ln.comment
			}
			l.lines[i] = newLine(raw, &sub, ln.comment)
			return nil
		}
	}
	return fmt.Errorf("%s: %w", from, ErrNotFound)
}

// Move is one permanent redirect applied to the subscriptions.
type Move struct {
	From, To string
	// Merged means To was already subscribed, so From's line was removed
	// rather than renamed.
	Merged bool
}

// ApplyMoves follows the permanent redirects a refresh found (old URL to
// new, as in Summary.Moved), in file order, and returns what it changed.
// A move it cannot make is left out and named in the error; the others
// are still made. The caller saves the list.
func (l *SubscriptionList) ApplyMoves(moved map[string]string) ([]Move, error) {
	var out []Move
	var errs []error
	for _, s := range l.Feeds() {
		to, ok := moved[s.URL]
		if !ok {
			continue
		}
		to, err := CheckFeedURL(to)
		if err != nil {
			errs = append(errs, fmt.Errorf("move %s: %w", s.URL, err))
			continue
		}
		err = l.Rename(s.URL, to)
		if errors.Is(err, ErrDuplicate) {
			err = l.Remove(s.URL)
			if err == nil {
				out = append(out, Move{From: s.URL, To: to, Merged: true})
				continue
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("move %s: %w", s.URL, err))
			continue
		}
		out = append(out, Move{From: s.URL, To: to})
	}
	return out, errors.Join(errs...)
}

// Save writes the list back atomically: a temporary file in the same
// directory, synced, then renamed over the old one.
func (l *SubscriptionList) Save() error {
	if err := WriteFileAtomic(l.path, []byte(l.text()), 0o644); err != nil {
		return fmt.Errorf("save subscriptions: %w", err)
	}
	l.exists = true
	return nil
}

// text is the file as Save writes it.
func (l *SubscriptionList) text() string {
	var b strings.Builder
	for _, ln := range l.lines {
		b.WriteString(ln.raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// CheckFeedURL returns the URL cleaned up, or an error if it is not an
// absolute http(s) URL with a host.
func CheckFeedURL(raw string) (string, error) {
	u, err := parseFeedURL(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// parseFeedURL is CheckFeedURL's work, keeping the parsed URL.
func parseFeedURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, ErrBadFeedURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: %w (only http:// and https:// feeds are fetched)", raw, ErrBadFeedURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: %w (no host)", raw, ErrBadFeedURL)
	}
	if strings.ContainsAny(raw, " \t\"") {
		return nil, fmt.Errorf("%q: %w (spaces and quotes must be percent-encoded)", raw, ErrBadFeedURL)
	}
	// A URL is printed and stored as it is; Go keeps a query's bytes
	// verbatim, so a control character there (an escape sequence, a bidi
	// override) would reach the terminal.
	if sanitize.HasControl(raw) {
		return nil, fmt.Errorf("%q: %w (control characters must be percent-encoded)", raw, ErrBadFeedURL)
	}
	if len(raw) > maxFeedURL {
		return nil, fmt.Errorf("%.60q...: %w (longer than %d bytes)", raw, ErrBadFeedURL, maxFeedURL)
	}
	return u, nil
}

// maxFeedURL keeps every line of feeds.txt far below what it can read.
const maxFeedURL = 4096

// feedKey is what two spellings of one feed URL have in common: the URL as
// CheckFeedURL cleans it up, with the scheme and host in lower case and
// the scheme's default port dropped. A trailing slash, or http against
// https, can be another resource and is not folded. A URL CheckFeedURL
// refuses is its own key.
func feedKey(raw string) string {
	u, err := parseFeedURL(raw)
	if err != nil {
		return raw
	}
	u.Host = strings.ToLower(u.Host) // url.Parse lower-cases the scheme
	if port := u.Port(); port == "443" && u.Scheme == "https" || port == "80" && u.Scheme == "http" {
		u.Host = u.Hostname()
	}
	return u.String()
}

// parseSubLine reads one line of the file: nil for a blank line or a
// comment, else the entry and any trailing comment.
func parseSubLine(raw string) (sub *Subscription, comment string, err error) {
	line := strings.TrimSpace(raw)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil, "", nil
	}
	first, rest, _ := strings.Cut(line, " ")
	if i := strings.IndexByte(first, '\t'); i >= 0 {
		first, rest = first[:i], first[i+1:]+" "+rest
	}
	u, err := CheckFeedURL(first)
	if err != nil {
		return nil, "", err
	}
	sub = &Subscription{URL: u}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		switch {
		case rest[0] == '"':
			if sub.Title != "" {
				return nil, "", errors.New("two titles; put one title in double quotes")
			}
			title, tail, err := unquoteTitle(rest)
			if err != nil {
				return nil, "", err
			}
			sub.Title, rest = title, tail
		case rest[0] == '+':
			word, tail, _ := strings.Cut(rest, " ")
			tag := strings.TrimPrefix(word, "+")
			if !validTag(tag) {
				return nil, "", fmt.Errorf("bad tag %q: tags are letters, digits, '-' and '_'", word)
			}
			sub.Tags = append(sub.Tags, tag)
			rest = tail
		case rest[0] == '#':
			comment, rest = rest, ""
		default:
			word, _, _ := strings.Cut(rest, " ")
			return nil, "", fmt.Errorf("unexpected %q after the URL: titles go in double quotes, tags start with +", word)
		}
		rest = strings.TrimSpace(rest)
	}
	return sub, comment, nil
}

func unquoteTitle(s string) (title, rest string, err error) {
	prefix, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", errors.New("title has no closing double quote")
	}
	title, err = strconv.Unquote(prefix)
	if err != nil {
		return "", "", fmt.Errorf("bad title %s: %w", prefix, err)
	}
	return title, s[len(prefix):], nil
}

func validTag(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for _, r := range t {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && strconv.IsPrint(r)) {
			return false
		}
	}
	return true
}

func formatSubLine(s Subscription) string {
	var b strings.Builder
	b.WriteString(s.URL)
	if s.Title != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(s.Title))
	}
	for _, t := range s.Tags {
		b.WriteString(" +")
		b.WriteString(t)
	}
	return b.String()
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, synced and then renamed, so a crash or a full disk leaves
// either the old file or the new one, never half of either. A path that
// is a symbolic link (a dotfiles checkout) has its target rewritten, and
// an existing file keeps its permissions; perm is for a new one. Missing
// directories are created.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, perm, true, func(w io.Writer) error {
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	})
}

// WriteAtomic is WriteFileAtomic for content that write produces, into a
// directory that must exist. An error of write's own comes back as it is.
func WriteAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	return writeAtomic(path, perm, false, write)
}

// WriteTemp writes a file beside path, under a hidden temporary name, with
// perm, synced and closed, for the caller to move into place; on failure
// it leaves nothing. An error of write's own comes back as it is.
func WriteTemp(path string, perm os.FileMode, write func(io.Writer) error) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	err = tmp.Chmod(perm)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tmp.Name(), nil
}

func writeAtomic(path string, perm os.FileMode, mkdir bool, write func(io.Writer) error) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	} else if target, err := os.Readlink(path); err == nil {
		// A link whose target does not exist yet: create the target.
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	if mkdir {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	name, err := WriteTemp(path, perm, write)
	if err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable only once the directory is: without this a
	// crash can bring back the old file.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
