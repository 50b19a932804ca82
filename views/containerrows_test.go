package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine/container"
)

func TestHumanIEC(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0B"},
		{1000, "1000B"},
		{1024, "1KiB"},
		{512 << 10, "512KiB"},
		{12_940_000, "12.34MiB"},
		{64 << 20, "64MiB"},
		{2_097_152_000, "1.953GiB"},
		{16_640_000_000, "15.5GiB"},
		{1<<20 - 1, "1024KiB"}, // four digits, as docker's %.4g
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := humanIEC(tc.n); got != tc.want {
				t.Errorf("humanIEC(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestContainerTableRows(t *testing.T) {
	st := testStyles()
	web := ctr("a1", "web", "nginx:alpine", "nginx -g 'daemon off;'", 5*time.Minute, up(3*time.Minute))
	tests := []struct {
		name  string
		row   containerRow
		cells []string
		style string // which state style the STATUS cell has
	}{
		{"running with stats", containerRow{Summary: &web, Stats: &ctrStats{CPU: 1.25, HasCPU: true, MemUsage: 12_940_000, MemLimit: 64 << 20}},
			[]string{"a1a1a1a1a1a1", "web", "nginx:alpine", "nginx -g 'daemon off;'", "Up 3 minutes", "5 minutes ago", "", "", "1.25%", "12.34MiB / 64MiB"}, "running"},
		{"first reading has no CPU yet", containerRow{Summary: &web, Stats: &ctrStats{MemUsage: 1024, MemLimit: 2048}},
			[]string{"a1a1a1a1a1a1", "web", "nginx:alpine", "nginx -g 'daemon off;'", "Up 3 minutes", "5 minutes ago", "", "", "", "1KiB / 2KiB"}, "running"},
		{"exited cleanly", containerRow{Summary: new(ctr("b2", "old", "busybox", "true", 72*time.Hour, exited(0, 48*time.Hour)))},
			[]string{"b2b2b2b2b2b2", "old", "busybox", "true", "Exited (0) 2 days ago", "3 days ago", "", "", "", ""}, "stopped"},
		{"exited with an error", containerRow{Summary: new(ctr("c3", "job", "alpine", "sh -c 'exit 3'", 20*time.Minute, exited(3, 10*time.Minute)))},
			[]string{"c3c3c3c3c3c3", "job", "alpine", "sh -c 'exit 3'", "Exited (3) 10 minutes ago", "20 minutes ago", "", "", "", ""}, "failed"},
		{"paused", containerRow{Summary: new(ctr("d4", "w", "busybox", "sleep 1d", time.Hour, paused(time.Hour)))},
			[]string{"d4d4d4d4d4d4", "w", "busybox", "sleep 1d", "Up About an hour (Paused)", "About an hour ago", "", "", "", ""}, "paused"},
		{"created, no name", containerRow{Summary: new(ctr("e5", "", "redis:7", "redis-server\n--save", 30*time.Second, cstate()))},
			[]string{"e5e5e5e5e5e5", "e5e5e5e5e5e5", "redis:7", "redis-server --save", "Created", "30 seconds ago", "", "", "", ""}, "stopped"},
		{"published ports, on a network", containerRow{Summary: func() *container.Summary {
			c := web
			c.Ports, c.NetworkMode = "0.0.0.0:8080->80/tcp, 443/tcp", "appnet"
			return &c
		}()},
			[]string{"a1a1a1a1a1a1", "web", "nginx:alpine", "nginx -g 'daemon off;'", "Up 3 minutes", "5 minutes ago", "0.0.0.0:8080->80/tcp, 443/tcp", "appnet", "", ""}, "running"},
		{"an action under way", containerRow{Summary: &web, Busy: "Stopping"},
			[]string{"a1a1a1a1a1a1", "web", "nginx:alpine", "nginx -g 'daemon off;'", "⠋ Stopping…", "5 minutes ago", "", "", "", ""}, "busy"},
	}
	styles := map[string]string{
		"running": st.State.Running.Render("x"), "stopped": st.State.Stopped.Render("x"),
		"failed": st.State.Failed.Render("x"), "paused": st.State.Paused.Render("x"), "busy": st.State.Busy.Render("x"),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := containerTableRows(newStatePaints(st), []containerRow{tc.row}, testNow, "⠋")[0]
			if !slices.Equal(r.Cells, tc.cells) {
				t.Errorf("cells\n got %q\nwant %q", r.Cells, tc.cells)
			}
			if r.Key != tc.row.ID {
				t.Errorf("key %q, want the ID", r.Key)
			}
			if got := r.Paint[ccolStatus].Render("x"); got != styles[tc.style] {
				t.Errorf("status style renders %q, want %s's %q", got, tc.style, styles[tc.style])
			}
		})
	}
}

