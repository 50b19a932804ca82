// Package snapshot keeps the layers of container images unpacked on disk, one
// directory per layer, ready to be stacked as overlayfs lower directories.
//
// Layout of the store directory (<root>/snapshots):
//
//	<hex>/fs            a completed snapshot: the layer whose diff ID is sha256:<hex>
//	.tmp-<random>/fs    a snapshot being written; its writer holds flock on .tmp-<random>
//	.tmp-del-<random>/  a snapshot being removed; its remover holds flock on it
//
// A snapshot appears only when a finished temporary directory is renamed to
// <hex>, so <hex>/ is always complete. Writers in several processes may
// unpack the same layer at once: the first rename wins and the others discard
// their copy. Cleanup removes the .tmp-* leftovers of crashed processes,
// never those whose owner is still alive (it only takes what it can flock).
//
// Layers are applied by a tar applier that keeps every path inside the
// snapshot (see Pending.Apply for the rules) and stores OCI whiteouts the
// overlayfs way: a character device 0/0 for a deleted file and the xattr
// trusted.overlay.opaque=y for an opaque directory.
//
// Removing a snapshot that a running container still uses as a lower
// directory is the caller's business: the store keeps no reference counts.
package snapshot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"berth/engine/errdefs"
)

const (
	diffIDPrefix = "sha256:"
	tmpPrefix    = ".tmp-"     // every temporary name starts with this
	delPrefix    = ".tmp-del-" // a snapshot on its way out
	fsDir        = "fs"        // the layer's files, inside <hex>/ or .tmp-<random>/
)

// Store is a directory of unpacked layers. Its methods are safe for
// concurrent use, also by several processes sharing the directory.
type Store struct {
	dir string
	// pathrsOnly makes unpacking resolve paths with pathrs-lite even where
	// openat2 works; tests set it to exercise the fallback.
	pathrsOnly bool
}

// New opens the store in dir, creating the directory if needed.
func New(dir string) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Dir is the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// CheckDiffID reports whether diffID has the form sha256:<64 lowercase hex>,
// the only form the store accepts, with an errdefs.InvalidArgument error.
func CheckDiffID(diffID string) error {
	_, err := hexOf(diffID)
	return err
}

// hexOf returns the hex part of a valid diff ID.
func hexOf(diffID string) (string, error) {
	hex, ok := strings.CutPrefix(diffID, diffIDPrefix)
	if !ok || !isHex64(hex) {
		return "", errdefs.InvalidArgument("invalid layer diff ID %q: want sha256:<64 hex digits>", diffID)
	}
	return hex, nil
}

// isHex64 reports whether s is 64 lowercase hex digits.
func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Path is the directory holding the files of the snapshot diffID:
// <dir>/<hex>/fs. It returns "" for an invalid diff ID (see CheckDiffID). The
// directory exists only once the snapshot is complete (see Exists).
func (s *Store) Path(diffID string) string {
	hex, err := hexOf(diffID)
	if err != nil {
		return ""
	}
	return filepath.Join(s.dir, hex, fsDir)
}

// Exists reports whether the snapshot diffID is complete.
func (s *Store) Exists(diffID string) bool {
	p := s.Path(diffID)
	if p == "" {
		return false
	}
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}

// List returns the diff IDs of the completed snapshots, sorted.
func (s *Store) List() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && isHex64(e.Name()) {
			ids = append(ids, diffIDPrefix+e.Name())
		}
	}
	return ids, nil
}

// Size walks the snapshot diffID and sums the sizes of its regular files,
// counting each hard-linked file once, like the size Unpack returns. It is
// meant for reporting; it reads every directory of the layer.
func (s *Store) Size(diffID string) (int64, error) {
	if err := CheckDiffID(diffID); err != nil {
		return 0, err
	}
	if !s.Exists(diffID) {
		return 0, errdefs.NotFound("snapshot %s not found", diffID)
	}
	var total int64
	seen := map[uint64]bool{}
	err := filepath.WalkDir(s.Path(diffID), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		total += fi.Size()
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, errdefs.NotFound("snapshot %s not found", diffID)
	}
	return total, err
}
