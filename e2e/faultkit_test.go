package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/internal/testimage"
)

// The fault-injection suite (fault_test.go) runs a short form by default,
// within CI's budget, and a long one with -fault.long. Every random choice
// comes from -fault.seed (the clock's when 0), printed in the log, so that a
// failure can be replayed: go test -tags seccomp ./e2e/ -run Fault -fault.seed N.
var (
	faultLong = flag.Bool("fault.long", false, "fault injection: many random kill points and a one-minute store lock")
	faultSeed = flag.Uint64("fault.seed", 0, "fault injection: seed of the random kill points (0: from the clock)")
)

// cmdTimeout bounds every berth command of the suite: past it the command
// counts as hung, which fails the test and names the command.
const cmdTimeout = 30 * time.Second

// longrun labels containers whose command never ends by itself: if one of
// them shows exit code 0 and no error, that exit status was made up.
const longrun = "fault=longrun"

// seedOf returns the seed of test t: -fault.seed, or one from the clock,
// logged either way.
func seedOf(t *testing.T) uint64 {
	s := *faultSeed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("fault seed %d (replay: go test -tags seccomp ./e2e/ -run '%s' -fault.seed %d)", s, t.Name(), s)
	return s
}

// faulty is one berth root under fault injection. It remembers every
// container it saw, so that leaks of removed containers can be found, and
// every berth process it started, so that none outlives the test.
type faulty struct {
	*berth
	t    *testing.T
	seed uint64
	rng  *rand.Rand
	bb   string // busybox, pulled
	reg  *testimage.Registry

	mu    sync.Mutex
	seen  map[string]bool    // container IDs ever listed
	procs map[*exec.Cmd]bool // berth processes not yet waited for
	good  map[string]bool    // blobs whose content matched their name, by name and size
}

// newFaulty makes a root on a fresh loopback registry holding busybox, and
// pulls it. The root is at dir/root when dir is not "" (a small disk), else
// in a temp dir. Everything the test leaves is cleaned at its end, by pid
// and by path, whether it passed or not.
func newFaulty(t *testing.T, seed uint64, dir string) *faulty {
	t.Helper()
	f := &faulty{t: t, seed: seed, seen: map[string]bool{}, procs: map[*exec.Cmd]bool{}, good: map[string]bool{}}
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	f.rng = rand.New(rand.NewPCG(seed, h.Sum64()))
	f.berth = newBerth(t)
	if dir != "" {
		f.berth.root = filepath.Join(dir, "root")
	}
	t.Cleanup(f.cleanup)
	f.reg = testimage.NewRegistry(t)
	testimage.Push(t, f.reg.Host, "busybox:latest", testimage.Busybox(t))
	f.bb = f.reg.Host + "/busybox"
	f.must("pull", "-q", f.bb)
	return f
}

// result is what one berth command did.
type result struct {
	args        []string
	out, errOut string
	code        int // -1 when it was killed by a signal
	took        time.Duration
	hung        bool
}

