package image

import (
	"context"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"berth/engine/errdefs"
	"berth/engine/layertree"
	"berth/engine/store"
)

// LayerAnalysis is an image's layers as a layer browser (dive) shows them:
// each layer's files marked against the layers below, and the space the
// image wastes on files that later layers overwrite or delete.
type LayerAnalysis struct {
	ImageID string
	Size    int64 // unpacked bytes of all layers
	Layers  []LayerDetail
	// Wasted and Efficiency are dive's figures (see layertree.Analysis).
	Wasted     int64
	Efficiency float64
	Waste      []layertree.Waste // the paths stored more than once, most bytes first

	tree *layertree.Analysis
}

// LayerDetail is one layer, bottom first.
type LayerDetail struct {
	Index   int
	DiffID  string // digest of the uncompressed layer
	Digest  string // digest of the stored blob
	Size    int64  // unpacked bytes
	Command string // the history step that made it; "" if the image has no history for it
	// Changes is the layer's own file tree, marked against the layers
	// below; Removed nodes are what it deletes.
	Changes *layertree.Node
}

// ImageTree is the image's file tree as layers 0 to i make it, marked by
// what layer i did. It builds the tree at each call (milliseconds for tens
// of thousands of files); callers keep what they need.
func (a *LayerAnalysis) ImageTree(i int) *layertree.Node { return a.tree.Image(i) }

// Layers analyses the layers of the image ref names. It reads the unpacked
// snapshot directories, every layer in parallel: that costs a stat per
// file and directory whatever the files' sizes, where reading the layer
// blobs would cost decompressing all their bytes (see the benchmarks).
func (s *Service) Layers(ctx context.Context, ref string) (*LayerAnalysis, error) {
	res, err := s.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	var img store.Image
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) { img, err = tx.Image(res.ID); return err }); err != nil {
		return nil, err
	}
	details := make([]LayerDetail, len(img.Layers))
	cmds := layerCommands(res.Config.History, len(img.Layers))
	entries := make([][]layertree.Entry, len(img.Layers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, l := range img.Layers {
		details[i] = LayerDetail{Index: i, DiffID: l.DiffID, Digest: l.BlobDigest, Size: l.Size, Command: cmds[i]}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if !s.snaps.Exists(l.DiffID) {
				return errdefs.NotFound("layer %d of image %s (%s) is not unpacked: pull the image again", i+1, ShortID(img.ID), ShortID(l.DiffID))
			}
			es, err := layertree.ReadDir(s.snaps.Path(l.DiffID))
			entries[i] = es
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return NewLayerAnalysis(img.ID, details, entries), nil
}

// NewLayerAnalysis analyses layers (bottom first, without their Changes)
// given their entries: what Layers does once it has read the snapshots.
// It fills each layer's Changes.
func NewLayerAnalysis(imageID string, layers []LayerDetail, entries [][]layertree.Entry) *LayerAnalysis {
	out := &LayerAnalysis{ImageID: imageID, Layers: layers, tree: layertree.Analyze(entries)}
	for i := range out.Layers {
		out.Size += out.Layers[i].Size
		out.Layers[i].Changes = out.tree.Layers[i]
	}
	out.Wasted, out.Efficiency, out.Waste = out.tree.Wasted, out.tree.Efficiency, out.tree.Waste
	return out
}

// layerCommands pairs the history steps that made a layer with the n
// layers, bottom first, as History does.
func layerCommands(history []v1.History, n int) []string {
	out := make([]string, n)
	i := 0
	for _, h := range history {
		if h.EmptyLayer {
			continue
		}
		if i == n {
			break
		}
		out[i] = h.CreatedBy
		i++
	}
	return out
}
