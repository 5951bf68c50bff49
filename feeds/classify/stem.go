package classify

// stem reduces an English word to a stem shared by its inflections, so a
// rule saying "train" matches "trains", "trained" and "training", and
// "price" matches "prices", "priced" and "pricing". It works in place on
// w (lower-case) and returns the stem, which may be w with one byte
// changed past a removed suffix.
//
// The steps follow the first and last steps of Porter's algorithm
// (plurals, -ed, -ing, final -y and -e), which strip inflections but leave
// derivations alone: "scraping" and "scraped" become "scrape" while
// "scraps" and "scrapped" become "scrap", and "trainer" stays apart from
// "train". Words of under three letters, words with digits or non-ASCII
// letters, and a few words the steps would wreck ("news" is not a plural
// of "new") are returned unchanged.
func stem(w []byte) []byte {
	if len(w) < 3 {
		return w
	}
	switch w[len(w)-1] {
	case 's', 'd', 'g', 'y', 'e':
	default:
		return w // no step below changes a word ending otherwise
	}
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return w
		}
	}
	switch string(w) {
	case "news", "this", "is", "was", "has", "its", "his", "us", "yes", "series", "species":
		return w
	}
	w = stepPlural(w)
	w = stepEdIng(w)
	// Final y after a consonant-bearing stem is i, so "company" and
	// "companies" meet at "compani".
	if n := len(w); n > 2 && w[n-1] == 'y' && hasVowel(w[:n-1]) {
		w[n-1] = 'i'
	}
	// A final e goes where Porter drops it, keeping it on short words
	// ("use", "sue") and on short stems ending consonant-vowel-consonant
	// ("price", "scrape"), which is where stepEdIng puts one back.
	if n := len(w); n > 3 && w[n-1] == 'e' {
		s := w[:n-1]
		if m := measure(s); m > 1 || m == 1 && !cvc(s) {
			w = s
		}
	}
	return w
}

func stepPlural(w []byte) []byte {
	n := len(w)
	switch {
	case hasSuffix(w, "sses"):
		return w[:n-2]
	case hasSuffix(w, "ies"):
		if n > 4 {
			return w[:n-2] // companies → compani
		}
		return w[:n-1] // ties → tie
	case hasSuffix(w, "ss"):
		return w
	case w[n-1] == 's':
		return w[:n-1]
	}
	return w
}

func stepEdIng(w []byte) []byte {
	n := len(w)
	var s []byte
	switch {
	case hasSuffix(w, "eed"):
		if measure(w[:n-3]) > 0 {
			return w[:n-1] // agreed → agree
		}
		return w // need, feed, speed
	case hasSuffix(w, "ed") && hasVowel(w[:n-2]):
		s = w[:n-2]
	case hasSuffix(w, "ing") && hasVowel(w[:n-3]):
		s = w[:n-3]
	default:
		return w
	}
	addE := func() []byte {
		s = s[:len(s)+1] // there is room: at least two bytes were cut
		s[len(s)-1] = 'e'
		return s
	}
	switch k := len(s); {
	case k < 3:
		return addE() // using → use, sued → sue
	case hasSuffix(s, "at") || hasSuffix(s, "bl") || hasSuffix(s, "iz"):
		return addE() // rated → rate, enabled → enable
	case s[k-1] == s[k-2] && !isVowel(s, k-1) && s[k-1] != 'l' && s[k-1] != 's' && s[k-1] != 'z':
		return s[:k-1] // scrapped → scrap, cutting → cut
	case measure(s) == 1 && cvc(s):
		return addE() // pricing → price, scraping → scrape
	}
	return s
}

func hasSuffix(w []byte, suf string) bool {
	return len(w) >= len(suf) && string(w[len(w)-len(suf):]) == suf
}

// isVowel reports whether w[i] is a vowel: a, e, i, o, u, and y after a
// consonant.
func isVowel(w []byte, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	case 'y':
		return i > 0 && !isVowel(w, i-1)
	}
	return false
}

// plainVowel is a, e, i, o, u; y depends on the letter before it.
var plainVowel = [256]bool{'a': true, 'e': true, 'i': true, 'o': true, 'u': true}

func hasVowel(w []byte) bool {
	for i, c := range w {
		// A y counts after a consonant; y as the first letter does not,
		// and after a vowel the vowel has already counted.
		if plainVowel[c] || c == 'y' && i > 0 {
			return true
		}
	}
	return false
}

// measure counts the vowel-consonant sequences in w (Porter's m): "tr" is
// 0, "train" and "scrap" are 1, "licens" is 2.
func measure(w []byte) int {
	m := 0
	prevVowel := false
	for i, c := range w {
		v := plainVowel[c] || c == 'y' && i > 0 && !prevVowel
		if prevVowel && !v {
			m++
		}
		prevVowel = v
	}
	return m
}

// cvc reports whether w ends consonant-vowel-consonant with the last not
// w, x or y: the shape of short stems that lost an e ("scrap" of "scrape").
func cvc(w []byte) bool {
	k := len(w)
	if k < 3 || isVowel(w, k-3) || !isVowel(w, k-2) || isVowel(w, k-1) {
		return false
	}
	switch w[k-1] {
	case 'w', 'x', 'y':
		return false
	}
	return true
}
