package list

import (
	"fmt"
	"sort"
	"strings"

	"github.com/trawl-news/trawl/store"
	"github.com/trawl-news/trawl/tui/common"
)

// SetCounts updates the counts shown in the tabs, adding tabs for tags that
// appeared, and keeps the active view.
func (m *Model) SetCounts(c store.Counts) {
	v := m.tabs[m.active].View
	m.counts = c
	m.tabs = m.buildTabs(c)
	m.active = 0
	for i, t := range m.tabs {
		if t.View == v {
			m.active = i
		}
	}
}

func (m Model) buildTabs(c store.Counts) []Tab {
	tabs := []Tab{{View: store.All, Label: "All"}}
	seen := map[string]bool{}
	for _, t := range m.coreTags {
		seen[t] = true
		tabs = append(tabs, Tab{View: store.TagView(t), Label: t})
	}
	var user []string
	for t, n := range c.Tags {
		if !seen[t] && n > 0 {
			user = append(user, t)
		}
	}
	sort.Strings(user)
	for _, t := range user {
		tabs = append(tabs, Tab{View: store.TagView(t), Label: t})
	}
	return append(tabs,
		Tab{View: store.Starred, Label: "Starred"},
		Tab{View: store.Unread, Label: "Unread"},
		Tab{View: store.Dismissed, Label: "Dismissed"})
}

func (m Model) count(v store.View) int {
	switch v.Kind {
	case store.ViewAll:
		return m.counts.All
	case store.ViewUnread:
		return m.counts.Unread
	case store.ViewStarred:
		return m.counts.Starred
	case store.ViewDismissed:
		return m.counts.Dismissed
	case store.ViewTag:
		return m.counts.Tags[v.Tag]
	case store.ViewFeed:
		return m.counts.Feeds[v.Feed]
	}
	return 0
}

// tabsLine names the views with their counts; when they do not all fit,
// the active one is kept in sight.
func (m Model) tabsLine() string {
	st := m.sh.Styles
	title := st.Title.Render(m.title)
	avail := m.width - len([]rune(m.title)) - 1
	if avail < 8 {
		return common.Truncate(title, m.width)
	}
	type tab struct {
		text   string
		active bool
	}
	var tabs []tab
	if m.extra != nil {
		tabs = append(tabs, tab{fmt.Sprintf("[%s %d]", m.extra.Label, m.count(m.extra.View)), true})
	} else {
		for i, t := range m.tabs {
			if i == m.active {
				tabs = append(tabs, tab{fmt.Sprintf("[%s %d]", t.Label, m.count(t.View)), true})
			} else {
				tabs = append(tabs, tab{fmt.Sprintf(" %s %d ", t.Label, m.count(t.View)), false})
			}
		}
	}
	first := 0
	width := func(from, to int) int {
		w := 0
		for _, t := range tabs[from:to] {
			w += len([]rune(t.text))
		}
		return w
	}
	activeAt := 0
	for i, t := range tabs {
		if t.active {
			activeAt = i
		}
	}
	for first < activeAt && width(first, activeAt+1)+1 > avail {
		first++
	}
	var b strings.Builder
	b.WriteString(title)
	b.WriteByte(' ')
	if first > 0 {
		b.WriteString(st.Dim.Render("‹"))
		avail--
	}
	used := 0
	for i := first; i < len(tabs); i++ {
		t := tabs[i]
		w := len([]rune(t.text))
		if used+w > avail {
			if avail-used >= 1 {
				b.WriteString(st.Dim.Render("›"))
			}
			break
		}
		if t.active {
			b.WriteString(st.TabActive.Render(t.text))
		} else {
			b.WriteString(st.Tab.Render(t.text))
		}
		used += w
	}
	return b.String()
}
