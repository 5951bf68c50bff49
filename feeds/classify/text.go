package classify

import (
	"encoding/binary"
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
	sent int32 // sentence of the next token
	brk  bool  // a sentence ended since the last token
	// cache remembers the vocabulary id of folded words seen before, so
	// the common ones are stemmed and looked up once, not every time.
	cache *wordCache
	// stems, when keep is set, collects each token's stem: compiling
	// rules needs the words, classifying only their vocabulary ids.
	keep  bool
	stems []string
}

// asciiWord maps an ASCII byte to its lower-case form when it is a letter
// or digit, and to 0 otherwise.
var asciiWord = func() (t [128]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

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
func (tz *tokenizer) tokenize(s string, vocab *vocabTable) []token {
	tz.toks, tz.sent, tz.brk = tz.toks[:0], 0, false
	// The current word spans s[start:end] (start < 0: none). While copied
	// is false it is exactly the ASCII letters and digits of that span and
	// is copied out only when it ends; once something in it needs folding
	// or skipping, tz.word holds it and grows as it goes.
	start, end, copied := -1, 0, false
	word := func() { // start copying the word into tz.word
		if !copied {
			tz.word = lowerASCII(append(tz.word[:0], s[start:end]...))
			copied = true
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if lc := asciiWord[c]; lc != 0 {
				if start < 0 {
					start, copied = i, false
				}
				if copied {
					tz.word = append(tz.word, lc)
				}
				i++
				end = i
				continue
			}
			switch {
			case c == '\'' && start >= 0:
				skip, possessive := apostrophe(s, i+1)
				if possessive {
					tz.emit(s, start, end, copied, vocab)
					start = -1
					i += skip
					continue
				}
				if skip > 0 {
					word() // "don't": drop the apostrophe, the word goes on
					i++
					continue
				}
			case c == '$':
				tz.emit(s, start, end, copied, vocab)
				tz.word = append(tz.word[:0], '$')
				tz.emit(s, i, i+1, true, vocab)
				start = -1
				i++
				continue
			case c == '.' || c == '!' || c == '?' || c == ';' || c == '\n':
				if c == '\n' || i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\n' {
					tz.emit(s, start, end, copied, vocab)
					start = -1
					// "U.S. regulators": a full stop after a single
					// letter is an abbreviation, not the end of a sentence.
					if n := len(tz.toks); !(c == '.' && n > 0 && tz.toks[n-1].end-tz.toks[n-1].start == 1) {
						tz.brk = true
					}
				}
			}
			tz.emit(s, start, end, copied, vocab)
			start = -1
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			tz.emit(s, start, end, copied, vocab)
			start = -1
		case (r == '\u2019' || r == '\u02bc') && start >= 0:
			skip, possessive := apostrophe(s, i+size)
			if possessive {
				tz.emit(s, start, end, copied, vocab)
				start = -1
				i += size + skip - 1
				continue
			}
			if skip == 0 {
				tz.emit(s, start, end, copied, vocab)
				start = -1
			} else {
				word()
			}
		case r == '\u200b':
			tz.emit(s, start, end, copied, vocab) // a zero-width space is a word break
			start = -1
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
			// Combining marks and invisible format characters (soft
			// hyphen, zero-width joiner) belong to the word around them.
			if start >= 0 {
				word()
				end = i + size
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start, tz.word, copied = i, tz.word[:0], true
			}
			word()
			tz.word = foldRune(tz.word, r)
			end = i + size
		case unicode.Is(unicode.Sc, r):
			tz.emit(s, start, end, copied, vocab)
			tz.word = append(tz.word[:0], s[i:i+size]...)
			tz.emit(s, i, i+size, true, vocab)
			start = -1
		case r == '\u2028' || r == '\u2029' || r == '\u3002' || r == '\uff01' || r == '\uff1f':
			tz.emit(s, start, end, copied, vocab)
			start = -1
			tz.brk = true
		default:
			tz.emit(s, start, end, copied, vocab)
			start = -1
		}
		i += size
	}
	tz.emit(s, start, end, copied, vocab)
	return tz.toks
}

func lowerASCII(w []byte) []byte {
	for i, c := range w {
		w[i] = asciiWord[c]
	}
	return w
}

