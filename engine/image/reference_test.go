package image_test

import (
	"strings"
	"testing"

	"berth/engine/errdefs"
	"berth/engine/image"
)

func TestParseRef(t *testing.T) {
	digest := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in, full, familiar string
	}{
		{"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
		{"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
		{"index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
		{"user/app:v1", "docker.io/user/app:v1", "user/app:v1"},
		{"busybox@" + digest, "docker.io/library/busybox@" + digest, "busybox@" + digest},
		{"localhost/a", "localhost/a:latest", "localhost/a:latest"},
		{"localhost:5000/a/b:t", "localhost:5000/a/b:t", "localhost:5000/a/b:t"},
		{"[::1]:5000/a", "[::1]:5000/a:latest", "[::1]:5000/a:latest"},
		{"Example.COM/a", "Example.COM/a:latest", "Example.COM/a:latest"},
		{"docker.io/a.b-c__d--e_f/x", "docker.io/a.b-c__d--e_f/x:latest", "docker.io/a.b-c__d--e_f/x:latest"},
		// A nested library/ path keeps library/: a/b is docker.io/a/b.
		{"library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"},
		{"docker.io/library/library/x", "docker.io/library/library/x:latest", "library/library/x:latest"},
		// A Hub path whose first part looks like a registry keeps docker.io/.
		{"docker.io/foo.bar/x", "docker.io/foo.bar/x:latest", "docker.io/foo.bar/x:latest"},
		{"docker.io/localhost/x:2", "docker.io/localhost/x:2", "docker.io/localhost/x:2"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := image.ParseRef(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.String() != tc.full || r.Familiar() != tc.familiar {
				t.Errorf("ParseRef(%q) = %q, familiar %q; want %q, %q", tc.in, r.String(), r.Familiar(), tc.full, tc.familiar)
			}
		})
	}
}

func TestParseRefRefusesWhatDockerRefuses(t *testing.T) {
	for _, in := range []string{
		"", ":", "//", "/a", "a/", "a//b", "-a", "a-", "a..b", "a___b", "Busybox",
		"busybox:-x", "busybox:.x", "busybox@sha256:abc", "bücher.de/x", "a_b.example.com/x",
		"-a.example.com/x", "example.com:port/x", "[fe80::1%25eth0]:5000/a", "a\x1b[31m",
		"example.com/" + strings.Repeat("a", 250),
	} {
		if r, err := image.ParseRef(in); !errdefs.IsInvalidArgument(err) {
			t.Errorf("ParseRef(%q) = %q, %v; want an invalid argument error", in, r.String(), err)
		}
	}
}
