package container

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer/configs"
	runcseccomp "github.com/opencontainers/runc/libcontainer/seccomp"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// DefaultCgroupParent is where containers' cgroups go: <parent>/<id> in
// every hierarchy.
const DefaultCgroupParent = "/berth"

// Spec is the OCI runtime spec of c with Docker's default confinement:
// new pid, ipc, uts, mount and (unless --network host) network
// namespaces; Docker's capabilities, seccomp profile, masked and read-only
// paths, mounts and device rules; the resource limits of c. Privileged
// containers get every capability berth holds, no seccomp, no masked
// paths, the host's devices and a writable /sys.
func Spec(c *Container, p SpecPaths) (*specs.Spec, error) {
	if p.Rootfs == "" {
		return nil, errdefs.InvalidArgument("container %s: no root filesystem path", c.ID)
	}
	cfg := &c.Config
	sec := cfg.Security
	hostNet := cfg.NetworkMode == "host"
	args := cfg.Args()
	if len(args) == 0 {
		return nil, errdefs.InvalidArgument("no command to run: the image has no Cmd or Entrypoint, so give one after the image name")
	}

	caps, err := tweakCapabilities(sec, heldCapabilities())
	if err != nil {
		return nil, err
	}
	hostname := Hostname(c)
	cwd := cfg.WorkingDir
	if cwd == "" {
		cwd = "/"
	}
	s := &specs.Spec{
		Version: specs.Version,
		Root:    &specs.Root{Path: p.Rootfs, Readonly: cfg.ReadOnly},
		Process: &specs.Process{
			Terminal:        cfg.Tty,
			User:            numericUser(cfg.User),
			Args:            args,
			Env:             processEnv(c, hostname),
			Cwd:             cwd,
			NoNewPrivileges: sec.NoNewPrivileges,
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  caps,
				Effective: caps,
				Permitted: caps,
			},
		},
		Hostname:    hostname,
		Annotations: annotations(cfg.Labels),
		Linux:       &specs.Linux{},
	}
	s.Mounts = append(defaultMounts(sec.Privileged), etcMounts(p, cfg.ReadOnly)...)
	s.Mounts = append(s.Mounts, p.Mounts...)

	lin := s.Linux
	for _, ns := range []specs.LinuxNamespaceType{specs.PIDNamespace, specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.MountNamespace, specs.CgroupNamespace} {
		if ns == specs.NetworkNamespace && hostNet {
			continue
		}
		if ns == specs.CgroupNamespace && !privateCgroupns() {
			continue
		}
		lin.Namespaces = append(lin.Namespaces, specs.LinuxNamespace{Type: ns})
	}

	if lin.Resources, err = linuxResources(cfg.Resources, hasSwapAccounting()); err != nil {
		return nil, err
	}
	if sec.Privileged {
		if lin.Devices, err = hostDevices(); err != nil {
			return nil, specErr(c, err)
		}
		lin.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
	} else {
		// Deny everything, then libcontainer adds Docker's default nodes
		// and rules (specconv.AllowedDevices: null, zero, full, random,
		// urandom, tty, pts, ptmx, tun, mknod).
		lin.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
		lin.MaskedPaths = append([]string(nil), MaskedPaths...)
		lin.ReadonlyPaths = append([]string(nil), ReadonlyPaths...)
		if !sec.SeccompUnconfined {
			if lin.Seccomp, err = mobyseccomp.GetDefaultProfile(s); err != nil {
				return nil, specErr(c, fmt.Errorf("seccomp profile: %w", err))
			}
			lin.Seccomp.Architectures = seccompArches(c.Config.Platform, lin.Seccomp.Architectures)
		}
	}
	return s, nil
}

// LibcontainerConfig turns spec into libcontainer's config for container
// id, with its cgroup at <cgroupParent>/<id> (cgroupfs; "" means
// DefaultCgroupParent). libcontainer creates the parent directories but
// does not remove them. When this binary was built without seccomp support
// (build tag "seccomp" and libseccomp), the seccomp filter is left out, as
// Docker does: SeccompAvailable tells.
func LibcontainerConfig(id string, spec *specs.Spec, cgroupParent string) (*configs.Config, error) {
	if id == "" || strings.ContainsAny(id, "/.") {
		return nil, errdefs.InvalidArgument("invalid container id %q", id)
	}
	if spec == nil || spec.Root == nil || spec.Linux == nil {
		return nil, errdefs.InvalidArgument("container %s: incomplete runtime spec", id)
	}
	if cgroupParent == "" {
		cgroupParent = DefaultCgroupParent
	}
	s := *spec
	lin := *spec.Linux
	s.Linux = &lin
	lin.CgroupsPath = path.Join("/", cgroupParent, id)
	if !SeccompAvailable() {
		lin.Seccomp = nil
	}
	cfg, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{CgroupName: id, Spec: &s})
	if err != nil {
		return nil, fmt.Errorf("container %s: libcontainer config: %w", id, err)
	}
	return cfg, nil
}

