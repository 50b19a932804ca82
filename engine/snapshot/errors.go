package snapshot

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"syscall"

	"berth/engine/errdefs"
)

// entryError names the tar entry in an error from applying it and gives
// system errors a class where one fits. Classified errors pass unchanged.
func entryError(name string, err error) error {
	switch {
	case err == nil || errdefs.Classified(err):
		return err
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return errdefs.FromIO(err, fmt.Sprintf("layer entry %q", name))
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return errdefs.Wrap(errdefs.ErrPermissionDenied, err, "layer entry %q: %v", name, err)
	}
	return fmt.Errorf("layer entry %q: %w", name, err)
}

// readError classifies an error from reading the tar stream: a stream that
// ends early or is not a tar is errdefs.DataCorrupt; an error of the
// caller's reader keeps its class.
func readError(err error) error {
	switch {
	case errdefs.Classified(err):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, tar.ErrHeader):
		return errdefs.Wrap(errdefs.ErrDataCorrupt, err, "layer tar is truncated or malformed: %v", err)
	}
	return fmt.Errorf("read layer tar: %w", err)
}

// canceled is the error for an unpack stopped by its context.
func canceled(err error) error {
	return errdefs.Wrap(errdefs.ErrCanceled, err, "layer unpack canceled: %v", err)
}
