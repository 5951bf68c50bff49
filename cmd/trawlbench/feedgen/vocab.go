package feedgen

// The vocabulary of the generator. Every company, outlet and product here
// is invented for the benchmark; the stories are templates filled from
// these lists, so the corpus reads like a tech-news beat without claiming
// anything about real firms.

var (
	aiLabs = []string{
		"Norvik AI", "Helio Labs", "Cobalt Intelligence", "Parallax Models",
		"Quillstream", "Tessera AI", "Lumen Forge", "Brightmoor Research",
		"Vantor", "Sable Systems", "Oriel Labs", "Kitewire AI",
	}
	platforms = []string{
		"Threadline", "Pixelhive", "Chatterbox", "Codevault", "Streamly",
		"Mapwise", "Forumly", "Snapgrid", "Postmark Social", "Reelhouse",
	}
	publishers = []string{
		"The Harbor Gazette", "Metro Ledger", "Northfield Press",
		"Atlas Music Group", "Pinecrest Books", "Daily Meridian",
		"Stockframe Images", "Riverside Tribune", "Lantern Academic",
	}
	companies = []string{
		"Kestrel Semiconductors", "Bluefin Cloud", "Granite Software",
		"Juniper Motors", "Halcyon Networks", "Ferrous Robotics",
		"Marlow Retail", "Quarry Health", "Tidewater Telecom",
	}
	products = []string{
		"Orbit 9 phone", "Nimbus 14 laptop", "Pulse 3 watch", "Vega tablet",
		"Arc mesh router", "Drift earbuds", "Summit e-reader", "Flux camera",
	}
	cities = []string{
		"Leeds", "Porto", "Austin", "Osaka", "Tallinn", "Nairobi", "Montreal",
		"Brno", "Adelaide", "Lyon",
	}

	// Outlets are named from two lists; each outlet has four section feeds.
	outletHeads = []string{
		"Circuit", "Kernel", "Byte", "Signal", "Patch", "Uplink", "Relay",
		"Vector", "Cache", "Socket", "Pixel", "Diode", "Lattice", "Quanta",
		"Router", "Buffer", "Codec", "Packet", "Ferrite", "Silicon",
	}
	outletTails = []string{
		"Wire", "Daily", "Review", "Post", "Dispatch", "Ledger", "Journal",
		"Weekly", "Report", "Times",
	}
	sections = []string{"Top stories", "AI", "Policy", "Gadgets"}
)

// Title templates per kind. Placeholders: {ai} AI developer, {plat}
// platform, {pub} publisher, {co} company, {prod} product, {city}, {n} a
// count, {p} a price, {pct} a percentage, {v} a version.
var titles = map[Kind][]string{
	KindTrainingData: {
		"{ai} signs licensing deal for {pub} archive to train its models",
		"{pub} sues {ai} over articles scraped for training data",
		"{plat} blocks the {ai} crawler after a dispute over training data",
		"{ai} offers artists an opt-out from future model training",
		"Court filing says {ai} trained on {n} million pirated books",
		"{pub} lets {ai} train on its photo library in content deal",
		"Publishers update robots.txt to keep {ai} scrapers out",
		"{ai} says licensed data now makes up most of its training set",
		"Authors guild files suit against {ai} over training on novels",
		"{ai} pays {pub} for text and data mining rights",
	},
	KindAPIPricing: {
		"{plat} to charge developers ${p} per 1,000 API calls",
		"{ai} cuts token prices for its flagship model by {pct}%",
		"{plat} ends free API tier, leaving small apps facing new fees",
		"{plat} raises enterprise API prices by {pct}% from next quarter",
		"{ai} introduces cheaper batch pricing for its API",
		"Developers protest {plat} plan to charge for API access",
		"{ai} doubles rate limits but raises the price per million tokens",
		"{plat} API price rise forces {co} to shut its client app",
	},
	KindBoth: {
		"{plat} will charge AI companies for data access to train models",
		"{plat} launches paid data API aimed at AI training",
		"{plat} prices its archive API for {ai} and other model makers",
	},
	KindNearMiss: {
		"{co} expands employee training programme for cloud skills",
		"Data breach at {co} exposes {n} thousand customer records",
		"{prod} price drops to ${p} ahead of holiday sales",
		"{co} trains new apprentices at its {city} plant",
		"Rapid growth in {city} data centre construction",
		"{co} raises subscription price of its {prod} service plan",
	},
	KindOrdinary: {
		"{prod} review: solid battery life, dim screen",
		"{co} ships version {v} of its database with faster queries",
		"Linux kernel {v} released with scheduler fixes",
		"{co} opens a new engineering office in {city}",
		"Hands-on with the {prod}: first impressions",
		"{co} reports quarterly revenue up {pct}%",
		"How {city} is rolling out municipal fibre",
		"{co} recalls {prod} chargers over overheating risk",
		"{co} and {co2} agree to merge their chip design units",
		"Open source maintainers of {v} release notes ask for funding",
		"{city} transit app adds live arrival times for buses",
		"Inside the {prod} teardown: modular parts, glued battery",
	},
}

