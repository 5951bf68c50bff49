package classify

import (
	"unicode"
	"unicode/utf8"
)

// token is one word of a field: where it sits in the original text (byte
// offsets, so evidence can point at it), which vocabulary entry its stem
// is (-1 when no rule mentions it), and which sentence it is in (so
// nearness does not reach across a full stop).
type token struct {
	start, end int32
	id         int32
	sent       int32
}

// tokenizer turns text into tokens. It keeps its buffers between calls so
// that classifying a story allocates nothing once the buffers have grown.
type tokenizer struct {
	word []byte // the current word, folded and then stemmed
	toks []token
	// stems, when keep is set, collects each token's stem: compiling
	// rules needs the words, classifying only their vocabulary ids.
	keep  bool
	stems []string
}

// tokenize splits s into word tokens and looks each stem up in vocab.
//
// A word is a run of letters and digits. Case and accents are folded,
// full-width forms become ASCII, and combining marks and invisible format
// characters inside a word are skipped, so "Scr\u00adaping", "SCRAPING"
// and "scraping" are the same word. An apostrophe inside a word is dropped
// ("don't" is "dont") except a possessive "'s", which ends the word
// ("OpenAI's" is "openai"). Hyphens and every other character separate
// words: "web-scraping" is "web" "scraping". A currency sign is a word of
// its own, so rules can ask for "$". Each word is then stemmed.
func (tz *tokenizer) tokenize(s string, vocab map[string]int32) []token {
	tz.toks = tz.toks[:0]
	var sent int32
	breakPending := false
	inWord := false
	var start, end int
	flush := func() {
		if !inWord {
			return
		}
		inWord = false
		if len(tz.word) == 0 {
			return
		}
		w := stem(tz.word)
		if tz.keep {
			tz.stems = append(tz.stems, string(w))
		}
		id, ok := vocab[string(w)]
		if !ok {
			id = -1
		}
		if breakPending {
			sent++
			breakPending = false
		}
		tz.toks = append(tz.toks, token{start: int32(start), end: int32(end), id: id, sent: sent})
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				tz.begin(&inWord, &start, i)
				tz.word = append(tz.word, c)
				i++
				end = i
				continue
			case 'A' <= c && c <= 'Z':
				tz.begin(&inWord, &start, i)
				tz.word = append(tz.word, c+'a'-'A')
				i++
				end = i
				continue
			case c == '\'':
				if inWord {
					if skip, possessive := apostrophe(s, i+1); possessive {
						flush()
						i += skip
						continue
					} else if skip > 0 {
						i += skip
						continue
					}
				}
			case c == '$':
				flush()
				tz.currency(&inWord, &start, &end, i, i+1, "$")
				flush()
				i++
				continue
			case c == '.' || c == '!' || c == '?' || c == ';' || c == '\n':
				if c == '\n' || i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\n' {
					flush()
					// "U.S. regulators": a full stop after a single
					// letter is an abbreviation, not the end of a sentence.
					if !(c == '.' && len(tz.toks) > 0 && tz.toks[len(tz.toks)-1].end-tz.toks[len(tz.toks)-1].start == 1) {
						breakPending = true
					}
				}
			}
			flush()
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			flush()
		case r == '\u2019' || r == '\u02bc':
			if inWord {
				if skip, possessive := apostrophe(s, i+size); possessive {
					flush()
					i += size + skip - 1
					continue
				} else if skip > 0 {
					i += size
					continue
				}
			}
			flush()
		case r == '\u200b':
			flush() // a zero-width space is a word break, not part of a word
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
			// Combining marks and invisible format characters (soft
			// hyphen, zero-width joiner) belong to the word around them.
			if inWord {
				end = i + size
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			tz.begin(&inWord, &start, i)
			tz.word = foldRune(tz.word, r)
			end = i + size
		case unicode.Is(unicode.Sc, r):
			flush()
			tz.currency(&inWord, &start, &end, i, i+size, s[i:i+size])
			flush()
		case r == '\u2028' || r == '\u2029' || r == '\u3002' || r == '\uff01' || r == '\uff1f':
			flush()
			breakPending = true
		default:
			flush()
		}
		i += size
	}
	flush()
	return tz.toks
}

func (tz *tokenizer) begin(inWord *bool, start *int, i int) {
	if !*inWord {
		*inWord = true
		*start = i
		tz.word = tz.word[:0]
	}
}

func (tz *tokenizer) currency(inWord *bool, start, end *int, from, to int, sign string) {
	*inWord = true
	*start, *end = from, to
	tz.word = append(tz.word[:0], sign...)
}

// apostrophe looks at what follows an apostrophe inside a word (at s[i:]).
// A possessive "'s" reports how many bytes to skip after the apostrophe
// (the "s"); an apostrophe between letters reports 1, meaning "drop the
// apostrophe and carry on"; anything else reports 0: the apostrophe ends
// the word.
func apostrophe(s string, i int) (skip int, possessive bool) {
	if i >= len(s) {
		return 0, false
	}
	if (s[i] == 's' || s[i] == 'S') && (i+1 >= len(s) || !isWordByte(s, i+1)) {
		return 2, true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if unicode.IsLetter(r) {
		return 1, false
	}
	return 0, false
}

func isWordByte(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// foldRune appends the case- and accent-folded form of a letter or digit.
func foldRune(dst []byte, r rune) []byte {
	switch {
	case r >= 0xff10 && r <= 0xff5a: // full-width digits and letters
		r -= 0xfee0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	case r >= 0xc0 && r <= 0x17f:
		if f := latinFold[r-0xc0]; f != ' ' {
			return append(dst, f)
		}
		switch r {
		case 'ß':
			return append(dst, "ss"...)
		case 'æ', 'Æ':
			return append(dst, "ae"...)
		case 'œ', 'Œ':
			return append(dst, "oe"...)
		case 'ĳ', 'Ĳ':
			return append(dst, "ij"...)
		}
	case r >= 0xfb00 && r <= 0xfb06: // ligatures
		return append(dst, [...]string{"ff", "fi", "fl", "ffi", "ffl", "st", "st"}[r-0xfb00]...)
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}

// latinFold maps U+00C0..U+017F to the unaccented lower-case ASCII letter,
// or ' ' where there is none (ligatures are handled apart; × and ÷ are not
// letters and never reach here).
const latinFold = "" +
	"aaaaaa ceeeeiiii" + // U+00C0
	"dnooooo ouuuuyt " + // U+00D0 (Þ→t, ß apart)
	"aaaaaa ceeeeiiii" + // U+00E0
	"dnooooo ouuuuyty" + // U+00F0
	"aaaaaaccccccccdd" + // U+0100
	"ddeeeeeeeeeegggg" + // U+0110
	"gggghhhhiiiiiiii" + // U+0120
	"ii  jjkkklllllll" + // U+0130 (Ĳ apart)
	"lllnnnnnnnnnoooo" + // U+0140
	"oo  rrrrrrssssss" + // U+0150 (Œ apart)
	"ssttttttuuuuuuuu" + // U+0160
	"uuuuwwyyyzzzzzzs" // U+0170 (ſ→s)
