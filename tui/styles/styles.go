// Package styles is the one place the TUI's look is defined.
package styles

import "github.com/charmbracelet/lipgloss"

// Styles are built once and shared by every view.
type Styles struct {
	Title      lipgloss.Style
	Header     lipgloss.Style
	Status     lipgloss.Style
	Selected   lipgloss.Style
	Row        lipgloss.Style
	Dim        lipgloss.Style
	Outlet     lipgloss.Style
	Chip       lipgloss.Style
	Star       lipgloss.Style
	Error      lipgloss.Style
	Highlight  lipgloss.Style
	ReaderHead lipgloss.Style
	Link       lipgloss.Style
}

// New returns the styles. Colours adapt to light and dark backgrounds;
// lipgloss drops them when NO_COLOR is set or the terminal has none.
func New() Styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B4A2FF"}
	dim := lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	chip := lipgloss.AdaptiveColor{Light: "#0B6E4F", Dark: "#5FD7AF"}
	warn := lipgloss.AdaptiveColor{Light: "#B00020", Dark: "#FF6B6B"}
	star := lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#FFD75F"}
	return Styles{
		Title:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		Header:     lipgloss.NewStyle().Bold(true),
		Status:     lipgloss.NewStyle().Foreground(dim),
		Selected:   lipgloss.NewStyle().Reverse(true),
		Row:        lipgloss.NewStyle(),
		Dim:        lipgloss.NewStyle().Foreground(dim),
		Outlet:     lipgloss.NewStyle().Foreground(accent),
		Chip:       lipgloss.NewStyle().Foreground(chip),
		Star:       lipgloss.NewStyle().Foreground(star),
		Error:      lipgloss.NewStyle().Foreground(warn),
		Highlight:  lipgloss.NewStyle().Bold(true).Underline(true),
		ReaderHead: lipgloss.NewStyle().Bold(true),
		Link:       lipgloss.NewStyle().Foreground(accent).Underline(true),
	}
}
