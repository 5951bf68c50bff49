package feeds

// DefaultSubscriptions are the outlets a new user starts with: general tech
// news plus the AI sections where the training-data and API-pricing stories
// cluster. They are written to the subscriptions file on first run, where
// the user can edit them.
func DefaultSubscriptions() []Subscription {
	return []Subscription{
		{URL: "https://www.theverge.com/rss/index.xml", Title: "The Verge"},
		{URL: "https://www.theverge.com/rss/ai-artificial-intelligence/index.xml", Title: "The Verge AI", Tags: []string{"ai"}},
		{URL: "https://feeds.arstechnica.com/arstechnica/index", Title: "Ars Technica"},
		{URL: "https://techcrunch.com/feed/", Title: "TechCrunch"},
		{URL: "https://techcrunch.com/category/artificial-intelligence/feed/", Title: "TechCrunch AI", Tags: []string{"ai"}},
		{URL: "https://www.wired.com/feed/rss", Title: "Wired"},
		{URL: "https://www.wired.com/feed/tag/ai/latest/rss", Title: "Wired AI", Tags: []string{"ai"}},
		{URL: "https://bgr.com/feed/", Title: "BGR"},
		{URL: "https://www.engadget.com/rss.xml", Title: "Engadget"},
		{URL: "https://www.technologyreview.com/feed/", Title: "MIT Technology Review"},
		{URL: "https://www.theregister.com/headlines.atom", Title: "The Register"},
		{URL: "https://www.404media.co/rss/", Title: "404 Media"},
		{URL: "https://venturebeat.com/category/ai/feed/", Title: "VentureBeat AI", Tags: []string{"ai"}},
		{URL: "https://www.niemanlab.org/feed/", Title: "Nieman Lab", Tags: []string{"media"}},
		{URL: "https://www.techdirt.com/feed/", Title: "Techdirt", Tags: []string{"policy"}},
		{URL: "https://simonwillison.net/atom/everything/", Title: "Simon Willison", Tags: []string{"ai"}},
	}
}
