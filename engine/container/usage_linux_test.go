package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine/errdefs"
)

func TestUsageReadsTheCgroupFiles(t *testing.T) {
	write := func(dir, name, text string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("v1", func(t *testing.T) {
		base := t.TempDir()
		write(filepath.Join(base, "cpuacct", DefaultCgroupParent, "c1"), "cpuacct.usage", "123456789\n")
		write(filepath.Join(base, "cpuacct", DefaultCgroupParent, "c1"), "cgroup.procs", "4242\n")
		mem := filepath.Join(base, "memory", DefaultCgroupParent, "c1")
		write(mem, "memory.usage_in_bytes", "10485760\n")
		write(mem, "memory.limit_in_bytes", "67108864\n")
		// A real memory.stat is about 1 KiB, longer than readSmall's
		// first buffer; the key read is near its end.
		stat := "cache 100\ntotal_cache 200\n" + strings.Repeat("total_pgpgin 123456789\n", 60)
		write(mem, "memory.stat", stat+"total_inactive_file 1048576\ntotal_unevictable 0\n")
		s, err := usageAt(base, "c1", false, 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		if s.CPUNanos != 123456789 || s.MemUsage != 9<<20 || s.MemLimit != 64<<20 {
			t.Errorf("sample %+v", s)
		}
	})
	t.Run("v2", func(t *testing.T) {
		base := t.TempDir()
		dir := filepath.Join(base, DefaultCgroupParent, "c2")
		write(dir, "cpu.stat", "usage_usec 2500\nuser_usec 2000\n")
		write(dir, "cgroup.procs", "4242\n")
		write(dir, "memory.current", "4096000\n")
		write(dir, "memory.max", "max\n")
		write(dir, "memory.stat", "anon 1\ninactive_file 96000\n")
		s, err := usageAt(base, "c2", true, 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		if s.CPUNanos != 2_500_000 || s.MemUsage != 4_000_000 || s.MemLimit != 1<<40 {
			t.Errorf("sample %+v (unlimited: the host's memory)", s)
		}
	})
	t.Run("no process left", func(t *testing.T) {
		// A container whose process and monitor were killed keeps its
		// cgroup: it must read as not running, so that Stats records it.
		base := t.TempDir()
		write(filepath.Join(base, "cpuacct", DefaultCgroupParent, "c3"), "cpuacct.usage", "1\n")
		write(filepath.Join(base, "cpuacct", DefaultCgroupParent, "c3"), "cgroup.procs", "")
		write(filepath.Join(base, "memory", DefaultCgroupParent, "c3"), "memory.usage_in_bytes", "1\n")
		if _, err := usageAt(base, "c3", false, 1<<40); !errdefs.IsNotFound(err) {
			t.Errorf("err %v, want not found", err)
		}
	})
	t.Run("no cgroup", func(t *testing.T) {
		if _, err := usageAt(t.TempDir(), "gone", false, 1<<40); !errdefs.IsNotFound(err) {
			t.Errorf("err %v, want not found", err)
		}
	})
}
