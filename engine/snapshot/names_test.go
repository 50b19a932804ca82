package snapshot

import (
	"strings"
	"testing"

	"berth/engine/errdefs"
)

func TestCheckDiffID(t *testing.T) {
	hex := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		name, id string
		ok       bool
	}{
		{"valid", "sha256:" + hex, true},
		{"uppercase", "sha256:" + strings.ToUpper(hex), false},
		{"short", "sha256:" + hex[:63], false},
		{"long", "sha256:" + hex + "0", false},
		{"no algorithm", hex, false},
		{"other algorithm", "sha512:" + hex, false},
		{"empty", "", false},
		{"traversal", "sha256:../../../../etc/passwd", false},
		{"slash", "sha256:" + hex[:62] + "/a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDiffID(tc.id)
			if tc.ok && err != nil {
				t.Fatalf("CheckDiffID(%q) = %v, want nil", tc.id, err)
			}
			if !tc.ok && !errdefs.IsInvalidArgument(err) {
				t.Fatalf("CheckDiffID(%q) = %v, want an invalid argument error", tc.id, err)
			}
		})
	}
}

func TestPathRejectsInvalidDiffID(t *testing.T) {
	s := &Store{dir: "/x"}
	if p := s.Path("sha256:.."); p != "" {
		t.Fatalf("Path of an invalid diff ID = %q, want empty", p)
	}
	hex := strings.Repeat("ab", 32)
	if p, want := s.Path("sha256:"+hex), "/x/"+hex+"/fs"; p != want {
		t.Fatalf("Path = %q, want %q", p, want)
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", "a"},
		{"./a/b/", "a/b"},
		{"a//b/./c", "a/b/c"},
		{"a/b/../c", "a/c"},
		{".", "."},
		{"./", "."},
		{"", "."},
		{"/", "."},
		{"/etc/passwd", "etc/passwd"},
		{"//etc//passwd", "etc/passwd"},
		{"/../x", "x"},
		{"/../../etc", "etc"},
		{"..", ""},
		{"../x", ""},
		{"./../x", ""},
		{"a/../../x", ""},
		{"a/b/../../../x", ""},
		{"..x", "..x"},
		{"a/..b", "a/..b"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := cleanName(tc.in)
			if tc.want == "" {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "path escapes the layer") {
					t.Fatalf("cleanName(%q) = %q, %v; want an escape error", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("cleanName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		kind   whiteoutKind
		target string
		bad    bool
	}{
		{"etc/passwd", notWhiteout, "", false},
		{"etc/.wh.passwd", whiteoutFile, "etc/passwd", false},
		{".wh.etc", whiteoutFile, "etc", false},
		{"etc/.wh..wh..opq", opaqueDir, "etc", false},
		{".wh..wh..opq", opaqueDir, ".", false},
		{".wh..wh.plnk", whiteoutMeta, "", false},
		{".wh..wh.plnk/123.456", whiteoutMeta, "", false},
		{"a/.wh..wh.aufs", whiteoutMeta, "", false},
		{"a/.wh..hidden", whiteoutFile, "a/.hidden", false},
		{"a/.wh.", 0, "", true},
		{"a/.wh..", 0, "", true},
		{"a/.wh...", 0, "", true},
		{"a/x.wh.y", notWhiteout, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, target, err := classify(tc.name)
			if tc.bad {
				if !errdefs.IsInvalidArgument(err) {
					t.Fatalf("classify(%q) error = %v, want invalid argument", tc.name, err)
				}
				return
			}
			if err != nil || kind != tc.kind || target != tc.target {
				t.Fatalf("classify(%q) = %v, %q, %v; want %v, %q", tc.name, kind, target, err, tc.kind, tc.target)
			}
		})
	}
}
