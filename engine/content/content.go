// Package content stores blobs (manifests, configs, compressed layers) by
// digest under <dir>/sha256/<hex>.
//
// Every byte is hashed as it is written; a blob is written to a temp file in
// <dir>/ingest and renamed into place only when its digest and size match, so
// nothing half-written is ever visible. A writer holds an flock on its temp
// file; Cleanup removes only temp files no live writer holds.
package content

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// Store is a directory of blobs.
type Store struct {
	dir string
}

// New opens (creating if needed) the blob store in dir.
func New(dir string) (*Store, error) {
	for _, d := range []string{filepath.Join(dir, "sha256"), filepath.Join(dir, "ingest")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("content store: %w", err)
		}
	}
	return &Store{dir: dir}, nil
}

// ParseDigest checks that d is "sha256:<64 lowercase hex>" and returns the hex.
func ParseDigest(d string) (string, error) {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hexPart) != 64 {
		return "", errdefs.InvalidArgument("invalid digest %q: want sha256:<64 hex digits>", d)
	}
	for _, c := range hexPart {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", errdefs.InvalidArgument("invalid digest %q: want sha256:<64 hex digits>", d)
		}
	}
	return hexPart, nil
}

// Path is where the blob with digest d lives (it may not exist).
func (s *Store) Path(d string) string {
	hexPart, _ := strings.CutPrefix(d, "sha256:")
	return filepath.Join(s.dir, "sha256", hexPart)
}

// Stat returns the size of a stored blob, or a NotFound error.
func (s *Store) Stat(d string) (int64, error) {
	if _, err := ParseDigest(d); err != nil {
		return 0, err
	}
	fi, err := os.Stat(s.Path(d))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, errdefs.NotFound("blob %s not found", d)
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Exists reports whether blob d is stored.
func (s *Store) Exists(d string) bool {
	_, err := s.Stat(d)
	return err == nil
}

// Open opens a stored blob for reading.
func (s *Store) Open(d string) (*os.File, error) {
	if _, err := ParseDigest(d); err != nil {
		return nil, err
	}
	f, err := os.Open(s.Path(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errdefs.NotFound("blob %s not found", d)
	}
	return f, err
}

// ReadAll returns a small stored blob's bytes (manifests, configs).
func (s *Store) ReadAll(d string) ([]byte, error) {
	f, err := s.Open(d)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Delete removes blob d; a missing blob is not an error.
func (s *Store) Delete(d string) error {
	if _, err := ParseDigest(d); err != nil {
		return err
	}
	if err := os.Remove(s.Path(d)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List returns the digests of all stored blobs.
func (s *Store) List() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "sha256"))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ents))
	for _, e := range ents {
		out = append(out, "sha256:"+e.Name())
	}
	return out, nil
}

// Put stores b and returns its digest.
func (s *Store) Put(b []byte) (string, error) {
	sum := sha256.Sum256(b)
	d := "sha256:" + hex.EncodeToString(sum[:])
	if s.Exists(d) {
		return d, nil
	}
	w, err := s.Writer(d, int64(len(b)))
	if err != nil {
		return "", err
	}
	defer w.Abort()
	if _, err := w.Write(b); err != nil {
		return "", err
	}
	return d, w.Commit()
}

// Writer writes one blob. Write hashes as it goes; Commit checks digest and
// size, syncs and renames into place; Abort (always safe to defer) removes
// the temp file.
type Writer struct {
	store    *Store
	expected string // digest; "" to accept whatever arrives (Commit then names it)
	size     int64  // expected size; -1 if unknown
	f        *os.File
	h        hash.Hash
	n        int64
	flushed  int64 // bytes handed to writeback so far
	err      error // the first write error: the blob is lost
	done     bool
	digest   string
}

// Writer starts a blob that must have digest expected ("" if unknown) and
// size bytes (-1 if unknown).
func (s *Store) Writer(expected string, size int64) (*Writer, error) {
	if expected != "" {
		if _, err := ParseDigest(expected); err != nil {
			return nil, err
		}
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	f, err := os.OpenFile(filepath.Join(s.dir, "ingest", hex.EncodeToString(rnd[:])), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, errdefs.FromIO(err, "blob "+expected)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &Writer{store: s, expected: expected, size: size, f: f, h: sha256.New()}, nil
}

// Write hashes p and appends it to the temp file.
func (w *Writer) Write(p []byte) (int, error) {
	if w.size >= 0 && w.n+int64(len(p)) > w.size {
		return 0, errdefs.DataCorrupt("blob %s: more than the %d bytes announced", w.expected, w.size)
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		w.err = errdefs.FromIO(err, "blob "+w.expected)
		return n, w.err
	}
	if w.n-w.flushed >= writebackChunk {
		// Start writing this chunk to disk now, without waiting, so that
		// the fsync in Commit has little left to do.
		_ = unix.SyncFileRange(int(w.f.Fd()), w.flushed, w.n-w.flushed, unix.SYNC_FILE_RANGE_WRITE)
		w.flushed = w.n
	}
	return n, nil
}

// writebackChunk is how much a writer buffers before it starts writeback.
const writebackChunk = 8 << 20

// Written is the number of bytes written so far.
func (w *Writer) Written() int64 { return w.n }

// Digest is the digest of what was written (valid after Commit).
func (w *Writer) Digest() string { return w.digest }

// Verify checks digest and size without committing; a write that failed
// is the error.
func (w *Writer) Verify() error {
	if w.err != nil {
		return w.err
	}
	got := "sha256:" + hex.EncodeToString(w.h.Sum(nil))
	if w.size >= 0 && w.n != w.size {
		return errdefs.DataCorrupt("blob %s: got %d bytes, want %d: the registry sent a short or long blob", w.expected, w.n, w.size)
	}
	if w.expected != "" && got != w.expected {
		return errdefs.DataCorrupt("blob %s: content has digest %s: the registry sent corrupt data", w.expected, got)
	}
	w.digest = got
	return nil
}

// Commit verifies, syncs and moves the blob into place. If the blob is
// already stored (another writer won), the temp file is dropped.
func (w *Writer) Commit() error {
	if w.done {
		return errors.New("content writer: already finished")
	}
	if err := w.Verify(); err != nil {
		w.Abort()
		return err
	}
	w.done = true
	defer w.f.Close()
	if err := w.f.Sync(); err != nil {
		os.Remove(w.f.Name())
		return errdefs.FromIO(err, "blob "+w.digest)
	}
	if err := os.Rename(w.f.Name(), w.store.Path(w.digest)); err != nil {
		os.Remove(w.f.Name())
		return errdefs.FromIO(err, "blob "+w.digest)
	}
	return syncDir(filepath.Join(w.store.dir, "sha256"))
}

// Abort drops the temp file; it does nothing after Commit.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

// Cleanup removes temp files of writers that are gone (killed mid-write).
func (s *Store) Cleanup() error {
	dir := filepath.Join(s.dir, "ingest")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.Remove(p)
		}
		f.Close()
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
