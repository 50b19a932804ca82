package container

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// Usage reads the CPU time and memory of running container id straight
// from its cgroup's files (cgroupfs, under DefaultCgroupParent): five small
// reads and a look at its processes, for a list that shows many containers
// every few seconds. Stats
// loads the libcontainer state and reads every controller, about a hundred
// times as much work. A container without a cgroup, or whose cgroup has no
// process left (its process and monitor were killed), is not running: its
// error is NotFound, and Stats says more (and records a monitor that died).
// hostMem is the host's memory (the limit of an unlimited container), read
// once by the caller for many containers.
func Usage(id string, hostMem uint64) (Sample, error) {
	return usageAt("/sys/fs/cgroup", id, cgroups.IsCgroup2UnifiedMode(), hostMem)
}

// HostMemory is the host's memory in bytes (MemTotal).
func HostMemory() uint64 { return hostMemory() }

// usageAt is Usage under cgroup root base, v2 for the unified hierarchy.
func usageAt(base, id string, v2 bool, host uint64) (Sample, error) {
	out := Sample{ID: id, Time: time.Now()}
	procs := filepath.Join(base, "cpuacct", DefaultCgroupParent, id, "cgroup.procs")
	if v2 {
		procs = filepath.Join(base, DefaultCgroupParent, id, "cgroup.procs")
	}
	if b, err := readSmall(procs); err != nil || len(bytes.TrimSpace(b)) == 0 {
		return Sample{}, errdefs.NotFound("container %s has no process in its cgroup: it is not running", id)
	}
	var err error
	if v2 {
		dir := filepath.Join(base, DefaultCgroupParent, id)
		var usec uint64
		usec, err = statField(filepath.Join(dir, "cpu.stat"), "usage_usec")
		out.CPUNanos = usec * 1000
		if err == nil {
			out.MemUsage, err = readUint(filepath.Join(dir, "memory.current"))
		}
		if err == nil {
			out.MemLimit, _ = readUint(filepath.Join(dir, "memory.max")) // "max": 0, unlimited
			if inactive, e := statField(filepath.Join(dir, "memory.stat"), "inactive_file"); e == nil && inactive < out.MemUsage {
				out.MemUsage -= inactive
			}
		}
	} else {
		out.CPUNanos, err = readUint(filepath.Join(base, "cpuacct", DefaultCgroupParent, id, "cpuacct.usage"))
		mem := filepath.Join(base, "memory", DefaultCgroupParent, id)
		if err == nil {
			out.MemUsage, err = readUint(filepath.Join(mem, "memory.usage_in_bytes"))
		}
		if err == nil {
			out.MemLimit, _ = readUint(filepath.Join(mem, "memory.limit_in_bytes"))
			if inactive, e := statField(filepath.Join(mem, "memory.stat"), "total_inactive_file"); e == nil && inactive < out.MemUsage {
				out.MemUsage -= inactive
			}
		}
	}
	if err != nil {
		return Sample{}, errdefs.NotFound("container %s has no cgroup: it is not running", id)
	}
	if out.MemLimit == 0 || out.MemLimit > host {
		out.MemLimit = host
	}
	return out, nil
}

// readUint reads a file that holds one number.
func readUint(path string) (uint64, error) {
	b, err := readSmall(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
}

// statField reads the value of key in a flat keyed file ("key value" lines).
func statField(path, key string) (uint64, error) {
	b, err := readSmall(path)
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(line), []byte{' '})
		if ok && string(k) == key {
			return strconv.ParseUint(string(v), 10, 64)
		}
	}
	return 0, errdefs.NotFound("%s has no %s", path, key)
}

// readSmall reads a small kernel file with plain system calls. os.ReadFile
// would also register a cgroup file with the network poller and take it
// off again: nine calls for each of the five files a row reads every
// second or two, instead of three.
func readSmall(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	b := make([]byte, 0, 512)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):cap(b)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return b, nil
		}
		b = b[:len(b)+n]
	}
}
