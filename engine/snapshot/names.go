package snapshot

import (
	"path"
	"strings"

	"berth/engine/errdefs"
)

// OCI whiteout names (image-spec layer.md).
const (
	whiteoutPrefix     = ".wh."
	whiteoutMetaPrefix = ".wh..wh."     // reserved for whiteout bookkeeping (aufs)
	whiteoutOpaque     = ".wh..wh..opq" // the directory holding it is opaque
)

// cleanName turns a tar entry name into a clean path relative to the layer
// root: "." for the root itself, otherwise no leading "/" and no "." or ".."
// component. An absolute name counts from the layer root, as in Docker
// ("/etc/x" is "etc/x"; "/../x" is "x"). A relative name that still climbs
// out after cleaning ("../x", "a/../../x") is an errdefs.InvalidArgument
// error naming the entry.
func cleanName(name string) (string, error) {
	c := path.Clean(name)
	if path.IsAbs(c) {
		c = path.Clean(strings.TrimLeft(c, "/")) // Clean("") is "."
	}
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", errdefs.InvalidArgument("layer entry %q: path escapes the layer", name)
	}
	return c, nil
}

// splitName splits a clean name into its parent and its last component;
// the parent of a top-level name is ".".
func splitName(name string) (dir, base string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ".", name
	}
	return name[:i], name[i+1:]
}

// whiteoutKind says what a clean entry name means under the OCI whiteout
// rules.
type whiteoutKind int

const (
	notWhiteout  whiteoutKind = iota
	whiteoutFile              // dir/.wh.name: name is deleted
	opaqueDir                 // dir/.wh..wh..opq: dir hides the lower layers
	whiteoutMeta              // other .wh..wh.* names and what is under them at the top: aufs bookkeeping, skipped
)

// classify tells whether the clean name is a whiteout. For whiteoutFile it
// returns the clean name of the deleted entry (dir/name), for opaqueDir the
// directory. A whiteout that names no entry (".wh.", ".wh..", ".wh...") is an
// errdefs.InvalidArgument error.
func classify(name string) (whiteoutKind, string, error) {
	dir, base := splitName(name)
	switch {
	case name != whiteoutOpaque && strings.HasPrefix(name, whiteoutMetaPrefix):
		return whiteoutMeta, "", nil // under a top-level aufs directory such as .wh..wh.plnk/
	case base == whiteoutOpaque:
		return opaqueDir, dir, nil
	case strings.HasPrefix(base, whiteoutMetaPrefix):
		return whiteoutMeta, "", nil
	case strings.HasPrefix(base, whiteoutPrefix):
		gone := base[len(whiteoutPrefix):]
		if gone == "" || gone == "." || gone == ".." {
			return 0, "", errdefs.InvalidArgument("layer entry %q: whiteout names no entry", name)
		}
		if dir == "." {
			return whiteoutFile, gone, nil
		}
		return whiteoutFile, dir + "/" + gone, nil
	}
	return notWhiteout, "", nil
}
