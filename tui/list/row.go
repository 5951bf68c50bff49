package list

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/trawl-news/trawl/tui/common"
)

// Column widths of a row. The markers are characters as well as colours,
// so they show with NO_COLOR and on monochrome terminals.
const (
	markWidth   = 4 // cursor, star, note, unread
	ageWidth    = 4
	outletWidth = 14
)

// row renders one story fitted to the width: narrow terminals lose the
// chips, then the outlet, then the age, and the title keeps what is left.
func (m Model) row(r Row, selected bool, now time.Time, terms []string) string {
	st := m.sh.Styles
	w := m.width
	marks := []byte("    ")
	if selected {
		marks[0] = '>'
	}
	var b strings.Builder
	b.WriteByte(marks[0])
	if r.Starred {
		b.WriteString("★")
	} else {
		b.WriteByte(' ')
	}
	if r.HasNote {
		b.WriteString("✎")
	} else {
		b.WriteByte(' ')
	}
	if !r.Read {
		b.WriteString("•")
	} else {
		b.WriteByte(' ')
	}
	used := markWidth
	if w >= 30 {
		fmt.Fprintf(&b, "%*s ", ageWidth, common.Age(now, r.Published))
		used += ageWidth + 1
	}
	if w >= 50 {
		b.WriteString(common.Fit(r.Outlet, outletWidth))
		b.WriteByte(' ')
		used += outletWidth + 1
	}
	chips := chipText(r.Tags)
	titleWidth := w - used
	if chips != "" && w >= 60 {
		cw := min(common.Width(chips), titleWidth/3)
		chips = ansi.Truncate(chips, cw, "…")
		titleWidth -= cw + 1
	} else {
		chips = ""
	}
	title := common.Fit(r.Title, max(titleWidth, 0))
	plain := b.String()
	line := plain + title
	if chips != "" {
		line += " " + chips
	}
	line = common.Cut(line, w)
	if selected {
		return st.Selected.Render(line)
	}
	// Styled pieces are put together only for rows that are not
	// selected, where reverse video does not need one run of text.
	head := plain
	if r.Starred {
		head = strings.Replace(head, "★", st.Star.Render("★"), 1)
	}
	styledTitle := highlight(title, terms, st.Highlight.Render)
	out := head + styledTitle
	if chips != "" {
		out += " " + st.Chip.Render(chips)
	}
	if common.Width(plain+title) > w {
		out = common.Cut(out, w)
	}
	if r.Read {
		return st.Dim.Render(out)
	}
	return out
}

func chipText(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "#" + strings.Join(tags, " #")
}

// highlight marks every case-insensitive occurrence of the search terms in
// s. Titles whose lower case changes their length in bytes are left plain
// rather than risk cutting a character.
func highlight(s string, terms []string, mark func(...string) string) string {
	if len(terms) == 0 {
		return s
	}
	lower := strings.ToLower(s)
	if len(lower) != len(s) {
		return s
	}
	marked := make([]bool, len(s))
	any := false
	for _, t := range terms {
		for from := 0; from < len(lower); {
			i := strings.Index(lower[from:], t)
			if i < 0 {
				break
			}
			for j := from + i; j < from+i+len(t); j++ {
				marked[j] = true
			}
			any = true
			from += i + len(t)
		}
	}
	if !any {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && marked[j] == marked[i] {
			j++
		}
		if marked[i] {
			b.WriteString(mark(s[i:j]))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}
