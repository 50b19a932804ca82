package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // to hold berth's store lock from outside
	"golang.org/x/sys/unix"

	"berth/internal/testimage"
)

// Fault injection: berth killed -9 at random points, monitors killed, a
// disk that fills, a store lock held by someone else. After each fault the
// suite checks (faulty.consistent) that berth's view agrees with the
// machine and that the next commands work. The short form runs in CI; the
// long one: go test -tags seccomp ./e2e/ -run Fault -fault.long.

// killOp is a berth command to kill -9 at a random point.
type killOp struct {
	name string
	// spawns: the command starts a monitor; it is also killed the moment
	// that monitor appears, and recovered from at once, while the monitor
	// is still starting the container.
	spawns bool
	// setup makes what the command needs and returns its arguments; n
	// makes names unique per round.
	setup func(f *faulty, n string) []string
	// after checks that the command works again and leaves things right,
	// whether or not the killed one had finished.
	after func(f *faulty, n string)
}

// bigLayers × bigLayer bytes of random data make the multi-layer image
// that the pull round pulls (on top of busybox).
const (
	bigLayers = 3
	bigLayer  = 2 << 20
)

func killOps() []killOp {
	big := func(f *faulty) string { return f.reg.Host + "/big" }
	sleeper := func(f *faulty, name string, verb ...string) []string {
		return append(verb, "--name", name, "-l", longrun, f.bb, "sleep", "1000")
	}
	return []killOp{
		{name: "pull",
			setup: func(f *faulty, n string) []string {
				if n != "0" { // absent the first time
					f.must("rmi", big(f))
				}
				return []string{"pull", big(f)}
			},
			after: func(f *faulty, n string) {
				f.must("pull", big(f))
				want := fmt.Sprint(bigLayers * bigLayer)
				if out := f.must("run", "--rm", big(f), "sh", "-c", "cat /data/random-* | wc -c"); strings.TrimSpace(out) != want {
					f.errorf("the image pulled after a killed pull holds %s bytes of layer data, want %s", strings.TrimSpace(out), want)
				}
			}},
		{name: "run -d", spawns: true,
			setup: func(f *faulty, n string) []string { return sleeper(f, "rd"+n, "run", "-d") },
			after: func(f *faulty, n string) { f.removeAndReuse("rd" + n) }},
		{name: "run --rm", spawns: true,
			setup: func(f *faulty, n string) []string {
				return []string{"run", "--rm", "--name", "rr" + n, f.bb, "echo", "hi"}
			},
			after: func(f *faulty, n string) { f.removeAndReuse("rr" + n) }},
		{name: "rm -f",
			setup: func(f *faulty, n string) []string {
				f.must(sleeper(f, "rf"+n, "run", "-d")...)
				return []string{"rm", "-f", "rf" + n}
			},
			after: func(f *faulty, n string) { f.removeAndReuse("rf" + n) }},
		{name: "stop",
			setup: func(f *faulty, n string) []string {
				f.must(sleeper(f, "st"+n, "run", "-d")...) // sleep as pid 1 ignores SIGTERM: stop kills after 1 s
				return []string{"stop", "-t", "1", "st" + n}
			},
			after: func(f *faulty, n string) {
				f.must("stop", "-t", "1", "st"+n)
				all, problem := f.containers()
				if s, ok := byName(all, "st"+n); problem != "" || !ok || s.State.Status != "exited" || s.State.ExitCode == 0 || s.State.FinishedAt.IsZero() {
					f.errorf("after stop: %+v %s", s.State, problem)
				}
				f.removeAndReuse("st" + n)
			}},
		{name: "exec",
			setup: func(f *faulty, n string) []string {
				all, _ := f.containers()
				if s, ok := byName(all, "ex"); !ok || s.State.Status != "running" {
					if ok {
						f.must("rm", "-f", "ex")
					}
					f.must(sleeper(f, "ex", "run", "-d")...)
				}
				return []string{"exec", "ex", "sh", "-c", "echo in; sleep 0.2; echo out"}
			},
			after: func(f *faulty, n string) {
				if out := f.must("exec", "ex", "echo", "ok"); out != "ok\n" {
					f.errorf("exec after a killed exec printed %q", out)
				}
			}},
		{name: "create",
			setup: func(f *faulty, n string) []string { return sleeper(f, "cr"+n, "create") },
			after: func(f *faulty, n string) {
				all, _ := f.containers()
				if s, ok := byName(all, "cr"+n); ok {
					if s.State.Status != "created" {
						f.errorf("a container whose create was killed is %s", s.State.Status)
					}
					f.must("start", "cr"+n)
				}
				f.removeAndReuse("cr" + n)
			}},
		{name: "start", spawns: true,
			setup: func(f *faulty, n string) []string {
				f.must(sleeper(f, "sa"+n, "create")...)
				return []string{"start", "sa" + n}
			},
			after: func(f *faulty, n string) {
				f.must("start", "sa"+n)
				all, _ := f.containers()
				if s, _ := byName(all, "sa"+n); s.State.Status != "running" {
					f.errorf("start after a killed start: %s, want running", s.State.Status)
				}
				f.removeAndReuse("sa" + n)
			}},
	}
}

