package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"berth/internal/testimage"
)

// withBusybox is a berth root that has pulled busybox from a test registry;
// it returns the image reference. Every container is removed at the end,
// and the test fails if a monitor, mount or cgroup of this root is left.
func withBusybox(t *testing.T) (*berth, string) {
	t.Helper()
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	b := newBerth(t)
	ref := reg.Host + "/busybox"
	b.ok("pull", "-q", ref)
	t.Cleanup(func() { b.removeAll() })
	return b, ref
}

// removeAll removes every container and checks that nothing is left behind.
func (b *berth) removeAll() {
	t := b.t
	ids := strings.Fields(b.ok("ps", "-aq", "--no-trunc"))
	if len(ids) > 0 {
		b.ok(append([]string{"rm", "-f"}, ids...)...)
	}
	eventually(t, 5*time.Second, "the monitors of this root to end", func() bool {
		out, _ := exec.Command("pgrep", "-f", "monitor --root "+b.root).Output()
		return len(strings.TrimSpace(string(out))) == 0
	})
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, b.runRoot) || strings.Contains(line, b.root) {
			t.Errorf("mount left behind: %s", line)
		}
	}
	for _, id := range ids {
		for _, ctl := range []string{"memory", "pids", "cpu", "freezer"} {
			if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", ctl, "berth", id)); err == nil {
				t.Errorf("cgroup %s/berth/%s left behind", ctl, id[:12])
			}
		}
	}
}

// inspect returns one field of `berth inspect --format`.
func (b *berth) inspect(ref, format string) string {
	return strings.TrimSpace(b.ok("container", "inspect", "--format", format, ref))
}

func TestRunOutputAndExitCodes(t *testing.T) {
	b, bb := withBusybox(t)
	if out := b.ok("run", "--rm", bb, "echo", "hello"); out != "hello\n" {
		t.Errorf("run echo: %q", out)
	}
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"exit 3", []string{"sh", "-c", "exit 3"}, 3, ""},
		{"not found", []string{"nosuchcmd"}, 127, "nosuchcmd"},
		{"not executable", []string{"/etc/passwd"}, 126, "/etc/passwd"},
		{"child killed", []string{"sh", "-c", "sleep 10 & kill -9 $!; wait $!"}, 137, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := b.run(append([]string{"run", "--rm", bb}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errOut, tc.err)
			}
		})
	}
	// stdout and stderr stay apart.
	out, errOut, _ := b.run("run", "--rm", bb, "sh", "-c", "echo out; echo err >&2")
	if out != "out\n" || errOut != "err\n" {
		t.Errorf("streams: out %q err %q", out, errOut)
	}
	if out := b.ok("ps", "-aq"); out != "" {
		t.Errorf("--rm left containers: %q", out)
	}
}

func TestRunConfig(t *testing.T) {
	b, bb := withBusybox(t)
	envFile := filepath.Join(t.TempDir(), "env")
	os.WriteFile(envFile, []byte("# comment\nFROM_FILE=yes\n"), 0o644)
	out := b.ok("run", "--rm", "-e", "A=1", "--env-file", envFile, "-w", "/tmp", "-u", "65534", "--hostname", "boxy",
		bb, "sh", "-c", "echo $A $FROM_FILE $(pwd) $(id -u) $(hostname)")
	if out != "1 yes /tmp 65534 boxy\n" {
		t.Errorf("config in the container: %q", out)
	}
	if out := b.ok("run", "--rm", "-u", "nobody", bb, "id", "-u"); out != "65534\n" {
		t.Errorf("-u nobody: %q", out)
	}
	if out := b.ok("run", "--rm", "--entrypoint", "echo", bb, "from", "entrypoint"); out != "from entrypoint\n" {
		t.Errorf("--entrypoint: %q", out)
	}
	if _, errOut, code := b.run("run", "--rm", "--read-only", bb, "touch", "/x"); code == 0 || !strings.Contains(errOut, "Read-only") {
		t.Errorf("--read-only: exit %d, %q", code, errOut)
	}
	// A container whose command cannot start stays created, as with docker.
	b.run("run", "--name", "broken", bb, "nosuchcmd")
	if s := b.inspect("broken", "{{.State.Status}} {{.State.ExitCode}}"); s != "created 127" {
		t.Errorf("after a failed first start: %s", s)
	}
	_, errOut, code := b.run("run", "--rm", "-u", "nosuchuser", bb, "true")
	if code == 0 || !strings.Contains(errOut, "nosuchuser") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("-u nosuchuser: exit %d, %q", code, errOut)
	}
}

