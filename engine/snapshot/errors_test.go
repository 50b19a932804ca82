package snapshot

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestEntryErrorIsPrintable checks that an entry error shows what the
// layer named (raw in the cause) escaped, and still unwraps to the cause.
func TestEntryErrorIsPrintable(t *testing.T) {
	cause := &os.PathError{Op: "openat2", Path: "fs/a\nb\x1b[2J\xff", Err: unix.ENAMETOOLONG}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"plain", cause, `layer entry "a\nb": openat2 fs/a\nb\x1b[2J\xff: file name too long`},
		{"permission", &os.PathError{Op: "mknodat", Path: "x\ty", Err: unix.EPERM},
			`layer entry "a\nb": mknodat x\ty: operation not permitted`},
		{"printable stays", errors.New("set xattr user.é: numerical result out of range"),
			`layer entry "a\nb": set xattr user.é: numerical result out of range`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := entryError("a\nb", tc.err)
			if err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("error %v does not unwrap to its cause", err)
			}
		})
	}
}
