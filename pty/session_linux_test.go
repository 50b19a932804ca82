package pty

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// screen collects a session's output as it comes.
type screen struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{} // closed when Read returned an error
	err  error
}

func readAll(s Session) *screen {
	sc := &screen{done: make(chan struct{})}
	go func() {
		p := make([]byte, 4096)
		for {
			n, err := s.Read(p)
			sc.mu.Lock()
			sc.buf.Write(p[:n])
			sc.mu.Unlock()
			if err != nil {
				sc.err = err
				close(sc.done)
				return
			}
		}
	}()
	return sc
}

func (sc *screen) String() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.buf.String()
}

// waitFor waits until the output holds want.
func (sc *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(sc.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output:\n%q", want, sc.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHostSession(t *testing.T) {
	s, err := StartHost("/bin/sh", 90, 20)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := readAll(s)
	io.WriteString(s, "echo hi-$((6*7)); stty size; echo $TERM\n")
	out.waitFor(t, "hi-42")
	out.waitFor(t, "20 90")
	out.waitFor(t, "xterm-256color")
	if err := s.Resize(100, 30); err != nil {
		t.Fatal(err)
	}
	io.WriteString(s, "stty size\n")
	out.waitFor(t, "30 100")
	io.WriteString(s, "exit 3\n")
	code, err := s.Wait()
	if err != nil || code != 3 {
		t.Fatalf("Wait: %d %v, want 3", code, err)
	}
	select {
	case <-out.done:
		if out.err != io.EOF {
			t.Errorf("Read after the shell ended: %v, want io.EOF", out.err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Read goes on after the shell ended")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after the end: %v", err)
	}
}

func TestHostSessionDefaultShell(t *testing.T) {
	t.Setenv("SHELL", "")
	s, err := StartHost("", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := readAll(s)
	io.WriteString(s, "echo $0-$((1+1))\n")
	out.waitFor(t, "sh-2")
}

func TestHostSessionCloseKillsItsSession(t *testing.T) {
	s, err := StartHost("/bin/sh", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	out := readAll(s)
	// A shell that ignores SIGHUP, with a background job that does too:
	// Close must still end them all (SIGKILL after the grace).
	io.WriteString(s, "trap '' HUP; (trap '' HUP; exec sleep 1000) & echo job-$!\n")
	out.waitFor(t, "job-")
	time.Sleep(100 * time.Millisecond)
	// The shell's session: the shell's PID, found from the job's stat.
	job := strings.Fields(strings.SplitN(out.String(), "job-", 3)[2])[0]
	jobPID := atoi(t, strings.TrimRight(job, "\r\n"))
	sid := sessionOf(jobPID)
	if sid <= 1 {
		t.Fatalf("session of the job %d: %d", jobPID, sid)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < hangupGrace {
		t.Errorf("Close took %v: the shell ignores SIGHUP, it should have waited the grace first", d)
	}
	code, err := s.Wait()
	if err != nil || code != 128+int(syscall.SIGKILL) {
		t.Errorf("Wait after Close: %d %v, want %d", code, err, 128+int(syscall.SIGKILL))
	}
	// The job is gone (a zombie of init at most for a moment).
	deadline := time.Now().Add(5 * time.Second)
	for sessionOf(jobPID) == sid && !isZombie(jobPID) {
		if time.Now().After(deadline) {
			t.Fatalf("background job %d survived Close", jobPID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-out.done:
	case <-time.After(5 * time.Second):
		t.Error("Close did not end a pending Read")
	}
}

func TestHostSessionExitCodeOfASignal(t *testing.T) {
	script := filepath.Join(t.TempDir(), "die")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho dying; kill -USR1 $$\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := StartHost(script, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := readAll(s)
	code, err := s.Wait()
	if err != nil || code != 128+int(syscall.SIGUSR1) {
		t.Fatalf("Wait: %d %v, want %d", code, err, 128+int(syscall.SIGUSR1))
	}
	<-out.done
	if !strings.Contains(out.String(), "dying") {
		t.Errorf("output %q", out.String())
	}
}

func TestStartHostMissingShell(t *testing.T) {
	if s, err := StartHost("/nonexistent/shell", 80, 24); err == nil {
		s.Close()
		t.Fatal("StartHost of a missing shell succeeded")
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// isZombie reports whether pid has ended but is not reaped yet (or is gone).
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && len(b) > i+2 && b[i+2] == 'Z'
}