func (r result) String() string {
	s := fmt.Sprintf("berth %s: exit %d after %v", strings.Join(r.args, " "), r.code, r.took.Round(time.Millisecond))
	if r.hung {
		s = fmt.Sprintf("berth %s: HUNG (no exit after %v: killed)", strings.Join(r.args, " "), r.took.Round(time.Millisecond))
	}
	return s + fmt.Sprintf("\nstdout:\n%s\nstderr:\n%s", indent(r.out), indent(r.errOut))
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "  (empty)"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// proc is a berth command running in the background.
type proc struct {
	f           *faulty
	cmd         *exec.Cmd
	args        []string
	out, errOut syncBuffer
	started     time.Time
	done        chan struct{}
	res         result
}

// start runs berth with args in the background.
func (f *faulty) start(args ...string) *proc {
	f.t.Helper()
	p := &proc{f: f, args: args, done: make(chan struct{})}
	p.cmd = exec.Command(berthBin, args...)
	p.cmd.Env = f.env()
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	p.cmd.WaitDelay = 2 * time.Second // a child holding our pipes must not hold us
	if err := p.cmd.Start(); err != nil {
		f.t.Fatalf("starting berth %v: %v", args, err)
	}
	p.started = time.Now()
	f.mu.Lock()
	f.procs[p.cmd] = true
	f.mu.Unlock()
	go func() {
		err := p.cmd.Wait()
		p.res = result{args: args, out: p.out.String(), errOut: p.errOut.String(), took: time.Since(p.started)}
		if ee, ok := err.(*exec.ExitError); ok {
			p.res.code = ee.ExitCode()
		} else if err != nil {
			p.res.code = -1
			p.res.errOut += "\n(test: " + err.Error() + ")"
		}
		f.mu.Lock()
		delete(f.procs, p.cmd)
		f.mu.Unlock()
		close(p.done)
	}()
	return p
}

// ended reports whether the command has exited.
func (p *proc) ended() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the command; past it the command is killed
// and the result says it hung.
func (p *proc) wait(timeout time.Duration) result {
	if p.ended() {
		return p.res
	}
	select {
	case <-p.done:
		return p.res
	case <-time.After(timeout):
	}
	p.cmd.Process.Kill()
	<-p.done
	r := p.res
	r.hung = true
	return r
}

// kill9 kills the command with SIGKILL and waits for it.
func (p *proc) kill9() result {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	return p.res
}

// cmd runs berth with args, bounded by cmdTimeout.
func (f *faulty) cmd(args ...string) result {
	return f.start(args...).wait(cmdTimeout)
}

// fatalf fails the test with the seed in the message.
func (f *faulty) fatalf(format string, args ...any) {
	f.t.Helper()
	f.t.Fatalf("%s (seed %d): %s", f.t.Name(), f.seed, fmt.Sprintf(format, args...))
}

func (f *faulty) errorf(format string, args ...any) {
	f.t.Helper()
	f.t.Errorf("%s (seed %d): %s", f.t.Name(), f.seed, fmt.Sprintf(format, args...))
}

// prompt runs berth and fails the test at once if it hangs.
func (f *faulty) prompt(args ...string) result {
	f.t.Helper()
	r := f.cmd(args...)
	if r.hung {
		f.fatalf("a command hung:\n%s", r)
	}
	return r
}

// must runs berth and fails the test unless it exits 0 in time.
func (f *faulty) must(args ...string) string {
	f.t.Helper()
	r := f.cmd(args...)
	if r.hung || r.code != 0 {
		f.fatalf("%s", r)
	}
	return r.out
}

// oneLineError checks that a failed command said why in one line, as
// "Error: ...", without a panic or a goroutine dump.
func oneLineError(r result) string {
	msg := strings.TrimSpace(r.errOut)
	switch {
	case r.code == 0:
		return "succeeded"
	case strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine "):
		return "panicked"
	case !strings.HasPrefix(msg, "Error: ") || strings.Contains(msg, "\n"):
		return "did not fail with one line 'Error: ...'"
	}
	return ""
}

// state is the part of `berth inspect` the checks read.
type state struct {
	ID    string
	Name  string
	State struct {
		Status                string
		Pid, MonitorPid       int
		ExitCode              int
		Error                 string
		StartedAt, FinishedAt time.Time
	}
	Config     struct{ Labels map[string]string }
	HostConfig struct{ AutoRemove bool }
}

func (s state) active() bool {
	return s.State.Status == "running" || s.State.Status == "paused" || s.State.Status == "restarting"
}

// containers lists every container with its state (nil and a problem when
// berth cannot say).
func (f *faulty) containers() (map[string]state, string) {
	f.t.Helper()
	r := f.prompt("ps", "-a", "-q", "--no-trunc")
	if r.code != 0 {
		return nil, "ps -a failed:\n" + r.String()
	}
	ids := strings.Fields(r.out)
	all := map[string]state{}
	if len(ids) == 0 {
		return all, ""
	}
	r = f.prompt(append([]string{"container", "inspect"}, ids...)...)
	if r.code != 0 {
		return nil, "inspect of what ps -a listed failed:\n" + r.String()
	}
	var list []state
	if err := json.Unmarshal([]byte(r.out), &list); err != nil {
		return nil, fmt.Sprintf("inspect printed no JSON: %v\n%s", err, r.out)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range list {
		s.Name = strings.TrimPrefix(s.Name, "/")
		all[s.ID] = s
		f.seen[s.ID] = true
	}
	return all, ""
}

// byName finds a container by name in a listing.
func byName(all map[string]state, name string) (state, bool) {
	for _, s := range all {
		if s.Name == name {
			return s, true
		}
	}
	return state{}, false
}

// consistent checks, once per scenario step, that berth's view agrees with
// the machine; exits are recorded by monitors a moment after they happen,
// so it looks again for up to 5 s before failing with what it found.
func (f *faulty) consistent(when string) {
	f.t.Helper()
	var problems []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		problems = f.inconsistencies()
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	if len(problems) > 0 {
		f.errorf("after %s, berth and the machine disagree:\n- %s", when, strings.Join(problems, "\n- "))
	}
}

// inconsistencies lists where berth's view and the machine disagree.
func (f *faulty) inconsistencies() []string {
	f.t.Helper()
	var p []string
	all, problem := f.containers()
	if problem != "" {
		return []string{problem}
	}
	if r := f.prompt("images", "-q", "--no-trunc"); r.code != 0 {
		p = append(p, "images failed:\n"+r.String())
	} else if ids := strings.Fields(r.out); len(ids) > 0 {
		if r := f.prompt(append([]string{"image", "inspect"}, ids...)...); r.code != 0 {
			p = append(p, "inspect of what images listed failed:\n"+r.String())
		}
	}
	// A created container whose monitor runs is being started (a run whose
	// berth was killed leaves it so until the monitor's attach wait ends):
	// it may have processes, mounts and cgroups already.
	monitors := f.monitors()
	owned := map[string]bool{}
	for _, id := range monitors {
		owned[id] = true
	}
	busy := func(id string) bool {
		s, ok := all[id]
		return ok && (s.active() || s.State.Status == "created" && owned[id])
	}
	for id, s := range all {
		st, name := s.State, fmt.Sprintf("%s (%s)", s.Name, id[:12])
		switch {
		case st.Status == "running" || st.Status == "paused":
			if !alive(st.Pid) {
				p = append(p, fmt.Sprintf("%s is listed as %s but its process %d is gone", name, st.Status, st.Pid))
			}
		case busy(id):
		default:
			if procs := cgroupProcs(id); len(procs) > 0 {
				p = append(p, fmt.Sprintf("%s is listed as %s but processes %v of it still run", name, st.Status, procs))
			}
		}
		if st.Status == "exited" && !st.StartedAt.IsZero() && (st.FinishedAt.IsZero() || st.FinishedAt.Before(st.StartedAt)) {
			p = append(p, fmt.Sprintf("%s exited (%d) with FinishedAt %v before StartedAt %v", name, st.ExitCode, st.FinishedAt, st.StartedAt))
		}
		if st.Status == "exited" && s.Config.Labels["fault"] == "longrun" && st.ExitCode == 0 && st.Error == "" {
			p = append(p, fmt.Sprintf("%s never ends by itself yet shows Exited (0) with no error: a made-up exit status (FinishedAt %v)", name, st.FinishedAt))
		}
	}
	for _, m := range f.mounts() {
		if id := containerID(m); id == "" || !busy(id) {
			p = append(p, fmt.Sprintf("mount %s is left though its container is not running", m))
		}
	}
	for _, id := range f.knownIDs() {
		if busy(id) {
			continue
		}
		if dirs := cgroupDirs(id); len(dirs) > 0 {
			p = append(p, fmt.Sprintf("cgroups %v are left for container %s, which is %s", dirs, id[:12], statusOr(all, id)))
		}
	}
	for pid, id := range monitors {
		if !busy(id) {
			p = append(p, fmt.Sprintf("monitor %d of container %s runs though the container is %s", pid, id[:min(12, len(id))], statusOr(all, id)))
		}
	}
	if l := f.leftoversAll(); len(l) > 0 {
		p = append(p, fmt.Sprintf("half-written files left after a berth command ran: %v", l))
	}
	p = append(p, f.badBlobs()...)
	sort.Strings(p)
	return p
}

func statusOr(all map[string]state, id string) string {
	if s, ok := all[id]; ok {
		return s.State.Status
	}
	return "removed"
}

// badBlobs lists blobs whose content does not match their digest: a
// half-written blob that became visible.
func (f *faulty) badBlobs() []string {
	dir := filepath.Join(f.root, "blobs", "sha256")
	ents, _ := os.ReadDir(dir)
	var bad []string
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		key := fmt.Sprintf("%s:%d", e.Name(), fi.Size())
		if f.good[key] {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // removed meanwhile
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.Name() {
			bad = append(bad, fmt.Sprintf("blob %s holds %d bytes that do not match its digest", e.Name()[:12], len(b)))
			continue
		}
		f.good[key] = true
	}
	return bad
}

// leftoversAll is testimage.Leftovers plus interrupted container removals.
func (f *faulty) leftoversAll() []string {
	l := f.leftovers()
	ents, _ := os.ReadDir(filepath.Join(f.root, "containers"))
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".removing") {
			l = append(l, "containers/"+e.Name())
		}
	}
	return l
}

