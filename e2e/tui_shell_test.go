package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// shellsWith lists the processes whose command line holds marker: what the
// panes' shells started.
func shellsWith(marker string) string {
	out, _ := exec.Command("pgrep", "-af", marker).Output()
	return strings.TrimSpace(string(out))
}

func TestTUIShellPanes(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "alpha", bb, "sleep", "300")
	b.ok("run", "-d", "--name", "beta", bb, "sleep", "300")
	b.ok("run", "-dit", "--name", "gamma", bb, "sh")
	tm := startTUI(t, b, 140, 36)
	tm.waitFor(10*time.Second, "Containers (3)", "alpha", "beta", "gamma")

	// A shell in alpha, beside the list.
	selectRow(t, tm, "alpha")
	tm.keys("e")
	tm.waitFor(10*time.Second, "shell alpha", "/ #")
	tm.text("echo $((6*7))")
	tm.keys("Enter")
	screen := tm.waitFor(5*time.Second, "42", "Containers (3)", "beta")
	if !strings.Contains(screen, "echo $((6*7))") {
		t.Errorf("the command line is not in the pane:\n%s", screen)
	}
	// The list beside it still follows what the CLI does.
	b.ok("run", "-d", "--name", "delta", bb, "sleep", "300")
	tm.waitFor(10*time.Second, "Containers (4)", "delta", "42")

	// The pane follows the window's size.
	tm.text("stty size")
	tm.keys("Enter")
	first := tm.waitFor(5*time.Second, "stty size")
	tm.run("resize-window", "-t", "tui", "-x", "160", "-y", "44")
	time.Sleep(300 * time.Millisecond)
	tm.keys("C-l")
	tm.text("stty size; echo sized")
	tm.keys("Enter")
	second := tm.waitFor(5*time.Second, "sized")
	if sizeLine(first) == sizeLine(second) || sizeLine(second) == "" {
		t.Errorf("stty size did not change: %q then %q", sizeLine(first), sizeLine(second))
	}

	// The lists get the keys back; a second shell in beta; two tabs.
	tm.keys("C-]")
	selectRow(t, tm, "beta")
	tm.keys("e")
	tm.waitFor(10*time.Second, "1 shell alpha", "2 shell beta")
	tm.text("echo in-beta-$((1+1))")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "in-beta-2")
	tm.text("sleep 1000 &")
	tm.keys("Enter")

	// Attach to gamma, detach with Ctrl-P Ctrl-Q: it keeps running.
	tm.keys("C-]")
	selectRow(t, tm, "gamma")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "attach gamma")
	tm.keys("Enter")
	tm.text("echo attached-$((2+3))")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "attached-5")
	tm.keys("C-p", "C-q")
	tm.waitFor(5*time.Second, "[detached]")
	if s := b.inspect("gamma", "{{.State.Status}}"); s != "running" {
		t.Errorf("gamma after detaching: %s", s)
	}
	if got := shellsWith("sleep 1000"); got == "" {
		t.Fatal("the background sleep of the beta shell is not running")
	}

	// Quitting asks, then ends the shells: no exec process is left.
	tm.keys("x", "C-]", "q")
	tm.waitFor(5*time.Second, "Quit berth", "sessions are open")
	tm.keys("y")
	eventually(t, 10*time.Second, "berth to quit", func() bool { return !tm.alive() })
	eventually(t, 10*time.Second, "the exec sessions' processes to end", func() bool { return shellsWith("sleep 1000") == "" })
	for _, name := range []string{"alpha", "beta", "gamma"} {
		if s := b.inspect(name, "{{.State.Status}}"); s != "running" {
			t.Errorf("%s after quitting: %s", name, s)
		}
	}
}

