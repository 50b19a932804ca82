package e2e

import (
	"archive/tar"
	"strings"
	"testing"
	"time"

	"berth/internal/testimage"
)

// The layer browser on an image whose last layer deletes a file that the
// layer below added: the deletion is marked, with the bytes it wasted, and
// the image's wasted space and efficiency are shown.
func TestTUILayerBrowser(t *testing.T) {
	reg := testimage.NewRegistry(t)
	blob := strings.Repeat("wasted bytes ", 25_000) // 325,000 B
	img := testimage.Image(t, testimage.BusyboxConfig,
		testimage.Layer(t, testimage.BusyboxLayer(t)),
		testimage.Layer(t, testimage.Tar(
			testimage.Entry{Name: "data/", Type: tar.TypeDir},
			testimage.Entry{Name: "data/blob", Body: blob},
			testimage.Entry{Name: "data/keep", Body: "kept"},
		)),
		testimage.Layer(t, testimage.Tar(
			testimage.Entry{Name: "data/", Type: tar.TypeDir},
			testimage.Entry{Name: "data/.wh.blob"},
		)),
	)
	testimage.Push(t, reg.Host, "wh:1", img)
	b := newBerth(t)
	b.ok("pull", reg.Host+"/wh:1")

	tm := startTUI(t, b, 120, 36)
	tm.waitFor(10*time.Second, "Containers (0)")
	tm.keys("1")
	tm.waitFor(5*time.Second, "Images (1)", "/wh")
	tm.keys("L")
	screen := tm.waitFor(10*time.Second, "Changes of layer 3", "wasted 325kB", "efficiency ", "Wasted space (1)")

	// The top layer's deletion: marked removed, sized by what it deleted.
	if l := filesColumn(lineOf(screen, "blob")); !strings.HasPrefix(l, "- ") || !strings.Contains(l, "325kB") {
		t.Errorf("the deleted blob is %q, want it marked - with 325kB:\n%s", l, screen)
	}
	if !strings.Contains(screen, "/data/blob") {
		t.Errorf("the wasted paths do not name /data/blob:\n%s", screen)
	}
	// Efficiency: busybox's bytes over the same plus the blob's, under 100 %.
	if strings.Contains(screen, "efficiency 100") {
		t.Errorf("an image that wastes bytes is 100 %% efficient:\n%s", screen)
	}

	// The layer below added it; the image at the top no longer has it but
	// shows its removal, and keeps data/keep.
	tm.keys("k")
	screen = tm.waitFor(5*time.Second, "Changes of layer 2")
	if l := filesColumn(lineOf(screen, "blob")); !strings.HasPrefix(l, "+ ") {
		t.Errorf("layer 2's blob is %q, want it marked +:\n%s", l, screen)
	}
	tm.keys("j", "a")
	screen = tm.waitFor(5*time.Second, "Image at layer 3", "keep")
	if l := filesColumn(lineOf(screen, "blob")); !strings.HasPrefix(l, "- ") {
		t.Errorf("the image at layer 3 shows the blob as %q, want it marked -:\n%s", l, screen)
	}

	// Filter by path, then back to the list with q, which does not quit.
	tm.keys("/")
	tm.text("keep")
	tm.waitFor(5*time.Second, "/keep")
	eventually(t, 5*time.Second, "the filter to hide the blob", func() bool {
		return filesColumn(lineOf(tm.screen(), "blob")) == ""
	})
	tm.keys("Escape") // alone: Escape then q at once reads as alt+q
	eventually(t, 5*time.Second, "the filter to clear", func() bool {
		return filesColumn(lineOf(tm.screen(), "blob")) != ""
	})
	tm.keys("q")
	tm.waitFor(5*time.Second, "Images (1)")
	if !tm.alive() {
		t.Fatal("q in the layer browser quit berth")
	}
	tm.stop()
}

// filesColumn is what a screen line shows in the layer browser's right
// column (after "││" or "╯│"), trimmed.
func filesColumn(line string) string {
	for _, sep := range []string{"││", "╯│", "│╭", "│╰"} {
		if i := strings.LastIndex(line, sep); i >= 0 {
			return strings.TrimSpace(strings.TrimRight(line[i+len(sep):], " │"))
		}
	}
	return ""
}
