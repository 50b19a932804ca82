package image

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"berth/engine/errdefs"
	"berth/engine/store"
)

// Inspect describes the image ref names, as docker image inspect does.
func (s *Service) Inspect(ctx context.Context, ref string) (*Inspect, error) {
	var img store.Image
	var tags, digests []string
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		if img, err = s.resolve(tx, ref); err != nil {
			return err
		}
		names, ds, err := namesByImage(tx)
		tags, digests = names[img.ID], ds[img.ID]
		return err
	})
	if err != nil {
		return nil, err
	}
	raw, err := s.blobs.ReadAll(img.ID)
	if err != nil {
		return nil, err
	}
	// The parts of the config Docker shows that go-containerregistry's
	// ConfigFile does not keep (comment, container_config).
	var cfg struct {
		Author          string           `json:"author"`
		Comment         string           `json:"comment"`
		Container       string           `json:"container"`
		DockerVersion   string           `json:"docker_version"`
		Created         time.Time        `json:"created"`
		OSVersion       string           `json:"os.version"`
		Config          *ContainerConfig `json:"config"`
		ContainerConfig ContainerConfig  `json:"container_config"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, errdefs.DataCorrupt("image %s: stored config is not valid: %v", ShortID(img.ID), err)
	}
	if tags == nil {
		tags = []string{}
	}
	if digests == nil {
		digests = []string{}
	}
	out := &Inspect{
		ID: img.ID, RepoTags: tags, RepoDigests: digests,
		Comment: cfg.Comment, Created: cfg.Created.Format(time.RFC3339Nano),
		Container: cfg.Container, ContainerConfig: cfg.ContainerConfig, DockerVersion: cfg.DockerVersion,
		Author: cfg.Author, Config: cfg.Config, Architecture: img.Arch, Variant: img.Variant,
		Os: img.OS, OsVersion: cfg.OSVersion, Size: img.Size, VirtualSize: img.Size,
		GraphDriver: GraphDriver{Name: DriverName, Data: map[string]string{}},
		RootFS:      RootFS{Type: "layers", Layers: []string{}},
		Manifest:    ManifestInfo{Digest: img.ManifestDigest, MediaType: img.ManifestMediaType, Layers: []LayerInfo{}},
	}
	var lower []string
	for i, l := range img.Layers {
		out.RootFS.Layers = append(out.RootFS.Layers, l.DiffID)
		out.Manifest.Layers = append(out.Manifest.Layers, LayerInfo{
			Digest: l.BlobDigest, MediaType: l.MediaType, Size: l.BlobSize, DiffID: l.DiffID, Unpacked: l.Size,
		})
		if i < len(img.Layers)-1 {
			lower = append([]string{s.snaps.Path(l.DiffID)}, lower...)
		} else {
			out.GraphDriver.Data["UpperDir"] = s.snaps.Path(l.DiffID)
		}
	}
	if len(lower) > 0 { // top first, as overlayfs's lowerdir and Docker list them
		out.GraphDriver.Data["LowerDir"] = strings.Join(lower, ":")
	}
	return out, nil
}