func TestRunBadInput(t *testing.T) {
	b, bb := withBusybox(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad memory", []string{"run", "--memory", "lots", bb, "true"}, "memory"},
		{"tiny memory", []string{"run", "--memory", "1k", bb, "true"}, "too small"},
		{"bad cpus", []string{"run", "--cpus", "many", bb, "true"}, "cpus"},
		{"too many cpus", []string{"run", "--cpus", "999", bb, "true"}, "CPUs"},
		{"bad restart", []string{"run", "--restart", "sometimes", bb, "true"}, "restart"},
		{"rm and restart", []string{"run", "--rm", "--restart", "always", bb, "true"}, "--restart and --rm"},
		{"bad name", []string{"run", "--name", "-x", bb, "true"}, "invalid container name"},
		{"unknown image, no pull", []string{"run", "--pull", "never", "ghost:1", "true"}, "no such image"},
		{"bad network", []string{"run", "--network", "nosuch", bb, "true"}, "network nosuch not found"},
		{"bad capability", []string{"run", "--cap-add", "FLY", bb, "true"}, "FLY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := b.run(tc.args...)
			if code != 125 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d (want 125), stderr %q (want %q)", code, errOut, tc.want)
			}
		})
	}
	b.ok("create", "--name", "dup", bb, "true")
	_, errOut, code := b.run("create", "--name", "dup", bb, "true")
	if code != 125 || !strings.Contains(errOut, `"dup" is already in use`) {
		t.Errorf("name in use: exit %d, %q", code, errOut)
	}
	if n := len(strings.Fields(b.ok("ps", "-aq"))); n != 1 {
		t.Errorf("%d containers after a refused create, want 1", n)
	}
	entries, _ := os.ReadDir(filepath.Join(b.root, "containers"))
	if len(entries) != 1 {
		t.Errorf("%d container directories, want 1", len(entries))
	}
}

func TestDetachedLifecycle(t *testing.T) {
	b, bb := withBusybox(t)
	script := `trap 'echo bye; exit 0' TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done`
	id := strings.TrimSpace(b.ok("run", "-d", "--name", "web", "-l", "app=web", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "100", bb, "sh", "-c", script))
	if len(id) != 64 {
		t.Fatalf("run -d printed %q", id)
	}
	if got := b.ok("ps", "--format", "{{.Names}} {{.State}}"); got != "web running\n" {
		t.Errorf("ps: %q", got)
	}
	if got := b.ok("ps", "--filter", "label=app=web", "-q"); strings.TrimSpace(got) != id[:12] {
		t.Errorf("ps --filter label: %q", got)
	}
	// Logs, from a process that did not start the container.
	eventually(t, 5*time.Second, "ticks in the log", func() bool { return strings.Contains(b.ok("logs", "web"), "tick 3") })
	if out := b.ok("logs", "--tail", "2", "-t", "web"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "Z tick") && !strings.Contains(out, "tick") {
		t.Errorf("logs --tail 2 -t: %q", out)
	}
	if out := b.ok("top", "web"); !strings.Contains(out, "PID") || !strings.Contains(out, "sh -c") {
		t.Errorf("top: %q", out)
	}
	if out := b.ok("stats", "--no-stream", "web"); !strings.Contains(out, "web") || !strings.Contains(out, "/ 64MiB") {
		t.Errorf("stats: %q", out)
	}
	if out := b.ok("exec", "web", "ls", "/"); !strings.Contains(out, "bin") {
		t.Errorf("exec ls: %q", out)
	}
	if _, _, code := b.run("exec", "web", "sh", "-c", "exit 5"); code != 5 {
		t.Errorf("exec exit code %d", code)
	}
	b.ok("pause", "web")
	if s := b.inspect("web", "{{.State.Status}}"); s != "paused" {
		t.Errorf("after pause: %s", s)
	}
	b.fails("paused", "exec", "web", "true")
	b.ok("unpause", "web")
	// stop: the trap answers SIGTERM at once.
	start := time.Now()
	b.ok("stop", "-t", "5", "web")
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("stop took %v though the container exits on SIGTERM", d)
	}
	if s := b.inspect("web", "{{.State.Status}} {{.State.ExitCode}}"); s != "exited 0" {
		t.Errorf("after stop: %s", s)
	}
	if !strings.Contains(b.ok("logs", "web"), "bye") {
		t.Errorf("the stop signal's output is not in the log")
	}
	b.fails("not running", "exec", "web", "true")
	b.fails("start it first", "attach", "web")
	b.ok("start", "web")
	b.ok("restart", "-t", "1", "web")
	if s := b.inspect("web", "{{.State.Status}}"); s != "running" {
		t.Errorf("after restart: %s", s)
	}
	b.ok("kill", "web")
	if s := b.inspect("web", "{{.State.Status}} {{.State.ExitCode}}"); s != "exited 137" {
		t.Errorf("after kill: %s", s)
	}
	b.ok("rename", "web", "web2")
	if out := b.ok("wait", "web2"); out != "137\n" {
		t.Errorf("wait: %q", out)
	}
	b.ok("start", "web2")
	b.fails("stop it first", "rm", "web2")
	// The image is in use: rmi refuses, prune -a keeps it.
	b.fails("used by a container", "rmi", bb)
	b.ok("image", "prune", "-a", "-f")
	b.ok("image", "inspect", bb)
	b.ok("rm", "-f", "web2")
	if out := b.ok("ps", "-aq"); out != "" {
		t.Errorf("after rm -f: %q", out)
	}
	// container prune removes what is not running, and only that.
	b.ok("run", "--name", "done1", bb, "true")
	b.ok("create", "--name", "done2", bb, "true")
	b.ok("run", "-d", "--name", "alive", bb, "sleep", "100")
	out := b.ok("container", "prune", "-f")
	if strings.Count(out, "\n") < 4 || !strings.Contains(out, "Total reclaimed space") {
		t.Errorf("container prune: %q", out)
	}
	if got := b.ok("ps", "-a", "--format", "{{.Names}}"); got != "alive\n" {
		t.Errorf("after prune: %q", got)
	}
}

