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
// The cause's text is escaped (see printable): errors of path resolution
// and xattrs repeat names from the layer as they are, and a layer must not
// put newlines or terminal escapes into the message the user sees.
func entryError(name string, err error) error {
	switch {
	case err == nil || errdefs.Classified(err):
		return err
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return errdefs.FromIO(err, fmt.Sprintf("layer entry %q", name))
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return errdefs.Wrap(errdefs.ErrPermissionDenied, err, "layer entry %q: %s", name, printable(err.Error()))
	}
	return &escapedError{prefix: fmt.Sprintf("layer entry %q: ", name), err: err}
}

// escapedError shows err after prefix with its text made printable, and
// still unwraps to err.
type escapedError struct {
	prefix string
	err    error
}

func (e *escapedError) Error() string { return e.prefix + printable(e.err.Error()) }
func (e *escapedError) Unwrap() error { return e.err }

// printable escapes what a terminal would act on (errdefs.Printable).
func printable(s string) string { return errdefs.Printable(s) }

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
