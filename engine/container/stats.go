package container

import (
	"berth/engine/errdefs"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/runc/libcontainer"
)

// Stats reads a running container's cgroup counters.
func (s *Service) Stats(ctx context.Context, ref string) (Sample, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return Sample{}, err
	}
	lc, err := s.loadRuntime(c)
	if err == nil {
		if status, _ := lc.Status(); status == libcontainer.Stopped {
			err = errdefs.Conflict("container %s is not running", c.Name)
		}
	}
	if err != nil {
		// A process that died without its monitor (kill -9) is recorded
		// now: the TUI, reading stats every few seconds, learns it by event.
		if c.State.Status.Active() && !monitorAlive(c) {
			s.reconcileIfFree(ctx, c)
		}
		return Sample{}, err
	}
	st, err := lc.Stats()
	if err != nil {
		return Sample{}, fmt.Errorf("stats of %s: %w", c.Name, err)
	}
	out := Sample{ID: c.ID, Name: c.Name, Time: time.Now()}
	if cg := st.CgroupStats; cg != nil {
		out.CPUNanos = cg.CpuStats.CpuUsage.TotalUsage
		mem := cg.MemoryStats
		out.MemUsage = mem.Usage.Usage
		for _, k := range []string{"total_inactive_file", "inactive_file"} {
			if v, ok := mem.Stats[k]; ok && v < out.MemUsage {
				out.MemUsage -= v
				break
			}
		}
		out.MemLimit = mem.Usage.Limit
		if host := hostMemory(); out.MemLimit == 0 || out.MemLimit > host {
			out.MemLimit = host
		}
		out.PIDs = cg.PidsStats.Current
		for _, e := range cg.BlkioStats.IoServiceBytesRecursive {
			switch strings.ToLower(e.Op) {
			case "read":
				out.BlockRead += e.Value
			case "write":
				out.BlockWrite += e.Value
			}
		}
	}
	if networked(c) && st.CgroupStats != nil {
		if pid, err := lc.State(); err == nil {
			out.NetRx, out.NetTx = netCounters(pid.InitProcessPid)
		}
	}
	return out, nil
}

// netCounters are the bytes received and sent on the interfaces of the
// network namespace of process pid, loopback not counted. These are the
// counters of the container's end of its veth pairs: the host ends count
// the same bytes the other way round.
func netCounters(pid int) (rx, tx uint64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/net/dev")
	if err != nil {
		return 0, 0 // ended meanwhile
	}
	return parseNetDev(string(b))
}

// parseNetDev sums the received and sent bytes of /proc/net/dev's
// interfaces but lo: "  eth0: 1234 12 0 0 0 0 0 0 5678 34 ...", received
// bytes the first column, sent bytes the ninth.
func parseNetDev(s string) (rx, tx uint64) {
	for _, line := range strings.Split(s, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "lo" || strings.Contains(name, "|") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, err1 := strconv.ParseUint(f[0], 10, 64)
		t, err2 := strconv.ParseUint(f[8], 10, 64)
		if err1 == nil && err2 == nil {
			rx += r
			tx += t
		}
	}
	return rx, tx
}

// hostMemory is MemTotal of /proc/meminfo in bytes.
func hostMemory() uint64 {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// Top lists the processes of a running container.
func (s *Service) Top(ctx context.Context, ref string) ([]Process, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	lc, err := s.loadRuntime(c)
	if err != nil {
		return nil, err
	}
	pids, err := lc.Processes()
	if err != nil {
		return nil, fmt.Errorf("processes of %s: %w", c.Name, err)
	}
	boot := bootTime()
	var out []Process
	for _, pid := range pids {
		p, err := readProc(pid, boot)
		if err != nil {
			continue // ended meanwhile
		}
		out = append(out, p)
	}
	return out, nil
}

const clockTicks = 100 // USER_HZ on Linux

func readProc(pid int, boot time.Time) (Process, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return Process{}, err
	}
	s := string(stat)
	name := s[strings.IndexByte(s, '(')+1 : strings.LastIndexByte(s, ')')]
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	p := Process{PID: pid}
	p.PPID, _ = strconv.Atoi(f[1])
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	start, _ := strconv.ParseUint(f[19], 10, 64)
	p.CPU = time.Duration(ut+st) * time.Second / clockTicks
	p.Start = boot.Add(time.Duration(start) * time.Second / clockTicks)
	status, _ := os.ReadFile(dir + "/status")
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "Uid:"); ok {
			if fs := strings.Fields(v); len(fs) > 0 {
				p.UID, _ = strconv.Atoi(fs[0])
			}
		}
	}
	cmdline, _ := os.ReadFile(dir + "/cmdline")
	p.Cmd = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	if p.Cmd == "" {
		p.Cmd = "[" + name + "]"
	}
	return p, nil
}

func bootTime() time.Time {
	b, _ := os.ReadFile("/proc/stat")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			sec, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Unix(sec, 0)
		}
	}
	return time.Time{}
}
