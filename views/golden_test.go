package views

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/engine/progress"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current views")

// golden compares the screen with testdata/name.golden (trailing spaces
// trimmed, so that the files read well).
func golden(t *testing.T, h *harness, name string) {
	t.Helper()
	h.settle() // let status messages arrive
	lines := strings.Split(h.screen(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./views -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("screen differs from %s (-update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestGoldenScreens(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h := newImagesHarness(t, newFakeEngine(sampleImages()...), sz.w, sz.h)
			h.waitScreen("busybox")
			golden(t, h, "images-"+sz.name)

			h.keys("?")
			golden(t, h, "help-"+sz.name)
			h.keys("esc")

			pullAlpine(h, "alpine")
			h.waitScreen("resolving")
			// Progress given as snapshots, so that the speeds are exact.
			at := func(d time.Duration) time.Time { return testNow.Add(d) }
			snap := func(v uint64, us ...progress.Update) {
				h.send(pullProgressMsg{ID: 1, Snap: pullSnapshot{Version: v, Layers: us}})
			}
			snap(1,
				progress.Update{ID: "4abcf2066143", State: progress.Downloading, Current: 0, Total: 3_650_000, Time: at(0)},
				progress.Update{ID: "d1e2f3a4b5c6", State: progress.AlreadyExists},
				progress.Update{ID: "9f8e7d6c5b4a", State: progress.Waiting})
			snap(2,
				progress.Update{ID: "4abcf2066143", State: progress.Downloading, Current: 1_200_000, Total: 3_650_000, Time: at(time.Second)},
				progress.Update{ID: "d1e2f3a4b5c6", State: progress.AlreadyExists},
				progress.Update{ID: "9f8e7d6c5b4a", State: progress.Extracting, Current: 500_000, Total: 2_000_000})
			golden(t, h, "pulling-"+sz.name)

			h.keys("p")
			h.typeText("127.0.0.1:5000/big")
			golden(t, h, "pull-dialog-"+sz.name)
			h.keys("esc", "j", "d")
			golden(t, h, "confirm-remove-"+sz.name)
		})
	}
}

func TestGoldenContainers(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h, _ := newContainersHarness(t, sz.w, sz.h)
			h.send(statsTickMsg{}) // a second reading: CPU %
			h.waitScreen("1.25%")
			golden(t, h, "containers-"+sz.name)

			h.keys("?")
			golden(t, h, "containers-help-"+sz.name)
			h.keys("esc")

			h.selectRow("web") // the log view's goldens are in logs_test.go

			h.runDialog("busybox", "hello", `sh -c 'echo "hi there"; sleep 60'`, `A=1, MSG="a, b"`)
			golden(t, h, "run-dialog-"+sz.name)
		})
	}
}

func TestGoldenObjects(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h, _ := newObjectsHarness(t, "3", sz.w, sz.h)
			h.waitScreen("Networks (5)", "db, web")
			golden(t, h, "networks-"+sz.name)

			h.keys("?")
			golden(t, h, "networks-help-"+sz.name)
			h.keys("esc")

			h.keys("n")
			h.typeText("appnet2")
			h.keys("tab")
			h.typeText("10.90.0.0/16")
			h.keys("enter")
			h.waitScreen("overlaps")
			golden(t, h, "network-create-"+sz.name)
			h.keys("esc")

			h.keys("j", "d")
			golden(t, h, "network-remove-"+sz.name)
			h.keys("esc")

			h.keys("4")
			h.waitScreen("Volumes (3)", "123MB")
			golden(t, h, "volumes-"+sz.name)

			h.keys("n")
			h.typeText("data2")
			h.keys("tab")
			h.typeText("team=db")
			golden(t, h, "volume-create-"+sz.name)
			h.keys("esc")

			h.keys("X")
			golden(t, h, "volume-prune-"+sz.name)
			h.keys("esc")

			h.keys("i")
			h.waitScreen("1 Inspect", `"Name": "data"`)
			golden(t, h, "volume-inspect-"+sz.name)
		})
	}
}

// TestGoldenContainersWide: PORTS and NETWORKS show once there is room.
func TestGoldenContainersWide(t *testing.T) {
	h, _ := newObjectsHarness(t, "2", 160, 16)
	h.send(statsTickMsg{})
	h.waitScreen("1.25%", "PORTS", "NETWORKS", "0.0.0.0:8080->80/tcp")
	golden(t, h, "containers-160x16")
}

// TestGoldenLists200x60: every list pane at 200x60, where the columns take
// the space by content; the Containers pane with two rows marked and the
// bulk confirmation, the Images pane's prune choice.
func TestGoldenLists200x60(t *testing.T) {
	h, _ := newObjectsHarness(t, "2", 200, 60)
	h.send(statsTickMsg{})
	h.waitScreen("1.25%")
	golden(t, h, "containers-200x60")

	h.selectRow("web")
	h.keys("space")
	h.selectRow("db")
	h.keys("space")
	h.waitScreen("2 marked")
	golden(t, h, "containers-marked-200x60")
	h.keys("x")
	h.waitScreen("Stop 2 containers")
	golden(t, h, "containers-bulk-stop-200x60")
	h.keys("n", "esc")

	h.keys("1")
	h.waitScreen("Images (")
	golden(t, h, "images-200x60")
	h.keys("X")
	h.waitScreen("Prune images")
	golden(t, h, "images-prune-200x60")
	h.keys("esc")

	h.keys("3")
	h.waitScreen("Networks (5)", "db, web")
	golden(t, h, "networks-200x60")

	h.keys("4")
	h.waitScreen("Volumes (3)", "123MB")
	golden(t, h, "volumes-200x60")
}