// Summary sentences: a lead per kind, then shared context sentences until
// the summary reaches its target length.
var leads = map[Kind][]string{
	KindTrainingData: {
		"{ai} confirmed that text and images from {pub} will be used to train its next generation of language models, under terms neither side disclosed.",
		"The complaint accuses {ai} of copying millions of pages without permission to build the datasets behind its chatbot, and asks for damages and deletion.",
		"Site operators say the {ai} crawler ignored earlier requests to stop, and that blocking it was the only way to keep their archives out of training data.",
		"The opt-out form lets creators ask that their work be excluded from future training runs, though models already trained on it will not be changed.",
	},
	KindAPIPricing: {
		"From next month, {plat} will bill API access per call, replacing the flat monthly plan that many independent developers relied on.",
		"{ai} said the lower price per million tokens reflects cheaper inference, and that existing customers will see the new rates on their next invoice.",
		"Third-party app makers say the new API fees would cost them more than their apps earn, and several have already announced they will shut down.",
		"The company published a new pricing page with paid tiers for higher rate limits and a surcharge for commercial use of its data endpoints.",
	},
	KindBoth: {
		"{plat} said AI developers that want its posts for training will have to pay for a commercial data API, with prices set by volume.",
		"The paid data access plan is aimed squarely at model makers such as {ai}, who previously collected the same material through the free API.",
	},
	KindNearMiss: {
		"The company said the change affects its own staff and customers only, and has nothing to do with machine learning or outside developers.",
		"Investigators said the incident began with a stolen password, and that affected customers will be offered a year of credit monitoring.",
		"Retail analysts expect further discounts on the {prod} as stores clear inventory before next year's model arrives.",
	},
	KindOrdinary: {
		"The update brings modest speed improvements, a redesigned settings screen and a long list of bug fixes reported by early users.",
		"{co} said the move would create around {n} jobs over the next two years, most of them in engineering and support.",
		"Reviewers praised the build quality but found battery life fell short of the figures on the box in everyday use.",
		"Maintainers said the release focuses on stability, with new features held back until the next cycle.",
	},
}

var followUps = []string{
	"A spokesperson declined to comment beyond a short statement posted on the company blog.",
	"Analysts said the decision could set a precedent for others in the industry over the coming year.",
	"The announcement follows months of negotiations and a string of similar moves by competitors.",
	"Critics argue the terms favour the largest players and leave smaller organisations with little leverage.",
	"Details of the agreement, including its length and value, were not made public.",
	"Several customers said they learned of the change from a forum post rather than an email.",
	"Regulators in two countries have asked for more information, according to people familiar with the matter.",
	"The company said it would publish more details at its developer conference in {city} next month.",
}
