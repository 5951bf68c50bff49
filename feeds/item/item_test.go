package item

import (
	"testing"
	"time"
)

func TestNewIDSameStory(t *testing.T) {
	id := func(feed, guid, link string) string { return NewID(feed, guid, link, "title", time.Time{}) }
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"a URL GUID is one story across feeds", id("https://a.example/rss", "https://x.example/s/1", ""), id("https://b.example/rss", "https://x.example/s/1", ""), true},
		{"a URL GUID's scheme may be upper case", id("https://a.example/rss", "HTTPS://x.example/s/1", ""), id("https://b.example/rss", "https://x.example/s/1", ""), true},
		{"scheme, host case, tracking and trailing slash fold", id("f", "", "http://X.example/s/1/?utm_source=rss"), id("f", "", "https://x.example/s/1"), true},
		{"a link's fragment folds", id("f", "", "https://x.example/s/1#comments"), id("f", "", "https://x.example/s/1"), true},
		{"a GUID's fragment tells comments apart", id("f", "https://x.example/?p=123#comment-1", ""), id("f", "https://x.example/?p=123#comment-2", ""), false},
		{"a comment is not its post", id("f", "https://x.example/?p=123#comment-1", ""), id("f", "https://x.example/?p=123", ""), false},
		{"a routing fragment is the page", id("f", "", "https://x.example/#/story/9"), id("f", "", "https://x.example/#/story/10"), false},
		{"a hash-bang fragment is the page", id("f", "", "https://x.example/#!/story/9"), id("f", "", "https://x.example/#!/story/10"), false},
		{"plain GUIDs are per feed", id("https://a.example/rss", "1", ""), id("https://b.example/rss", "1", ""), false},
	}
	for _, tt := range tests {
		if got := tt.a == tt.b; got != tt.same {
			t.Errorf("%s: same = %v, want %v", tt.name, got, tt.same)
		}
	}
}
