package classify

import "strings"

// keyLines maps every key of a TOML document to the lines (1-based) where
// it is defined, so that problems found after decoding (an unknown key, a
// concept that does not exist) can name the line. The TOML library reports
// lines only for syntax and type errors.
//
// It understands what rules files use: comments, [table] and [[array]]
// headers, bare, quoted and dotted keys, and values that span lines
// (arrays, multi-line strings). Keys inside inline tables are credited to
// the line of the table's own key.
type keyLines map[string][]int

func lineKey(path []string) string { return strings.Join(path, "\x00") }

func scanKeyLines(src string) keyLines {
	kl := keyLines{}
	var table []string
	depth := 0  // open [ and { in a value that continues on later lines
	multi := "" // the delimiter of an open multi-line string
	for n, line := range strings.Split(src, "\n") {
		lineNo := n + 1
		rest := line
		if multi == "" && depth == 0 {
			t := strings.TrimSpace(line)
			switch {
			case t == "" || t[0] == '#':
				continue
			case strings.HasPrefix(t, "[[") || t[0] == '[':
				open := 1
				if strings.HasPrefix(t, "[[") {
					open = 2
				}
				end := strings.Index(t[open:], "]")
				if end < 0 {
					continue
				}
				if path, ok := parseKeyPath(t[open : open+end]); ok {
					table = path
					// [a.b.c] defines a and a.b too, unless seen before.
					for i := 1; i < len(path); i++ {
						if len(kl[lineKey(path[:i])]) == 0 {
							kl.add(path[:i], lineNo)
						}
					}
					kl.add(table, lineNo)
				}
				continue
			}
			eq := keyEnd(t)
			if eq < 0 {
				continue
			}
			if path, ok := parseKeyPath(t[:eq]); ok {
				full := append(append([]string(nil), table...), path...)
				for i := len(table) + 1; i <= len(full); i++ {
					kl.add(full[:i], lineNo)
				}
			}
			rest = t[eq+1:]
		}
		depth, multi = scanValue(rest, depth, multi)
	}
	return kl
}

func (kl keyLines) add(path []string, line int) {
	k := lineKey(path)
	kl[k] = append(kl[k], line)
}

// line returns the line of the nth definition of path (or of the nearest
// enclosing key that was seen), or 0 if none is known.
func (kl keyLines) line(path []string, nth int) int {
	for n := len(path); n > 0; n-- {
		if lines := kl[lineKey(path[:n])]; len(lines) > 0 {
			if nth < len(lines) {
				return lines[nth]
			}
			return lines[0]
		}
	}
	return 0
}

// keyEnd returns the index of the = that ends the key at the start of t,
// skipping = inside quoted key parts, or -1.
func keyEnd(t string) int {
	var quote byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '=':
			return i
		case c == '#':
			return -1
		}
	}
	return -1
}

// parseKeyPath splits a dotted key ("tags.\"my tag\".threshold") into its
// parts.
func parseKeyPath(s string) ([]string, bool) {
	var parts []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, false
		}
		var part string
		switch s[0] {
		case '"', '\'':
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return nil, false
			}
			part, s = s[1:1+end], s[2+end:]
		default:
			end := strings.IndexAny(s, ". \t")
			if end < 0 {
				end = len(s)
			}
			part, s = s[:end], s[end:]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return parts, true
		}
		if s[0] != '.' {
			return nil, false
		}
		s = s[1:]
	}
}

// scanValue follows strings, comments and brackets through one line of a
// value, returning the bracket depth and open multi-line string after it.
func scanValue(s string, depth int, multi string) (int, string) {
	for i := 0; i < len(s); i++ {
		if multi != "" {
			if multi == `"""` && s[i] == '\\' {
				i++
				continue
			}
			if strings.HasPrefix(s[i:], multi) {
				i += len(multi) - 1
				multi = ""
			}
			continue
		}
		switch c := s[i]; c {
		case '#':
			return depth, multi
		case '[', '{':
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"', '\'':
			if strings.HasPrefix(s[i:], strings.Repeat(string(c), 3)) {
				multi = strings.Repeat(string(c), 3)
				i += 2
				continue
			}
			for i++; i < len(s) && s[i] != c; i++ {
				if c == '"' && s[i] == '\\' {
					i++
				}
			}
		}
	}
	return depth, multi
}
