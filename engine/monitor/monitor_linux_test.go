package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/runtime-spec/specs-go"

	"berth/engine/errdefs"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func attach(t *testing.T, b *Bundle, opts AttachOptions) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Attach(ctx, b.Socket, opts)
}

// AttachOptions say what Attach connects to what.
type AttachOptions struct {
	Stdin          io.Reader // nil: no input
	Stdout, Stderr io.Writer // nil: discarded
	Tty            bool      // the container has a tty: the detach keys apply
	Start          bool      // ask a WaitAttach monitor to start the process
	Resize         <-chan Size
	Width, Height  uint16 // initial size
}

// Attach drives a Stream as a CLI does: output to opts.Stdout and
// opts.Stderr, opts.Stdin to the process (watching for Ctrl-P Ctrl-Q in tty
// mode, ending its input at EOF), resizes; until the process ends (its exit
// code), the detach keys (ErrDetached) or ctx ends.
func Attach(ctx context.Context, socket string, opts AttachOptions) (int, error) {
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	s, err := OpenStream(ctx, socket, StreamOptions{Stdin: opts.Stdin != nil, Start: opts.Start,
		Width: opts.Width, Height: opts.Height, Stderr: stderr})
	if err != nil {
		return -1, err
	}
	defer s.Close()
	copied := make(chan struct{})
	go func() { io.Copy(stdout, s); close(copied) }()
	if opts.Stdin != nil {
		go func() {
			var dk *KeyFilter
			if opts.Tty {
				dk = NewKeyFilter(nil)
			}
			buf := make([]byte, 4096)
			for {
				n, err := opts.Stdin.Read(buf)
				p, hit := buf[:n], false
				if dk != nil {
					p, hit = dk.Filter(p)
				}
				if len(p) > 0 {
					s.Write(p)
				}
				if hit {
					s.Close()
					return
				}
				if err != nil {
					s.CloseInput()
					return
				}
			}
		}()
	}
	if opts.Resize != nil {
		go func() {
			for size := range opts.Resize {
				if s.Resize(size.Width, size.Height) != nil {
					return
				}
			}
		}()
	}
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	code, err := s.Wait()
	<-copied
	if ctx.Err() != nil && errors.Is(err, ErrDetached) {
		return -1, ctx.Err()
	}
	return code, err
}

func readLog(t *testing.T, path string) (stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	if err := ReadLogs(context.Background(), path, LogOptions{Tail: -1}, WriteLogs(&o, &e, false)); err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String()
}

func TestEchoReachesClientAndLog(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sh", "-c", "echo hello; echo oops >&2; exit 3"}, nil)
	b.WaitAttach = true
	rec := &recorder{}
	r := startMonitor(t, b, rec)
	if rd := r.next(); !rd.Created {
		t.Fatalf("ready %+v", rd)
	}
	var out, errOut syncBuffer
	code, err := attach(t, b, AttachOptions{Stdout: &out, Stderr: &errOut, Start: true})
	if err != nil || code != 3 {
		t.Fatalf("attach: code %d, err %v", code, err)
	}
	if out.String() != "hello\n" || errOut.String() != "oops\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
	if rd := r.next(); !rd.Started || rd.Pid == 0 {
		t.Errorf("ready %+v", rd)
	}
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	started, exits, finished := rec.snapshot()
	if len(started) != 1 || len(exits) != 1 || exits[0].Code != 3 || exits[0].OOMKilled || finished != 1 {
		t.Errorf("recorder: started %v exits %+v finished %d", started, exits, finished)
	}
	o, e := readLog(t, b.Log.Path)
	if o != "hello\n" || e != "oops\n" {
		t.Errorf("log: stdout %q stderr %q", o, e)
	}
	raw, _ := os.ReadFile(b.Log.Path)
	if !strings.Contains(string(raw), `{"log":"hello\n","stream":"stdout","time":"`) {
		t.Errorf("log file is not in json-file format:\n%s", raw)
	}
	checkCleanedUp(t, b)
}

