package container

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth/engine/errdefs"
)

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func testContainer(mod func(*Config)) *Container {
	c := &Container{ID: testID, Config: Config{Cmd: []string{"sh"}, NetworkMode: "none"}}
	if mod != nil {
		mod(&c.Config)
	}
	return c
}

var testPaths = SpecPaths{Rootfs: "/run/berth/x/rootfs", Hosts: "/c/hosts", ResolvConf: "/c/resolv.conf", HostnameFile: "/c/hostname"}

func mustSpec(t *testing.T, c *Container) *specs.Spec {
	t.Helper()
	s, err := Spec(c, testPaths)
	if err != nil {
		t.Fatalf("Spec: %v", err)
	}
	return s
}

func caps(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "CAP_" + n
	}
	return sortCaps(out)
}

func TestSpecCapabilities(t *testing.T) {
	def := sortCaps(DefaultCapabilities)
	without := func(list []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(c string) bool { return slices.Contains(drop, c) })
	}
	for _, tc := range []struct {
		name      string
		sec       Security
		want      []string
		wantClass error
		wantMsg   string
	}{
		{name: "default", want: def},
		{name: "add short name", sec: Security{CapAdd: []string{"NET_ADMIN"}}, want: sortCaps(append(slices.Clone(def), "CAP_NET_ADMIN"))},
		{name: "add CAP_ name, lower case", sec: Security{CapAdd: []string{"cap_sys_admin"}}, want: sortCaps(append(slices.Clone(def), "CAP_SYS_ADMIN"))},
		{name: "add one already there", sec: Security{CapAdd: []string{"CHOWN"}}, want: def},
		{name: "drop", sec: Security{CapDrop: []string{"NET_RAW", "CAP_MKNOD"}}, want: without(def, "CAP_NET_RAW", "CAP_MKNOD")},
		{name: "drop ALL", sec: Security{CapDrop: []string{"ALL"}}, want: nil},
		{name: "drop ALL, add one", sec: Security{CapDrop: []string{"all"}, CapAdd: []string{"NET_BIND_SERVICE"}}, want: caps("NET_BIND_SERVICE")},
		{name: "add ALL", sec: Security{CapAdd: []string{"ALL"}}, want: heldCapabilities()},
		{name: "add ALL, drop one", sec: Security{CapAdd: []string{"ALL"}, CapDrop: []string{"SYS_ADMIN"}}, want: without(heldCapabilities(), "CAP_SYS_ADMIN")},
		{name: "add wins over drop", sec: Security{CapAdd: []string{"NET_RAW"}, CapDrop: []string{"NET_RAW"}}, want: def},
		{name: "privileged", sec: Security{Privileged: true, CapDrop: []string{"ALL"}}, want: heldCapabilities()},
		{name: "unknown add", sec: Security{CapAdd: []string{"NET_ADMINN"}}, wantClass: errdefs.ErrInvalidArgument, wantMsg: `unknown capability "NET_ADMINN" in --cap-add`},
		{name: "unknown drop", sec: Security{CapDrop: []string{"CAP_FOO"}}, wantClass: errdefs.ErrInvalidArgument, wantMsg: `unknown capability "CAP_FOO" in --cap-drop`},
		{name: "empty name", sec: Security{CapAdd: []string{""}}, wantClass: errdefs.ErrInvalidArgument, wantMsg: `unknown capability ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testContainer(func(cfg *Config) { cfg.Security = tc.sec })
			s, err := Spec(c, testPaths)
			if tc.wantClass != nil {
				if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || !errorsIs(err, tc.wantClass) {
					t.Fatalf("err = %v, want %v containing %q", err, tc.wantClass, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pc := s.Process.Capabilities
			for name, got := range map[string][]string{"bounding": pc.Bounding, "effective": pc.Effective, "permitted": pc.Permitted} {
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s = %v, want %v", name, got, tc.want)
				}
			}
			if pc.Inheritable != nil || pc.Ambient != nil {
				t.Errorf("inheritable %v ambient %v, want none (as Docker)", pc.Inheritable, pc.Ambient)
			}
		})
	}
}

func errorsIs(err, class error) bool {
	switch class {
	case errdefs.ErrInvalidArgument:
		return errdefs.IsInvalidArgument(err)
	case errdefs.ErrPermissionDenied:
		return errdefs.IsPermissionDenied(err)
	}
	return false
}

func TestSpecDefaultCapabilitiesAreDockers(t *testing.T) {
	want := []string{"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"}
	s := mustSpec(t, testContainer(nil))
	if got := s.Process.Capabilities.Bounding; !slices.Equal(got, caps(want...)) {
		t.Fatalf("default capabilities %v, want %v", got, caps(want...))
	}
	// As /proc/<pid>/status shows them: 0xa80425fb.
	if m := CapMask(s.Process.Capabilities.Effective); m != 0xa80425fb {
		t.Fatalf("mask %#x, want 0xa80425fb", m)
	}
}

func hasSyscall(s *specs.Spec, name string) bool {
	if s.Linux.Seccomp == nil {
		return false
	}
	for _, sc := range s.Linux.Seccomp.Syscalls {
		if slices.Contains(sc.Names, name) && sc.Action == specs.ActAllow {
			return true
		}
	}
	return false
}

func TestSpecSeccomp(t *testing.T) {
	def := mustSpec(t, testContainer(nil))
	sc := def.Linux.Seccomp
	if sc == nil {
		t.Fatal("no seccomp profile by default")
	}
	if sc.DefaultAction != specs.ActErrno {
		t.Errorf("default action %s, want SCMP_ACT_ERRNO", sc.DefaultAction)
	}
	if !slices.Contains(sc.Architectures, specs.ArchX86_64) && !slices.Contains(sc.Architectures, specs.ArchAARCH64) {
		t.Errorf("architectures %v lack the native one", sc.Architectures)
	}
	if !hasSyscall(def, "read") || hasSyscall(def, "mount") || hasSyscall(def, "kexec_load") {
		t.Errorf("default profile: read %v mount %v kexec_load %v, want true false false",
			hasSyscall(def, "read"), hasSyscall(def, "mount"), hasSyscall(def, "kexec_load"))
	}
	// The profile follows the capabilities: CAP_SYS_ADMIN opens mount.
	admin := mustSpec(t, testContainer(func(c *Config) { c.Security.CapAdd = []string{"SYS_ADMIN"} }))
	if !hasSyscall(admin, "mount") {
		t.Error("with CAP_SYS_ADMIN the profile still refuses mount")
	}
	if s := mustSpec(t, testContainer(func(c *Config) { c.Security.SeccompUnconfined = true })); s.Linux.Seccomp != nil {
		t.Error("seccomp=unconfined still has a profile")
	}
	if s := mustSpec(t, testContainer(func(c *Config) { c.Security.Privileged = true })); s.Linux.Seccomp != nil {
		t.Error("privileged still has a profile")
	}
}

func TestSpecPrivileged(t *testing.T) {
	s := mustSpec(t, testContainer(func(c *Config) { c.Security.Privileged = true }))
	if len(s.Linux.MaskedPaths) != 0 || len(s.Linux.ReadonlyPaths) != 0 {
		t.Errorf("masked %v readonly %v, want none", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
	if got := s.Linux.Resources.Devices; len(got) != 1 || !got[0].Allow || got[0].Access != "rwm" || got[0].Type != "" {
		t.Errorf("device rules %+v, want one rule allowing all", got)
	}
	if len(s.Linux.Devices) == 0 {
		t.Error("no host devices")
	}
	for _, d := range s.Linux.Devices {
		if d.Path == "/dev/console" || d.Path == "/dev/ptmx" || strings.HasPrefix(d.Path, "/dev/pts/") {
			t.Errorf("host device %s given; the container has its own", d.Path)
		}
	}
	for _, m := range s.Mounts {
		if (m.Destination == "/sys" || m.Destination == "/sys/fs/cgroup") && !slices.Contains(m.Options, "rw") {
			t.Errorf("%s options %v, want rw", m.Destination, m.Options)
		}
	}
}

func TestSpecPathsAndMounts(t *testing.T) {
	s := mustSpec(t, testContainer(nil))
	if !slices.Equal(s.Linux.MaskedPaths, MaskedPaths) || !slices.Equal(s.Linux.ReadonlyPaths, ReadonlyPaths) {
		t.Errorf("masked %v readonly %v", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
	for _, p := range []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"} {
		if !slices.Contains(s.Linux.MaskedPaths, p) {
			t.Errorf("%s not masked", p)
		}
	}
	if s.Root.Path != testPaths.Rootfs || s.Root.Readonly {
		t.Errorf("root %+v", s.Root)
	}
	byDest := map[string]specs.Mount{}
	for _, m := range s.Mounts {
		byDest[m.Destination] = m
	}
	for _, want := range []struct{ dest, typ, opt string }{
		{"/proc", "proc", "noexec"},
		{"/dev", "tmpfs", "size=65536k"},
		{"/dev/pts", "devpts", "ptmxmode=0666"},
		{"/dev/shm", "tmpfs", "size=67108864"},
		{"/dev/mqueue", "mqueue", "nodev"},
		{"/sys", "sysfs", "ro"},
		{"/sys/fs/cgroup", "cgroup", "ro"},
		{"/etc/hosts", "bind", "rbind"},
		{"/etc/resolv.conf", "bind", "rprivate"},
		{"/etc/hostname", "bind", "rbind"},
	} {
		m, ok := byDest[want.dest]
		if !ok {
			t.Errorf("no mount at %s", want.dest)
			continue
		}
		if m.Type != want.typ || !slices.Contains(m.Options, want.opt) {
			t.Errorf("%s: type %s options %v, want %s with %s", want.dest, m.Type, m.Options, want.typ, want.opt)
		}
	}
	if m := byDest["/etc/hosts"]; m.Source != testPaths.Hosts || slices.Contains(m.Options, "ro") {
		t.Errorf("/etc/hosts %+v, want writable bind of %s", m, testPaths.Hosts)
	}
	if got := s.Linux.Resources.Devices; len(got) != 1 || got[0].Allow || got[0].Access != "rwm" {
		t.Errorf("device rules %+v, want deny all (libcontainer adds Docker's allowed list)", got)
	}

	// Read-only root: the etc files go read-only too, as in Docker.
	ro := mustSpec(t, testContainer(func(c *Config) { c.ReadOnly = true }))
	if !ro.Root.Readonly {
		t.Error("root not read-only")
	}
	for _, m := range ro.Mounts {
		if strings.HasPrefix(m.Destination, "/etc/") && !slices.Contains(m.Options, "ro") {
			t.Errorf("%s writable on a read-only root", m.Destination)
		}
	}

	// Extra mounts come last; missing etc files are not mounted.
	p := SpecPaths{Rootfs: "/r", Mounts: []specs.Mount{{Destination: "/data", Type: "bind", Source: "/v", Options: []string{"rbind"}}}}
	s2, err := Spec(testContainer(nil), p)
	if err != nil {
		t.Fatal(err)
	}
	if last := s2.Mounts[len(s2.Mounts)-1]; last.Destination != "/data" {
		t.Errorf("last mount %s, want /data", last.Destination)
	}
	for _, m := range s2.Mounts {
		if strings.HasPrefix(m.Destination, "/etc/") {
			t.Errorf("mount of %s without a source file", m.Destination)
		}
	}
	if _, err := Spec(testContainer(nil), SpecPaths{}); !errdefs.IsInvalidArgument(err) {
		t.Errorf("no rootfs: err %v, want InvalidArgument", err)
	}
}

func TestSpecResources(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	u64 := func(v uint64) *uint64 { return &v }
	for _, tc := range []struct {
		name    string
		r       Resources
		noSwap  bool // host without swap accounting
		mem     *specs.LinuxMemory
		cpu     *specs.LinuxCPU
		pids    *specs.LinuxPids
		wantErr string
	}{
		{name: "none"},
		{name: "memory, swap defaults to twice", r: Resources{Memory: 64 << 20}, mem: &specs.LinuxMemory{Limit: i64(64 << 20), Swap: i64(128 << 20)}},
		{name: "memory, unlimited swap", r: Resources{Memory: 64 << 20, MemorySwap: -1}, mem: &specs.LinuxMemory{Limit: i64(64 << 20), Swap: i64(-1)}},
		{name: "memory and swap", r: Resources{Memory: 64 << 20, MemorySwap: 100 << 20}, mem: &specs.LinuxMemory{Limit: i64(64 << 20), Swap: i64(100 << 20)}},
		{name: "memory equal swap (no swap)", r: Resources{Memory: 64 << 20, MemorySwap: 64 << 20}, mem: &specs.LinuxMemory{Limit: i64(64 << 20), Swap: i64(64 << 20)}},
		{name: "no swap accounting", r: Resources{Memory: 64 << 20, MemorySwap: 100 << 20}, noSwap: true, mem: &specs.LinuxMemory{Limit: i64(64 << 20)}},
		{name: "half a CPU", r: Resources{NanoCPUs: 5e8}, cpu: &specs.LinuxCPU{Quota: i64(50000), Period: u64(100000)}},
		{name: "1.5 CPUs and shares", r: Resources{NanoCPUs: 15e8, CPUShares: 512}, cpu: &specs.LinuxCPU{Quota: i64(150000), Period: u64(100000), Shares: u64(512)}},
		{name: "pids", r: Resources{PidsLimit: 100}, pids: &specs.LinuxPids{Limit: i64(100)}},
		{name: "pids -1 is unlimited", r: Resources{PidsLimit: -1}},
		{name: "swap without memory", r: Resources{MemorySwap: 1 << 30}, wantErr: "--memory-swap needs --memory"},
		{name: "swap below memory", r: Resources{Memory: 64 << 20, MemorySwap: 32 << 20}, wantErr: "is below --memory"},
		{name: "memory below 6MB", r: Resources{Memory: 1 << 20}, wantErr: "minimum of 6MB"},
		{name: "negative memory", r: Resources{Memory: -5}, wantErr: "invalid --memory"},
		{name: "tiny cpus", r: Resources{NanoCPUs: 1000}, wantErr: "minimum of 0.01"},
		{name: "negative shares", r: Resources{CPUShares: -1}, wantErr: "--cpu-shares"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := hasSwapAccounting
			hasSwapAccounting = func() bool { return !tc.noSwap }
			defer func() { hasSwapAccounting = old }()
			s, err := Spec(testContainer(func(c *Config) { c.Resources = tc.r }), testPaths)
			if tc.wantErr != "" {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want InvalidArgument containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := s.Linux.Resources
			if got, want := jsonOf(r.Memory), jsonOf(tc.mem); got != want {
				t.Errorf("memory %s, want %s", got, want)
			}
			if got, want := jsonOf(r.CPU), jsonOf(tc.cpu); got != want {
				t.Errorf("cpu %s, want %s", got, want)
			}
			if got, want := jsonOf(r.Pids), jsonOf(tc.pids); got != want {
				t.Errorf("pids %s, want %s", got, want)
			}
		})
	}
}

func TestSpecNamespacesAndHostname(t *testing.T) {
	nsTypes := func(s *specs.Spec) []specs.LinuxNamespaceType {
		var out []specs.LinuxNamespaceType
		for _, ns := range s.Linux.Namespaces {
			if ns.Path != "" {
				t.Errorf("namespace %s joins %s", ns.Type, ns.Path)
			}
			out = append(out, ns.Type)
		}
		return out
	}
	none := mustSpec(t, testContainer(nil))
	want := []specs.LinuxNamespaceType{specs.PIDNamespace, specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.MountNamespace, specs.CgroupNamespace}
	if got := nsTypes(none); !slices.Equal(got, want) {
		t.Errorf("--network none: namespaces %v, want %v", got, want)
	}
	if none.Hostname != testID[:12] {
		t.Errorf("hostname %q, want the short ID", none.Hostname)
	}

	host := mustSpec(t, testContainer(func(c *Config) { c.NetworkMode = "host" }))
	if got := nsTypes(host); slices.Contains(got, specs.NetworkNamespace) || !slices.Contains(got, specs.UTSNamespace) {
		t.Errorf("--network host: namespaces %v, want no network namespace", got)
	}
	if h, _ := os.Hostname(); host.Hostname != h {
		t.Errorf("--network host: hostname %q, want the host's %q", host.Hostname, h)
	}

	named := mustSpec(t, testContainer(func(c *Config) { c.Hostname = "web" }))
	if named.Hostname != "web" || !slices.Contains(named.Process.Env, "HOSTNAME=web") {
		t.Errorf("--hostname web: hostname %q env %v", named.Hostname, named.Process.Env)
	}

	bridged := mustSpec(t, testContainer(func(c *Config) { c.NetworkMode = "bridge" }))
	if !slices.ContainsFunc(bridged.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace && ns.Path == "" }) {
		t.Errorf("--network bridge: namespaces %v, want a network namespace of its own", bridged.Linux.Namespaces)
	}
}

func TestSpecProcess(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mod     func(*Config)
		args    []string
		env     []string
		cwd     string
		term    bool
		nnp     bool
		user    specs.User
		wantErr bool
	}{
		{
			name: "defaults",
			args: []string{"sh"},
			env:  []string{DefaultPathEnv, "HOSTNAME=" + testID[:12]},
			cwd:  "/", nnp: false, // Docker's default: setuid binaries (sudo) work
		},
		{
			name: "image env, tty, workdir, entrypoint",
			mod: func(c *Config) {
				c.Entrypoint = []string{"/entry"}
				c.Cmd = []string{"a", "b"}
				c.Env = []string{"PATH=/opt/bin", "FOO=1"}
				c.Tty = true
				c.WorkingDir = "/srv"
				c.Security.NoNewPrivileges = true
				c.User = "1000:100"
			},
			args: []string{"/entry", "a", "b"},
			env:  []string{"PATH=/opt/bin", "HOSTNAME=" + testID[:12], "TERM=xterm", "FOO=1"},
			cwd:  "/srv", term: true, nnp: true,
			user: specs.User{UID: 1000, GID: 100},
		},
		{
			name: "user's TERM and HOSTNAME win",
			mod:  func(c *Config) { c.Tty = true; c.Env = []string{"TERM=vt100", "HOSTNAME=x"} },
			args: []string{"sh"},
			env:  []string{DefaultPathEnv, "HOSTNAME=x", "TERM=vt100"},
			cwd:  "/", term: true, nnp: false,
		},
		{
			name:    "no command",
			mod:     func(c *Config) { c.Cmd = nil },
			wantErr: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Spec(testContainer(tc.mod), testPaths)
			if tc.wantErr {
				if !errdefs.IsInvalidArgument(err) {
					t.Fatalf("err = %v, want InvalidArgument", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := s.Process
			if !slices.Equal(p.Args, tc.args) || !slices.Equal(p.Env, tc.env) || p.Cwd != tc.cwd || p.Terminal != tc.term || p.NoNewPrivileges != tc.nnp || p.User.UID != tc.user.UID || p.User.GID != tc.user.GID {
				t.Errorf("process args %q env %q cwd %q terminal %v nnp %v user %+v\nwant args %q env %q cwd %q terminal %v nnp %v user %+v",
					p.Args, p.Env, p.Cwd, p.Terminal, p.NoNewPrivileges, p.User, tc.args, tc.env, tc.cwd, tc.term, tc.nnp, tc.user)
			}
			if len(p.Rlimits) != 0 {
				t.Errorf("rlimits %v, want none (root here cannot raise them)", p.Rlimits)
			}
		})
	}
}

func TestSpecLabels(t *testing.T) {
	s := mustSpec(t, testContainer(func(c *Config) { c.Labels = map[string]string{"app": "web", "tier": "1"} }))
	if s.Annotations["app"] != "web" || s.Annotations["tier"] != "1" || len(s.Annotations) != 2 {
		t.Errorf("annotations %v", s.Annotations)
	}
}

func TestLibcontainerConfig(t *testing.T) {
	s := mustSpec(t, testContainer(func(c *Config) {
		c.Resources = Resources{Memory: 64 << 20, PidsLimit: 10}
		c.Security.NoNewPrivileges = true
	}))
	cfg, err := LibcontainerConfig(testID, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Linux.CgroupsPath != "" {
		t.Error("LibcontainerConfig changed the caller's spec")
	}
	if cfg.Cgroups.Path != "/berth/"+testID || cfg.Cgroups.Systemd {
		t.Errorf("cgroup path %q systemd %v, want /berth/<id> with cgroupfs", cfg.Cgroups.Path, cfg.Cgroups.Systemd)
	}
	if cfg.Cgroups.Resources.Memory != 64<<20 || cfg.Cgroups.Resources.PidsLimit == nil || *cfg.Cgroups.Resources.PidsLimit != 10 {
		t.Errorf("resources memory %d pids %v", cfg.Cgroups.Resources.Memory, cfg.Cgroups.Resources.PidsLimit)
	}
	if len(cfg.Networks) != 1 || cfg.Networks[0].Type != "loopback" {
		t.Errorf("networks %+v, want loopback brought up", cfg.Networks)
	}
	if !cfg.Namespaces.IsPrivate(configs.NEWNET) || !cfg.Namespaces.IsPrivate(configs.NEWPID) {
		t.Error("network or pid namespace not private")
	}
	if !cfg.NoNewPrivileges || cfg.Hostname != testID[:12] || cfg.Rootfs != testPaths.Rootfs {
		t.Errorf("nnp %v hostname %q rootfs %q", cfg.NoNewPrivileges, cfg.Hostname, cfg.Rootfs)
	}
	if (cfg.Seccomp != nil) != SeccompAvailable() {
		t.Errorf("seccomp %v with support %v", cfg.Seccomp != nil, SeccompAvailable())
	}
	// Deny all comes first; Docker's defaults follow.
	if d := cfg.Cgroups.Resources.Devices; len(d) < 2 || d[0].Allow || d[0].Major != -1 {
		t.Errorf("device rules start with %+v, want deny all", d)
	}
	var nodes []string
	for _, d := range cfg.Devices {
		nodes = append(nodes, d.Path)
	}
	for _, p := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"} {
		if !slices.Contains(nodes, p) {
			t.Errorf("device nodes %v lack %s", nodes, p)
		}
	}

	// The monitor's Bundle carries the config as JSON.
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var back configs.Config
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Cgroups.Path != cfg.Cgroups.Path || len(back.Cgroups.Resources.Devices) != len(cfg.Cgroups.Resources.Devices) || (back.Seccomp == nil) != (cfg.Seccomp == nil) {
		t.Error("config changed through JSON")
	}

	cfg, err = LibcontainerConfig("abc", mustSpec(t, testContainer(func(c *Config) { c.NetworkMode = "host" })), "/custom/parent")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cgroups.Path != "/custom/parent/abc" || len(cfg.Networks) != 0 || cfg.Namespaces.Contains(configs.NEWNET) {
		t.Errorf("host network: cgroup %q networks %v", cfg.Cgroups.Path, cfg.Networks)
	}

	for _, id := range []string{"", "../x", "a/b"} {
		if _, err := LibcontainerConfig(id, s, ""); !errdefs.IsInvalidArgument(err) {
			t.Errorf("id %q: err %v, want InvalidArgument", id, err)
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A capability berth itself lacks cannot be given: on this VM root has no
// CAP_SYS_RESOURCE, and asking for it would make the start fail.
func TestSpecCapabilityNotHeld(t *testing.T) {
	held := heldCapabilities()
	var missing string
	for _, c := range capNames {
		if !slices.Contains(held, c) {
			missing = c
			break
		}
	}
	if missing == "" {
		t.Skip("this process holds every capability")
	}
	short := strings.TrimPrefix(missing, "CAP_")
	_, err := Spec(testContainer(func(c *Config) { c.Security.CapAdd = []string{short} }), testPaths)
	if !errdefs.IsPermissionDenied(err) || !strings.Contains(err.Error(), short) {
		t.Fatalf("--cap-add %s: err %v, want PermissionDenied naming it", short, err)
	}
	s := mustSpec(t, testContainer(func(c *Config) { c.Security.Privileged = true }))
	if slices.Contains(s.Process.Capabilities.Bounding, missing) {
		t.Errorf("privileged gets %s, which berth does not hold", missing)
	}
}
