package stats

import (
	"math"
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want Summary
	}{
		{"empty", nil, Summary{}},
		{"one", []float64{3}, Summary{N: 1, Min: 3, Max: 3, Median: 3, Q1: 3, Q3: 3}},
		{"two", []float64{4, 2}, Summary{N: 2, Min: 2, Max: 4, Median: 3, Q1: 2.5, Q3: 3.5}},
		{"odd, unsorted", []float64{5, 1, 4, 2, 3}, Summary{N: 5, Min: 1, Max: 5, Median: 3, Q1: 2, Q3: 4}},
		{"even", []float64{1, 2, 3, 4}, Summary{N: 4, Min: 1, Max: 4, Median: 2.5, Q1: 1.75, Q3: 3.25}},
		{"outlier moves the max, not the median", []float64{1, 1, 1, 1, 100}, Summary{N: 5, Min: 1, Max: 100, Median: 1, Q1: 1, Q3: 1}},
		{"NaN ignored", []float64{math.NaN(), 2, 6}, Summary{N: 2, Min: 2, Max: 6, Median: 4, Q1: 3, Q3: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarise(tt.in)
			if got != tt.want {
				t.Fatalf("Summarise(%v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSummariseLeavesInputAlone(t *testing.T) {
	in := []float64{3, 1, 2}
	Summarise(in)
	if in[0] != 3 || in[1] != 1 || in[2] != 2 {
		t.Fatalf("input reordered: %v", in)
	}
}

func TestIQR(t *testing.T) {
	if got := Summarise([]float64{1, 2, 3, 4}).IQR(); got != 1.5 {
		t.Fatalf("IQR = %v, want 1.5", got)
	}
}

func TestDurations(t *testing.T) {
	got := Durations([]time.Duration{1500 * time.Millisecond, 20 * time.Millisecond})
	if len(got) != 2 || got[0] != 1.5 || got[1] != 0.02 {
		t.Fatalf("Durations = %v", got)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v    float64
		u    Unit
		want string
	}{
		{0.412, Seconds, "412 ms"},
		{0.0381, Seconds, "38.1 ms"},
		{0.0005, Seconds, "0.500 ms"},
		{1.234, Seconds, "1.23 s"},
		{21.54, Seconds, "21.5 s"},
		{245.2, Seconds, "245 s"},
		{96.14, MB, "96.1 MB"},
		{110, MB, "110 MB"},
		{0, Seconds, "0 ms"},
	}
	for _, tt := range tests {
		if got := Format(tt.v, tt.u); got != tt.want {
			t.Errorf("Format(%v, %v) = %q, want %q", tt.v, tt.u, got, tt.want)
		}
	}
}

func TestFormatSummary(t *testing.T) {
	tests := []struct {
		in   []float64
		u    Unit
		want string
	}{
		{nil, Seconds, "-"},
		{[]float64{0.4}, Seconds, "400 ms"},
		{[]float64{0.398, 0.412, 0.455}, Seconds, "412 ms (398–455)"},
		{[]float64{21.5, 20.9, 23.1}, Seconds, "21.5 s (20.9–23.1)"},
		{[]float64{0.9, 1.2, 1.4}, Seconds, "1.20 s (0.900–1.40)"},
		{[]float64{40, 42.5, 41}, MB, "41.0 MB (40.0–42.5)"},
	}
	for _, tt := range tests {
		if got := FormatSummary(Summarise(tt.in), tt.u); got != tt.want {
			t.Errorf("FormatSummary(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b float64
		want string
	}{
		{3.0, 0.4, "7.5×"},
		{21.5, 0.2, "107×"},
		{4.15, 0.696, "5.9×"},
		{6, 1, "6.0×"},
		{2.3, 1, "2.3×"},
		{1, 2, "0.5×"},
		{0, 1, "-"},
		{1, 0, "-"},
		{math.NaN(), 1, "-"},
	}
	for _, tt := range tests {
		if got := Ratio(tt.a, tt.b); got != tt.want {
			t.Errorf("Ratio(%v, %v) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}