// knownIDs are every container ID this root ever had that the test knows
// of: listed once, or with a directory on disk.
func (f *faulty) knownIDs() []string {
	f.mu.Lock()
	ids := map[string]bool{}
	for id := range f.seen {
		ids[id] = true
	}
	f.mu.Unlock()
	for _, dir := range []string{filepath.Join(f.root, "containers"), filepath.Join(f.runRoot, "containers"), filepath.Join(f.runRoot, "runc")} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if id := strings.TrimSuffix(e.Name(), ".removing"); hexID.MatchString(id) {
				ids[id] = true
			}
		}
	}
	var out []string
	for id := range ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// containerID is the 64-hex path element of p, or "".
func containerID(p string) string {
	for _, el := range strings.Split(p, "/") {
		if hexID.MatchString(el) {
			return el
		}
	}
	return ""
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// cgroupDirs are the cgroup directories of container id, wherever berth
// puts them (cgroup v1: /sys/fs/cgroup/<controller>/berth/<id>; v2:
// /sys/fs/cgroup/berth/<id>; see DefaultCgroupParent in
// engine/container/spec_linux.go).
func cgroupDirs(id string) []string {
	a, _ := filepath.Glob("/sys/fs/cgroup/*/berth/" + id)
	b, _ := filepath.Glob("/sys/fs/cgroup/berth/" + id)
	return append(a, b...)
}

// cgroupProcs are the live processes in container id's cgroups.
func cgroupProcs(id string) []int {
	seen := map[int]bool{}
	var out []int
	for _, d := range cgroupDirs(id) {
		b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && !seen[pid] && alive(pid) {
				seen[pid] = true
				out = append(out, pid)
			}
		}
	}
	sort.Ints(out)
	return out
}