func TestStartFailures(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		name string
		args []string
		user string
		code int
		msg  string
	}{
		{"not found", []string{"nosuchcmd"}, "", 127, `exec: "nosuchcmd": executable file not found in $PATH`},
		{"no such path", []string{"/no/such"}, "", 127, `exec: "/no/such": stat /no/such: no such file or directory`},
		{"not executable", []string{"/etc/noexec"}, "", 126, `exec: "/etc/noexec": permission denied`},
		{"unknown user", []string{"true"}, "bob", 125, "unable to find user bob: no matching entries in passwd file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testBundle(t, tc.args, nil)
			b.Process.User = tc.user
			rec := &recorder{restarts: 1}
			r := startMonitor(t, b, rec)
			rd := r.next()
			if rd.Error != tc.msg || rd.ExitCode != tc.code {
				t.Errorf("ready %+v, want error %q code %d", rd, tc.msg, tc.code)
			}
			if err := r.wait(); err == nil || err.Error() != tc.msg {
				t.Errorf("Run: %v", err)
			}
			select {
			case <-r.ready.closed:
			default:
				t.Error("ready was not closed")
			}
			started, exits, finished := rec.snapshot()
			if len(started) != 0 || len(exits) != 1 || exits[0].Code != tc.code || exits[0].Err != tc.msg || finished != 1 {
				t.Errorf("recorder: started %v exits %+v finished %d", started, exits, finished)
			}
			checkCleanedUp(t, b)
		})
	}
}

func TestMountFailure(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"true"}, nil)
	b.Rootfs.Lower = []string{filepath.Join(t.TempDir(), "missing")}
	rec := &recorder{}
	r := startMonitor(t, b, rec)
	rd := r.next()
	if rd.ExitCode != 125 || !strings.HasPrefix(rd.Error, "rootfs: mount overlay at "+b.Rootfs.Target+": ") {
		t.Errorf("ready %+v", rd)
	}
	r.wait()
	if _, exits, finished := rec.snapshot(); len(exits) != 1 || finished != 1 {
		t.Errorf("exits %+v finished %d", exits, finished)
	}
	checkCleanedUp(t, b)
}

func TestExitCodes(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		script string
		code   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"exit 255", 255},
		{"sleep 100 & kill -9 $!; wait $!", 137}, // a shell reports 128+signal
	} {
		t.Run(tc.script, func(t *testing.T) {
			b := testBundle(t, []string{"sh", "-c", tc.script}, nil)
			rec := &recorder{}
			r := startMonitor(t, b, rec)
			r.started()
			if err := r.wait(); err != nil {
				t.Fatal(err)
			}
			if _, exits, _ := rec.snapshot(); len(exits) != 1 || exits[0].Code != tc.code {
				t.Errorf("exits %+v, want code %d", exits, tc.code)
			}
		})
	}
}

func TestUserAndHome(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sh", "-c", "id; echo HOME=$HOME; pwd"}, nil)
	b.Process.User = "nobody"
	b.Process.Cwd = "/work/dir"
	b.WaitAttach = true
	r := startMonitor(t, b, nil)
	r.next()
	var out syncBuffer
	if code, err := attach(t, b, AttachOptions{Stdout: &out, Stderr: &out, Start: true}); err != nil || code != 0 {
		t.Fatalf("code %d err %v: %s", code, err, out.String())
	}
	want := "uid=65534(nobody) gid=65534(nogroup) groups=50(staff),65534(nogroup)\nHOME=/nonexistent\n/work/dir\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
	r.wait()
	st, err := os.Stat(filepath.Join(b.Rootfs.Upper, "work/dir"))
	if err != nil || st.Sys().(*syscall.Stat_t).Uid != 65534 {
		t.Errorf("working directory not created for the user: %v", err)
	}
}

func TestStdinPipe(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"cat"}, nil)
	b.Process.Stdin = true
	b.WaitAttach = true
	r := startMonitor(t, b, nil)
	r.next()
	var out syncBuffer
	code, err := attach(t, b, AttachOptions{Stdin: strings.NewReader("one\ntwo\n"), Stdout: &out, Start: true})
	if err != nil || code != 0 {
		t.Fatalf("code %d err %v", code, err)
	}
	if out.String() != "one\ntwo\n" {
		t.Errorf("cat echoed %q", out.String())
	}
	r.wait()
}

