package views

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/internal/units"
	"berth/themes"
	"berth/ui"
)

// Sampling of the Stats tab: one reading a second while the tab is open,
// the last five minutes kept.
const (
	statsTabEvery = time.Second
	statsTabKeep  = 300
)

// statsTab is a container's Stats tab: CPU, memory, network and block I/O
// as graphs over the last minutes, read once a second only while the tab
// is open.
type statsTab struct {
	env   *env
	ctrID string
	every time.Duration

	gen     int // of the current opening: older readings and ticks are dropped
	open    bool
	waiting bool // a reading or a tick is on its way

	last    container.Sample
	hasLast bool
	series  statsSeries
	err     error
	paints  ui.Themed[statsPaints]

	width, height int
}

// statsSeries are the values drawn, oldest first, one per reading.
type statsSeries struct {
	cpu, mem, rx, tx, read, write []float64
	limit                         uint64
}

// Messages of a Stats tab.
type (
	statsTabTickMsg struct {
		tab *statsTab
		gen int
	}
	statsTabSampleMsg struct {
		tab    *statsTab
		gen    int
		sample container.Sample
		err    error
	}
)

func newStatsTab(e *env, ctrID string) *statsTab {
	return &statsTab{env: e, ctrID: ctrID, every: statsTabEvery}
}

func (t *statsTab) Title() string { return "Stats" }

// Open starts the readings.
func (t *statsTab) Open() tea.Cmd {
	t.gen++
	t.open, t.waiting = true, true
	return t.read()
}

func (t *statsTab) read() tea.Cmd {
	tab, gen, eng, ctx, id := t, t.gen, t.env.eng, t.env.ctx, t.ctrID
	return func() tea.Msg {
		s, err := eng.ContainerStats(ctx, id)
		return statsTabSampleMsg{tab: tab, gen: gen, sample: s, err: err}
	}
}

// Close stops the readings: the next tick and reading are dropped.
func (t *statsTab) Close() {
	t.gen++
	t.open, t.waiting = false, false
}

func (t *statsTab) SetSize(w, h int) { t.width, t.height = w, h }

// Update takes the tab's readings and ticks.
func (t *statsTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case statsTabSampleMsg:
		if m.tab != t || m.gen != t.gen || !t.open {
			return nil
		}
		t.err = m.err
		if m.err == nil {
			t.take(m.sample)
		}
		if t.every <= 0 {
			t.waiting = false
			return nil
		}
		tab, gen := t, t.gen
		return tea.Tick(t.every, func(time.Time) tea.Msg { return statsTabTickMsg{tab: tab, gen: gen} })
	case statsTabTickMsg:
		if m.tab == t && m.gen == t.gen && t.open {
			return t.read()
		}
	}
	return nil
}

// take adds a reading: rates are per second since the reading before.
func (t *statsTab) take(s container.Sample) {
	sr := &t.series
	sr.limit = s.MemLimit
	if t.hasLast && s.Time.After(t.last.Time) {
		p := t.last
		secs := s.Time.Sub(p.Time).Seconds()
		rate := func(cur, prev uint64) float64 {
			if cur < prev {
				return 0 // counters reset: a restart
			}
			return float64(cur-prev) / secs
		}
		sr.cpu = keepLast(append(sr.cpu, container.CPUPercent(p, s)))
		sr.mem = keepLast(append(sr.mem, float64(s.MemUsage)))
		sr.rx = keepLast(append(sr.rx, rate(s.NetRx, p.NetRx)))
		sr.tx = keepLast(append(sr.tx, rate(s.NetTx, p.NetTx)))
		sr.read = keepLast(append(sr.read, rate(s.BlockRead, p.BlockRead)))
		sr.write = keepLast(append(sr.write, rate(s.BlockWrite, p.BlockWrite)))
	} else if !t.hasLast {
		sr.mem = append(sr.mem, float64(s.MemUsage))
	}
	t.last, t.hasLast = s, true
}

func keepLast(v []float64) []float64 {
	if len(v) > statsTabKeep {
		return v[len(v)-statsTabKeep:]
	}
	return v
}

// View draws six graphs, two by two: CPU and memory, network received and
// sent, block read and written.
func (t *statsTab) View() string {
	st := t.env.Styles
	switch {
	case t.err != nil && !t.hasLast:
		return st.Table.Empty.Render(" " + oneLine(t.err.Error()))
	case !t.hasLast:
		return st.Table.Empty.Render(" Reading…")
	}
	p := t.paints.Get(st, func(st *themes.Styles) statsPaints {
		return statsPaints{ui.NewPaint(st.Chart.Primary), ui.NewPaint(st.Chart.Secondary),
			ui.NewPaint(st.Chart.Label), ui.NewPaint(st.Chart.Scale)}
	})
	return statsView(p.primary, p.secondary, p.label, p.scale, t.series, t.last, t.width, t.height)
}

