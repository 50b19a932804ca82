package pty

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	cpty "github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

func TestConsoleSocket(t *testing.T) {
	parent, child, err := NewConsoleSocket()
	if err != nil {
		t.Fatal(err)
	}
	defer parent.Close()
	master, slave, err := cpty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	// What runc init does: the terminal's name as data, the master as rights.
	if err := unix.Sendmsg(int(child.Fd()), []byte("/dev/ptmx"), unix.UnixRights(int(master.Fd())), nil, 0); err != nil {
		t.Fatal(err)
	}
	child.Close()
	got, err := RecvConsole(parent)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Name() != "/dev/ptmx" {
		t.Errorf("name %q", got.Name())
	}
	flags, _ := unix.FcntlInt(got.Fd(), unix.F_GETFD, 0)
	if flags&unix.FD_CLOEXEC == 0 {
		t.Error("received fd is not close-on-exec")
	}
	// It is the same pty: what the slave writes, the received master reads.
	slave.Write([]byte("hi"))
	buf := make([]byte, 8)
	got.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := got.Read(buf)
	if err != nil || string(buf[:n]) != "hi" {
		t.Errorf("read %q %v", buf[:n], err)
	}
	// The size set on the master is the slave's.
	if err := SetSize(got, 132, 43); err != nil {
		t.Fatal(err)
	}
	if w, h, err := Size(slave); err != nil || w != 132 || h != 43 {
		t.Errorf("size %dx%d %v", w, h, err)
	}
	// Close interrupts a pending read (the file is in Go's poller).
	done := make(chan error, 1)
	got.SetReadDeadline(time.Time{})
	go func() { _, err := got.Read(buf); done <- err }()
	time.Sleep(50 * time.Millisecond)
	got.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("Close did not interrupt Read")
	}
}

func TestRecvConsoleNothingSent(t *testing.T) {
	parent, child, err := NewConsoleSocket()
	if err != nil {
		t.Fatal(err)
	}
	defer parent.Close()
	child.Close()
	if f, err := RecvConsole(parent); err == nil {
		f.Close()
		t.Fatal("RecvConsole without a sender succeeded")
	}
}

func TestMakeRawAndResize(t *testing.T) {
	master, slave, err := cpty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	if !IsTerminal(slave) {
		t.Fatal("slave is no terminal")
	}
	restore, err := MakeRaw(slave)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if st.Lflag&unix.ECHO != 0 || st.Lflag&unix.ICANON != 0 {
		t.Error("not raw")
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	st, _ = unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if st.Lflag&unix.ECHO == 0 {
		t.Error("not restored")
	}
	if _, err := MakeRaw(os.Stdin); err == nil && !term.IsTerminal(int(os.Stdin.Fd())) {
		t.Error("MakeRaw on a non-terminal succeeded")
	}

	SetSize(slave, 80, 24)
	if Width(slave, 1) != 80 {
		t.Errorf("Width %d", Width(slave, 1))
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := NotifyResize(ctx, slave)
	if s := <-ch; s != (WinSize{80, 24}) {
		t.Errorf("first size %+v", s)
	}
	SetSize(slave, 100, 50)
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	select {
	case s := <-ch:
		if s != (WinSize{100, 50}) {
			t.Errorf("size after SIGWINCH %+v", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no size after SIGWINCH")
	}
	cancel()
	for range ch { // closed when ctx ends
	}
}

func TestMakeLinesAndKeys(t *testing.T) {
	master, slave, err := cpty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	restore, err := MakeLines(slave, 0x03, 0x11)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if st.Lflag&unix.ICANON == 0 || st.Lflag&unix.ECHO == 0 || st.Lflag&unix.ISIG != 0 || st.Iflag&unix.IXON != 0 {
		t.Errorf("line mode: lflag %#x iflag %#x", st.Lflag, st.Iflag)
	}
	// The keys in ends end a read at once; a line is edited by the
	// terminal; Ctrl-C raises no signal (it would kill this test).
	read := func() string {
		buf := make([]byte, 64)
		slave.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := slave.Read(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return string(buf[:n])
	}
	master.Write([]byte("ab\x03"))
	if got := read(); got != "ab\x03" {
		t.Errorf("read ended by Ctrl-C: %q", got)
	}
	master.Write([]byte("x\x10\x11"))
	if got := read(); got != "x\x10\x11" {
		t.Errorf("read ended by Ctrl-Q: %q", got)
	}
	master.Write([]byte("helo\x7flo\n"))
	if got := read(); got != "hello\n" {
		t.Errorf("edited line: %q", got)
	}
	if _, err := MakeLines(slave, 1, 2, 3); err == nil {
		t.Error("three line ends accepted")
	}
	restore()

	restore, err = MakeKeys(slave)
	if err != nil {
		t.Fatal(err)
	}
	defer restore()
	st, _ = unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if st.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG) != 0 || st.Iflag&unix.IXON != 0 {
		t.Errorf("key mode: lflag %#x iflag %#x", st.Lflag, st.Iflag)
	}
	master.Write([]byte("\x1c"))
	if got := read(); got != "\x1c" {
		t.Errorf("Ctrl-\\ in key mode: %q", got)
	}
}