func TestStopPausedAndTimeout(t *testing.T) {
	b, bb := withBusybox(t)
	// sh as pid 1 ignores SIGTERM without a trap: stop must fall back to SIGKILL.
	b.ok("run", "-d", "--name", "stubborn", bb, "sleep", "1000")
	b.ok("pause", "stubborn")
	start := time.Now()
	b.ok("stop", "-t", "1", "stubborn")
	if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
		t.Errorf("stop -t 1 of a container ignoring SIGTERM took %v", d)
	}
	if s := b.inspect("stubborn", "{{.State.Status}} {{.State.ExitCode}}"); s != "exited 137" {
		t.Errorf("after stop of a paused container: %s", s)
	}
}

func TestAttachFromAnotherProcess(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "-i", "--name", "talk", bb, "sh", "-c", "while read l; do echo got $l; done; echo done")
	cmd := exec.Command(berthBin, "attach", "talk")
	cmd.Env = b.env()
	cmd.Stdin = strings.NewReader("one\ntwo\n")
	out, err := cmd.Output()
	if err != nil || string(out) != "got one\ngot two\ndone\n" {
		t.Fatalf("attach: %v %q", err, out)
	}
	if s := b.inspect("talk", "{{.State.Status}}"); s != "exited" {
		t.Errorf("after stdin EOF: %s", s)
	}
}

func TestRestartPolicies(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "flaky", "--restart", "on-failure:2", bb, "sh", "-c", "echo run; exit 1")
	eventually(t, 15*time.Second, "on-failure:2 to give up", func() bool {
		return b.inspect("flaky", "{{.State.Status}} {{.RestartCount}}") == "exited 2"
	})
	if n := strings.Count(b.ok("logs", "flaky"), "run"); n != 3 {
		t.Errorf("on-failure:2 ran %d times, want 3", n)
	}
	b.ok("run", "-d", "--name", "forever", "--restart", "always", bb, "sh", "-c", "sleep 0.2")
	eventually(t, 10*time.Second, "always to restart", func() bool {
		n, _ := strconv.Atoi(b.inspect("forever", "{{.RestartCount}}"))
		return n >= 2
	})
	b.ok("stop", "forever")
	time.Sleep(500 * time.Millisecond)
	if s := b.inspect("forever", "{{.State.Status}}"); s != "exited" {
		t.Errorf("a stopped always-container came back: %s", s)
	}
}

