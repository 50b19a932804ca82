package engine

import (
	"context"

	"berth/engine/image"
)

// ImageLayers analyses the layers of an image as a layer browser shows
// them: each layer's files marked added, modified or removed, the image's
// tree at any layer, its wasted space and efficiency.
func (e *Engine) ImageLayers(ctx context.Context, ref string) (*image.LayerAnalysis, error) {
	return e.images.Layers(ctx, ref)
}
