package views

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"berth/engine/container"
	"berth/themes"
	"berth/ui"
)

// benchArea is a detail area of size w×h on tabs, focused on title, with
// the tabs' data in: five minutes of stats, a container's inspect
// document, 40 env variables.
func benchArea(b *testing.B, w, h int, title string) *detailArea {
	b.Helper()
	e := &env{Common: ui.NewCommon(themes.Dark()), eng: sampleEngine(), ctx: context.Background(), now: func() time.Time { return testNow }}
	stats := newStatsTab(e, hexID("a1"))
	for i := range statsTabKeep + 1 {
		n := uint64(i)
		stats.take(container.Sample{Time: testNow.Add(time.Duration(i) * time.Second), CPUNanos: n * n * 1e6,
			MemUsage: 40<<20 + n*(n%7)*100_000, MemLimit: 1 << 30, NetRx: n * n * 900, NetTx: n * 300,
			BlockRead: n * (n % 5) * 4096, BlockWrite: n * 8192})
	}
	stats.open = true
	insp := newInspectTab(e, nil)
	doc := &container.Inspect{ID: hexID("a1"), Name: "/web", Args: []string{"-g", "daemon off;"}}
	for i := range 40 {
		doc.Config.Env = append(doc.Config.Env, "VARIABLE_"+itoa(i)+"=some value of the variable number "+itoa(i))
	}
	raw, _ := json.MarshalIndent(doc, "", "  ")
	root, err := parseJSON(raw)
	if err != nil {
		b.Fatal(err)
	}
	insp.gen = 1
	insp.Update(inspectLoadedMsg{tab: insp, gen: 1, root: root, text: string(raw)})
	insp.query = "variable"
	insp.find()
	env := newTableTab(e, "Env", "variable", envColumns, nil)
	env.open, env.gen = true, 1
	env.Update(tableLoadedMsg{tab: env, gen: 1, rows: envRows(doc.Config.Env)})
	tabs := []detailTab{stats, insp, env}
	d := newDetailArea(e, func() string { return "web" }, func() (string, []detailTab) { return "web", tabs })
	d.focused = true
	d.key, d.name, d.tabs = "web", "web", tabs
	for i, t := range tabs {
		if t.Title() == title {
			d.active = i
		}
	}
	d.layout(w, h)
	return d
}

// BenchmarkDetailFrame is one frame of the detail area per tab, as the
// app draws it at every message: over the list at 80x24 and beside it at
// 200x60 (the area's share).
func BenchmarkDetailFrame(b *testing.B) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 22}, {"200x60", 200, 58}} {
		for _, tab := range []string{"Stats", "Inspect", "Env"} {
			b.Run(tab+"/"+sz.name, func(b *testing.B) {
				d := benchArea(b, sz.w, sz.h, tab)
				if d.View() == "" {
					b.Fatal("nothing drawn")
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					_ = d.View()
				}
			})
		}
	}
}
