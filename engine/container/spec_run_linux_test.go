package container

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	_ "github.com/opencontainers/runc/libcontainer/nsenter" // joins namespaces before Go starts, for init

	"berth/engine/snapshot"
	"berth/internal/testimage"
)

// TestMain installs libcontainer's init hook, as main.go does: containers
// started by this test binary re-execute it as "init".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		libcontainer.Init()
	}
	os.Exit(m.Run())
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: starts containers")
	}
}

func randomID(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// runEnv is a busybox root filesystem, a state root and a cgroup parent,
// all removed when the test ends.
type runEnv struct {
	rootfs       string
	stateRoot    string
	cgroupParent string
}

func newRunEnv(t *testing.T) *runEnv {
	t.Helper()
	requireRoot(t)
	if cgroups.DevicesSetV1 == nil {
		t.Fatal("no cgroup device manager in this binary: add `github.com/cilium/ebpf v0.17.3 // indirect` to go.mod " +
			"and remove the berthdevices build tag from spec_devices_linux.go")
	}
	dir := t.TempDir()
	s, err := snapshot.New(filepath.Join(dir, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	layer := testimage.BusyboxLayer(t)
	diffID := testimage.Digest(layer)
	if _, err := s.Unpack(context.Background(), diffID, bytes.NewReader(layer)); err != nil {
		t.Fatal(err)
	}
	e := &runEnv{
		rootfs:       s.Path(diffID),
		stateRoot:    filepath.Join(dir, "state"),
		cgroupParent: fmt.Sprintf("/berth-test-%d-%s", os.Getpid(), randomID(t)[:8]),
	}
	t.Cleanup(func() { removeCgroupParent(t, e.cgroupParent) })
	return e
}

// removeCgroupParent removes the parent directories libcontainer made in
// every hierarchy (Destroy removes only the container's own).
func removeCgroupParent(t *testing.T, parent string) {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
	if d := filepath.Join("/sys/fs/cgroup", parent); exists(d) {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
			t.Errorf("remove cgroup %s: %v", d, err)
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

type runResult struct {
	out    string
	code   int            // exit code, or -1 when killed
	signal syscall.Signal // the signal that ended it, if any
}

// run starts c's command in a container made by Spec and
// LibcontainerConfig, waits for it and destroys the container.
func (e *runEnv) run(t *testing.T, c *Container) runResult {
	t.Helper()
	if c.ID == "" {
		c.ID = randomID(t)
	}
	dir := t.TempDir()
	p, err := WriteEtcFiles(dir, c, c.Config.NetworkMode)
	if err != nil {
		t.Fatal(err)
	}
	p.Rootfs = e.rootfs
	spec, err := Spec(c, p)
	if err != nil {
		t.Fatalf("Spec: %v", err)
	}
	cfg, err := LibcontainerConfig(c.ID, spec, e.cgroupParent)
	if err != nil {
		t.Fatalf("LibcontainerConfig: %v", err)
	}
	ct, err := libcontainer.Create(e.stateRoot, c.ID, cfg)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	defer func() {
		if err := ct.Destroy(); err != nil {
			t.Errorf("destroy: %v", err)
		}
	}()
	var out bytes.Buffer
	proc := &libcontainer.Process{
		Args:   spec.Process.Args,
		Env:    spec.Process.Env,
		Cwd:    spec.Process.Cwd,
		Stdout: &out,
		Stderr: &out,
		Init:   true,
	}
	if err := ct.Run(proc); err != nil {
		t.Fatalf("run: %v", err)
	}
	st, err := proc.Wait()
	if st == nil {
		t.Fatalf("wait: %v", err)
	}
	r := runResult{out: out.String(), code: st.ExitCode()}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.signal = ws.Signal()
	}
	return r
}

// sh is a container running a busybox shell script.
func sh(script string) *Container {
	return &Container{Config: Config{
		Cmd:         []string{"/bin/sh", "-c", script},
		Env:         testimage.BusyboxConfig.Env,
		NetworkMode: "none",
	}}
}

// bb runs a busybox applet that has no link in the test image.
const bb = "/bin/busybox "

func statusField(out, field string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestConfinementDefault(t *testing.T) {
	e := newRunEnv(t)
	c := sh(`
echo "uid=$(id -u)"
` + bb + `grep -E '^(CapEff|CapBnd|CapPrm|CapInh|CapAmb|Seccomp|NoNewPrivs):' /proc/self/status
if mount -t tmpfs none /tmp 2>/dev/null; then echo mount=ok; else echo mount=denied; fi
if unshare -n true 2>/dev/null; then echo unshare-n=ok; else echo unshare-n=denied; fi
if unshare -m true 2>/dev/null; then echo unshare-m=ok; else echo unshare-m=denied; fi
if unshare -U true 2>/dev/null; then echo userns=ok; else echo userns=denied; fi
if (echo 1 > /proc/sys/kernel/sysrq) 2>/dev/null; then echo sysrq=ok; else echo sysrq=denied; fi
echo "kcore=$(` + bb + `head -c 16 /proc/kcore 2>/dev/null | wc -c)"
echo "hostname=$(hostname)"
echo "etc-hostname=$(cat /etc/hostname)"
echo "env-hostname=$HOSTNAME"
` + bb + `grep -c '^127.0.0.1	localhost$' /etc/hosts | ` + bb + `sed 's/^/hosts-localhost=/'
echo "lo-flags=$(cat /sys/class/net/lo/flags)"
if ping -c1 -W2 127.0.0.1 >/dev/null 2>&1; then echo ping=ok; else echo ping=failed; fi
echo "ifaces=$(ls /sys/class/net | ` + bb + `tr '\n' ' ')"
echo "cgroup=$(` + bb + `grep memory /proc/self/cgroup)"
if [ -d /sys/fs/cgroup/memory ]; then echo cgroupfs=ok; fi
if (echo x > /sys/fs/cgroup/memory/x) 2>/dev/null; then echo cgroupfs-write=ok; else echo cgroupfs-write=denied; fi
if (echo x > /sys/kernel/x) 2>/dev/null; then echo sys-write=ok; else echo sys-write=denied; fi
` + bb + `awk '$5=="/sys"{print "sysmount=" substr($6,1,2)}' /proc/self/mountinfo
[ -e /dev/loop0 ] && echo loopdev=present
` + bb + `mknod /tmp/sda b 8 0 && if ` + bb + `head -c1 /tmp/sda >/dev/null 2>&1; then echo blockdev=ok; else echo blockdev=denied; fi
if echo hi > /dev/null; then echo devnull=ok; fi
echo "devs=$(ls /dev | ` + bb + `tr '\n' ' ')"
echo "shm=$(` + bb + `df -k /dev/shm | ` + bb + `tail -1 | ` + bb + `awk '{print $2}')"
`)
	c.Config.Hostname = "boxy"
	r := e.run(t, c)
	t.Logf("output:\n%s", r.out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	want := map[string]string{
		"uid":             "0",
		"mount":           "denied",
		"unshare-n":       "denied",
		"unshare-m":       "denied",
		"sysrq":           "denied",
		"kcore":           "0",
		"hostname":        "boxy",
		"etc-hostname":    "boxy",
		"env-hostname":    "boxy",
		"hosts-localhost": "1",
		"lo-flags":        "0x9", // IFF_UP|IFF_LOOPBACK
		"ping":            "ok",
		"ifaces":          "lo",
		"cgroup":          "4:memory:/", // private cgroup namespace
		"cgroupfs":        "ok",
		"cgroupfs-write":  "denied",
		"sys-write":       "denied",
		"sysmount":        "ro",
		"loopdev":         "",
		"blockdev":        "denied",
		"devnull":         "ok",
		"devs":            "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero",
		"shm":             "65536",
	}
	got := map[string]string{}
	for _, line := range strings.Split(r.out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			got[k] = strings.TrimSpace(v)
		}
	}
	if cgroups.IsCgroup2UnifiedMode() {
		delete(want, "cgroup") // the checks below read v1 hierarchies
		delete(want, "cgroupfs")
		delete(want, "cgroupfs-write")
	}
	for k, v := range want {
		if k == "cgroup" {
			if !strings.HasSuffix(got[k], ":memory:/") {
				t.Errorf("%s = %q, want the container's cgroup seen as / (private cgroupns)", k, got[k])
			}
			continue
		}
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	wantCaps := fmt.Sprintf("%016x", CapMask(DefaultCapabilities))
	for _, f := range []string{"CapEff", "CapBnd", "CapPrm"} {
		if g := statusField(r.out, f); g != wantCaps {
			t.Errorf("%s = %s, want %s (Docker's default set)", f, g, wantCaps)
		}
	}
	for _, f := range []string{"CapInh", "CapAmb"} {
		if g := statusField(r.out, f); g != "0000000000000000" {
			t.Errorf("%s = %s, want none", f, g)
		}
	}
	if g := statusField(r.out, "NoNewPrivs"); g != "0" {
		t.Errorf("NoNewPrivs = %q, want 0 (Docker's default)", g)
	}
	// A user namespace needs no capability: only the seccomp profile
	// refuses it (unshare is allowed only with CAP_SYS_ADMIN).
	wantSeccomp, wantUserns := "0", "ok"
	if SeccompAvailable() {
		wantSeccomp, wantUserns = "2", "denied" // filter mode
	} else {
		t.Log("this binary has no seccomp support (build with -tags seccomp): filter not checked")
	}
	if g := statusField(r.out, "Seccomp"); g != wantSeccomp {
		t.Errorf("Seccomp = %q, want %s", g, wantSeccomp)
	}
	if got["userns"] != wantUserns {
		t.Errorf("unshare -U: %s, want %s", got["userns"], wantUserns)
	}
}

func TestConfinementSecurityOptions(t *testing.T) {
	e := newRunEnv(t)
	status := bb + `grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status; `
	for _, tc := range []struct {
		name    string
		sec     Security
		script  string
		capEff  string
		seccomp string // with seccomp support; "0" without
		nnp     string
		lines   []string
	}{
		{
			name:    "privileged",
			sec:     Security{Privileged: true},
			script:  status + `mount -t tmpfs none /tmp && echo mount=ok; ` + bb + `awk '$5=="/sys"{print "sysmount=" substr($6,1,2)}' /proc/self/mountinfo; [ -b /dev/loop0 ] && echo loopdev=ok; (echo 1 > /sys/fs/cgroup/memory/memory.soft_limit_in_bytes) 2>/dev/null && echo cgroupfs=rw; true`,
			capEff:  fmt.Sprintf("%016x", CapMask(heldCapabilities())),
			seccomp: "0",
			nnp:     "0",
			lines:   []string{"mount=ok", "cgroupfs=rw", "sysmount=rw", "loopdev=ok"},
		},
		{
			name:    "cap-drop ALL, no-new-privileges",
			sec:     Security{CapDrop: []string{"ALL"}, NoNewPrivileges: true},
			script:  status + `if ping -c1 -W1 127.0.0.1 >/dev/null 2>&1; then echo ping=ok; else echo ping=denied; fi`,
			capEff:  "0000000000000000",
			seccomp: "2",
			nnp:     "1",
			lines:   []string{"ping=denied"},
		},
		{
			name:    "cap-add SYS_ADMIN, seccomp unconfined",
			sec:     Security{CapAdd: []string{"sys_admin"}, SeccompUnconfined: true},
			script:  status + `mount -t tmpfs none /tmp && echo mount=ok; if unshare -U true 2>/dev/null; then echo userns=ok; fi`,
			capEff:  fmt.Sprintf("%016x", CapMask(append([]string{"CAP_SYS_ADMIN"}, DefaultCapabilities...))),
			seccomp: "0",
			nnp:     "0",
			lines:   []string{"mount=ok", "userns=ok"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sh(tc.script)
			c.Config.Security = tc.sec
			r := e.run(t, c)
			t.Logf("output:\n%s", r.out)
			if r.code != 0 {
				t.Errorf("exit %d, want 0", r.code)
			}
			if tc.sec.Privileged && !exists("/dev/loop0") {
				tc.lines = slices.DeleteFunc(tc.lines, func(l string) bool { return l == "loopdev=ok" })
			}
			if g := statusField(r.out, "CapEff"); g != tc.capEff {
				t.Errorf("CapEff = %s, want %s", g, tc.capEff)
			}
			want := tc.seccomp
			if !SeccompAvailable() {
				want = "0"
			}
			if g := statusField(r.out, "Seccomp"); g != want {
				t.Errorf("Seccomp = %s, want %s", g, want)
			}
			if g := statusField(r.out, "NoNewPrivs"); g != tc.nnp {
				t.Errorf("NoNewPrivs = %s, want %s", g, tc.nnp)
			}
			for _, l := range tc.lines {
				if !strings.Contains(r.out, l+"\n") {
					t.Errorf("output lacks %q", l)
				}
			}
		})
	}
}

func TestConfinementMemoryLimit(t *testing.T) {
	e := newRunEnv(t)
	c := &Container{Config: Config{
		Cmd:         []string{"/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"},
		NetworkMode: "none",
		Resources:   Resources{Memory: 16 << 20},
	}}
	r := e.run(t, c)
	if r.signal != syscall.SIGKILL {
		t.Fatalf("dd of 64 MiB under a 16 MiB limit: exit %d signal %v, output %q; want killed by SIGKILL", r.code, r.signal, r.out)
	}
	// The same with room to spare succeeds: the limit, not dd, killed it.
	c.ID = ""
	c.Config.Resources.Memory = 256 << 20
	if r := e.run(t, c); r.code != 0 {
		t.Fatalf("dd of 64 MiB under a 256 MiB limit: exit %d signal %v, output %q", r.code, r.signal, r.out)
	}
}

func TestConfinementPidsLimit(t *testing.T) {
	e := newRunEnv(t)
	c := sh(`for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1 & done; wait; echo done`)
	c.Config.Resources.PidsLimit = 5
	r := e.run(t, c)
	t.Logf("output:\n%s", r.out)
	if !strings.Contains(r.out, "Resource temporarily unavailable") {
		t.Errorf("10 forks under pids-limit 5: no EAGAIN in output")
	}
}

func TestConfinementReadOnly(t *testing.T) {
	e := newRunEnv(t)
	c := sh(`if ` + bb + `touch /rootfile 2>/dev/null; then echo root=rw; else echo root=ro; fi
if (echo x >> /etc/hosts) 2>/dev/null; then echo hosts=rw; else echo hosts=ro; fi
if ` + bb + `touch /dev/shm/x 2>/dev/null; then echo shm=rw; fi`)
	c.Config.ReadOnly = true
	r := e.run(t, c)
	for _, l := range []string{"root=ro", "hosts=ro", "shm=rw"} {
		if !strings.Contains(r.out, l+"\n") {
			t.Errorf("output %q lacks %q", r.out, l)
		}
	}
}

func TestConfinementHostNetwork(t *testing.T) {
	e := newRunEnv(t)
	hostNet, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	hostName, _ := os.Hostname()
	c := sh(`echo "netns=$(` + bb + `readlink /proc/self/ns/net)"; echo "hostname=$(hostname)"; echo "pidns=$(` + bb + `readlink /proc/self/ns/pid)"`)
	c.Config.NetworkMode = "host"
	r := e.run(t, c)
	hostPid, _ := os.Readlink("/proc/self/ns/pid")
	if !strings.Contains(r.out, "netns="+hostNet+"\n") {
		t.Errorf("output %q: want the host's network namespace %s", r.out, hostNet)
	}
	if !strings.Contains(r.out, "hostname="+hostName+"\n") {
		t.Errorf("output %q: want the host's name %s", r.out, hostName)
	}
	if strings.Contains(r.out, "pidns="+hostPid+"\n") {
		t.Errorf("output %q: pid namespace is the host's", r.out)
	}
}

// TestConfinementCgroupValues reads the limits back from inside: with a
// private cgroup namespace the container's own cgroup is the root of each
// hierarchy under /sys/fs/cgroup.
func TestConfinementCgroupValues(t *testing.T) {
	e := newRunEnv(t)
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("reads cgroup v1 files")
	}
	c := sh(`cd /sys/fs/cgroup; for f in memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares pids/pids.max; do echo "$f=$(cat $f)"; done`)
	c.Config.Resources = Resources{Memory: 64 << 20, NanoCPUs: 5e8, CPUShares: 512, PidsLimit: 50}
	r := e.run(t, c)
	want := []string{
		"memory/memory.limit_in_bytes=67108864",
		"cpu/cpu.cfs_quota_us=50000",
		"cpu/cpu.cfs_period_us=100000",
		"cpu/cpu.shares=512",
		"pids/pids.max=50",
	}
	if hasSwapAccounting() {
		want = append(want, "memory/memory.memsw.limit_in_bytes=134217728") // Docker's default: twice --memory
	}
	for _, w := range want {
		if !strings.Contains(r.out, w+"\n") {
			t.Errorf("output lacks %s:\n%s", w, r.out)
		}
	}
}
