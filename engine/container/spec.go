package container

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth/engine/errdefs"
)

// SpecPaths are the host paths a container's runtime spec refers to.
type SpecPaths struct {
	Rootfs       string // the merged overlay mount point
	Hosts        string // bind-mounted at /etc/hosts; "" for none
	ResolvConf   string // bind-mounted at /etc/resolv.conf; "" for none
	HostnameFile string // bind-mounted at /etc/hostname; "" for none
	// Mounts are added after the default ones (volumes, binds, tmpfs).
	Mounts []specs.Mount
}

// Docker's defaults.
const (
	// DefaultPathEnv is PATH when the image sets none.
	DefaultPathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	// MinMemory is the smallest --memory Docker accepts.
	MinMemory = 6 << 20
	// cfsPeriod is the CFS period --cpus is translated with (µs).
	cfsPeriod = 100000
)

// capNames are the Linux capabilities by number (capabilities(7)); the
// index is the bit in /proc/<pid>/status Cap* masks.
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// DefaultCapabilities is Docker's default capability set.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// MaskedPaths and ReadonlyPaths are Docker's lists for unprivileged containers.
var (
	MaskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/proc/scsi", "/sys/firmware",
		"/sys/devices/virtual/powercap",
	}
	ReadonlyPaths = []string{
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// capNumber is the number of a capability in canonical form, or -1.
func capNumber(name string) int {
	return slices.Index(capNames, name)
}

// CapMask is the bit mask of caps, as /proc/<pid>/status shows it.
func CapMask(caps []string) uint64 {
	var m uint64
	for _, c := range caps {
		if n := capNumber(c); n >= 0 {
			m |= 1 << n
		}
	}
	return m
}

// normalizeCaps turns "net_admin" and "CAP_NET_ADMIN" into "CAP_NET_ADMIN";
// "ALL" is reported apart. flag names the option for the error message.
func normalizeCaps(list []string, flag string) (caps []string, all bool, err error) {
	for _, c := range list {
		u := strings.ToUpper(strings.TrimSpace(c))
		if u == "ALL" || u == "CAP_ALL" {
			all = true
			continue
		}
		if !strings.HasPrefix(u, "CAP_") {
			u = "CAP_" + u
		}
		if capNumber(u) < 0 {
			return nil, false, errdefs.InvalidArgument("unknown capability %q in %s: use a name from capabilities(7) such as NET_ADMIN, or ALL", c, flag)
		}
		if !slices.Contains(caps, u) {
			caps = append(caps, u)
		}
	}
	return caps, all, nil
}

// tweakCapabilities is Docker's rule for --cap-add/--cap-drop: start from
// every capability (--cap-add ALL), none (--cap-drop ALL) or the defaults,
// remove the dropped ones, then add the added ones (an add wins over a
// drop). all is every capability the container may get. The result is in
// capability number order.
func tweakCapabilities(sec Security, all []string) ([]string, error) {
	if sec.Privileged {
		return sortCaps(all), nil
	}
	drop, dropAll, err := normalizeCaps(sec.CapDrop, "--cap-drop")
	if err != nil {
		return nil, err
	}
	add, addAll, err := normalizeCaps(sec.CapAdd, "--cap-add")
	if err != nil {
		return nil, err
	}
	var base []string
	switch {
	case addAll:
		base = all
	case dropAll:
	default:
		base = DefaultCapabilities
	}
	var caps []string
	for _, c := range base {
		if !slices.Contains(drop, c) {
			caps = append(caps, c)
		}
	}
	for _, c := range add {
		if !slices.Contains(all, c) {
			return nil, errdefs.PermissionDenied("capability %s in --cap-add: berth itself does not hold it on this host, so no container can get it", strings.TrimPrefix(c, "CAP_"))
		}
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return sortCaps(caps), nil
}

func sortCaps(caps []string) []string {
	out := slices.Clone(caps)
	slices.SortFunc(out, func(a, b string) int { return capNumber(a) - capNumber(b) })
	return out
}

// Hostname is the container's host name: --hostname, else the host's name
// with --network host, else the short ID (Docker's rules).
func Hostname(c *Container) string {
	if c.Config.Hostname != "" {
		return c.Config.Hostname
	}
	if c.Config.NetworkMode == "host" {
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	if len(c.ID) >= 12 {
		return c.ID[:12]
	}
	return c.ID
}

// processEnv is Docker's environment: PATH, HOSTNAME and (with a tty)
// TERM, each overridden by the container's own env.
func processEnv(c *Container, hostname string) []string {
	env := []string{DefaultPathEnv, "HOSTNAME=" + hostname}
	if c.Config.Tty {
		env = append(env, "TERM=xterm")
	}
	return MergeEnv(env, c.Config.Env)
}

// numericUser reads "uid[:gid]" with numbers only. Names are resolved in
// the container's /etc/passwd by the monitor; they read as 0:0 here.
func numericUser(u string) specs.User {
	uidS, gidS, _ := strings.Cut(u, ":")
	var out specs.User
	if n, err := strconv.ParseUint(uidS, 10, 32); err == nil {
		out.UID = uint32(n)
	}
	if n, err := strconv.ParseUint(gidS, 10, 32); err == nil {
		out.GID = uint32(n)
	}
	return out
}

// defaultMounts are Docker's mounts for /proc, /dev, /sys and friends.
func defaultMounts(privileged bool) []specs.Mount {
	ro := "ro"
	if privileged {
		ro = "rw"
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", ro}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"nosuid", "noexec", "nodev", "relatime", ro}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=67108864"}},
	}
}

// etcMounts bind the container's hosts, resolv.conf and hostname files.
// Like Docker, they are read-only when the root filesystem is.
func etcMounts(p SpecPaths, readOnly bool) []specs.Mount {
	var out []specs.Mount
	for _, f := range []struct{ src, dst string }{
		{p.ResolvConf, "/etc/resolv.conf"},
		{p.HostnameFile, "/etc/hostname"},
		{p.Hosts, "/etc/hosts"},
	} {
		if f.src == "" {
			continue
		}
		opts := []string{"rbind", "rprivate"}
		if readOnly {
			opts = append(opts, "ro")
		}
		out = append(out, specs.Mount{Destination: f.dst, Type: "bind", Source: f.src, Options: opts})
	}
	return out
}

// linuxResources translates the Docker resource flags. swapAccounting says
// whether the host can limit memory+swap; without it the swap limit is left
// out (Docker warns and does the same).
func linuxResources(r Resources, swapAccounting bool) (*specs.LinuxResources, error) {
	out := &specs.LinuxResources{}
	if r.Memory < 0 {
		return nil, errdefs.InvalidArgument("invalid --memory %d: use a positive size such as 64m", r.Memory)
	}
	if r.Memory > 0 && r.Memory < MinMemory {
		return nil, errdefs.InvalidArgument("--memory %d is below the minimum of 6MB: use at least 6m", r.Memory)
	}
	if r.MemorySwap > 0 && r.Memory == 0 {
		return nil, errdefs.InvalidArgument("--memory-swap needs --memory: set the memory limit too")
	}
	if r.MemorySwap > 0 && r.MemorySwap < r.Memory {
		return nil, errdefs.InvalidArgument("--memory-swap %d is below --memory %d: it is memory plus swap, so set it at least as large, or -1 for unlimited swap", r.MemorySwap, r.Memory)
	}
	if r.MemorySwap < -1 {
		return nil, errdefs.InvalidArgument("invalid --memory-swap %d: use a size, or -1 for unlimited swap", r.MemorySwap)
	}
	if r.Memory > 0 {
		mem := r.Memory
		out.Memory = &specs.LinuxMemory{Limit: &mem}
		if swapAccounting {
			swap := r.MemorySwap
			if swap == 0 {
				swap = 2 * mem // Docker's default: as much swap as memory
			}
			out.Memory.Swap = &swap
		}
	}
	if r.NanoCPUs < 0 {
		return nil, errdefs.InvalidArgument("invalid --cpus: use a positive number such as 0.5")
	}
	if r.NanoCPUs > 0 || r.CPUShares > 0 {
		out.CPU = &specs.LinuxCPU{}
	}
	if r.NanoCPUs > 0 {
		period := uint64(cfsPeriod)
		quota := r.NanoCPUs * cfsPeriod / 1e9
		if quota < 1000 {
			return nil, errdefs.InvalidArgument("--cpus %s is below the minimum of 0.01", formatCPUs(r.NanoCPUs))
		}
		out.CPU.Period, out.CPU.Quota = &period, &quota
	}
	if r.CPUShares < 0 {
		return nil, errdefs.InvalidArgument("invalid --cpu-shares %d: use a positive number (1024 is the default weight)", r.CPUShares)
	}
	if r.CPUShares > 0 {
		shares := uint64(r.CPUShares)
		out.CPU.Shares = &shares
	}
	if r.PidsLimit > 0 {
		pids := r.PidsLimit
		out.Pids = &specs.LinuxPids{Limit: &pids}
	}
	return out, nil
}

func formatCPUs(nano int64) string {
	return strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64)
}

// annotations are the container's labels.
func annotations(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	out := make(map[string]string, len(labels))
	for k, v := range labels {
		out[k] = v
	}
	return out
}

func specErr(c *Container, err error) error {
	if errdefs.Classified(err) {
		return err
	}
	return fmt.Errorf("container %s: runtime spec: %w", c.ID, err)
}
