package engine

import (
	"context"

	"berth/engine/container"
)

// ContainerTop lists the processes of a running container (berth top).
func (e *Engine) ContainerTop(ctx context.Context, ref string) ([]container.Process, error) {
	return e.containers.Top(ctx, ref)
}
