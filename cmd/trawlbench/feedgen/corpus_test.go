package feedgen

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

var testBase = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestRenderIsDeterministic(t *testing.T) {
	a := New(Options{Feeds: 8, Items: 20, Base: testBase})
	b := New(Options{Feeds: 8, Items: 20, Base: testBase})
	for i := range 8 {
		if !bytes.Equal(a.Render(i), b.Render(i)) {
			t.Fatalf("feed %d rendered differently from equal options", i)
		}
	}
	other := New(Options{Feeds: 8, Items: 20, Base: testBase, Seed: 7})
	if bytes.Equal(a.Render(0), other.Render(0)) {
		t.Fatal("a different seed rendered the same feed")
	}
}

func TestSmallCorpusIsTheNewestPartOfALargeOne(t *testing.T) {
	small := New(Options{Feeds: 5, Items: 10, Base: testBase})
	large := New(Options{Feeds: 50, Items: 100, Base: testBase})
	for i := range 5 {
		for j := range 10 {
			if s, l := small.Story(i, j), large.Story(i, j); s != l {
				t.Fatalf("story %d/%d differs between corpus sizes:\n%+v\n%+v", i, j, s, l)
			}
		}
	}
}

func TestStoriesAreOlderDownAFeedAndLinksUnique(t *testing.T) {
	c := New(Options{Feeds: 12, Items: 40, Base: testBase})
	links := map[string]bool{}
	c.Each(func(s Story) {
		if links[s.Link] {
			t.Fatalf("link %s used twice", s.Link)
		}
		links[s.Link] = true
		if s.Published.After(testBase) {
			t.Fatalf("story %d/%d published %s, after the base %s", s.Feed, s.Index, s.Published, testBase)
		}
		if s.Index > 0 && !s.Published.Before(c.Story(s.Feed, s.Index-1).Published) {
			t.Fatalf("story %d/%d is not older than the one before it", s.Feed, s.Index)
		}
	})
	if len(links) != c.Len() {
		t.Fatalf("%d links for %d stories", len(links), c.Len())
	}
}

func TestNewestMatchesAFullSort(t *testing.T) {
	c := New(Options{Feeds: 9, Items: 30, Base: testBase})
	var all []Story
	c.Each(func(s Story) { all = append(all, s) })
	sortNewestFirst(all)
	for _, n := range []int{1, 5, 9, 10, 47, 270, 1000} {
		got := c.Newest(n)
		want := all[:min(n, len(all))]
		if !slices.Equal(got, want) {
			t.Fatalf("Newest(%d) differs from sorting the whole corpus", n)
		}
	}
	if got := c.Newest(0); got != nil {
		t.Fatalf("Newest(0) = %d stories", len(got))
	}
}

func TestMixOfKindsAndSummaryLength(t *testing.T) {
	c := New(Options{Feeds: 40, Items: 100, Base: testBase})
	counts := map[Kind]int{}
	c.Each(func(s Story) {
		counts[s.Kind]++
		if n := len(s.Summary); n < 300 || n > 650 {
			t.Fatalf("story %d/%d summary is %d bytes: %q", s.Feed, s.Index, n, s.Summary)
		}
		if strings.ContainsAny(s.Title+s.Summary, "{}\t\n") {
			t.Fatalf("story %d/%d has an unfilled template or a control character: %q / %q", s.Feed, s.Index, s.Title, s.Summary)
		}
	})
	// The shares are set in kindFor; with 4000 stories each lands well
	// within a few points of its share.
	want := map[Kind]float64{KindTrainingData: 0.12, KindAPIPricing: 0.10, KindBoth: 0.03, KindNearMiss: 0.08, KindOrdinary: 0.67}
	for k, share := range want {
		got := float64(counts[k]) / float64(c.Len())
		if got < share*0.6 || got > share*1.4 {
			t.Errorf("kind %d is %.3f of the corpus, want about %.2f", k, got, share)
		}
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		kind Kind
		want []string
	}{
		{KindOrdinary, nil},
		{KindNearMiss, nil},
		{KindTrainingData, []string{TagTrainingData}},
		{KindAPIPricing, []string{TagAPIPricing}},
		{KindBoth, []string{TagTrainingData, TagAPIPricing}},
	}
	for _, tt := range tests {
		if got := tt.kind.Labels(); !slices.Equal(got, tt.want) {
			t.Errorf("Kind(%d).Labels() = %v, want %v", tt.kind, got, tt.want)
		}
	}
}

// TestRenderedFeedsParse reads both formats back with gofeed, the parser
// trawl uses, and checks every story arrives whole.
func TestRenderedFeedsParse(t *testing.T) {
	c := New(Options{Feeds: 8, Items: 25, Base: testBase})
	p := gofeed.NewParser()
	for i := range 8 {
		f := c.Feed(i)
		parsed, err := p.Parse(bytes.NewReader(c.Render(i)))
		if err != nil {
			t.Fatalf("feed %d (%v): %v", i, f.Format, err)
		}
		wantType := map[Format]string{RSS: "rss", Atom: "atom"}[f.Format]
		if parsed.FeedType != wantType {
			t.Errorf("feed %d parsed as %s, want %s", i, parsed.FeedType, wantType)
		}
		if parsed.Title != f.Title {
			t.Errorf("feed %d title %q, want %q", i, parsed.Title, f.Title)
		}
		if len(parsed.Items) != 25 {
			t.Fatalf("feed %d has %d items, want 25", i, len(parsed.Items))
		}
		for j, it := range parsed.Items {
			s := c.Story(i, j)
			if it.Title != s.Title || it.Link != s.Link || it.GUID != s.Link {
				t.Fatalf("feed %d item %d: got %q %q %q, want %q %q", i, j, it.Title, it.Link, it.GUID, s.Title, s.Link)
			}
			if it.PublishedParsed == nil || !it.PublishedParsed.Equal(s.Published) {
				t.Fatalf("feed %d item %d published %v, want %v", i, j, it.PublishedParsed, s.Published)
			}
			if !strings.Contains(it.Description, s.Summary[:40]) {
				t.Fatalf("feed %d item %d description %q lacks the summary %q", i, j, it.Description, s.Summary)
			}
		}
	}
}

func TestWriteTSV(t *testing.T) {
	c := New(Options{Feeds: 3, Items: 7, Base: testBase})
	var b bytes.Buffer
	n, err := WriteTSV(&b, c)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if n != 21 || len(lines) != 22 {
		t.Fatalf("wrote %d stories in %d lines, want 21 and 22", n, len(lines))
	}
	if lines[0] != "labels\ttitle\tsummary" {
		t.Fatalf("header %q", lines[0])
	}
	k := 1
	c.Each(func(s Story) {
		fields := strings.Split(lines[k], "\t")
		k++
		if len(fields) != 3 {
			t.Fatalf("line %d has %d fields", k, len(fields))
		}
		want := "none"
		if l := s.Kind.Labels(); l != nil {
			want = strings.Join(l, ",")
		}
		if fields[0] != want || fields[1] != s.Title || fields[2] != s.Summary {
			t.Fatalf("line %d = %q, want labels %q and story %q", k, lines[k-1], want, s.Title)
		}
	})
}
