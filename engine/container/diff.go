package container

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// ChangeKind is how a path differs from the image, as `docker diff` says.
type ChangeKind byte

const (
	Added   ChangeKind = 'A'
	Changed ChangeKind = 'C'
	Deleted ChangeKind = 'D'
)

// Change is one path of the writable layer.
type Change struct {
	Kind ChangeKind
	Path string // absolute, inside the container
}

// Diff lists what the container changed over its image: the writable layer
// read as overlayfs left it (whiteouts are deletions; a path that exists in
// an image layer is a change, otherwise an addition). Commit will build on it.
func (s *Service) Diff(ctx context.Context, ref string) ([]Change, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	img, err := s.images.Resolve(ctx, c.Config.ImageID)
	if err != nil {
		return nil, err
	}
	upper := filepath.Join(s.dir(c.ID), "upper")
	var out []Change
	err = filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == upper {
			return err
		}
		rel := "/" + strings.TrimPrefix(p, upper+"/")
		if d.Type()&fs.ModeCharDevice != 0 {
			var st unix.Stat_t
			if unix.Lstat(p, &st) == nil && st.Rdev == 0 {
				out = append(out, Change{Deleted, rel}) // an overlay whiteout
				return nil
			}
		}
		kind := Added
		for _, lower := range img.Layers {
			if _, err := os.Lstat(filepath.Join(lower, rel)); err == nil {
				kind = Changed
				break
			}
		}
		out = append(out, Change{kind, rel})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}
