package engine

import (
	"context"
	"os"
	"os/exec"
	"syscall"

	"berth/engine/container"
	"berth/engine/monitor"
)

// Containers is the container service, for the CLI's many verbs.
func (e *Engine) Containers() *container.Service { return e.containers }

// ListContainers lists running containers, or all.
func (e *Engine) ListContainers(ctx context.Context, all bool) ([]container.Summary, error) {
	return e.containers.List(ctx, all)
}

// RunContainer creates a container and starts it in the background.
func (e *Engine) RunContainer(ctx context.Context, o container.CreateOptions) (*container.Container, error) {
	c, err := e.containers.Create(ctx, o)
	if err != nil {
		return nil, err
	}
	if _, err := e.containers.Start(ctx, c.ID, container.StartOptions{}); err != nil {
		return c, err
	}
	return c, nil
}

// StartContainer starts a stopped container in the background.
func (e *Engine) StartContainer(ctx context.Context, ref string) error {
	_, err := e.containers.Start(ctx, ref, container.StartOptions{})
	return err
}

// StopContainer stops a container with its own stop signal and timeout.
func (e *Engine) StopContainer(ctx context.Context, ref string) error {
	return e.containers.Stop(ctx, ref, nil)
}

// RestartContainer stops and starts a container.
func (e *Engine) RestartContainer(ctx context.Context, ref string) error {
	return e.containers.Restart(ctx, ref, nil)
}

// KillContainer sends SIGKILL.
func (e *Engine) KillContainer(ctx context.Context, ref string) error {
	return e.containers.Kill(ctx, ref, syscall.SIGKILL)
}

// PauseContainer freezes a container.
func (e *Engine) PauseContainer(ctx context.Context, ref string) error {
	return e.containers.Pause(ctx, ref)
}

// UnpauseContainer thaws a container.
func (e *Engine) UnpauseContainer(ctx context.Context, ref string) error {
	return e.containers.Unpause(ctx, ref)
}

// RemoveContainer removes a container (force: kill it first).
func (e *Engine) RemoveContainer(ctx context.Context, ref string, force bool) error {
	return e.containers.Remove(ctx, ref, container.RemoveOptions{Force: force})
}

// InspectContainer describes a container.
func (e *Engine) InspectContainer(ctx context.Context, ref string) (*container.Inspect, error) {
	return e.containers.Inspect(ctx, ref)
}

// ContainerStats reads a running container's counters.
func (e *Engine) ContainerStats(ctx context.Context, ref string) (container.Sample, error) {
	return e.containers.Stats(ctx, ref)
}

// ContainerLogs streams a container's recorded output to sink.
func (e *Engine) ContainerLogs(ctx context.Context, ref string, o monitor.LogOptions, sink monitor.LogSink) error {
	return e.containers.LogsTo(ctx, ref, o, sink)
}

// AttachCommand is a berth process that attaches the terminal to a
// container, for a UI to hand the terminal over to.
func (e *Engine) AttachCommand(ref string) *exec.Cmd {
	exe, _ := os.Executable()
	return exec.Command(exe, "--root", e.root, "--run-root", e.runRoot, "attach", ref)
}
