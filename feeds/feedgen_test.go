package feeds_test

import (
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
)

// genFeed writes a synthetic feed shaped like a real outlet's: titles of a
// dozen words, an HTML summary of a few hundred bytes, author, categories
// and, when full is set, the whole article as HTML (a few kilobytes with
// links, emphasis and an image), as many outlets publish. Formats rotate
// by n so that a set of feeds exercises RSS 2.0, Atom and JSON Feed.
func genFeed(n, items int, site string, now time.Time, full bool) []byte {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	type entry struct {
		title, link, guid, summary, body, author string
		cats                                     []string
		published                                time.Time
	}
	entries := make([]entry, items)
	for i := range entries {
		e := &entries[i]
		e.title = capitalised(words(rng, 8+rng.IntN(8)))
		e.link = fmt.Sprintf("https://%s/%d/%d/%s", site, now.Year(), i, strings.ReplaceAll(words(rng, 4), " ", "-"))
		e.guid = fmt.Sprintf("%s-story-%d-%d", site, n, i)
		e.summary = "<p>" + capitalised(words(rng, 30+rng.IntN(20))) + ". <em>" + words(rng, 5) + "</em>.</p>"
		var body strings.Builder
		for p := 0; p < 5+rng.IntN(5); p++ {
			fmt.Fprintf(&body, "<p>%s, <a href=\"/related/%d\">%s</a> %s.</p>\n",
				capitalised(words(rng, 20+rng.IntN(20))), rng.IntN(1000), words(rng, 3), words(rng, 10+rng.IntN(10)))
		}
		fmt.Fprintf(&body, "<figure><img src=\"https://%s/img/%d.jpg\" alt=\"%s\"><figcaption>%s</figcaption></figure>", site, i, words(rng, 4), words(rng, 8))
		if full {
			e.body = body.String()
		}
		e.author = capitalised(words(rng, 2))
		e.cats = []string{words(rng, 1), words(rng, 2)}
		e.published = now.Add(-time.Duration(i)*37*time.Minute - time.Duration(rng.IntN(600))*time.Second)
	}
	var b strings.Builder
	switch n % 5 {
	case 0, 1, 2:
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Outlet %d</title><link>https://%s/</link><description>Synthetic outlet</description>
`, n, site)
		for _, e := range entries {
			fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate><dc:creator>%s</dc:creator>",
				e.title, e.link, e.guid, e.published.Format(time.RFC1123Z), e.author)
			for _, c := range e.cats {
				fmt.Fprintf(&b, "<category>%s</category>", c)
			}
			fmt.Fprintf(&b, "<description>%s</description>", html.EscapeString(e.summary))
			if e.body != "" {
				fmt.Fprintf(&b, "<content:encoded><![CDATA[%s]]></content:encoded>", e.body)
			}
			b.WriteString("</item>\n")
		}
		b.WriteString("</channel></rss>\n")
	case 3:
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Outlet %d</title><id>tag:%s,2026:feed</id><updated>%s</updated><link href="https://%s/"/>
`, n, site, now.Format(time.RFC3339), site)
		for _, e := range entries {
			fmt.Fprintf(&b, "<entry><title>%s</title><id>%s</id><link href=\"%s\"/><published>%s</published><updated>%s</updated><author><name>%s</name></author>",
				e.title, e.guid, e.link, e.published.Format(time.RFC3339), e.published.Format(time.RFC3339), e.author)
			for _, c := range e.cats {
				fmt.Fprintf(&b, "<category term=\"%s\"/>", c)
			}
			fmt.Fprintf(&b, "<summary type=\"html\">%s</summary>", html.EscapeString(e.summary))
			if e.body != "" {
				fmt.Fprintf(&b, "<content type=\"html\">%s</content>", html.EscapeString(e.body))
			}
			b.WriteString("</entry>\n")
		}
		b.WriteString("</feed>\n")
	default:
		type jsonItem struct {
			ID            string   `json:"id"`
			URL           string   `json:"url"`
			Title         string   `json:"title"`
			ContentHTML   string   `json:"content_html,omitempty"`
			Summary       string   `json:"summary"`
			DatePublished string   `json:"date_published"`
			Tags          []string `json:"tags"`
			Authors       []struct {
				Name string `json:"name"`
			} `json:"authors"`
		}
		doc := struct {
			Version string     `json:"version"`
			Title   string     `json:"title"`
			Home    string     `json:"home_page_url"`
			Items   []jsonItem `json:"items"`
		}{"https://jsonfeed.org/version/1.1", fmt.Sprintf("Outlet %d", n), "https://" + site + "/", nil}
		for _, e := range entries {
			it := jsonItem{ID: e.guid, URL: e.link, Title: e.title, ContentHTML: e.body, Summary: e.summary,
				DatePublished: e.published.Format(time.RFC3339), Tags: e.cats}
			it.Authors = append(it.Authors, struct {
				Name string `json:"name"`
			}{e.author})
			doc.Items = append(doc.Items, it)
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			panic(err)
		}
		return raw
	}
	return []byte(b.String())
}

// vocabulary mixes beat words with ordinary news words so the classifier
// sees a realistic share of matches.
var vocabulary = strings.Fields(`the a of to and in for on with as by at from that this is was will
company companies platform developers users data training model models AI artificial intelligence
API access pricing price fee fees tier paid free license licensing deal publishers lawsuit court
crawler scraping scraped dataset content archive startup launch phone battery camera review update
city council budget election weather sports team season game music film series policy regulators
agency report study researchers security breach privacy chip cloud server network software
hardware open source community forum app store subscription revenue quarter earnings market`)

func words(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = vocabulary[rng.IntN(len(vocabulary))]
	}
	return strings.Join(w, " ")
}

func capitalised(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