// removeAndReuse removes container name if it is there, then checks that
// the name is free again.
func (f *faulty) removeAndReuse(name string) {
	f.t.Helper()
	all, problem := f.containers()
	if problem != "" {
		f.fatalf("%s", problem)
	}
	if _, ok := byName(all, name); ok {
		f.must("rm", "-f", name)
	}
	all, _ = f.containers()
	if s, ok := byName(all, name); ok {
		f.fatalf("rm -f %s succeeded but ps -a still lists it (%s)", name, s.State.Status)
	}
	f.must("create", "--name", name, f.bb, "true")
	f.must("rm", name)
}

func TestFaultKill9(t *testing.T) {
	seed := seedOf(t)
	rounds := 2
	if *faultLong {
		rounds = 12
	}
	for _, op := range killOps() {
		t.Run(op.name, func(t *testing.T) {
			f := newFaulty(t, seed, "")
			if op.name == "pull" {
				testimage.Push(t, f.reg.Host, "big:latest", testimage.Big(t, bigLayers, bigLayer))
			}
			// The command's normal duration sets the range of kill points.
			args := op.setup(f, "0")
			r := f.cmd(args...)
			if r.hung || r.code != 0 {
				f.fatalf("without a fault: %s", r)
			}
			normal := r.took
			op.after(f, "0")
			f.consistent("berth " + strings.Join(args, " ") + " without a fault")
			for i := 1; i <= rounds && !t.Failed(); i++ {
				n := strconv.Itoa(i)
				args := op.setup(f, n)
				// The same seed replays the same fractions of the normal
				// duration; the time itself varies from run to run.
				frac := f.rng.Float64()
				delay := time.Duration(frac * float64(normal))
				p := f.start(args...)
				time.Sleep(delay)
				r := p.kill9()
				what := fmt.Sprintf("kill -9 of `berth %s` at %v (%.0f%% of its %v)", strings.Join(args, " "),
					delay.Round(time.Millisecond), frac*100, normal.Round(time.Millisecond))
				if r.code != -1 {
					what += fmt.Sprintf(", which had ended with exit %d", r.code)
				}
				t.Logf("round %d: %s", i, what)
				f.consistent(what)
				op.after(f, n)
				f.consistent("recovering from " + what)
			}
			if op.spawns && !t.Failed() {
				args := op.setup(f, "m")
				p := f.start(args...)
				seen := f.waitMonitor(p)
				r := p.kill9()
				what := fmt.Sprintf("kill -9 of `berth %s` as soon as its monitor appeared", strings.Join(args, " "))
				if !seen {
					what = fmt.Sprintf("`berth %s`, which ended (exit %d) before its monitor was seen", strings.Join(args, " "), r.code)
				}
				t.Logf("%s; recovering at once", what)
				op.after(f, "m")
				f.consistent("recovering at once from " + what)
			}
		})
	}
}

