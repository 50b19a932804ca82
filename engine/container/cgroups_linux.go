package container

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"
)

// removeCgroups removes container id's cgroups when libcontainer could not:
// a monitor killed between creating them and saving its state leaves them
// (and perhaps runc's init process, waiting to execute) behind, and
// libcontainer.Load then cannot find the container. What is still inside
// is thawed and killed first. The caller knows the container must not run.
func removeCgroups(id string) {
	base := "/sys/fs/cgroup"
	var dirs []string
	if cgroups.IsCgroup2UnifiedMode() {
		dirs = []string{filepath.Join(base, DefaultCgroupParent, id)}
	} else {
		ents, _ := os.ReadDir(base)
		for _, e := range ents {
			dirs = append(dirs, filepath.Join(base, e.Name(), DefaultCgroupParent, id))
		}
	}
	paths := map[string]string{}
	for i, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			continue
		}
		paths[strconv.Itoa(i)] = d
		if _, err := os.Stat(filepath.Join(d, "freezer.state")); err == nil {
			os.WriteFile(filepath.Join(d, "freezer.state"), []byte("THAWED"), 0)
		}
		if pids, err := cgroups.GetAllPids(d); err == nil {
			for _, pid := range pids {
				unix.Kill(pid, unix.SIGKILL)
			}
		}
	}
	if len(paths) > 0 {
		cgroups.RemovePaths(paths)
	}
}
