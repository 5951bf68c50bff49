package main

import (
	"io"
	"strings"

	"github.com/trawl-news/trawl/tui/common"
)

// table lays text out in columns for the terminal: each column as wide as
// its widest cell, measured in terminal cells (a wide character or an
// emoji takes two), two spaces between columns, and the last column not
// padded. text/tabwriter counts runes, so one headline with an emoji in
// it pushed the columns after it out of line.
type table struct {
	rows [][]string
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the rows; cells must already be clean of control characters.
func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], common.Width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-common.Width(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
