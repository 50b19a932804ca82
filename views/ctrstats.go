package views

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
)

// pollStats reads the stats of every running container in a command,
// unless a reading is under way.
func (v *containersView) pollStats() tea.Cmd {
	if v.polling {
		return nil
	}
	var ids []string
	for _, c := range v.all {
		if c.State.Status.Active() {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		v.takeStats(nil)
		return v.scheduleStats()
	}
	v.polling = true
	eng, ctx := v.env.eng, v.env.ctx
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
		return statsMsg{Samples: out}
	}
}

// scheduleStats asks for the next reading in statsEvery, once.
func (v *containersView) scheduleStats() tea.Cmd {
	if v.statsWaiting || v.env.statsEvery <= 0 {
		return nil
	}
	v.statsWaiting = true
	return tea.Tick(v.env.statsEvery, func(time.Time) tea.Msg { return statsTickMsg{} })
}

// takeStats turns a reading into what the table shows: CPU % between this
// reading and the last one of the same container.
func (v *containersView) takeStats(samples map[string]container.Sample) {
	stats := make(map[string]ctrStats, len(samples))
	for id, cur := range samples {
		s := ctrStats{MemUsage: cur.MemUsage, MemLimit: cur.MemLimit}
		if prev, ok := v.samples[id]; ok && cur.Time.After(prev.Time) {
			s.CPU, s.HasCPU = container.CPUPercent(prev, cur), true
		}
		stats[id] = s
	}
	v.stats, v.samples = stats, samples
	if v.samples == nil {
		v.samples = map[string]container.Sample{}
	}
}
