package views

import (
	"context"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/ui"
)

// One sampler reads the stats of every row: a tick every statsEvery (less
// often once the user has left the keys alone for idleAfter) reads, in one
// command, the running containers whose rows are on screen — the table's
// visible window, while the pane is shown and no detail area covers it — and
// no other.
const (
	idleAfter  = 10 * time.Second
	idleFactor = 3 // idle, the sampler ticks this many times less often
)

// usageEngine is the engine's ability (checked with a type assertion;
// *engine.Engine has it) to read a container's CPU and memory cheaply, from
// its cgroup, rather than every statistic ContainerStats gathers.
type usageEngine interface {
	ContainersUsage(ctx context.Context, ids []string) map[string]container.Sample
}

// onScreener is a pane that wants to know whether it is drawn (the app
// tells it at every layout).
type onScreener interface{ SetOnScreen(on bool) }

// SetOnScreen tells the pane whether the app draws it now (the active
// pane, not covered by the pulls panel): only then are stats read.
func (v *containersView) SetOnScreen(on bool) {
	v.onScreen = on
	v.listPane.SetOnScreen(on) // the detail area's tab closes off screen
}

// sampleIDs are the running containers whose rows are on screen.
func (v *containersView) sampleIDs() []string {
	if !v.onScreen || v.detail.coversList() {
		return nil
	}
	from, to := v.table.Window()
	var ids []string
	for _, r := range v.shown[from:min(to, len(v.shown))] {
		if r.State.Status.Active() {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// pollStats reads the stats of the running containers on screen in a
// command, unless a reading is under way.
func (v *containersView) pollStats() tea.Cmd {
	if v.polling {
		return nil
	}
	ids := v.sampleIDs()
	if len(ids) == 0 {
		return v.scheduleStats()
	}
	v.polling = true
	eng, ctx := v.env.eng, v.env.ctx
	if u, ok := eng.(usageEngine); ok {
		return func() tea.Msg { return statsMsg{Asked: ids, Samples: u.ContainersUsage(ctx, ids)} }
	}
	return func() tea.Msg {
		type result struct {
			id string
			s  container.Sample
			ok bool
		}
		res := make(chan result, len(ids))
		sem := make(chan struct{}, 8)
		for _, id := range ids {
			go func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				s, err := eng.ContainerStats(ctx, id)
				res <- result{id, s, err == nil} // a container that just stopped has none
			}()
		}
		out := make(map[string]container.Sample, len(ids))
		for range ids {
			if r := <-res; r.ok {
				out[r.id] = r.s
			}
		}
		return statsMsg{Asked: ids, Samples: out}
	}
}

// scheduleStats asks for the next reading, once: in statsEvery, or
// idleFactor times that when no key came for idleAfter.
func (v *containersView) scheduleStats() tea.Cmd {
	if v.statsWaiting || v.env.statsEvery <= 0 {
		return nil
	}
	v.statsWaiting = true
	every := v.env.statsEvery
	if v.env.now().Sub(v.lastKey) > idleAfter {
		every *= idleFactor
	}
	return tea.Tick(every, func(time.Time) tea.Msg { return statsTickMsg{} })
}

// takeStats turns a reading into what the table shows: CPU % between this
// reading and the last one of the same container, and the recent values
// for the sparklines. Containers not read this time (off screen) keep what
// they showed; those no longer running lose it. It reports whether
// anything the table shows changed.
func (v *containersView) takeStats(asked []string, samples map[string]container.Sample) bool {
	changed := false
	for _, id := range asked {
		if _, ok := samples[id]; !ok {
			changed = changed || v.forget(id)
		}
	}
	for id, cur := range samples {
		s := ctrStats{MemUsage: cur.MemUsage, MemLimit: cur.MemLimit}
		if prev, ok := v.samples[id]; ok && cur.Time.After(prev.Time) {
			s.CPU, s.HasCPU = container.CPUPercent(prev, cur), true
		}
		h := v.hist[id]
		if h == nil {
			h = &statsHist{cpu: ui.NewSeries(sparkLen), mem: ui.NewSeries(sparkLen)}
			v.hist[id] = h
		}
		if s.HasCPU {
			h.cpu.Add(s.CPU)
		}
		h.mem.Add(float64(s.MemUsage))
		s.CPUHist, s.MemHist = h.cpu.Values(), h.mem.Values()
		if old, ok := v.stats[id]; !ok || old.shown() != s.shown() {
			changed = true
			v.statsGen[id]++
		}
		v.stats[id] = s
		v.samples[id] = cur
	}
	return changed
}

// forgetStopped drops the stats of containers that are gone or stopped,
// after each listing (not at each reading: with 1,000 containers, a map of
// them every second or two).
func (v *containersView) forgetStopped() {
	alive := make(map[string]bool, len(v.all))
	for _, r := range v.all {
		if r.State.Status.Active() {
			alive[r.ID] = true
		}
	}
	for id := range v.samples {
		if !alive[id] {
			v.forget(id)
		}
	}
}

// forget drops what the pane knows of id's stats; it reports whether the
// table showed any.
func (v *containersView) forget(id string) bool {
	_, had := v.stats[id]
	v.statsGen[id]++
	delete(v.samples, id)
	delete(v.stats, id)
	delete(v.hist, id)
	return had
}

// statsHist is a container's recent readings.
type statsHist struct{ cpu, mem ui.Series }

// shown is what the table writes of s: the figures as rounded, and the
// sparklines.
func (s ctrStats) shown() [4]string {
	cpu := ""
	if s.HasCPU {
		cpu = strconv.FormatFloat(s.CPU, 'f', 2, 64)
	}
	return [4]string{cpu, humanIEC(s.MemUsage) + humanIEC(s.MemLimit),
		ui.Sparkline(s.CPUHist, sparkLen, 1), ui.Sparkline(s.MemHist, sparkLen, 0)}
}