func TestTty(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sh", "-c", "stty size; read x; stty size; echo $TERM"}, nil)
	b.Process.Tty = true
	b.Process.Stdin = true
	b.WaitAttach = true
	r := startMonitor(t, b, nil)
	r.next()
	inR, inW := io.Pipe()
	defer inW.Close()
	resize := make(chan Size, 1)
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		code, err := attach(t, b, AttachOptions{Stdin: inR, Stdout: &out, Tty: true, Start: true, Width: 100, Height: 30, Resize: resize})
		if err == nil && code != 0 {
			err = fmt.Errorf("exit code %d", code)
		}
		done <- err
	}()
	waitFor(t, "first size", func() bool { return strings.Contains(out.String(), "30 100\r\n") })
	resize <- Size{Width: 120, Height: 40}
	time.Sleep(100 * time.Millisecond) // the resize frame goes first
	io.WriteString(inW, "\r")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "40 120\r\nxterm\r\n") {
		t.Errorf("output %q", out.String())
	}
	r.wait()
	o, _ := readLog(t, b.Log.Path)
	if !strings.Contains(o, "30 100\r\n") {
		t.Errorf("log %q", o)
	}
}

func TestTwoClientsAndASlowOne(t *testing.T) {
	requireRoot(t)
	// 8 MiB of output, then a line on stderr.
	b := testBundle(t, []string{"sh", "-c", "head -c 8388608 /dev/zero | tr '\\0' x; echo; echo end >&2"}, nil)
	b.Log.MaxSize = 64 << 10
	b.Log.MaxFiles = 2
	b.WaitAttach = true
	r := startMonitor(t, b, nil)
	r.next()

	// The slow client says hello and never reads.
	slow, err := net.Dial("unix", b.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, "{}\n")

	type res struct {
		n    int
		err  string
		code int
	}
	results := make(chan res, 2)
	var wg sync.WaitGroup
	for i, start := range []bool{false, true} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if start {
				time.Sleep(200 * time.Millisecond) // let the other client attach first
			}
			var cnt countWriter
			var errOut syncBuffer
			code, err := attach(t, b, AttachOptions{Stdout: &cnt, Stderr: &errOut, Start: start})
			if err != nil {
				t.Errorf("client %d: %v", i, err)
			}
			results <- res{cnt.n, errOut.String(), code}
		}()
	}
	wg.Wait()
	close(results)
	for res := range results {
		if res.n != 8<<20+1 || res.err != "end\n" || res.code != 0 {
			t.Errorf("client got %d bytes, stderr %q, code %d", res.n, res.err, res.code)
		}
	}
	r.wait()
	// The slow client was dropped: its connection ends without an Exit frame
	// long before it could have taken 8 MiB.
	slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, slow)
	if err != nil || n >= 8<<20 {
		t.Errorf("slow client read %d bytes, %v", n, err)
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

func TestDetachSignalWait(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sh", "-c", "trap 'echo bye; exit 7' TERM; echo ready; while true; do read x; echo got $x; done"}, nil)
	b.Process.Tty = true
	b.Process.Stdin = true
	r := startMonitor(t, b, nil)
	r.started()

	inR, inW := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := attach(t, b, AttachOptions{Stdin: inR, Stdout: &out, Tty: true, Width: 80, Height: 24})
		done <- err
	}()
	io.WriteString(inW, "abc\r")
	waitFor(t, "echo of input", func() bool { return strings.Contains(out.String(), "got abc") })
	inW.Write([]byte{0x10, 0x11})
	if err := <-done; !errors.Is(err, ErrDetached) {
		t.Fatalf("attach returned %v, want ErrDetached", err)
	}
	// Still running after the detach.
	waitCh := make(chan Exit, 1)
	go func() {
		ex, err := WaitExit(context.Background(), b.Socket)
		if err != nil {
			t.Error(err)
		}
		waitCh <- ex
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case ex := <-waitCh:
		t.Fatalf("container exited after detach: %+v", ex)
	default:
	}
	if err := Signal(b.Socket, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// sh runs the trap once the read is interrupted.
	ex := <-waitCh
	if ex.Code != 7 || ex.OOMKilled {
		t.Errorf("exit %+v, want code 7", ex)
	}
	r.wait()
	checkCleanedUp(t, b)
	if err := Signal(b.Socket, syscall.SIGTERM); !errors.Is(err, ErrNotRunning) || !errdefs.IsConflict(err) {
		t.Errorf("Signal after the end: %v", err)
	}
	if _, err := WaitExit(context.Background(), b.Socket); !errors.Is(err, ErrNotRunning) {
		t.Errorf("WaitExit after the end: %v", err)
	}
}

func TestKillAndCancel(t *testing.T) {
	requireRoot(t)
	t.Run("sigkill", func(t *testing.T) {
		b := testBundle(t, []string{"sleep", "100"}, nil)
		r := startMonitor(t, b, nil)
		pid := r.started()
		// Started means runc init let go, not that sleep has replaced it
		// yet (runc init would die of SIGTERM).
		waitFor(t, "sleep to run", func() bool {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			return string(comm) == "sleep\n"
		})
		// pid 1 ignores SIGTERM it has no handler for.
		if err := Signal(b.Socket, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := WaitExit(ctx, b.Socket)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitExit after SIGTERM: %v", err)
		}
		go func() {
			time.Sleep(100 * time.Millisecond)
			Signal(b.Socket, syscall.SIGKILL)
		}()
		ex, err := WaitExit(context.Background(), b.Socket)
		if err != nil || ex.Code != 137 {
			t.Fatalf("WaitExit: %+v %v", ex, err)
		}
		r.wait()
		checkCleanedUp(t, b)
	})
	t.Run("cancel", func(t *testing.T) {
		b := testBundle(t, []string{"sleep", "100"}, nil)
		rec := &recorder{restarts: 5}
		r := startMonitor(t, b, rec)
		r.started()
		r.cancel()
		if err := r.wait(); err != nil {
			t.Fatal(err)
		}
		started, exits, finished := rec.snapshot()
		if len(started) != 1 || len(exits) != 1 || exits[0].Code != 137 || finished != 1 {
			t.Errorf("recorder: started %v exits %+v finished %d", started, exits, finished)
		}
		checkCleanedUp(t, b)
	})
	t.Run("cancel while waiting to attach", func(t *testing.T) {
		b := testBundle(t, []string{"sleep", "100"}, nil)
		b.WaitAttach = true
		r := startMonitor(t, b, nil)
		r.next()
		r.cancel()
		if rd := r.next(); rd.Error == "" || rd.ExitCode != 125 {
			t.Errorf("ready %+v", rd)
		}
		r.wait()
		checkCleanedUp(t, b)
	})
}

func TestRestart(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"sh", "-c", "echo run; exit 1"}, nil)
	rec := &recorder{restarts: 1, delay: 50 * time.Millisecond}
	r := startMonitor(t, b, rec)
	r.started()
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	started, exits, finished := rec.snapshot()
	if len(started) != 2 || started[0] == started[1] || len(exits) != 2 || exits[1].Code != 1 || finished != 1 {
		t.Errorf("recorder: started %v exits %+v finished %d", started, exits, finished)
	}
	if o, _ := readLog(t, b.Log.Path); o != "run\nrun\n" {
		t.Errorf("log %q", o)
	}
	checkCleanedUp(t, b)
}

