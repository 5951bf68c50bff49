package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/trawl-news/trawl/feeds"
)

// refreshRun is one background refresh: its events arrive on a channel
// that a re-issued command reads, one message per event, and the channel
// closes once sum and err are set.
type refreshRun struct {
	events chan feeds.Event
	sum    feeds.Summary
	err    error
}

type refreshEventMsg struct {
	run *refreshRun
	ev  feeds.Event
}

type refreshDoneMsg struct {
	sum feeds.Summary
	err error
}

// reloadTickMsg reloads the list once new stories have arrived, at most a
// few times a second however fast feeds finish.
type reloadTickMsg struct{}

const reloadEvery = 300 * time.Millisecond

func (m *Model) startRefresh() (tea.Model, tea.Cmd) {
	if m.opts.Refresh == nil {
		return m, m.status.Set("refresh: "+errUnavailable.Error(), true)
	}
	if m.status.Refreshing() {
		return m, m.status.Set("a refresh is already running", false)
	}
	run := &refreshRun{events: make(chan feeds.Event, 64)}
	refresh, ctx := m.opts.Refresh, m.ctx
	start := func() tea.Msg {
		go func() {
			defer close(run.events)
			run.sum, run.err = refresh(ctx, func(ev feeds.Event) {
				select {
				case run.events <- ev:
				case <-ctx.Done():
				}
			})
		}()
		return nil
	}
	m.feeds.RefreshDone()
	return m, tea.Batch(m.status.StartRefresh(0), start, waitEventCmd(run))
}

// waitEventCmd reads the next event of run, or its end.
func waitEventCmd(run *refreshRun) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-run.events
		if !ok {
			return refreshDoneMsg{sum: run.sum, err: run.err}
		}
		return refreshEventMsg{run: run, ev: ev}
	}
}

func (m *Model) refreshEvent(msg refreshEventMsg) (tea.Model, tea.Cmd) {
	m.status.Event(msg.ev)
	m.feeds.Event(msg.ev)
	cmds := []tea.Cmd{waitEventCmd(msg.run)}
	if msg.ev.New > 0 && !m.reloadDue {
		// New stories are in the cache: show them soon.
		m.reloadDue = true
		cmds = append(cmds, tea.Tick(reloadEvery, func(time.Time) tea.Msg { return reloadTickMsg{} }))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) refreshDone(msg refreshDoneMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil && context.Cause(m.ctx) != nil {
		return m, nil // quitting
	}
	m.feeds.RefreshDone()
	cmds := []tea.Cmd{m.status.FinishRefresh(msg.sum, msg.err), countsCmd(m.opts.Source), m.feeds.LoadCmd()}
	if msg.sum.New > 0 {
		cmds = append(cmds, m.list.ReloadCmd())
		cmds = append(cmds, m.rebuildIndex())
	}
	return m, tea.Batch(cmds...)
}