// mounts are the mount points under the root or the run root.
func (f *faulty) mounts() []string {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		for _, dir := range []string{f.root, f.runRoot} {
			if strings.HasPrefix(mp, dir+"/") {
				out = append(out, mp)
				break
			}
		}
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// monitors are the live monitor processes of this root, by pid, with the
// container ID each one owns (its last argument).
func (f *faulty) monitors() map[int]string {
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) < 3 || args[1] != "monitor" || !alive(pid) {
			continue
		}
		for i := 2; i+1 < len(args); i++ {
			if args[i] == "--root" && args[i+1] == f.root {
				out[pid] = args[len(args)-1]
			}
		}
	}
	return out
}

// cleanup removes every container the normal way, reports what that left,
// then takes down by pid and path whatever is still there: berth commands,
// monitors, container processes, mounts and cgroups of this root.
func (f *faulty) cleanup() {
	t := f.t
	f.mu.Lock()
	var cmds []*exec.Cmd
	for c := range f.procs {
		cmds = append(cmds, c)
	}
	f.mu.Unlock()
	for _, c := range cmds {
		c.Process.Kill()
	}
	if _, err := os.Stat(filepath.Join(f.root, "db")); err == nil {
		r := f.start("ps", "-aq", "--no-trunc").wait(15 * time.Second)
		if ids := strings.Fields(r.out); r.code == 0 && len(ids) > 0 {
			f.mu.Lock()
			for _, id := range ids {
				f.seen[id] = true
			}
			f.mu.Unlock()
			if r := f.start(append([]string{"rm", "-f"}, ids...)...).wait(15 * time.Second); r.hung || r.code != 0 {
				t.Errorf("cleanup (seed %d): %s", f.seed, r)
			}
		} else if r.hung || r.code != 0 {
			t.Errorf("cleanup (seed %d): %s", f.seed, r)
		}
		// What rm -f left is a leak, unless the test already failed
		// (then it is cleaned without more noise).
		var leaks []string
		deadline := time.Now().Add(3 * time.Second)
		for {
			leaks = nil
			for pid, id := range f.monitors() {
				leaks = append(leaks, fmt.Sprintf("monitor %d of %s", pid, id))
			}
			leaks = append(leaks, f.mounts()...)
			for _, id := range f.knownIDs() {
				leaks = append(leaks, cgroupDirs(id)...)
			}
			if len(leaks) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(leaks) > 0 && !t.Failed() {
			t.Errorf("cleanup (seed %d): rm -f of every container left %v", f.seed, leaks)
		}
	}
	f.forceClean()
}

// forceClean kills and unmounts by pid and path, without berth.
func (f *faulty) forceClean() {
	for pid := range f.monitors() {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	ids := f.knownIDs()
	for _, id := range ids {
		for _, d := range cgroupDirs(id) {
			if strings.Contains(d, "/freezer/") {
				os.WriteFile(filepath.Join(d, "freezer.state"), []byte("THAWED"), 0o644)
			}
		}
		for _, pid := range cgroupProcs(id) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	mounts := f.mounts()
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i]) > len(mounts[j]) })
	for _, m := range mounts {
		unix.Unmount(m, unix.MNT_DETACH)
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, id := range ids {
		for _, d := range cgroupDirs(id) {
			for os.Remove(d) != nil && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	var left []string
	for _, id := range ids {
		left = append(left, cgroupDirs(id)...)
	}
	left = append(left, f.mounts()...)
	for pid := range f.monitors() {
		left = append(left, fmt.Sprintf("monitor %d", pid))
	}
	if len(left) > 0 {
		f.t.Errorf("cleanup could not remove %v", left)
	}
}
