// Package styles is the one place the TUI's look is defined.
package styles

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Styles are built once and shared by every view. Nothing else in the TUI
// builds a style, so the colour profile chosen by the caller (NO_COLOR,
// a monochrome terminal, a test pinned to ASCII) applies everywhere.
type Styles struct {
	Title     lipgloss.Style
	Header    lipgloss.Style
	Status    lipgloss.Style
	Selected  lipgloss.Style
	Row       lipgloss.Style
	Dim       lipgloss.Style
	Outlet    lipgloss.Style
	Chip      lipgloss.Style
	Star      lipgloss.Style
	Error     lipgloss.Style
	Highlight lipgloss.Style
	// HeadMark is Highlight inside the reader's bold title.
	HeadMark   lipgloss.Style
	ReaderHead lipgloss.Style
	Link       lipgloss.Style
	TabActive  lipgloss.Style
	Tab        lipgloss.Style
	Prompt     lipgloss.Style
	Negative   lipgloss.Style
	OK         lipgloss.Style
	Help       help.Styles
	HelpKey    lipgloss.Style
	HelpGroup  lipgloss.Style
}

// New returns the styles drawn by r (lipgloss's default renderer when r is
// nil). Colours adapt to light and dark backgrounds, and r drops them when
// its profile has none.
func New(r *lipgloss.Renderer) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	accent := lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B4A2FF"}
	dim := lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	chip := lipgloss.AdaptiveColor{Light: "#0B6E4F", Dark: "#5FD7AF"}
	warn := lipgloss.AdaptiveColor{Light: "#B00020", Dark: "#FF6B6B"}
	star := lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#FFD75F"}
	mark := lipgloss.AdaptiveColor{Light: "#FFF3B0", Dark: "#5C4A00"}
	s := r.NewStyle
	return Styles{
		Title:  s().Bold(true).Foreground(accent),
		Header: s().Bold(true),
		Status: s().Foreground(dim),
		// The selected row is reverse video, which shows without colour.
		Selected:   s().Reverse(true),
		Row:        s(),
		Dim:        s().Foreground(dim),
		Outlet:     s().Foreground(accent),
		Chip:       s().Foreground(chip),
		Star:       s().Foreground(star),
		Error:      s().Foreground(warn),
		Highlight:  s().Bold(true).Underline(true).Background(mark),
		HeadMark:   s().Bold(true).Underline(true).Background(mark),
		ReaderHead: s().Bold(true),
		Link:       s().Foreground(accent).Underline(true),
		TabActive:  s().Bold(true).Underline(true).Foreground(accent),
		Tab:        s().Foreground(dim),
		Prompt:     s().Bold(true).Foreground(accent),
		Negative:   s().Strikethrough(true).Foreground(dim),
		OK:         s().Foreground(chip),
		Help: help.Styles{
			Ellipsis:       s().Foreground(dim),
			ShortKey:       s().Bold(true),
			ShortDesc:      s().Foreground(dim),
			ShortSeparator: s().Foreground(dim),
			FullKey:        s().Bold(true),
			FullDesc:       s().Foreground(dim),
			FullSeparator:  s().Foreground(dim),
		},
		HelpKey:   s().Bold(true).Foreground(accent),
		HelpGroup: s().Bold(true).Underline(true),
	}
}