func TestOOMKilled(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"}, func(s *specs.Spec) {
		limit := int64(32 << 20)
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
	})
	rec := &recorder{}
	r := startMonitor(t, b, rec)
	r.started()
	r.wait()
	_, exits, _ := rec.snapshot()
	if len(exits) != 1 || exits[0].Code != 137 || !exits[0].OOMKilled {
		t.Errorf("exits %+v, want 137 OOM-killed", exits)
	}
	checkCleanedUp(t, b)
}

func TestLogRotationThroughMonitor(t *testing.T) {
	requireRoot(t)
	b := testBundle(t, []string{"seq", "1", "5000"}, nil)
	b.Log.MaxSize = 16 << 10
	b.Log.MaxFiles = 50
	r := startMonitor(t, b, nil)
	r.started()
	r.wait()
	if !exists(b.Log.Path+".1") || !exists(b.Log.Path+".5") {
		t.Fatal("log did not rotate")
	}
	var want strings.Builder
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&want, "%d\n", i)
	}
	if o, _ := readLog(t, b.Log.Path); o != want.String() {
		t.Errorf("log has %d bytes, want %d", len(o), want.Len())
	}
	var tail bytes.Buffer
	ReadLogs(context.Background(), b.Log.Path, LogOptions{Tail: 3}, WriteLogs(&tail, &tail, false))
	if tail.String() != "4998\n4999\n5000\n" {
		t.Errorf("tail %q", tail.String())
	}
}

