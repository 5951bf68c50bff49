// Package keys is the TUI's single keymap: every binding is defined here
// once, and each screen's help, short and full, is generated from it.
package keys

import "github.com/charmbracelet/bubbles/key"

// Map holds every key binding of the interface.
type Map struct {
	// Moving.
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	NextView, PrevView                      key.Binding
	NextStory, PrevStory                    key.Binding

	// Screens.
	Open, OpenFeed, Back, Quit, ForceQuit, Help, Feeds key.Binding

	// Triage: each persisted at once.
	Star, Note, ToggleRead, Dismiss, Undo key.Binding

	// Elsewhere.
	Search, Refresh, Browser, CopyLink, Export key.Binding

	// Search box.
	SearchAccept, SearchClear, ResultDown, ResultUp key.Binding

	// Note editor and its confirmation.
	SaveNote, CancelNote, ConfirmDiscard, KeepEditing key.Binding
}

// Default returns the keymap of DESIGN.md.
func Default() Map {
	b := func(keys []string, helpKey, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
	}
	return Map{
		Up:        b([]string{"k", "up"}, "k/↑", "up"),
		Down:      b([]string{"j", "down"}, "j/↓", "down"),
		Top:       b([]string{"g", "home"}, "g/home", "top"),
		Bottom:    b([]string{"G", "end"}, "G/end", "bottom"),
		PageUp:    b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:  b([]string{"pgdown", "ctrl+f", " "}, "pgdn/space", "page down"),
		NextView:  b([]string{"tab"}, "tab", "next view"),
		PrevView:  b([]string{"shift+tab"}, "shift+tab", "previous view"),
		NextStory: b([]string{"J", "]"}, "J/]", "next story"),
		PrevStory: b([]string{"K", "["}, "K/[", "previous story"),

		Open:      b([]string{"enter"}, "enter", "read story"),
		OpenFeed:  b([]string{"enter"}, "enter", "feed's stories"),
		Back:      b([]string{"esc", "q"}, "esc/q", "back"),
		Quit:      b([]string{"q"}, "q", "quit"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit from anywhere"),
		Help:      b([]string{"?"}, "?", "help"),
		Feeds:     b([]string{"f"}, "f", "feeds"),

		Star:       b([]string{"s"}, "s", "star"),
		Note:       b([]string{"n"}, "n", "note"),
		ToggleRead: b([]string{"m"}, "m", "read/unread"),
		Dismiss:    b([]string{"x"}, "x", "dismiss"),
		Undo:       b([]string{"u"}, "u", "undo"),

		Search:   b([]string{"/"}, "/", "search"),
		Refresh:  b([]string{"r"}, "r", "refresh"),
		Browser:  b([]string{"o"}, "o", "open in browser"),
		CopyLink: b([]string{"y"}, "y", "copy link"),
		Export:   b([]string{"e"}, "e", "export starred"),

		SearchAccept: b([]string{"enter"}, "enter", "keep results"),
		SearchClear:  b([]string{"esc"}, "esc", "clear search"),
		ResultDown:   b([]string{"down", "ctrl+n"}, "↓/ctrl+n", "next result"),
		ResultUp:     b([]string{"up", "ctrl+p"}, "↑/ctrl+p", "previous result"),

		SaveNote:       b([]string{"ctrl+s"}, "ctrl+s", "save note"),
		CancelNote:     b([]string{"esc"}, "esc", "leave editor"),
		ConfirmDiscard: b([]string{"y"}, "y", "discard the note"),
		KeepEditing:    b([]string{"n", "esc"}, "n/esc", "keep editing"),
	}
}

// Triage is the group of actions on the current story, shared by the
// list's and the reader's help.
func (m Map) Triage() []key.Binding {
	return []key.Binding{m.Star, m.Note, m.ToggleRead, m.Dismiss, m.Undo}
}

// Global is the group of bindings that work from the list and the reader.
func (m Map) Global() []key.Binding {
	return []key.Binding{m.Search, m.Refresh, m.Browser, m.CopyLink, m.Export, m.Feeds, m.Help, m.ForceQuit}
}

// Moving is the group of cursor and scrolling bindings.
func (m Map) Moving() []key.Binding {
	return []key.Binding{m.Up, m.Down, m.Top, m.Bottom, m.PageUp, m.PageDown}
}
