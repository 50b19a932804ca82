package engine

import (
	"context"
	"syscall"

	"berth/engine/container"
)

// CreateContainer creates a container without starting it (berth create).
func (e *Engine) CreateContainer(ctx context.Context, o container.CreateOptions) (*container.Container, error) {
	return e.containers.Create(ctx, o)
}

// SignalContainer sends sig to a container's main process (berth kill -s).
func (e *Engine) SignalContainer(ctx context.Context, ref string, sig syscall.Signal) error {
	return e.containers.Kill(ctx, ref, sig)
}

// StopContainerAfter stops a container with its stop signal, then SIGKILL
// after timeout seconds (nil: the container's own stop timeout).
func (e *Engine) StopContainerAfter(ctx context.Context, ref string, timeout *int) error {
	return e.containers.Stop(ctx, ref, timeout)
}

// ContainerChanges lists the files a container added, changed or deleted
// in its writable layer (berth diff).
func (e *Engine) ContainerChanges(ctx context.Context, ref string) ([]container.Change, error) {
	return e.containers.Diff(ctx, ref)
}

// RestartContainerAfter restarts a container, killing it after timeout
// seconds of its stop signal (nil: its own stop timeout).
func (e *Engine) RestartContainerAfter(ctx context.Context, ref string, timeout *int) error {
	return e.containers.Restart(ctx, ref, timeout)
}
