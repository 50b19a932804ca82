package engine

import (
	"context"

	"berth/engine/volume"
)

// volumes is the volume service of this root (it holds nothing but the
// store and the directory, so it is made where it is used).
func (e *Engine) volumes() *volume.Service { return volume.NewService(e.db, e.root) }

// CreateVolume makes a volume (a random name when o.Name is ""); an
// existing one of that name is returned as it is.
func (e *Engine) CreateVolume(ctx context.Context, o volume.CreateOptions) (*volume.Volume, error) {
	v, _, err := e.volumes().Create(ctx, o)
	return v, err
}

// ListVolumes lists the volumes that pass the filters, by name.
func (e *Engine) ListVolumes(ctx context.Context, f volume.Filters) ([]*volume.Volume, error) {
	vols := e.volumes()
	vols.Cleanup()
	list, err := vols.List(ctx)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, v := range list {
		if f.Match(v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// InspectVolume describes a volume.
func (e *Engine) InspectVolume(ctx context.Context, name string) (*volume.Inspect, error) {
	return e.volumes().Inspect(ctx, name)
}

// VolumeUsers names the containers that mount a volume.
func (e *Engine) VolumeUsers(ctx context.Context, name string) ([]string, error) {
	return e.volumes().Users(ctx, name)
}

// RemoveVolume removes a volume no container uses (force: a missing one is
// not an error).
func (e *Engine) RemoveVolume(ctx context.Context, name string, force bool) error {
	return e.volumes().Remove(ctx, name, force)
}

// PruneVolumes removes unused anonymous volumes, or every unused one with all.
func (e *Engine) PruneVolumes(ctx context.Context, all bool, f volume.Filters) (volume.PruneReport, error) {
	return e.volumes().Prune(ctx, all, f)
}

// VolumeUsage is a volume and the bytes it holds, for system df.
type VolumeUsage struct {
	*volume.Volume
	Size int64
}

// VolumesDiskUsage measures every volume.
func (e *Engine) VolumesDiskUsage(ctx context.Context) ([]VolumeUsage, error) {
	list, err := e.volumes().List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]VolumeUsage, 0, len(list))
	for _, v := range list {
		out = append(out, VolumeUsage{Volume: v, Size: volume.DirSize(v.Mountpoint)})
	}
	return out, nil
}
