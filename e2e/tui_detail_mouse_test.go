package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// cellOf is where s starts on the screen (0-based), or -1, -1.
func cellOf(screen, s string) (col, row int) {
	for y, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, s); i >= 0 {
			return utf8.RuneCountInString(l[:i]), y
		}
	}
	return -1, -1
}

// The detail tabs by mouse, as the outer terminal reports it (SGR,
// 1-based): a click on a tab of the strip shows it, the wheel over the
// tab scrolls it.
func TestTUIDetailMouse(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "web", bb, "sleep", "302")
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (1)", "web", "Up ")
	tm.keys("v")
	screen := tm.waitFor(5*time.Second, "1 Logs  2 Stats  3 Inspect")

	col, row := cellOf(screen, "3 Inspect")
	tm.text(fmt.Sprintf("\x1b[<0;%d;%dM\x1b[<0;%d;%dm", col+2, row+1, col+2, row+1))
	tm.waitFor(5*time.Second, `"Id": `, "line 1/")
	// Two notches down: the cursor moves 3 lines each.
	tm.text(fmt.Sprintf("\x1b[<65;%d;%dM", 20, row+5))
	tm.text(fmt.Sprintf("\x1b[<65;%d;%dM", 20, row+5))
	tm.waitFor(5*time.Second, "line 7/")

	col, row = cellOf(tm.screen(), "4 Env")
	tm.text(fmt.Sprintf("\x1b[<0;%d;%dM\x1b[<0;%d;%dm", col+1, row+1, col+1, row+1))
	tm.waitFor(5*time.Second, "PATH", "variable")
	tm.stop()
}