// statsPaints are the chart's styles as paints: a frame draws a run per
// row of each graph.
type statsPaints struct{ primary, secondary, label, scale ui.Paint }

// statsView lays the graphs out in w×h: three rows of two.
func statsView(primary, secondary, label, scale ui.Paint, sr statsSeries, last container.Sample, w, h int) string {
	lw := (w - 1) / 2
	rw := w - 1 - lw
	ch := max(h/3-1, 1) // chart rows under each label
	cur := func(v []float64) float64 {
		if len(v) == 0 {
			return 0
		}
		return v[len(v)-1]
	}
	rate := func(v float64) string { return units.BytesSize(uint64(v)) + "/s" }
	memText := units.BytesSize(last.MemUsage)
	if sr.limit > 0 {
		memText += " / " + units.BytesSize(sr.limit)
	}
	cells := [][2]statsGraph{
		{{"CPU", percent(cur(sr.cpu)), sr.cpu, percentScale, primary},
			{"Memory", memText, sr.mem, bytesScale, primary}},
		{{"Net received", rate(cur(sr.rx)), sr.rx, rateScale, primary},
			{"Net sent", rate(cur(sr.tx)), sr.tx, rateScale, secondary}},
		{{"Block read", rate(cur(sr.read)), sr.read, rateScale, primary},
			{"Block written", rate(cur(sr.write)), sr.write, rateScale, secondary}},
	}
	var out []string
	for _, row := range cells {
		left := row[0].lines(label, scale, lw, ch)
		right := row[1].lines(label, scale, rw, ch)
		for i := range left {
			out = append(out, left[i]+" "+right[i])
		}
	}
	return strings.Join(out, "\n")
}

// statsGraph is one graph: its name, the value now, the values, how the
// scale reads, and the style of its bars.
type statsGraph struct {
	name, now string
	values    []float64
	scale     func(float64) string
	style     ui.Paint
}

// Scales of the graphs: what the top of a graph stands for.
func percentScale(v float64) string { return percent(v) }

// percent is v with one decimal below 10 %: "1.2%", "45%".
func percent(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.0f%%", v)
}
func bytesScale(v float64) string { return units.BytesSize(uint64(v)) }
func rateScale(v float64) string  { return units.BytesSize(uint64(v)) + "/s" }

// lines are the graph as h+1 lines of exactly w cells: "CPU 12.3%" with
// the peak on the right, then the bars, the newest on the right.
func (g statsGraph) lines(label, scale ui.Paint, w, h int) []string {
	out := make([]string, 0, h+1)
	peak := 0.0
	for _, v := range g.values {
		peak = max(peak, v)
	}
	head := " " + label.Render(g.name) + " " + g.now
	top := "peak " + g.scale(peak)
	if ui.Width(head)+ui.Width(top)+2 <= w {
		head = ui.PadRight(head, w-ui.Width(top)-1) + scale.Render(top) + " "
	}
	out = append(out, ui.Fit(head, w))
	if peak <= 0 {
		peak = 1 // nothing yet: a flat line
	}
	cw := max(w-2, 0)
	for _, r := range ui.ChartRows(bucketed(g.values, cw), peak, cw, h) {
		pad := strings.Repeat(" ", cw-utf8.RuneCountInString(r)) // one cell a block
		out = append(out, " "+pad+g.style.Render(r)+" ")
	}
	for len(out) < h+1 {
		out = append(out, strings.Repeat(" ", w))
	}
	return out
}

// bucketed fits values into w columns: when there are more, each column
// is the mean of as many consecutive values as it takes (the oldest
// column may hold fewer), so that the graph spans the whole history.
func bucketed(values []float64, w int) []float64 {
	if w <= 0 || len(values) <= w {
		return values
	}
	k := (len(values) + w - 1) / w
	out := make([]float64, 0, w)
	for end := len(values); end > 0; end -= k {
		start := max(end-k, 0)
		sum := 0.0
		for _, v := range values[start:end] {
			sum += v
		}
		out = append(out, sum/float64(end-start))
	}
	slices.Reverse(out)
	return out
}

// Info says how often the graphs move.
func (t *statsTab) Info() string {
	if !t.open {
		return ""
	}
	n := plural(len(t.series.cpu), "reading")
	if t.every > 0 {
		n += " · every " + t.every.String()
	}
	return n
}

func (t *statsTab) Capturing() bool                     { return false }
func (t *statsTab) Key(tea.KeyPressMsg) (tea.Cmd, bool) { return nil, false }
func (t *statsTab) KeyGroups() []ui.KeyGroup            { return nil }
func (t *statsTab) ShortHelp() []ui.Binding             { return nil }
