package errdefs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestClasses(t *testing.T) {
	cases := []struct {
		name string
		err  error
		is   func(error) bool
	}{
		{"not found", NotFound("image %q not found", "x"), IsNotFound},
		{"already exists", AlreadyExists("x"), IsAlreadyExists},
		{"conflict", Conflict("x"), IsConflict},
		{"invalid", InvalidArgument("x"), IsInvalidArgument},
		{"unauthorized", Unauthorized("x"), IsUnauthorized},
		{"unavailable", Unavailable("x"), IsUnavailable},
		{"permission", PermissionDenied("x"), IsPermissionDenied},
		{"exhausted", ResourceExhausted("x"), IsResourceExhausted},
		{"corrupt", DataCorrupt("x"), IsDataCorrupt},
		{"wrapped", fmt.Errorf("context: %w", NotFound("x")), IsNotFound},
		{"context canceled", fmt.Errorf("pull: %w", context.Canceled), IsCanceled},
	}
	all := []func(error) bool{IsNotFound, IsAlreadyExists, IsConflict, IsInvalidArgument, IsUnauthorized,
		IsUnavailable, IsPermissionDenied, IsResourceExhausted, IsDataCorrupt}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.is(tc.err) {
				t.Fatalf("%v is not of its class", tc.err)
			}
			n := 0
			for _, f := range all {
				if f(tc.err) {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("%v is of %d classes", tc.err, n)
			}
		})
	}
}

func TestWrapKeepsCauseAndMessage(t *testing.T) {
	err := Wrap(ErrUnavailable, io.ErrUnexpectedEOF, "layer %s: download interrupted", "abc")
	if err.Error() != "layer abc: download interrupted" {
		t.Fatalf("message: %q", err)
	}
	if !IsUnavailable(err) || !errors.Is(err, io.ErrUnexpectedEOF) || !Classified(err) {
		t.Fatal("class or cause lost")
	}
	if Classified(io.EOF) {
		t.Fatal("a plain error counts as classified")
	}
}