func TestOverlayFsconfig(t *testing.T) {
	requireRoot(t)
	forceFsconfig = true
	defer func() { forceFsconfig = false }()
	b := testBundle(t, []string{"sh", "-c", "ls /bin/dd /etc/noexec"}, nil)
	b.WaitAttach = true
	r := startMonitor(t, b, nil)
	r.next()
	var out syncBuffer
	if code, err := attach(t, b, AttachOptions{Stdout: &out, Stderr: &out, Start: true}); err != nil || code != 0 {
		t.Fatalf("code %d err %v: %s", code, err, out.String())
	}
	r.wait()
	checkCleanedUp(t, b)
}

// TestMonitorRSS runs a monitor as a process of its own, as the engine
// does, idle and with output streaming through it to the log and a client,
// and reports its memory. The test binary is bigger than the monitor needs
// (testing, registry code...), so the file-backed part of its RSS says
// little; its private memory (RssAnon) is the monitor's own.
func TestMonitorRSS(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("short")
	}
	for _, tc := range []struct{ name, script string }{
		{"idle", "sleep 30"},
		{"streaming", "while true; do seq 1 2000; sleep 0.05; done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testBundle(t, []string{"sh", "-c", tc.script}, nil)
			raw, _ := json.Marshal(b)
			bundlePath := filepath.Join(t.TempDir(), "bundle.json")
			os.WriteFile(bundlePath, raw, 0o600)
			cmd := exec.Command("/proc/self/exe", "monitor-helper", bundlePath)
			if h := os.Getenv("BERTH_MONITOR_HELPER"); h != "" {
				cmd = exec.Command(h, bundlePath) // another build of the helper
			}
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				cmd.Process.Signal(syscall.SIGTERM)
				cmd.Wait()
				checkCleanedUp(t, b)
			}()
			lines := make([]byte, 0, 256)
			buf := make([]byte, 256)
			for strings.Count(string(lines), "\n") < 2 {
				n, err := out.Read(buf)
				if err != nil {
					t.Fatalf("helper: %v (%s)", err, lines)
				}
				lines = append(lines, buf[:n]...)
			}
			if !strings.Contains(string(lines), `"started":true`) {
				t.Fatalf("helper said %s", lines)
			}
			// A client stays attached for a while.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			var cnt countWriter
			Attach(ctx, b.Socket, AttachOptions{Stdout: &cnt})
			cancel()
			st := procStatus(t, cmd.Process.Pid)
			t.Logf("after %d KiB of output to a client: VmRSS %d KiB (RssAnon %d, RssFile %d), VmHWM %d KiB",
				cnt.n>>10, st["VmRSS"], st["RssAnon"], st["RssFile"], st["VmHWM"])
			if st["RssAnon"] > 8<<10 {
				t.Errorf("the monitor's private memory is %d KiB", st["RssAnon"])
			}
		})
	}
}

// procStatus reads the kB figures of /proc/<pid>/status.
func procStatus(t *testing.T, pid int) map[string]int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if v, isKB := strings.CutSuffix(strings.TrimSpace(v), " kB"); ok && isKB {
			out[k], _ = strconv.Atoi(v)
		}
	}
	return out
}