// sizeLine is the last "rows cols" answer of stty size on screen.
func sizeLine(screen string) string {
	var last string
	for _, l := range strings.Split(screen, "\n") {
		for _, f := range strings.Split(l, "│") {
			f = strings.TrimSpace(f)
			p := strings.Fields(f)
			if len(p) == 2 && isDigits(p[0]) && isDigits(p[1]) {
				last = f
			}
		}
	}
	return last
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// selectRow moves the list's cursor to the row of name: a filter that
// leaves it alone, then cleared.
func selectRow(t *testing.T, tm *tmux, name string) {
	t.Helper()
	tm.keys("/")
	tm.text(name)
	tm.keys("Enter")
	// "(1/" shows while the filter is still typed; "esc clears" once Enter
	// ended the typing. Escape must not go before that: an Escape read
	// together with the next key is Alt and that key.
	tm.waitFor(5*time.Second, "(1/", "esc clears")
	tm.keys("Escape") // the filter goes, the cursor stays on the row
	eventually(t, 5*time.Second, "the filter to clear", func() bool { return !strings.Contains(tm.screen(), "esc clears") })
}

func TestTUIShellPaneRunsVi(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "editor", bb, "sleep", "300")
	tm := startTUI(t, b, 120, 32)
	tm.waitFor(10*time.Second, "Containers (1)", "editor")
	tm.keys("e")
	tm.waitFor(10*time.Second, "shell editor", "/ #")
	tm.text("vi /tmp/note")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "/tmp/note")
	tm.text("ihello from vi")
	tm.keys("Escape")
	time.Sleep(200 * time.Millisecond) // Escape alone, not the start of a sequence
	tm.text(":wq")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "/ #")
	tm.text("cat /tmp/note; echo viok$((1+1))")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "viok2", "hello from vi")
	if got := strings.TrimSpace(b.ok("exec", "editor", "cat", "/tmp/note")); got != "hello from vi" {
		t.Errorf("the file vi saved holds %q", got)
	}
	tm.keys("C-]", "q")
	tm.waitFor(5*time.Second, "Quit berth")
	tm.keys("y")
	eventually(t, 10*time.Second, "berth to quit", func() bool { return !tm.alive() })
}

// Text selected in a pane reaches the outer terminal's clipboard (OSC 52;
// tmux with set-clipboard on makes a paste buffer of it): with the keys of
// copy mode, and with a mouse drag.
func TestTUIShellPaneCopiesText(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "clip", bb, "sleep", "300")
	tm := startTUI(t, b, 120, 32)
	tm.run("set-option", "-s", "set-clipboard", "on")
	tm.waitFor(10*time.Second, "Containers (1)", "clip")
	tm.keys("e")
	tm.waitFor(10*time.Second, "shell clip", "/ #")
	tm.text("echo copy-$((6*7))-me")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "copy-42-me")

	// Copy mode: up to the output line, from its start to its end.
	tm.keys("C-]", "v", "k", "0", "v", "$", "y")
	tm.waitFor(5*time.Second, "Copied 10 bytes from shell clip")
	buffer := func() string {
		out, _ := exec.Command("tmux", "-L", tm.socket, "show-buffer").Output()
		return string(out)
	}
	eventually(t, 5*time.Second, "the paste buffer to hold copy-42-me", func() bool { return buffer() == "copy-42-me" })

	// A drag over "copy-" of the output line, as the outer terminal reports
	// it (SGR: press, motion with the button down, release; 1-based).
	row, col := -1, -1
	for y, l := range strings.Split(tm.screen(), "\n") {
		if i := strings.Index(l, "copy-42-me"); i >= 0 && !strings.Contains(l, "echo") {
			row, col = y, utf8.RuneCountInString(l[:i])
		}
	}
	if row < 0 {
		t.Fatalf("the output line is not on screen:\n%s", tm.screen())
	}
	tm.text(fmt.Sprintf("\x1b[<0;%d;%dM\x1b[<32;%d;%dM\x1b[<0;%d;%dm", col+1, row+1, col+5, row+1, col+5, row+1))
	tm.waitFor(5*time.Second, "Copied 5 bytes from shell clip")
	eventually(t, 5*time.Second, "the paste buffer to hold copy-", func() bool { return buffer() == "copy-" })
	tm.keys("C-]", "q")
	tm.waitFor(5*time.Second, "Quit berth")
	tm.keys("y")
	eventually(t, 10*time.Second, "berth to quit", func() bool { return !tm.alive() })
}
