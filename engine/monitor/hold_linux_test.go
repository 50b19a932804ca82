package monitor

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	creackpty "github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// ptmxFds counts the descriptors of this process open on /dev/ptmx (pty
// masters); the monitors of these tests run in this process.
func ptmxFds(t *testing.T) int { return fdsOn(t, "/dev/ptmx") }

// fdsOn counts the descriptors of this process whose link is link.
func fdsOn(t *testing.T, link string) int {
	t.Helper()
	fds, _ := filepath.Glob("/proc/self/fd/*")
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && l == link {
			n++
		}
	}
	return n
}

func TestHoldTerminal(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sleep", "100"}, nil)
	r := startMonitor(t, b, nil)
	r.started()
	base := ptmxFds(t)
	master, slave, err := creackpty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := HoldTerminal(ctx, b.Socket, master); err != nil {
		t.Fatalf("HoldTerminal: %v", err)
	}
	master.Close()

	// The monitor holds the master: the terminal does not hang up, and it
	// reads what is written, so a writer never blocks on a full buffer
	// (a pty buffers a few KiB).
	wrote := make(chan error, 1)
	go func() {
		_, err := slave.Write([]byte(strings.Repeat("output of a detached exec\n", 40000))) // ~1 MiB
		wrote <- err
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatalf("write to the terminal after the caller closed its master: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write of 1 MiB to the held terminal blocked: the monitor does not drain it")
	}
	if n := ptmxFds(t); n != base+1 {
		t.Errorf("%d pty masters open, want %d (the held one)", n, base+1)
	}
	// The last user of the terminal closes it: the monitor lets go.
	slave.Close()
	waitFor(t, "the monitor to close the master", func() bool { return ptmxFds(t) == base })
}

func TestHoldTerminalRefused(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sleep", "100"}, nil)
	r := startMonitor(t, b, nil)
	r.started()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := HoldTerminal(ctx, b.Socket, pr); err == nil || err.Error() != "hold: not a terminal" {
		t.Errorf("holding a pipe: %v, want hold: not a terminal", err)
	}
	// A hold without a descriptor is refused; other ops close any sent.
	c, err := dial(ctx, b.Socket, Hello{Op: OpHold})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := readReply(c); err == nil || !strings.Contains(err.Error(), "send one terminal") {
		t.Errorf("hold without a terminal: %v", err)
	}
	// A descriptor sent with another op is closed, not kept.
	link, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(pr.Fd())))
	w, err := dialUnix(ctx, b.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, _, err := w.WriteMsgUnix([]byte(`{"op":"wait"}`+"\n"), unix.UnixRights(int(pr.Fd())), nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the monitor to close a descriptor sent with a wait", func() bool { return fdsOn(t, link) == 2 })
	if err := HoldTerminal(ctx, filepath.Join(t.TempDir(), "none.sock"), pr); err != ErrNotRunning {
		t.Errorf("no monitor: %v, want ErrNotRunning", err)
	}
}
