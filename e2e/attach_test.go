package e2e

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Attaching from a terminal to a container started without -t: Ctrl-C
// reaches the container as SIGINT, Ctrl-\ kills nothing here, Ctrl-P
// Ctrl-Q detaches, and a container that ignores SIGINT lets a second
// Ctrl-C bring the user back. The container keeps running each time.
func TestAttachWithoutTtyFromATerminal(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "quiet", bb, "sh", "-c",
		`trap "echo got-int" INT; trap "echo got-quit" QUIT; while true; do sleep 0.1; done`)
	tm := newTmux(t)
	tm.berth(b, 80, 20, "attach quiet; echo attach-ended-$?; sleep 30")
	time.Sleep(300 * time.Millisecond) // attached
	tm.keys("C-c")
	tm.waitFor(5*time.Second, "got-int")
	tm.keys(`C-\`)
	tm.waitFor(5*time.Second, "got-quit")
	if s := tm.screen(); strings.Contains(s, "goroutine") || strings.Contains(s, "attach-ended") {
		t.Fatalf("Ctrl-\\ ended berth attach:\n%s", s)
	}
	tm.keys("C-p")
	tm.keys("C-q")
	tm.waitFor(5*time.Second, "attach-ended-0")
	if s := b.inspect("quiet", "{{.State.Status}}"); s != "running" {
		t.Fatalf("after Ctrl-P Ctrl-Q: %s", s)
	}
	tm.stop()

	// A container that ignores SIGINT (sleep as PID 1): a second Ctrl-C
	// detaches.
	b.ok("run", "-d", "--name", "deaf", bb, "sleep", "1000")
	tm = newTmux(t)
	tm.berth(b, 80, 20, "attach deaf; echo attach-ended-$?; sleep 30")
	time.Sleep(300 * time.Millisecond)
	tm.keys("C-c")
	time.Sleep(200 * time.Millisecond)
	tm.keys("C-c")
	tm.waitFor(5*time.Second, "did not end on SIGINT", "attach-ended-0")
	if s := b.inspect("deaf", "{{.State.Status}}"); s != "running" {
		t.Fatalf("after Ctrl-C twice: %s", s)
	}
	tm.stop()

	// With -i, typed lines are its input, edited and echoed by the
	// terminal as usual; the detach keys work in the middle of a line.
	b.ok("run", "-d", "-i", "--name", "reader", bb, "sh", "-c", `while read l; do echo got-$l; done; echo input-ended`)
	tm = newTmux(t)
	tm.berth(b, 80, 20, "attach reader; echo attach-ended-$?; sleep 30")
	time.Sleep(300 * time.Millisecond)
	tm.text("helo")
	tm.keys("BSpace")
	tm.text("lo")
	tm.waitFor(5*time.Second, "hello")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "got-hello")
	tm.text("half a line")
	tm.keys("C-p")
	tm.keys("C-q")
	tm.waitFor(5*time.Second, "attach-ended-0")
	if s := b.inspect("reader", "{{.State.Status}}"); s != "running" {
		t.Fatalf("after Ctrl-P Ctrl-Q: %s", s)
	}
	tm.stop()
	tm = newTmux(t)
	tm.berth(b, 80, 20, "attach reader; echo attach-ended-$?; sleep 30")
	time.Sleep(300 * time.Millisecond)
	tm.text("again")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "got-again")
	tm.keys("C-d") // its input ends; so does it
	tm.waitFor(5*time.Second, "input-ended", "attach-ended-0")
	if strings.Contains(tm.screen(), "half") {
		t.Errorf("the line cut by the detach keys reached the container:\n%s", tm.screen())
	}
}

// SIGTERM ends berth attach (a UI or a script that started it must be able
// to), detaching: the container keeps running.
func TestAttachEndsOnSIGTERM(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "steady", bb, "sh", "-c", `trap "" TERM; while true; do echo tick; sleep 0.1; done`)
	cmd := exec.Command(berthBin, "attach", "steady")
	cmd.Env = b.env()
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "output", func() bool { return strings.Contains(out.String(), "tick") })
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Signal(os.Kill)
		<-done
		t.Fatal("berth attach ignored SIGTERM")
	}
	if s := b.inspect("steady", "{{.State.Status}}"); s != "running" {
		t.Errorf("after SIGTERM to berth attach: %s", s)
	}
}

// stop ends the test's tmux server and waits until it is gone: the next
// one takes the same socket, and a new session can otherwise meet a server
// that is exiting ("server exited unexpectedly").
func (tm *tmux) stop() {
	tm.t.Helper()
	tm.run("kill-server")
	eventually(tm.t, 5*time.Second, "the tmux server to exit", func() bool {
		return exec.Command("tmux", "-L", tm.socket, "list-sessions").Run() != nil
	})
	time.Sleep(100 * time.Millisecond)
}
