package e2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rm -f of a container whose monitor was killed returns promptly, and so
// does every command after it (it used to deadlock on the container's lock).
func TestRemoveAfterMonitorKilled(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "dl", bb, "sleep", "300")
	var in []struct{ State struct{ MonitorPid, Pid int } }
	json.Unmarshal([]byte(b.ok("container", "inspect", "dl")), &in)
	mon, pid := in[0].State.MonitorPid, in[0].State.Pid
	if mon == 0 || pid == 0 {
		t.Fatalf("inspect: monitor %d pid %d", mon, pid)
	}
	syscall.Kill(mon, syscall.SIGKILL)
	eventually(t, 5*time.Second, "the monitor to die", func() bool { return syscall.Kill(mon, 0) != nil })
	start := time.Now()
	b.ok("rm", "-f", "dl")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("rm -f took %v", d)
	}
	if out := b.ok("ps", "-aq"); strings.TrimSpace(out) != "" {
		t.Errorf("ps -a after rm -f: %q", out)
	}
	eventually(t, 5*time.Second, "the container's process to end", func() bool { return syscall.Kill(pid, 0) != nil })
}

// Everything berth creates under its root and run root is owner-only,
// except what containers see through their mounts: image layers, the
// writable layer and the /etc files bind-mounted into the container.
func TestOwnerOnlyFiles(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "up", "-e", "SECRET=x", bb, "sh", "-c", "echo out; sleep 300")
	b.ok("run", "--name", "done", bb, "echo", "hello")
	shared := func(rel string) bool {
		parts := strings.Split(rel, string(filepath.Separator))
		switch {
		case len(parts) >= 3 && parts[0] == "snapshots" && parts[2] == "fs": // image layers
			return true
		case len(parts) >= 3 && parts[0] == "containers" && (parts[2] == "upper" || parts[2] == "work"):
			return true
		case len(parts) == 3 && parts[0] == "containers" && (parts[2] == "hosts" || parts[2] == "resolv.conf" || parts[2] == "hostname"):
			return true
		case len(parts) >= 3 && parts[0] == "containers" && parts[2] == "rootfs": // the mounted root
			return true
		}
		return false
	}
	for _, top := range []string{b.root, b.runRoot} {
		filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(top, p)
			if shared(rel) {
				if d.IsDir() && rel != "." && strings.Count(rel, string(filepath.Separator)) >= 2 {
					return filepath.SkipDir
				}
				return nil
			}
			fi, err := os.Lstat(p)
			if err != nil || fi.Mode()&fs.ModeSymlink != 0 {
				return nil
			}
			if fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s: mode %v, want owner-only", p, fi.Mode().Perm())
			}
			return nil
		})
	}
}
