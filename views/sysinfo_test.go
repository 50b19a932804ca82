package views

import (
	"testing"

	"berth/engine"
)

func TestSysSummary(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   engine.Info
		want string
	}{
		{"seccomp", engine.Info{Containers: 3, ContainersRunning: 1, Images: 5, CgroupVersion: "1",
			SecurityOptions: []string{"name=seccomp,profile=builtin"}, DockerRootDir: "/var/lib/berth"},
			"1/3 running · 5 images · seccomp on · cgroup v1 · /var/lib/berth"},
		{"no seccomp", engine.Info{CgroupVersion: "2", DockerRootDir: "/srv/b"},
			"0/0 running · 0 images · SECCOMP OFF · cgroup v2 · /srv/b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sysSummary(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
