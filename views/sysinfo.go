package views

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/container"
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

// countContainers takes the title bar's container counts from a load of
// the Containers pane, which follows every change: reading Info again at
// each event would list every container once more.
func (a *App) countContainers(msg listLoadedMsg[containerRow]) {
	if msg.Err != nil {
		return
	}
	a.sys.Containers, a.sys.ContainersRunning = len(msg.Rows), 0
	for _, r := range msg.Rows {
		if st := r.State.Status; st == container.Running || st == container.Restarting { // as Info counts
			a.sys.ContainersRunning++
		}
	}
	a.system = sysSummary(a.sys)
}

// countImages takes the image count from a load of the Images pane: its
// rows are tags, Info counts images.
func (a *App) countImages(msg listLoadedMsg[imageRow]) {
	if msg.Err != nil {
		return
	}
	ids := make(map[string]bool, len(msg.Rows))
	for _, r := range msg.Rows {
		ids[r.ID] = true
	}
	a.sys.Images = len(ids)
	a.system = sysSummary(a.sys)
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
