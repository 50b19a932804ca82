package views

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// sysInfoMsg is a reading of the engine's essentials for the title bar.
type sysInfoMsg struct {
	info engine.Info
	err  error
}

// loadSysInfo reads the engine's essentials off the update loop.
func (e *env) loadSysInfo() tea.Cmd {
	return func() tea.Msg {
		in, err := e.eng.Info(e.ctx)
		return sysInfoMsg{in, err}
	}
}

// sysSummary is what the title bar says of the engine, as `berth info`
// does: the root, the cgroup version, whether seccomp confines containers,
// and the counts. The most useful parts come first, for narrow windows.
func sysSummary(in engine.Info) string {
	seccomp := "seccomp on"
	if !strings.Contains(strings.Join(in.SecurityOptions, " "), "name=seccomp") {
		seccomp = "SECCOMP OFF"
	}
	return fmt.Sprintf("%d/%d running · %d images · %s · cgroup v%s · %s",
		in.ContainersRunning, in.Containers, in.Images, seccomp, in.CgroupVersion, in.DockerRootDir)
}