// waitMonitor waits until a monitor that was not there before runs on f's
// root, or p ends; it reports whether it saw one.
func (f *faulty) waitMonitor(p *proc) bool {
	before := f.monitors()
	for !p.ended() {
		for pid := range f.monitors() {
			if _, ok := before[pid]; !ok {
				return true
			}
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// killMonitor kills the monitor of container name with SIGKILL and returns
// the container's process.
func (f *faulty) killMonitor(name string) (pid int) {
	f.t.Helper()
	all, problem := f.containers()
	s, ok := byName(all, name)
	if problem != "" || !ok || s.State.MonitorPid == 0 || !alive(s.State.Pid) {
		f.fatalf("container %s before its monitor is killed: %+v %s", name, s.State, problem)
	}
	mon := s.State.MonitorPid
	syscall.Kill(mon, syscall.SIGKILL)
	eventually(f.t, 5*time.Second, "the monitor to die", func() bool { return !alive(mon) })
	return s.State.Pid
}

func TestFaultMonitorKilled(t *testing.T) {
	seed := seedOf(t)
	run := func(f *faulty, name string) {
		f.must("run", "-d", "--name", name, "-l", longrun, f.bb, "sleep", "1000")
	}
	t.Run("rm -f", func(t *testing.T) {
		f := newFaulty(t, seed, "")
		run(f, "orphan")
		f.killMonitor("orphan")
		f.must("rm", "-f", "orphan")
		f.consistent("rm -f of a container whose monitor was killed")
		if all, _ := f.containers(); len(all) != 0 {
			f.errorf("rm -f succeeded, yet ps -a lists %d containers", len(all))
		}
		run(f, "orphan") // the name is free, berth still works
	})
	t.Run("ps stop wait start", func(t *testing.T) {
		f := newFaulty(t, seed, "")
		run(f, "orphan")
		pid := f.killMonitor("orphan")
		if out := f.must("ps", "-a", "--format", "{{.Names}} {{.State}}"); out != "orphan running\n" {
			f.errorf("ps -a with the process alive and its monitor gone: %q", out)
		}
		f.must("start", "orphan") // running: nothing to do
		f.must("stop", "-t", "1", "orphan")
		if alive(pid) {
			f.errorf("stop succeeded but the container's process %d still runs", pid)
		}
		if code := strings.TrimSpace(f.must("wait", "orphan")); code == "0" {
			f.errorf("wait after a stop that killed the container printed 0")
		}
		f.consistent("stop of a container whose monitor was killed")
		f.must("start", "orphan")
		f.consistent("start again")
		f.must("stop", "-t", "1", "orphan")
		f.consistent("stop under the new monitor")
	})
	t.Run("wait then rm -f", func(t *testing.T) {
		f := newFaulty(t, seed, "")
		run(f, "orphan")
		f.killMonitor("orphan")
		w := f.start("wait", "orphan")
		time.Sleep(300 * time.Millisecond)
		if w.ended() {
			f.errorf("wait returned while the container's process runs: %s", w.wait(0))
		}
		f.must("rm", "-f", "orphan")
		r := w.wait(cmdTimeout)
		if r.hung {
			f.fatalf("wait did not end when the container was removed:\n%s", r)
		}
		if r.code == 0 && strings.TrimSpace(r.out) == "0" {
			f.errorf("wait printed exit code 0 for a container removed by force")
		}
		f.consistent("rm -f while a wait is under way")
	})
	t.Run("process too", func(t *testing.T) {
		f := newFaulty(t, seed, "")
		run(f, "orphan")
		pid := f.killMonitor("orphan")
		syscall.Kill(pid, syscall.SIGKILL)
		eventually(t, 5*time.Second, "the container's process to die", func() bool { return !alive(pid) })
		f.consistent("kill -9 of a container's monitor and process") // exited, not 0, FinishedAt set
		if code := strings.TrimSpace(f.must("wait", "orphan")); code == "0" {
			f.errorf("wait printed 0 for a container killed -9")
		}
		f.must("start", "orphan")
		f.consistent("start after both were killed")
	})
}

// fillDisk writes path until the file system holding it has only leave
// bytes free (0: until it is full) and returns how many bytes it wrote.
func fillDisk(t *testing.T, path string, leave int64) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(filepath.Dir(path), &st); err != nil {
		t.Fatalf("filler: %v", err)
	}
	want := int64(st.Bavail)*st.Bsize - leave
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatalf("filler: %v", err)
	}
	defer fh.Close()
	var n int64
	for _, chunk := range []int64{1 << 20, 4 << 10, 512} {
		for n < want {
			w, err := fh.Write(make([]byte, min(chunk, want-n)))
			n += int64(w)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				t.Fatalf("filler: %v", err)
			}
		}
		if leave > 0 {
			break
		}
	}
	return n
}

