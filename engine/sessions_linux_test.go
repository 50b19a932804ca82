package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	_ "github.com/opencontainers/runc/libcontainer/nsenter" // joins namespaces before Go starts, for init

	"berth/engine"
	"berth/engine/container"
	"berth/engine/image"
	"berth/internal/testimage"
	"berth/pty"
)

func TestMain(m *testing.M) {
	// The engine starts monitors as "<this binary> monitor ..." and
	// libcontainer re-executes it as "init" inside containers.
	if len(os.Args) > 1 && os.Args[1] == "init" {
		libcontainer.Init()
	}
	if len(os.Args) > 1 && os.Args[1] == "monitor" {
		os.Exit(engine.MonitorMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// sessionEnv is an engine with busybox, and "bashy": busybox plus a
// /usr/bin/bash (a script marking the environment) for the default shell.
type sessionEnv struct {
	eng         *engine.Engine
	busybox     string
	bashy       string
	ctx         context.Context
	nameCounter int
}

func newSessionEnv(tb testing.TB) *sessionEnv {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Fatal("needs root: containers run for real (CI runs as root)")
	}
	root, run := tb.TempDir(), filepath.Join(tb.TempDir(), "run")
	reg := testimage.NewRegistry(tb)
	testimage.Push(tb, reg.Host, "busybox:latest", testimage.Busybox(tb))
	bash := "#!/bin/sh\nexport FAKEBASH=yes\nexec /bin/sh \"$@\"\n"
	bashLayer := testimage.Tar(
		testimage.Entry{Name: "usr/", Type: '5', Mode: 0o755},
		testimage.Entry{Name: "usr/bin/", Type: '5', Mode: 0o755},
		testimage.Entry{Name: "usr/bin/bash", Type: '0', Mode: 0o755, Body: bash},
	)
	testimage.Push(tb, reg.Host, "bashy:latest", testimage.Image(tb, testimage.BusyboxConfig,
		testimage.Layer(tb, testimage.BusyboxLayer(tb)), testimage.Layer(tb, bashLayer)))
	eng, err := engine.New(context.Background(), root, engine.WithRunRoot(run))
	if err != nil {
		tb.Fatal(err)
	}
	e := &sessionEnv{eng: eng, busybox: reg.Host + "/busybox", bashy: reg.Host + "/bashy", ctx: context.Background()}
	for _, ref := range []string{e.busybox, e.bashy} {
		if _, err := eng.PullImage(e.ctx, ref, image.PullOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(func() {
		list, _ := eng.ListContainers(e.ctx, true)
		for _, c := range list {
			if err := eng.RemoveContainer(e.ctx, c.ID, true); err != nil {
				tb.Errorf("remove %s: %v", c.ID, err)
			}
		}
		eng.Close()
	})
	return e
}

// run starts a container and returns its name.
func (e *sessionEnv) run(tb testing.TB, o container.CreateOptions) string {
	tb.Helper()
	e.nameCounter++
	o.Name = fmt.Sprintf("s%d", e.nameCounter)
	o.NetworkMode = "none"
	if o.Image == "" {
		o.Image = e.busybox
	}
	if _, err := e.eng.RunContainer(e.ctx, o); err != nil {
		tb.Fatal(err)
	}
	return o.Name
}

func (e *sessionEnv) status(tb testing.TB, ref string) string {
	tb.Helper()
	in, err := e.eng.InspectContainer(e.ctx, ref)
	if err != nil {
		tb.Fatal(err)
	}
	return in.State.Status
}

// output collects a session's output as it comes.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{} // closed when Read returned an error
	err  error
}

func collect(s pty.Session) *output {
	o := &output{done: make(chan struct{})}
	go func() {
		p := make([]byte, 4096)
		for {
			n, err := s.Read(p)
			o.mu.Lock()
			o.buf.Write(p[:n])
			o.mu.Unlock()
			if err != nil {
				o.err = err
				close(o.done)
				return
			}
		}
	}()
	return o
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

func (o *output) waitFor(tb testing.TB, want ...string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, w := range want {
		for !strings.Contains(o.String(), w) {
			if time.Now().After(deadline) {
				tb.Fatalf("no %q in the output:\n%q", w, o.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// processesRunning lists the host PIDs, in the PID namespace of process
// nsOf, whose command line is args.
func processesRunning(nsOf int, args ...string) []int {
	want := strings.Join(args, "\x00") + "\x00"
	ns, _ := os.Readlink("/proc/" + strconv.Itoa(nsOf) + "/ns/pid")
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		pns, _ := os.Readlink("/proc/" + e.Name() + "/ns/pid")
		if err == nil && string(b) == want && pns == ns {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids
}

func TestExecSession(t *testing.T) {
	e := newSessionEnv(t)
	name := e.run(t, container.CreateOptions{Cmd: []string{"sleep", "1000"}})

	s, err := e.eng.ExecSession(e.ctx, name, nil, 90, 20)
	if err != nil {
		t.Fatal(err)
	}
	out := collect(s)
	io.WriteString(s, "echo hi-$((6*7)) bash-$FAKEBASH; stty size; tty\n")
	out.waitFor(t, "hi-42 bash-\r\n", "20 90", "/dev/pts/")
	if err := s.Resize(100, 30); err != nil {
		t.Fatal(err)
	}
	io.WriteString(s, "stty size\n")
	out.waitFor(t, "30 100")
	io.WriteString(s, "exit 5\n")
	code, err := s.Wait()
	if err != nil || code != 5 {
		t.Fatalf("Wait: %d %v, want 5", code, err)
	}
	select {
	case <-out.done:
		if out.err != io.EOF {
			t.Errorf("Read after the end: %v, want io.EOF", out.err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Read goes on after the command ended")
	}
	s.Close()

	// An explicit command, and its failure to start.
	s, err = e.eng.ExecSession(e.ctx, name, []string{"sh", "-c", "exit 9"}, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := s.Wait(); err != nil || code != 9 {
		t.Errorf("sh -c 'exit 9': %d %v", code, err)
	}
	s.Close()
	if s, err := e.eng.ExecSession(e.ctx, name, []string{"no-such-command"}, 80, 24); err == nil {
		s.Close()
		t.Error("exec of a missing command succeeded")
	}
}

func TestExecSessionDefaultShellIsBash(t *testing.T) {
	e := newSessionEnv(t)
	name := e.run(t, container.CreateOptions{Image: e.bashy, Cmd: []string{"sleep", "1000"}})
	s, err := e.eng.ExecSession(e.ctx, name, nil, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := collect(s)
	io.WriteString(s, "echo bash-$FAKEBASH\n")
	out.waitFor(t, "bash-yes")
}

func TestExecSessionCloseLeavesNoProcess(t *testing.T) {
	e := newSessionEnv(t)
	name := e.run(t, container.CreateOptions{Cmd: []string{"sleep", "1000"}})
	s, err := e.eng.ExecSession(e.ctx, name, nil, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.eng.InspectContainer(e.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	init := in.State.Pid
	out := collect(s)
	// A background job that ignores SIGHUP, and a foreground one.
	io.WriteString(s, "(trap '' HUP; exec sleep 777) & echo started\n")
	out.waitFor(t, "started")
	io.WriteString(s, "sleep 778\n")
	deadline := time.Now().Add(10 * time.Second)
	for len(processesRunning(init, "sleep", "777")) == 0 || len(processesRunning(init, "sleep", "778")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the exec'd jobs did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Wait(); err != nil {
		t.Errorf("Wait after Close: %v", err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		left := slices.Concat(processesRunning(init, "sleep", "777"), processesRunning(init, "sleep", "778"), processesRunning(init, "/bin/sh"))
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
				cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				t.Logf("%d %q: %s", pid, cmd, stat)
			}
			t.Fatalf("processes of the exec left after Close: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := e.status(t, name); st != "running" {
		t.Errorf("the container after Close of an exec: %s", st)
	}
}

func TestAttachSessionTty(t *testing.T) {
	e := newSessionEnv(t)
	name := e.run(t, container.CreateOptions{Cmd: []string{"sh"}, Tty: true, OpenStdin: true})
	s, err := e.eng.AttachSession(e.ctx, name, 90, 20)
	if err != nil {
		t.Fatal(err)
	}
	out := collect(s)
	io.WriteString(s, "echo hi-$((6*7)); stty size\n")
	out.waitFor(t, "hi-42", "20 90")
	if err := s.Resize(100, 30); err != nil {
		t.Fatal(err)
	}
	io.WriteString(s, "stty size\n")
	out.waitFor(t, "30 100")
	// Close detaches: the container keeps running.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Wait(); !errors.Is(err, pty.ErrDetached) {
		t.Fatalf("Wait after Close: %v, want ErrDetached", err)
	}
	<-out.done
	time.Sleep(200 * time.Millisecond)
	if st := e.status(t, name); st != "running" {
		t.Fatalf("after detaching: %s", st)
	}
	// Attach again and end the shell: its exit code.
	s, err = e.eng.AttachSession(e.ctx, name, 90, 20)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out = collect(s)
	io.WriteString(s, "echo again-$((2*3))\n")
	out.waitFor(t, "again-6")
	io.WriteString(s, "exit 4\n")
	if code, err := s.Wait(); err != nil || code != 4 {
		t.Fatalf("Wait: %d %v, want 4", code, err)
	}
	select {
	case <-out.done:
		if out.err != io.EOF {
			t.Errorf("Read after the end: %v", out.err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Read goes on after the container ended")
	}
}

func TestAttachSessionWithoutTty(t *testing.T) {
	e := newSessionEnv(t)
	name := e.run(t, container.CreateOptions{OpenStdin: true,
		Cmd: []string{"sh", "-c", "while read l; do echo out-$l; echo err-$l >&2; done; exit 6"}})
	s, err := e.eng.AttachSession(e.ctx, name, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := collect(s)
	io.WriteString(s, "a\nb\n")
	// stdout and stderr, interleaved in one stream.
	out.waitFor(t, "out-a\n", "err-a\n", "out-b\n", "err-b\n")
	ic, ok := s.(interface{ CloseInput() error })
	if !ok {
		t.Fatalf("%T cannot end its input", s)
	}
	ic.CloseInput()
	if code, err := s.Wait(); err != nil || code != 6 {
		t.Fatalf("Wait: %d %v, want 6", code, err)
	}
	if _, err := e.eng.AttachSession(e.ctx, name, 80, 24); err == nil {
		t.Error("attach to an exited container succeeded")
	}
}

// BenchmarkExecSessionEcho is the time from a key written to an exec
// session's shell (busybox sh, with its line editing) to its echo read
// back: each op types one character or erases it (DEL). Reported: the
// median and the 99th percentile.
func BenchmarkExecSessionEcho(b *testing.B) {
	e := newSessionEnv(b)
	name := e.run(b, container.CreateOptions{Cmd: []string{"sleep", "1000"}})
	s, err := e.eng.ExecSession(e.ctx, name, []string{"/bin/sh"}, 80, 24)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	echoLatency(b, s)
}

// BenchmarkAttachSessionEcho is the same through an attach session to a
// container's shell on a terminal (the monitor's socket in between).
func BenchmarkAttachSessionEcho(b *testing.B) {
	e := newSessionEnv(b)
	name := e.run(b, container.CreateOptions{Cmd: []string{"sh"}, Tty: true, OpenStdin: true})
	s, err := e.eng.AttachSession(e.ctx, name, 80, 24)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	echoLatency(b, s)
}

func echoLatency(b *testing.B, s pty.Session) {
	buf := make([]byte, 4096)
	// The prompt is there once this is echoed (the quotes keep the typed
	// line itself from matching).
	io.WriteString(s, "echo re''ady\n")
	var seen []byte
	for !bytes.Contains(seen, []byte("ready\r\n")) {
		n, err := s.Read(buf)
		if err != nil {
			b.Fatal(err)
		}
		seen = append(seen, buf[:n]...)
	}
	time.Sleep(50 * time.Millisecond) // the prompt, read with the first echo
	lat := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key, echo := []byte("x"), []byte("x")
		if i%2 == 1 {
			key, echo = []byte{0x7f}, []byte("\b")
		}
		start := time.Now()
		if _, err := s.Write(key); err != nil {
			b.Fatal(err)
		}
		var got []byte
		for !bytes.Contains(got, echo) {
			n, err := s.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			got = append(got, buf[:n]...)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}
