package views

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"berth/engine/errdefs"
	"berth/ui"
)

func TestCutImageRef(t *testing.T) {
	tests := []struct {
		ref  string
		w    int
		want string
	}{
		{"busybox:latest", 20, "busybox:latest"},
		{"127.0.0.1:5000/tools/migrate:v2", 20, "…/tools/migrate:v2"},
		{"127.0.0.1:5000/tools/migrate:v2", 14, "…/migrate:v2"},
		{"127.0.0.1:5000/tools/migrate:v2", 9, "migra…:v2"},
		{"registry.example.com/team/app@sha256:abcdef", 22, "…/app@sha256:abcdef"},
		{"nginx:1.27.0-alpine", 3, "ng…"},
	}
	for _, tc := range tests {
		got := cutImageRef(tc.ref, tc.w)
		if got != tc.want || ui.Width(got) > tc.w {
			t.Errorf("cutImageRef(%q, %d) = %q, want %q", tc.ref, tc.w, got, tc.want)
		}
	}
}

func TestCutStats(t *testing.T) {
	cell := "12.34MiB / 64MiB ▁▂▃"
	for _, tc := range []struct {
		w    int
		want string
	}{{20, "12.34MiB / 64MiB ▁▂▃"}, {16, "12.34MiB / 64MiB"}, {10, "12.34MiB"}, {5, "12.3…"}} {
		got := cell
		if ui.Width(cell) > tc.w {
			got = cutStats(cell, tc.w)
		}
		if got != tc.want {
			t.Errorf("width %d: %q, want %q", tc.w, got, tc.want)
		}
	}
}

func TestErrorsGiveTUIAdvice(t *testing.T) {
	inUse := errdefs.Conflict("cannot remove container web: it is running: stop it first, or force with -f")
	if got := adviseErr(inUse, removeAdvice()); got != "cannot remove container web: it is running: D force-removes" {
		t.Errorf("got %q", got)
	}
	gone := fmt.Errorf("stop: %w", errdefs.NotFound("no such container: web"))
	if got := adviseErr(gone, actAdvice()); !strings.HasSuffix(got, ": r refreshes the list") || strings.Contains(got, "-f") {
		t.Errorf("got %q", got)
	}
	// Other kinds keep the engine's words.
	bad := errdefs.InvalidArgument("bad name: use letters")
	if got := adviseErr(bad, removeAdvice()); got != bad.Error() {
		t.Errorf("got %q", got)
	}
}

// TestRemoveRunningSaysTheKey: the engine's refusal to remove a running
// container reads "D force-removes" in the TUI, not the CLI's -f.
func TestRemoveRunningSaysTheKey(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)
	eng.mu.Lock()
	eng.ctrErr = map[string]error{"Remove": errdefs.Conflict("cannot remove container old: it is starting: wait, or force with -f")}
	eng.mu.Unlock()
	h.selectRow("old")
	h.keys("d", "y")
	h.waitScreen("D force-removes")
	if strings.Contains(h.status(), "-f") {
		t.Errorf("CLI advice in the TUI: %q", h.status())
	}
	h.keys("j") // the next key ends the error
	if strings.Contains(h.status(), "force-removes") {
		t.Errorf("the error outlived a key: %q", h.status())
	}
}

func TestCancelledPullLeavesTheDock(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(sampleImages()...), 120, 40)
	h.waitScreen("busybox")
	p := pullAlpine(h, "alpine")
	h.waitScreen("Pulls")
	p.fail(context.Canceled)
	h.waitScreen("cancelled")
	if strings.Contains(h.screen(), "╭─ Pulls") {
		t.Errorf("a cancelled pull stays in the dock:\n%s", h.screen())
	}
}

// TestRefreshSaysItEnded: r's "Refreshing containers…" gives way to the
// answer once the list is in, rather than lingering.
func TestRefreshSaysItEnded(t *testing.T) {
	h, _ := newContainersHarness(t, 120, 40)
	h.keys("r")
	h.waitScreen("Refreshed: 6 containers")
	if strings.Contains(h.screen(), "Refreshing") {
		t.Errorf("Refreshing… lingers:\n%s", h.status())
	}
}