// emit ends the word that spans s[start:end], if there is one: in tz.word
// when copied, else the plain ASCII of the span.
func (tz *tokenizer) emit(s string, start, end int, copied bool, vocab *vocabTable) {
	if start < 0 || copied && len(tz.word) == 0 {
		return
	}
	var (
		id   int32
		hash uint64
		sl   *cacheSlot
	)
	if copied {
		hash = wordHash(tz.word)
		sl = tz.cache.slot(hash, tz.word)
	} else {
		// A plain ASCII word is hashed and compared where it lies, lower
		// case being c|0x20 for letters and digits alike; it is copied
		// only when it has to be stemmed.
		hash = wordHashLower(s[start:end])
		sl = tz.cache.slotLower(hash, s[start:end])
	}
	if sl != nil && sl.n > 0 {
		id = sl.id
	} else {
		if !copied {
			tz.word = lowerASCII(append(tz.word[:0], s[start:end]...))
		}
		if sl != nil { // remember the folded word before stem changes it
			sl.hash, sl.n = hash, uint8(copy(sl.word[:], tz.word))
		}
		w := stem(tz.word)
		if tz.keep {
			tz.stems = append(tz.stems, string(w))
		}
		id = vocab.lookup(w)
		if sl != nil {
			sl.id = id
		}
	}
	if tz.brk {
		tz.sent++
		tz.brk = false
	}
	tz.toks = append(tz.toks, token{start: int32(start), end: int32(end), id: id, sent: tz.sent})
	tz.word = tz.word[:0]
}

// wordCache is a direct-mapped cache from folded word to vocabulary id.
// Each pooled scratch has its own, so it needs no locks; a word's id never
// changes for one classifier, so a stale entry is impossible.
type wordCache struct {
	slots [1 << 11]cacheSlot
}

type cacheSlot struct {
	hash uint64
	id   int32
	n    uint8 // length of word; 0 for an empty slot
	word [11]byte
}

// slot returns the slot holding w (n > 0), or the slot to fill with it
// (n == 0), or nil when w is too long to cache or there is no cache.
func (wc *wordCache) slot(hash uint64, w []byte) *cacheSlot {
	if wc == nil || len(w) > len(wc.slots[0].word) {
		return nil
	}
	sl := &wc.slots[hash&(uint64(len(wc.slots))-1)]
	if sl.hash == hash && int(sl.n) == len(w) && string(sl.word[:sl.n]) == string(w) {
		return sl
	}
	sl.n = 0
	return sl
}

// slotLower is slot for the lower case of w, an ASCII word of letters and
// digits.
func (wc *wordCache) slotLower(hash uint64, w string) *cacheSlot {
	if wc == nil || len(w) > len(wc.slots[0].word) {
		return nil
	}
	sl := &wc.slots[hash&(uint64(len(wc.slots))-1)]
	if sl.hash == hash && int(sl.n) == len(w) {
		same := true
		for i := 0; i < len(w); i++ {
			if sl.word[i] != w[i]|0x20 {
				same = false
				break
			}
		}
		if same {
			return sl
		}
	}
	sl.n = 0
	return sl
}

// vocabTable finds the vocabulary id of a stem: an open-addressing hash
// table, because looking words up is most of the work of classifying and
// a Go map costs two to three times as much here.
type vocabTable struct {
	slots []vocabSlot // a power of two in length, at most half full
}

type vocabSlot struct {
	hash uint64
	word string
	id   int32 // -1: empty
}

func newVocabTable(words map[string]int32) *vocabTable {
	n := 16
	for n < 2*len(words) {
		n *= 2
	}
	v := &vocabTable{slots: make([]vocabSlot, n)}
	for i := range v.slots {
		v.slots[i].id = -1
	}
	for w, id := range words {
		h := wordHash([]byte(w))
		i := h & uint64(n-1)
		for v.slots[i].id >= 0 {
			i = (i + 1) & uint64(n-1)
		}
		v.slots[i] = vocabSlot{hash: h, word: w, id: id}
	}
	return v
}

// lookup returns the id of w, or -1. A nil table knows no words.
func (v *vocabTable) lookup(w []byte) int32 {
	if v == nil {
		return -1
	}
	h := wordHash(w)
	mask := uint64(len(v.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &v.slots[i]
		if sl.id < 0 {
			return -1
		}
		if sl.hash == h && sl.word == string(w) {
			return sl.id
		}
	}
}

// wordHash hashes a word eight bytes at a time: words are short, and a
// byte-at-a-time hash is a chain of multiplications as long as the text.
func wordHash(w []byte) uint64 {
	h := uint64(len(w)) * 0x9e3779b97f4a7c15
	for len(w) >= 8 {
		h = mix(h, binary.LittleEndian.Uint64(w))
		w = w[8:]
	}
	var tail uint64
	for i, c := range w {
		tail |= uint64(c) << (8 * i)
	}
	return finish(h, tail)
}

// wordHashLower is wordHash of the lower case of w, an ASCII word of
// letters and digits.
func wordHashLower(w string) uint64 {
	const lower = 0x2020202020202020
	h := uint64(len(w)) * 0x9e3779b97f4a7c15
	for len(w) >= 8 {
		v := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		h = mix(h, v|lower)
		w = w[8:]
	}
	var tail uint64
	for i := 0; i < len(w); i++ {
		tail |= uint64(w[i]|0x20) << (8 * i)
	}
	return finish(h, tail)
}

func mix(h, v uint64) uint64 {
	h = (h ^ v) * 0xff51afd7ed558ccd
	return h ^ h>>32
}

func finish(h, tail uint64) uint64 {
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53
	return h ^ h>>29
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
