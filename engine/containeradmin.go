package engine

import (
	"context"

	"berth/engine/container"
)

// RenameContainer gives container ref a new name.
func (e *Engine) RenameContainer(ctx context.Context, ref, name string) error {
	return e.containers.Rename(ctx, ref, name)
}

// PruneContainers removes every container that is not running.
func (e *Engine) PruneContainers(ctx context.Context) (container.PruneReport, error) {
	return e.containers.Prune(ctx)
}