var logLine = regexp.MustCompile(`line (\d+)`)

// lastLine is the highest "line N" in the log of container name, or -1.
func (f *faulty) lastLine(name string) int {
	f.t.Helper()
	last := -1
	for _, m := range logLine.FindAllStringSubmatch(f.must("logs", name), -1) {
		if n, _ := strconv.Atoi(m[1]); n > last {
			last = n
		}
	}
	return last
}

// spaceError checks a command run on a full disk: it either works or fails
// with one line that says the disk is full. It reports whether it failed.
func (f *faulty) spaceError(args ...string) bool {
	f.t.Helper()
	r := f.prompt(args...)
	if r.code == 0 {
		return false
	}
	low := strings.ToLower(r.errOut)
	why := oneLineError(r)
	if why == "" && !strings.Contains(low, "no space left") && !strings.Contains(low, "disk is full") {
		why = "does not say the disk is full"
	}
	if why == "" && strings.Contains(low, "mismatch") {
		why = "blames the data, not the disk"
	}
	if why != "" {
		f.errorf("on a full disk, a command %s:\n%s", why, r)
	}
	f.t.Logf("berth %s: %s", strings.Join(args, " "), strings.TrimSpace(r.errOut))
	return true
}

func TestFaultDiskFull(t *testing.T) {
	seed := seedOf(t)
	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	// Registered before the root's own cleanup, so it runs after it.
	t.Cleanup(func() {
		if err := syscall.Unmount(small, 0); err != nil {
			t.Errorf("unmount the small disk: %v", err)
			syscall.Unmount(small, syscall.MNT_DETACH)
		}
	})
	f := newFaulty(t, seed, small)
	fillers := []string{filepath.Join(small, "filler1"), filepath.Join(small, "filler2")}
	free := func() {
		for _, p := range fillers {
			os.Remove(p)
		}
	}
	t.Cleanup(free) // before the root's cleanup, which needs space
	big := f.reg.Host + "/big"
	testimage.Push(t, f.reg.Host, "big:latest", testimage.Big(t, bigLayers, bigLayer))

	// Nearly full: the store still works, the layers of big do not fit.
	t.Logf("filled the disk with %d MiB, leaving 1 MiB", fillDisk(t, fillers[0], 1<<20)>>20)
	if !f.spaceError("pull", big) {
		f.errorf("pull of %d MiB of layers succeeded with 1 MiB free", bigLayers*bigLayer>>20)
	}
	// Less and less space: somewhere a run's create fits and its start
	// does not. Every failure says so in one line and leaves nothing.
	var near []string
	for leave := int64(96 << 10); leave >= 0; leave -= 8 << 10 {
		fillDisk(t, fillers[0], leave)
		name := fmt.Sprintf("rm%dk", leave>>10)
		if f.spaceError("run", "--rm", "--name", name, f.bb, "echo", "hi") {
			near = append(near, name)
		}
		if leave == 0 {
			break
		}
	}
	t.Logf("run --rm failed: %v", near)
	free()
	all, _ := f.containers()
	for _, name := range near {
		if s, ok := byName(all, name); ok {
			f.errorf("run --rm --name %s that failed on a nearly full disk left its container: %s (%s)", name, s.State.Status, s.State.Error)
		}
	}
	f.consistent("a nearly full disk, then freeing it")

	// Containers run while the disk fills up completely.
	f.must("run", "-d", "--name", "writer", "-l", longrun, f.bb, "sh", "-c",
		`i=0; while true; do echo line $i; i=$((i+1)); sleep 0.01; done`)
	f.must("run", "-d", "--name", "victim", "-l", longrun, f.bb, "sleep", "1000")
	f.must("run", "-d", "--name", "stopped", "-l", longrun, f.bb, "sleep", "1000")
	eventually(t, 10*time.Second, "the writer to log", func() bool { return f.lastLine("writer") > 5 })
	all, _ = f.containers()
	victim, _ := byName(all, "victim")
	if !alive(victim.State.Pid) {
		f.fatalf("the victim container does not run: %+v", victim.State)
	}
	t.Logf("filled the disk: %d MiB", fillDisk(t, fillers[1], 0)>>20)
	time.Sleep(300 * time.Millisecond) // the writer's log meets the full disk

	// Full: every command works or says so in one line.
	for _, args := range [][]string{{"ps", "-a"}, {"images"}, {"logs", "writer"}, {"pull", big}} {
		f.spaceError(args...)
	}
	rmFailed := f.spaceError("run", "--rm", "--name", "rmfull", f.bb, "echo", "hi")
	createFailed := f.spaceError("create", "--name", "crfull", f.bb, "true")
	stopFailed := f.spaceError("stop", "-t", "1", "stopped")
	// The victim dies while its monitor cannot write: its exit must not
	// become a made-up "Exited (0)".
	syscall.Kill(victim.State.Pid, syscall.SIGKILL)
	time.Sleep(500 * time.Millisecond)
	t.Logf("on a full disk: run --rm failed %v, create failed %v, stop failed %v", rmFailed, createFailed, stopFailed)

	// Space again: everything works, the log resumes, nothing half-done stays.
	free()
	before := f.lastLine("writer")
	after := before
	for deadline := time.Now().Add(10 * time.Second); after <= before+20 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		after = f.lastLine("writer")
	}
	if after <= before+20 {
		f.errorf("the writer's log did not resume once space was freed: last line %d then, %d 10 s later", before, after)
	}
	f.must("pull", big)
	if out := f.must("run", "--rm", f.bb, "echo", "hi"); out != "hi\n" {
		f.errorf("run --rm after freeing space printed %q", out)
	}
	all, _ = f.containers()
	if s, ok := byName(all, "rmfull"); ok {
		f.errorf("run --rm that failed on a full disk left its container: %s (%s)", s.State.Status, s.State.Error)
	}
	if s, ok := byName(all, "crfull"); ok && createFailed {
		f.errorf("create that failed on a full disk left its container: %s", s.State.Status)
	}
	if stopFailed {
		f.must("stop", "-t", "1", "stopped")
	}
	f.consistent("a full disk, then freeing it") // the victim: a real exit code and FinishedAt
	if r := f.prompt("wait", "victim"); r.code != 0 || strings.TrimSpace(r.out) == "0" {
		f.errorf("wait for the container killed -9 on a full disk:\n%s", r)
	}
	f.must("rm", "-f", "writer", "victim", "stopped")
	f.consistent("removing the containers")
}