// SeccompAvailable reports whether this binary can apply seccomp filters:
// runc's seccomp support needs the "seccomp" build tag and libseccomp.
func SeccompAvailable() bool { return runcseccomp.Enabled }

// heldCapabilities are the capabilities a container may get: those the
// kernel knows and this process holds in its bounding set. Root here may
// lack some (CAP_SYS_RESOURCE on this VM); asking for those would make the
// start fail.
var heldCapabilities = sync.OnceValue(func() []string {
	last := len(capNames) - 1
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n < last {
			last = n
		}
	}
	bnd := ^uint64(0)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64); err == nil {
					bnd = m
				}
			}
		}
	}
	var out []string
	for i := 0; i <= last; i++ {
		if bnd&(1<<i) != 0 {
			out = append(out, capNames[i])
		}
	}
	return out
})

// privateCgroupns says whether containers get their own cgroup namespace.
// Docker makes it private on cgroup v2 hosts and shares the host's on v1.
// berth makes it private on both: on this v1 hybrid host runc mounts each
// hierarchy fresh inside the namespace, so the container sees only its own
// cgroup at /sys/fs/cgroup and "/" in /proc/self/cgroup, instead of host
// paths. It needs a kernel with cgroup namespaces (4.6).
var privateCgroupns = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/ns/cgroup")
	return err == nil
})

// hasSwapAccounting says whether memory+swap can be limited: on cgroup v1
// the memory hierarchy has memory.memsw.* files only when the kernel
// accounts swap (swapaccount=1). cgroup v2 is taken to have it.
var hasSwapAccounting = sync.OnceValue(func() bool {
	if cgroups.IsCgroup2UnifiedMode() {
		return true
	}
	mnt, err := cgroups.FindCgroupMountpoint("", "memory")
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(mnt, "memory.memsw.limit_in_bytes"))
	return err == nil
})

// hostDevices are the device nodes under the host's /dev, as Docker gives
// them to privileged containers; the terminal and pseudo-terminal nodes
// come from the container's own devpts and console instead.
func hostDevices() ([]specs.LinuxDevice, error) {
	var out []specs.LinuxDevice
	err := filepath.WalkDir("/dev", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "/dev" {
				return err
			}
			return nil // vanished or unreadable: skip
		}
		if d.IsDir() {
			switch d.Name() {
			case "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev":
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeDevice == 0 || p == "/dev/console" || p == "/dev/ptmx" {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return nil
		}
		typ := "b"
		if st.Mode&unix.S_IFMT == unix.S_IFCHR {
			typ = "c"
		}
		mode := os.FileMode(st.Mode &^ unix.S_IFMT)
		uid, gid := st.Uid, st.Gid
		out = append(out, specs.LinuxDevice{
			Path: p, Type: typ,
			Major: int64(unix.Major(uint64(st.Rdev))), Minor: int64(unix.Minor(uint64(st.Rdev))),
			FileMode: &mode, UID: &uid, GID: &gid,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("host devices: %w", err)
	}
	return out, nil
}

// seccompArches narrows the filter to the system-call ABI of the image's
// platform. Docker's profile also admits the i386 and x32 ABIs on x86_64;
// each extra ABI makes libseccomp build another filter section, which
// measured 33 ms of every start here. An amd64 image gets x86_64 only, a
// 386 image x86 only (32-bit code in an amd64 image is refused, with
// SIGSYS: stricter than Docker). Unknown platforms keep the profile's list.
func seccompArches(platform string, profile []specs.Arch) []specs.Arch {
	switch strings.TrimPrefix(platform, "linux/") {
	case "amd64":
		return []specs.Arch{specs.ArchX86_64}
	case "386":
		return []specs.Arch{specs.ArchX86}
	}
	return profile
}
