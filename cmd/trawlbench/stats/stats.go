// Package stats summarises repeated measurements: the median and the
// spread, which say more about a noisy machine than a mean does.
package stats

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Summary describes a sample.
type Summary struct {
	N        int
	Min, Max float64
	Median   float64
	Q1, Q3   float64 // quartiles, by linear interpolation
}

// Summarise returns the summary of xs; a zero Summary for an empty sample.
// NaNs are ignored.
func Summarise(xs []float64) Summary {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return Summary{}
	}
	slices.Sort(s)
	return Summary{
		N:      len(s),
		Min:    s[0],
		Max:    s[len(s)-1],
		Median: quantile(s, 0.5),
		Q1:     quantile(s, 0.25),
		Q3:     quantile(s, 0.75),
	}
}

// quantile interpolates between the closest ranks of sorted s (the method
// R calls type 7 and spreadsheets call PERCENTILE.INC).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return sorted[lo] + (sorted[hi]-sorted[lo])*frac
}

// IQR is the interquartile range.
func (s Summary) IQR() float64 { return s.Q3 - s.Q1 }

// Durations converts durations to seconds for Summarise.
func Durations(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}

// Unit formats one kind of measurement.
type Unit int

// Units the harness measures in.
const (
	Seconds Unit = iota // values in seconds
	MB                  // values in megabytes (10^6 bytes)
)

// Format renders v in unit u with about three significant figures:
// "0.412 s", "21.5 s", "38 ms", "96.1 MB".
func Format(v float64, u Unit) string {
	switch u {
	case MB:
		return sig3(v) + " MB"
	}
	if v < 1 {
		return sig3(v*1000) + " ms"
	}
	return sig3(v) + " s"
}

// FormatSummary renders the median and the min–max range: "412 ms
// (398–455)". A sample of one shows only its value.
func FormatSummary(s Summary, u Unit) string {
	if s.N == 0 {
		return "-"
	}
	med := Format(s.Median, u)
	if s.N == 1 {
		return med
	}
	scale := 1.0
	if u == Seconds && s.Median < 1 {
		scale = 1000 // the range prints in the median's unit, here ms
	}
	return fmt.Sprintf("%s (%s–%s)", med, sig3(s.Min*scale), sig3(s.Max*scale))
}

// sig3 prints v with three significant figures but never in exponent
// form: 0.0123, 1.23, 12.3, 123, 1234.
func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	digits := 2 - int(math.Floor(math.Log10(a)))
	return fmt.Sprintf("%.*f", digits, v)
}

// Ratio renders a/b as "7.3×", or "-" when either is missing. It
// truncates rather than rounds, so a ratio just short of a target (5.96
// against 6) never prints as the target.
func Ratio(a, b float64) string {
	if a <= 0 || b <= 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "-"
	}
	r := a / b
	if r >= 10 {
		return fmt.Sprintf("%.0f×", math.Floor(r+1e-9))
	}
	// The epsilon keeps 2.3 (22.999… tenths in floating point) 2.3.
	return fmt.Sprintf("%.1f×", math.Floor(r*10+1e-9)/10)
}
