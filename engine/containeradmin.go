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

// ContainersUsage is the CPU time and memory of the running containers ids
// (full IDs), read cheaply from their cgroups (container.Usage), for a list
// that shows many every few seconds. Where that fails, Stats answers, and
// records a container whose monitor died; a container that is not running
// is left out.
func (e *Engine) ContainersUsage(ctx context.Context, ids []string) map[string]container.Sample {
	out := make(map[string]container.Sample, len(ids))
	host := container.HostMemory()
	for _, id := range ids {
		s, err := container.Usage(id, host)
		if err != nil {
			s, err = e.containers.Stats(ctx, id)
		}
		if err == nil {
			out[id] = s
		}
	}
	return out
}
