package layertree

import (
	"archive/tar"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"

	"berth/engine/errdefs"
)

// OCI whiteout names in layer tars.
const (
	whiteoutPrefix = ".wh."
	opaqueName     = ".wh..wh..opq"
)

// ReadTar reads the entries of an uncompressed layer tar: .wh.<name>
// deletes <name>, .wh..wh..opq makes its directory opaque (the OCI image
// spec's whiteouts). It reads the headers only, but must still read
// through every file's bytes: its cost grows with the layer's size.
func ReadTar(r io.Reader) ([]Entry, error) {
	tr := tar.NewReader(r)
	var out []Entry
	dirAt := map[string]int{} // directory path -> index in out
	var opaque []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errdefs.DataCorrupt("layer tar is not valid: %v", err)
		}
		p := cleanPath(hdr.Name)
		if p == "" {
			continue
		}
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if base == opaqueName {
			opaque = append(opaque, dir)
			continue
		}
		fi := hdr.FileInfo()
		e := Entry{Path: p, Mode: fi.Mode(), UID: hdr.Uid, GID: hdr.Gid}
		switch {
		case strings.HasPrefix(base, whiteoutPrefix):
			e.Path = path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix))
			e.Kind, e.Mode = KindWhiteout, fs.ModeDevice|fs.ModeCharDevice
		case hdr.Typeflag == tar.TypeDir:
			e.Kind = KindDir
			dirAt[p] = len(out)
		case hdr.Typeflag == tar.TypeReg:
			e.Kind, e.Size = KindFile, hdr.Size
		case hdr.Typeflag == tar.TypeSymlink:
			e.Kind, e.Link = KindSymlink, hdr.Linkname
		case hdr.Typeflag == tar.TypeLink:
			e.Kind, e.Link = KindHardlink, cleanPath(hdr.Linkname)
		default:
			e.Kind = KindOther
		}
		out = append(out, e)
	}
	for _, d := range opaque {
		if d == "" {
			continue // the root cannot be opaque: nothing is below it to hide
		}
		if i, ok := dirAt[d]; ok {
			out[i].Opaque = true
			continue
		}
		out = append(out, Entry{Path: d, Kind: KindDir, Mode: fs.ModeDir | 0o755, Opaque: true})
	}
	return out, nil
}

// cleanPath is a tar name as a relative slash path: "./etc/" -> "etc".
func cleanPath(name string) string {
	p := path.Clean("/" + name)
	return strings.TrimPrefix(p, "/")
}