func TestOOMKilled(t *testing.T) {
	b, bb := withBusybox(t)
	_, _, code := b.run("run", "--name", "hog", "--memory", "16m", bb, "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1")
	if code != 137 {
		t.Errorf("exit code %d, want 137", code)
	}
	if s := b.inspect("hog", "{{.State.OOMKilled}} {{.State.ExitCode}}"); s != "true 137" {
		t.Errorf("OOMKilled: %s", s)
	}
}

func TestConfinement(t *testing.T) {
	b, bb := withBusybox(t)
	refused := map[string]string{
		"mount":      "mount -t tmpfs none /mnt",
		"unshare":    "unshare -n true",
		"proc sys":   "echo 1 > /proc/sys/kernel/sysrq",
		"proc kcore": "head -c 1 /proc/kcore | wc -c | grep -q '^1$'",
	}
	for name, cmd := range refused {
		t.Run(name, func(t *testing.T) {
			if _, _, code := b.run("run", "--rm", bb, "sh", "-c", cmd); code == 0 {
				t.Errorf("%q succeeded in a default container", cmd)
			}
		})
	}
	if _, errOut, code := b.run("run", "--rm", "--privileged", bb, "sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt"); code != 0 {
		t.Errorf("mount in a privileged container: %d %s", code, errOut)
	}
}

func TestManyRunsAtOnce(t *testing.T) {
	b, bb := withBusybox(t)
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, errOut, code := b.run("run", "-d", bb, "sleep", "30"); code != 0 {
				errs <- fmt.Sprintf("exit %d: %s %s", code, out, errOut)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	names := strings.Fields(b.ok("ps", "--format", "{{.Names}}"))
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	if len(names) != 20 || len(seen) != 20 {
		t.Errorf("%d running, %d distinct names, want 20 and 20", len(names), len(seen))
	}
}

func TestRemoveWhileStarting(t *testing.T) {
	b, bb := withBusybox(t)
	for i := range 5 {
		name := fmt.Sprintf("race%d", i)
		b.ok("create", "--name", name, bb, "sleep", "30")
		var wg sync.WaitGroup
		var startCode, rmCode int
		wg.Add(2)
		go func() { defer wg.Done(); _, _, startCode = b.run("start", name) }()
		go func() { defer wg.Done(); _, _, rmCode = b.run("rm", name) }()
		wg.Wait()
		// Either rm came first (start fails: no such container) or start did
		// (rm refuses a running container); never both, never neither.
		if (startCode == 0) == (rmCode == 0) {
			t.Errorf("round %d: start exit %d, rm exit %d", i, startCode, rmCode)
		}
	}
}

func TestMonitorKilledThenReconciled(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "orphan", bb, "sleep", "1000")
	var in []struct{ State struct{ MonitorPid, Pid int } }
	json.Unmarshal([]byte(b.ok("container", "inspect", "orphan")), &in)
	mon, pid := in[0].State.MonitorPid, in[0].State.Pid
	if mon == 0 || pid == 0 {
		t.Fatalf("inspect: monitor %d pid %d", mon, pid)
	}
	syscall.Kill(mon, syscall.SIGKILL)
	eventually(t, 5*time.Second, "the monitor to die", func() bool { return syscall.Kill(mon, 0) != nil })
	// The container's process outlives its monitor: berth still shows it running...
	if s := b.inspect("orphan", "{{.State.Status}}"); s != "running" {
		t.Errorf("with its process alive: %s", s)
	}
	// ...and when that process dies too, the next berth records the truth.
	syscall.Kill(pid, syscall.SIGKILL)
	eventually(t, 5*time.Second, "the container's process to die", func() bool { return syscall.Kill(pid, 0) != nil })
	if s := b.inspect("orphan", "{{.State.Status}}"); s != "exited" {
		t.Errorf("after its process died: %s", s)
	}
	b.ok("start", "orphan")
	b.ok("stop", "-t", "1", "orphan")
}

