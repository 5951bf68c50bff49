package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

// cell is one program's measurements in one scenario: samples, or a note
// saying why there are none.
type cell struct {
	samples []float64
	unit    stats.Unit
	note    string // "not installed", "failed: ...", "no equivalent"
	extra   string // shown after the value, e.g. a rate
}

func (c cell) summary() stats.Summary { return stats.Summarise(c.samples) }

// median is the cell's median, or 0 when it has no samples.
func (c cell) median() float64 { return c.summary().Median }

func (c cell) String() string {
	if len(c.samples) == 0 {
		if c.note == "" {
			return "-"
		}
		return c.note
	}
	s := stats.FormatSummary(c.summary(), c.unit)
	if c.extra != "" {
		s += ", " + c.extra
	}
	if c.note != "" {
		s += " [" + c.note + "]"
	}
	return s
}

// target is what DESIGN.md asks of trawl in a scenario.
type target struct {
	max      float64 // trawl's median must be below this (0: no bound)
	unit     stats.Unit
	minRatio float64 // newsboat's best median over trawl's must reach this (0: none)
}

func (t target) String() string {
	var parts []string
	if t.max > 0 {
		parts = append(parts, "< "+stats.Format(t.max, t.unit))
	}
	if t.minRatio > 0 {
		parts = append(parts, fmt.Sprintf("≥ %g× newsboat", t.minRatio))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// row is one line of the report.
type row struct {
	id       string // scenario flag name
	label    string
	trawl    cell
	trawlCPU cell   // CPU time of the trawl process, when the row times a whole command
	newsboat []cell // the newsboat configurations compared, in column order
	target   target
	problems []string // what the run's own checks found wrong
}

// best is the newsboat configuration with the lowest median.
func (r row) best() (cell, bool) {
	var b cell
	found := false
	for _, c := range r.newsboat {
		if len(c.samples) == 0 {
			continue
		}
		if !found || c.median() < b.median() {
			b, found = c, true
		}
	}
	return b, found
}

// ratio is newsboat's best median over trawl's: how many times better
// trawl does (for time and memory alike, lower is better).
func (r row) ratio() (float64, bool) {
	b, ok := r.best()
	t := r.trawl.median()
	if !ok || t <= 0 {
		return 0, false
	}
	return b.median() / t, true
}

// verdict says whether trawl met the row's target, and if not, by what.
func (r row) verdict() string {
	if r.target.max == 0 && r.target.minRatio == 0 {
		return "-"
	}
	if len(r.trawl.samples) == 0 {
		return "not measured"
	}
	var missed []string
	if med := r.trawl.median(); r.target.max > 0 && med >= r.target.max {
		missed = append(missed, stats.Format(med, r.trawl.unit))
	}
	ratioKnown := true
	if r.target.minRatio > 0 {
		ratio, ok := r.ratio()
		switch {
		case !ok:
			ratioKnown = false
		case ratio < r.target.minRatio:
			missed = append(missed, stats.Ratio(ratio, 1))
		}
	}
	switch {
	case len(missed) > 0:
		return "MISSED (" + strings.Join(missed, ", ") + ")"
	case !ratioKnown:
		return "met (no newsboat ratio)"
	}
	return "met"
}

// writeTable prints rows as an aligned Markdown table, readable in a
// terminal and pasteable into the README.
func writeTable(w io.Writer, rows []row, newsboatCols []string) error {
	header := append([]string{"scenario", "trawl", "trawl CPU"}, newsboatCols...)
	header = append(header, "newsboat best ÷ trawl", "target", "result")
	cells := [][]string{header}
	for _, r := range rows {
		line := []string{r.label, r.trawl.String(), r.trawlCPU.String()}
		for i := range newsboatCols {
			if i < len(r.newsboat) {
				line = append(line, r.newsboat[i].String())
			} else {
				line = append(line, "-")
			}
		}
		ratio := "-"
		if v, ok := r.ratio(); ok {
			ratio = stats.Ratio(v, 1)
		}
		line = append(line, ratio, r.target.String(), r.verdict())
		cells = append(cells, line)
	}
	widths := make([]int, len(header))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	writeLine := func(line []string) {
		b.WriteString("|")
		for i, c := range line {
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)) + " |")
		}
		b.WriteString("\n")
	}
	writeLine(cells[0])
	b.WriteString("|")
	for _, wd := range widths {
		b.WriteString(" " + strings.Repeat("-", wd) + " |")
	}
	b.WriteString("\n")
	for _, line := range cells[1:] {
		writeLine(line)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
