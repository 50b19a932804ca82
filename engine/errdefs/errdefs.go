// Package errdefs holds the classes of error the engine returns. Callers
// decide by class (IsNotFound, IsConflict, ...), never by message text.
//
// An engine error reads as one line that names the thing and, where there is
// one, the fix: `image "busybox:1" not found: pull it first with "berth pull busybox:1"`.
// Build one with the class constructors (NotFound, Conflict, ...); wrap an
// underlying cause with the *Wrap variants so errors.Is/As still reach it.
package errdefs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// The classes. Compare with errors.Is or the IsX helpers.
var (
	ErrNotFound          = errors.New("not found")
	ErrAlreadyExists     = errors.New("already exists")
	ErrConflict          = errors.New("conflict")
	ErrInvalidArgument   = errors.New("invalid argument")
	ErrUnauthorized      = errors.New("unauthorized")
	ErrUnavailable       = errors.New("unavailable")
	ErrPermissionDenied  = errors.New("permission denied")
	ErrResourceExhausted = errors.New("resource exhausted")
	ErrDataCorrupt       = errors.New("data corrupt")
	ErrCanceled          = errors.New("canceled")
)

// classified is an error with a class, a one-line message and an optional cause.
type classified struct {
	class error
	msg   string
	cause error
}

func (e *classified) Error() string {
	if e.msg != "" {
		return e.msg
	}
	if e.cause != nil {
		return e.cause.Error()
	}
	return e.class.Error()
}

func (e *classified) Is(target error) bool { return target == e.class }
func (e *classified) Unwrap() error        { return e.cause }

func newf(class, cause error, format string, args ...any) error {
	return &classified{class: class, msg: fmt.Sprintf(format, args...), cause: cause}
}

// Constructors: the message is the whole one-line text the user sees.
func NotFound(format string, args ...any) error { return newf(ErrNotFound, nil, format, args...) }
func AlreadyExists(format string, args ...any) error {
	return newf(ErrAlreadyExists, nil, format, args...)
}
func Conflict(format string, args ...any) error { return newf(ErrConflict, nil, format, args...) }
func InvalidArgument(format string, args ...any) error {
	return newf(ErrInvalidArgument, nil, format, args...)
}
func Unauthorized(format string, args ...any) error {
	return newf(ErrUnauthorized, nil, format, args...)
}
func Unavailable(format string, args ...any) error {
	return newf(ErrUnavailable, nil, format, args...)
}
func PermissionDenied(format string, args ...any) error {
	return newf(ErrPermissionDenied, nil, format, args...)
}
func ResourceExhausted(format string, args ...any) error {
	return newf(ErrResourceExhausted, nil, format, args...)
}
func DataCorrupt(format string, args ...any) error {
	return newf(ErrDataCorrupt, nil, format, args...)
}
func Canceled(format string, args ...any) error { return newf(ErrCanceled, nil, format, args...) }

// Wrap gives cause the class and message; errors.Is(err, cause) stays true.
func Wrap(class, cause error, format string, args ...any) error {
	return newf(class, cause, format, args...)
}

func IsNotFound(err error) bool          { return errors.Is(err, ErrNotFound) }
func IsAlreadyExists(err error) bool     { return errors.Is(err, ErrAlreadyExists) }
func IsConflict(err error) bool          { return errors.Is(err, ErrConflict) }
func IsInvalidArgument(err error) bool   { return errors.Is(err, ErrInvalidArgument) }
func IsUnauthorized(err error) bool      { return errors.Is(err, ErrUnauthorized) }
func IsUnavailable(err error) bool       { return errors.Is(err, ErrUnavailable) }
func IsPermissionDenied(err error) bool  { return errors.Is(err, ErrPermissionDenied) }
func IsResourceExhausted(err error) bool { return errors.Is(err, ErrResourceExhausted) }
func IsDataCorrupt(err error) bool       { return errors.Is(err, ErrDataCorrupt) }

// IsCanceled reports a cancellation, by class or by context.
func IsCanceled(err error) bool {
	return errors.Is(err, ErrCanceled) || errors.Is(err, context.Canceled)
}

// FromIO classifies an I/O error met while writing what (e.g. `blob sha256:...`):
// a full disk becomes ResourceExhausted with the fix in the message; other
// errors are returned unchanged.
func FromIO(err error, what string) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Wrap(ErrResourceExhausted, err, "%s: no space left on the device holding the berth root: free some space (berth image prune) and retry", what)
	}
	return err
}

// Classified reports whether err (or an error it wraps) already carries a
// class and a message made for the user.
func Classified(err error) bool {
	var c *classified
	return errors.As(err, &c)
}

// Printable escapes what a terminal would act on or cannot show in s, for
// messages that repeat untrusted names (a layer's paths, an archive's):
// control characters (newlines, escapes), other non-printable runes and
// invalid UTF-8 become Go escapes (\n, \x1b, \xf0); the rest is kept.
func Printable(s string) string {
	bad := func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }
	if !strings.ContainsFunc(s, bad) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case bad(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}