func TestRunInteractiveInTmux(t *testing.T) {
	b, bb := withBusybox(t)
	tm := newTmux(t)
	tm.berth(b, 90, 20, "run -it --name box "+bb+" sh")
	tm.waitFor(10*time.Second, "#")
	tm.text("echo hi-$((6*7)); stty size")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "hi-42", "20 90")
	// The window grows: the container's terminal follows.
	tm.run("resize-window", "-t", "tui", "-x", "100", "-y", "30")
	time.Sleep(200 * time.Millisecond)
	tm.text("stty size")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "30 100")
	// Ctrl-P Ctrl-Q detaches and leaves it running.
	tm.keys("C-p")
	tm.keys("C-q")
	eventually(t, 5*time.Second, "berth run to detach", func() bool { return !tm.alive() })
	if s := b.inspect("box", "{{.State.Status}}"); s != "running" {
		t.Fatalf("after detaching: %s", s)
	}
	// Attach again from a new terminal, and exit the shell.
	tm.berth(b, 90, 20, "attach box")
	tm.text("echo again-$((2*3))")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "again-6")
	tm.text("exit 4")
	tm.keys("Enter")
	eventually(t, 5*time.Second, "attach to end with the shell", func() bool { return !tm.alive() })
	if s := b.inspect("box", "{{.State.Status}} {{.State.ExitCode}}"); s != "exited 4" {
		t.Errorf("after exit: %s", s)
	}
	// exec -it gets a terminal too.
	b.ok("start", "box")
	tm.berth(b, 70, 15, "exec -it box sh; sleep 5")
	tm.text("tty; stty size; exit")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "/dev/pts/", "15 70")
}

func TestDiffAndAutoPull(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	b := newBerth(t)
	t.Cleanup(func() { b.removeAll() })
	bb := reg.Host + "/busybox"
	// run pulls a missing image first, as docker run does.
	out, errOut, code := b.run("run", "--name", "changer", bb, "sh", "-c", "echo x > /new; echo y >> /etc/passwd; rm /bin/ls")
	if code != 0 || !strings.Contains(errOut, "Unable to find image '"+bb+"' locally") {
		t.Fatalf("run with a missing image: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	got := b.ok("diff", "changer")
	for _, want := range []string{"A /new\n", "C /etc/passwd\n", "D /bin/ls\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
	// A container directory with no record (a process killed half-way
	// through a removal) is cleaned up by the next berth.
	orphan := filepath.Join(b.root, "containers", strings.Repeat("ab", 32))
	os.MkdirAll(filepath.Join(orphan, "upper"), 0o700)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(orphan, old, old)
	b.ok("ps")
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphan container directory kept: %v", err)
	}
}

func TestCtrlCReachesTheContainer(t *testing.T) {
	b, bb := withBusybox(t)
	cmd := exec.Command(berthBin, "run", "--rm", "--name", "trapper", bb, "sh", "-c", `trap "echo caught; exit 7" INT; echo ready; while true; do sleep 0.1; done`)
	cmd.Env = b.env()
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the container to be ready", func() bool { return strings.Contains(out.String(), "ready") })
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 || !strings.Contains(out.String(), "caught") {
		t.Fatalf("after Ctrl-C: %v, output %q", err, out.String())
	}
	if got := b.ok("ps", "-aq"); got != "" {
		t.Errorf("--rm container left: %q", got)
	}
}

func TestEventsFromOtherProcesses(t *testing.T) {
	b, bb := withBusybox(t)
	cmd := exec.Command(berthBin, "events", "--filter", "type=container")
	cmd.Env = b.env()
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	time.Sleep(300 * time.Millisecond) // events are those after it started
	b.ok("run", "--rm", "--name", "evented", bb, "true")
	eventually(t, 5*time.Second, "create, start, die and destroy events", func() bool {
		s := out.String()
		return strings.Contains(s, "container create ") && strings.Contains(s, "container start ") &&
			strings.Contains(s, "container die ") && strings.Contains(s, "container destroy ") && strings.Contains(s, "name=evented")
	})
	if strings.Contains(out.String(), "image ") {
		t.Errorf("--filter type=container let image events through:\n%s", out.String())
	}
	// The stored events: --since reads them back, --until in the past ends
	// the command after them, --format prints docker's event message.
	past := b.ok("events", "--since", "1m", "--until", "0s", "--filter", "container=evented", "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.From}}")
	if want := "create evented " + bb + "\nstart evented " + bb + "\ndie evented " + bb + "\ndestroy evented " + bb + "\n"; past != want {
		t.Errorf("events --since 1m --until 0s: %q, want %q", past, want)
	}
}
