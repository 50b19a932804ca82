package container

import (
	"context"
)

// Inspect describes a container.
func (s *Service) Inspect(ctx context.Context, ref string) (*Inspect, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	args := c.Config.Args()
	st := c.State
	in := &Inspect{
		ID: c.ID, Created: c.Created, Path: args[0], Args: args[1:], Image: c.Config.ImageID, Name: "/" + c.Name,
		RestartCount: st.RestartCount, LogPath: s.logPath(c.ID),
		State: InspectState{Status: st.Status.String(), Running: st.Status == Running || st.Status == Paused,
			Paused: st.Status == Paused, Restarting: st.Status == Restarting, OOMKilled: st.OOMKilled,
			Dead: st.Status == Dead, Pid: st.Pid, ExitCode: st.ExitCode, Error: st.Error,
			StartedAt: st.StartedAt, FinishedAt: st.FinishedAt, MonitorPid: st.MonitorPid},
		Config: InspectConfig{Hostname: hostname(c), User: c.Config.User, Tty: c.Config.Tty, OpenStdin: c.Config.OpenStdin,
			Env: c.Config.Env, Cmd: c.Config.Cmd, Image: c.Config.Image, WorkingDir: c.Config.WorkingDir,
			Entrypoint: c.Config.Entrypoint, Labels: c.Config.Labels, StopSignal: c.Config.StopSignal, StopTimeout: c.Config.StopTimeout},
		HostConfig: InspectHost{NetworkMode: c.Config.NetworkMode, RestartPolicy: c.Config.Restart, AutoRemove: c.Config.AutoRemove,
			Privileged: c.Config.Security.Privileged, CapAdd: c.Config.Security.CapAdd, CapDrop: c.Config.Security.CapDrop,
			ReadonlyRootfs: c.Config.ReadOnly, Memory: c.Config.Resources.Memory, MemorySwap: c.Config.Resources.MemorySwap,
			NanoCpus: c.Config.Resources.NanoCPUs, CPUShares: c.Config.Resources.CPUShares, PidsLimit: c.Config.Resources.PidsLimit},
		GraphDriver: InspectGraph{Name: "overlay", Data: map[string]string{
			"UpperDir": s.dir(c.ID) + "/upper", "WorkDir": s.dir(c.ID) + "/work", "MergedDir": s.rootfs(c.ID)}},
	}
	if c.Config.Security.SeccompUnconfined {
		in.HostConfig.SecurityOpt = append(in.HostConfig.SecurityOpt, "seccomp=unconfined")
	}
	return in, nil
}

// hostname is the container's host name: its own, or its short ID.
func hostname(c *Container) string {
	if c.Config.Hostname != "" {
		return c.Config.Hostname
	}
	if c.Config.NetworkMode == "host" {
		return ""
	}
	return c.ID[:12]
}