func TestFaultStoreLocked(t *testing.T) {
	seed := seedOf(t)
	f := newFaulty(t, seed, "")
	hold := 5 * time.Second
	if *faultLong {
		hold = time.Minute
	}
	// dying's process is killed while the lock is held: its monitor cannot
	// record the exit until the lock goes. In the long form that is past
	// the store's 30 s busy timeout: the exit must still not be recorded as
	// a made-up "Exited (0)".
	f.must("run", "-d", "--name", "dying", "-l", longrun, f.bb, "sleep", "1000")
	all, _ := f.containers()
	dying, _ := byName(all, "dying")
	if !alive(dying.State.Pid) {
		f.fatalf("the dying container does not run: %+v", dying.State)
	}
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(f.root, "db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("taking the store's write lock: %v", err)
	}
	lockedAt := time.Now()
	t.Logf("holding the write lock of %s/db for %v", f.root, hold)
	ps := f.start("ps", "-a")
	run := f.start("run", "--rm", "--name", "waiter", f.bb, "echo", "hi")

	// A command waiting for the lock ends promptly when interrupted.
	type victim struct {
		sig  syscall.Signal
		p    *proc
		sent time.Time // zero: it had ended before
	}
	var victims []*victim
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		victims = append(victims,
			&victim{sig: sig, p: f.start("ps", "-a")},
			&victim{sig: sig, p: f.start("run", "--rm", "--name", fmt.Sprintf("sig%d", sig), f.bb, "echo", "x")})
	}
	time.Sleep(time.Second)
	for _, v := range victims {
		if v.p.ended() {
			if r := v.p.wait(0); r.code != 0 {
				f.errorf("berth %s failed while the store was locked instead of waiting:\n%s", strings.Join(v.p.args, " "), r)
			}
			continue
		}
		v.sent = time.Now()
		v.p.cmd.Process.Signal(v.sig)
	}
	const prompt = 2500 * time.Millisecond
	for _, v := range victims {
		if v.sent.IsZero() {
			continue // ended before the signal, reported above
		}
		r := v.p.wait(time.Until(v.sent.Add(prompt))) // killed past it
		args := strings.Join(v.p.args, " ")
		switch {
		case r.hung:
			f.errorf("berth %s did not end within %v of %v while waiting for the store lock (killed):\n%s", args, prompt, v.sig, r)
		case r.code == 0:
			f.errorf("berth %s exited 0 on %v while waiting for the store lock", args, v.sig)
		case oneLineError(r) != "":
			f.errorf("berth %s on %v while waiting for the store lock: %s:\n%s", args, v.sig, oneLineError(r), r)
		default:
			t.Logf("%v: berth %s: exit %d after %v: %s", v.sig, args, r.code,
				v.p.started.Add(r.took).Sub(v.sent).Round(time.Millisecond), strings.TrimSpace(r.errOut))
		}
	}

	time.Sleep(time.Until(lockedAt.Add(max(0, hold-45*time.Second))))
	syscall.Kill(dying.State.Pid, syscall.SIGKILL)

	// The others wait as long as the lock is held (up to the store's
	// deadline of 30 s), then succeed. Past the deadline a waiter gives
	// up with one line saying the store is locked, and the same command
	// works once the lock is released.
	const storeDeadline = 30 * time.Second
	time.Sleep(time.Until(lockedAt.Add(hold)))
	gaveUp := map[*proc]bool{}
	for _, p := range []*proc{ps, run} {
		if p.ended() {
			r := p.wait(0)
			switch {
			case r.code == 0:
			case hold > storeDeadline && strings.Contains(r.errOut, "is locked by another process") && oneLineError(r) == "":
				gaveUp[p] = true
			default:
				f.errorf("berth %s gave up while the store was locked for %v:\n%s", strings.Join(p.args, " "), hold, r)
			}
		}
	}
	release()
	if gaveUp[ps] {
		ps = f.start("ps", "-a")
	}
	if gaveUp[run] {
		run = f.start("run", "--rm", "--name", "waiter", f.bb, "echo", "hi")
	}
	if r := ps.wait(cmdTimeout); r.hung || r.code != 0 {
		f.errorf("ps -a once the store lock was released:\n%s", r)
	}
	if r := run.wait(cmdTimeout); r.hung || r.code != 0 || r.out != "hi\n" {
		f.errorf("run --rm once the store lock was released:\n%s", r)
	}
	if out := f.must("ps", "-a", "--format", "{{.Names}}"); out != "dying\n" {
		f.errorf("containers left by commands that waited for the lock or were interrupted: %q", out)
	}
	f.consistent("a store lock held for " + hold.String())
	if code := strings.TrimSpace(f.must("wait", "dying")); code != "137" {
		f.errorf("a container killed -9 while the store was locked: wait printed %s, want 137", code)
	}
}
