package views

import (
	"testing"
	"time"
)

// detailSizes are the sizes of the detail area's golden files: closed and
// opened over the list at 80x24, beside the list at 200x60.
var detailSizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"200x60", 200, 60}}

func TestGoldenDetailContainer(t *testing.T) {
	for _, sz := range detailSizes {
		t.Run(sz.name, func(t *testing.T) {
			h, fe := detailHarness(t, sz.w, sz.h)
			log := fe.log(hexID("a1"))
			at := testNow.Add(-time.Minute)
			log.write("stdout", at, "/docker-entrypoint.sh: Configuration complete; ready for start up",
				"2025/06/01 11:57:00 [notice] 1#1: nginx/1.27.0")
			log.write("stderr", at, "2025/06/01 11:58:12 [error] 29#29: open() \"/usr/share/nginx/html/favicon.ico\" failed")
			h.selectRow("web")
			h.keys("l")
			h.waitScreen("favicon.ico")
			golden(t, h, "detail-logs-"+sz.name)

			h.keys("]") // the numbers switch panes while the list shows
			st := h.statsTab()
			h.waitFor("a first reading", func() bool { return st.hasLast })
			for i := range 6 {
				h.send(statsTabTickMsg{tab: st, gen: st.gen})
				h.waitFor("a reading", func() bool { return len(st.series.cpu) == i+1 })
			}
			golden(t, h, "detail-stats-"+sz.name)

			h.keys("]")
			h.waitScreen(`"State": {`)
			h.keys("/")
			h.typeText("running")
			h.keys("enter")
			h.waitScreen("match 1/2")
			golden(t, h, "detail-inspect-"+sz.name)

			h.keys("]")
			h.waitScreen("3 variables")
			golden(t, h, "detail-env-"+sz.name)

			h.keys("]")
			h.waitScreen("2 processes")
			golden(t, h, "detail-top-"+sz.name)

			h.keys("]")
			h.waitScreen("8443")
			golden(t, h, "detail-mounts-"+sz.name)

			h.keys("?")
			golden(t, h, "detail-help-"+sz.name)
		})
	}
}

func TestGoldenDetailObjects(t *testing.T) {
	for _, sz := range detailSizes {
		t.Run(sz.name, func(t *testing.T) {
			h, eng := newObjectsHarness(t, "1", sz.w, sz.h)
			newDetailFake(eng).use(h)
			h.waitScreen("busybox")
			selectRowOf(h, h.images().listPane, "busybox:latest", func(r imageRow) string { return r.Ref() })
			h.keys("enter")
			h.waitScreen("1 Inspect", `"RepoTags": [`)
			golden(t, h, "detail-image-inspect-"+sz.name)
			h.keys("]")
			h.waitScreen("2 steps")
			golden(t, h, "detail-image-history-"+sz.name)
			h.keys("esc")

			h.keys("3")
			h.waitScreen("appnet")
			selectRowOf(h, h.networks().listPane, "appnet", func(r networkRow) string { return r.Name })
			h.keys("enter", "]")
			h.waitScreen("10.90.0.2")
			golden(t, h, "detail-network-containers-"+sz.name)
			h.keys("esc")

			h.keys("4")
			h.waitScreen("Volumes (3)")
			selectRowOf(h, h.volumes().listPane, "data", func(r volumeRow) string { return r.Name })
			h.keys("enter", "]")
			h.waitScreen("1 container")
			golden(t, h, "detail-volume-containers-"+sz.name)
		})
	}
}
