// Package item defines the story type that flows from the feed parser
// through the classifier into the store.
//
// It is a leaf package with no dependencies so that feeds, classify, store
// and the TUI can all share it without importing each other.
package item

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
)

// Field names a part of a story that the classifier reads.
type Field string

// The fields a tag's evidence can point into.
const (
	FieldTitle   Field = "title"
	FieldSummary Field = "summary"
	FieldBody    Field = "body"
)

// Item is one story as fetched, normalised and sanitised. Every string in it
// is safe to print on a terminal: feeds strips control sequences before an
// Item is built.
type Item struct {
	ID         string    // stable across refreshes; see NewID
	Feed       string    // URL of the subscription that carried it
	Outlet     string    // display name of the feed
	GUID       string    // the feed's own identifier, if any
	Title      string    // plain text
	Link       string    // absolute http(s) URL, or empty
	Author     string    // plain text
	Categories []string  // plain text
	Published  time.Time // UTC; never in the far future
	Updated    time.Time // UTC; zero if the feed gave none
	Summary    string    // plain text
	Content    string    // sanitised HTML, for the reader
	Tags       []Tag     // classifier decisions (only tags that fired)
	RulesVer   string    // version of the rules that produced Tags
}

// Tag is a classifier decision with the evidence behind it.
type Tag struct {
	Name      string
	Score     float64
	Threshold float64
	Matches   []Match
}

// Match is one piece of evidence: a phrase found in a field of the story.
// Start and End are byte offsets into that field's text (Title, Summary or
// the plain text of Content), so a viewer can highlight them.
type Match struct {
	Phrase   string  // the rule phrase that matched
	Field    Field   // where it matched
	Start    int     // byte offset of the first matched byte
	End      int     // byte offset just past the match
	Weight   float64 // contribution to the score (negative for negatives)
	Negative bool    // a hard negative that counted against the tag
}

// TagNames returns the names of the tags on it, in order.
func (it *Item) TagNames() []string {
	names := make([]string, len(it.Tags))
	for i, t := range it.Tags {
		names[i] = t.Name
	}
	return names
}

// HasTag reports whether it carries the named tag.
func (it *Item) HasTag(name string) bool {
	for _, t := range it.Tags {
		if t.Name == name {
			return true
		}
	}
	return false
}

// NewID derives the stable ID of a story: from the GUID when the feed gives
// one, else the link, else title and date. The feed URL is part of the key so
// two feeds that reuse GUIDs like "1" do not collide, except where the GUID
// is itself a URL: outlets that publish one story in several feeds (a main
// feed and an AI section) use the article URL as GUID, and such stories must
// stay one item.
func NewID(feedURL, guid, link, title string, published time.Time) string {
	var key string
	switch {
	case guid != "" && IsWebURL(guid):
		key = "u\x00" + canonicalURL(guid, true)
	case guid != "":
		key = "g\x00" + feedURL + "\x00" + guid
	case link != "":
		key = "u\x00" + canonicalURL(link, false)
	default:
		key = "t\x00" + feedURL + "\x00" + title + "\x00" + published.UTC().Format(time.RFC3339)
	}
	sum := sha256.Sum256([]byte(key))
	// 80 bits in 16 lowercase base32 characters: short enough to type a
	// prefix, long enough that a cache of millions never collides.
	return strings.ToLower(idEncoding.EncodeToString(sum[:10]))
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// IsWebURL reports whether s starts with an http or https scheme, in any
// case: a GUID that does is the story's address.
func IsWebURL(s string) bool {
	return hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// canonicalURL folds the differences that do not make a URL a different
// story: scheme, a trailing slash, tracking parameters and, in a link, a
// fragment ("#comments"). A GUID's fragment is kept: it is an identifier,
// and comment feeds tell their entries apart by it ("?p=123#comment-4").
// So is a link's that routes a page ("#/story/9", "#!/story/9").
func canonicalURL(s string, guid bool) string {
	for _, scheme := range []string{"https://", "http://"} {
		if hasPrefixFold(s, scheme) {
			s = s[len(scheme):]
			break
		}
	}
	if i := strings.IndexByte(s, '#'); i >= 0 && !guid && !strings.HasPrefix(s[i:], "#/") && !strings.HasPrefix(s[i:], "#!") {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i] + stripTracking(s[i:])
	}
	s = strings.TrimSuffix(s, "/")
	// Hosts are case-insensitive; paths are not.
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return strings.ToLower(s[:i]) + s[i:]
	}
	return strings.ToLower(s)
}

func stripTracking(query string) string {
	params := strings.Split(strings.TrimPrefix(query, "?"), "&")
	kept := params[:0]
	for _, p := range params {
		name, _, _ := strings.Cut(p, "=")
		if strings.HasPrefix(name, "utm_") || name == "" || name == "ref" || name == "fbclid" || name == "gclid" {
			continue
		}
		kept = append(kept, p)
	}
	if len(kept) == 0 {
		return ""
	}
	return "?" + strings.Join(kept, "&")
}