func TestContainerRowsDropStatsOfStopped(t *testing.T) {
	sums := []container.Summary{
		ctr("a1", "web", "nginx", "", 0, up(time.Minute)),
		ctr("b2", "old", "busybox", "", 0, exited(0, time.Minute)),
	}
	stats := map[string]ctrStats{hexID("a1"): {MemUsage: 1}, hexID("b2"): {MemUsage: 2}}
	rows := containerRows(sums, stats, map[string]string{hexID("b2"): "Removing"})
	if rows[0].Stats == nil || rows[0].Stats.MemUsage != 1 || rows[0].Busy != "" {
		t.Errorf("web: %+v", rows[0])
	}
	if rows[1].Stats != nil || rows[1].Busy != "Removing" {
		t.Errorf("old: stats %+v busy %q; want no stats, Removing", rows[1].Stats, rows[1].Busy)
	}
}

func sampleRows() []containerRow {
	rows := containerRows([]container.Summary{
		ctr("a1", "web", "nginx:alpine", "nginx", 5*time.Minute, up(3*time.Minute)),
		ctr("b2", "db", "postgres:16", "postgres", 3*time.Hour, up(2*time.Hour)),
		ctr("c3", "worker", "busybox", "sh", 2*time.Hour, paused(time.Hour)),
		ctr("d4", "job", "alpine", "sh -c 'exit 3'", 20*time.Minute, exited(3, 10*time.Minute)),
		ctr("e5", "Old", "busybox", "true", 72*time.Hour, exited(0, 48*time.Hour)),
		ctr("f6", "cache", "redis:7", "redis-server", 30*time.Second, cstate()),
	}, map[string]ctrStats{
		hexID("a1"): {CPU: 1.25, HasCPU: true, MemUsage: 100},
		hexID("b2"): {CPU: 123.4, HasCPU: true, MemUsage: 1000},
		hexID("c3"): {MemUsage: 10},
	}, nil)
	return rows
}

func names(rows []containerRow) string {
	var n []string
	for _, r := range rows {
		n = append(n, r.Name)
	}
	return strings.Join(n, " ")
}

func TestSortContainerRows(t *testing.T) {
	tests := []struct {
		col  int
		desc bool
		want string
	}{
		{ccolName, false, "cache db job Old web worker"},
		{ccolName, true, "worker web Old job db cache"},
		{ccolImage, false, "job Old worker web db cache"},
		{ccolStatus, false, "db web worker cache job Old"}, // up longest first, then paused, created, latest exit
		{ccolCreated, true, "cache web job worker db Old"},
		{ccolCPU, true, "db web worker cache job Old"}, // without stats last, by name
		{ccolCPU, false, "worker web db cache job Old"},
		{ccolMem, true, "db web worker cache job Old"},
	}
	for _, tc := range tests {
		t.Run(containerColumns[tc.col].Title, func(t *testing.T) {
			rows := sampleRows()
			sortContainerRows(rows, tc.col, tc.desc)
			if got := names(rows); got != tc.want {
				t.Errorf("desc=%v: %s, want %s", tc.desc, got, tc.want)
			}
		})
	}
}

func TestFilterContainerRows(t *testing.T) {
	tests := []struct {
		q           string
		runningOnly bool
		want        string
	}{
		{"", false, "web db worker job Old cache"},
		{"", true, "web db worker"},
		{"BUSY", false, "worker Old"},
		{"busy", true, "worker"},
		{"exit 3", false, "job"},     // the command
		{"exited", false, "job Old"}, // the status word
		{"d4d4d4", false, "job"},     // an ID prefix
		{"paused", false, "worker"},  // the status word
		{"nomatch", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			if got := names(filterContainerRows(sampleRows(), tc.q, tc.runningOnly)); got != tc.want {
				t.Errorf("filter %q running=%v: %q, want %q", tc.q, tc.runningOnly, got, tc.want)
			}
		})
	}
}
