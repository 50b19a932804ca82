package image

import (
	"context"

	"berth/engine/store"
)

// Usage is what the stored images take on disk, as `berth system df` shows
// it: every unpacked layer counted once, however many images share it.
type Usage struct {
	Images     []ImageUsage
	LayersSize int64            // bytes of the distinct unpacked layers
	LayerSizes map[string]int64 // diff ID -> unpacked bytes
}

// ImageUsage is one image's share of the disk.
type ImageUsage struct {
	Summary
	SharedSize int64    // bytes of its layers that other images have too
	UniqueSize int64    // bytes of the layers only it has
	DiffIDs    []string // its layers, bottom first
}

// Usage measures the images, shared layers once.
func (s *Service) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	err := s.db.View(ctx, func(tx *store.Tx) error {
		imgs, err := tx.Images()
		if err != nil {
			return err
		}
		names, digests, err := namesByImage(tx)
		if err != nil {
			return err
		}
		users := map[string]int{} // diff ID -> images that have it
		sizes := map[string]int64{}
		for _, img := range imgs {
			seen := map[string]bool{}
			for _, l := range img.Layers {
				if !seen[l.DiffID] {
					seen[l.DiffID] = true
					users[l.DiffID]++
					sizes[l.DiffID] = l.Size
				}
			}
		}
		u.LayerSizes = sizes
		for _, size := range sizes {
			u.LayersSize += size
		}
		for _, img := range imgs {
			iu := ImageUsage{Summary: summarize(img, names[img.ID], digests[img.ID])}
			seen := map[string]bool{}
			for _, l := range img.Layers {
				iu.DiffIDs = append(iu.DiffIDs, l.DiffID)
				if seen[l.DiffID] {
					continue
				}
				seen[l.DiffID] = true
				if users[l.DiffID] > 1 {
					iu.SharedSize += l.Size
				} else {
					iu.UniqueSize += l.Size
				}
			}
			u.Images = append(u.Images, iu)
		}
		return nil
	})
	return u, err
}
