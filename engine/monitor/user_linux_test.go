package monitor

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestResolveUser(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\nnohome:x:1001:1001::/:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nbob:x:1000:\nstaff:x:50:bob,nohome\nwheel:x:10:root\n"), 0o644)
	for _, tc := range []struct {
		spec     string
		uid, gid int
		groups   []int
		home     string
		err      string
	}{
		{"", 0, 0, []int{10}, "/root", ""},
		{"root", 0, 0, []int{10}, "/root", ""},
		{"bob", 1000, 1000, []int{50}, "/home/bob", ""},
		{"1000", 1000, 1000, []int{50}, "/home/bob", ""},
		{"bob:staff", 1000, 50, nil, "/home/bob", ""},
		{"bob:4242", 1000, 4242, nil, "/home/bob", ""},
		{"4242", 4242, 0, nil, "/", ""},
		{"4242:4343", 4242, 4343, nil, "/", ""},
		{"alice", 0, 0, nil, "", "unable to find user alice: no matching entries in passwd file"},
		{"bob:nogroup", 0, 0, nil, "", "unable to find group nogroup: no matching entries in group file"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			uid, gid, groups, home, err := ResolveUser(root, tc.spec)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if uid != tc.uid || gid != tc.gid || !slices.Equal(groups, tc.groups) && len(groups)+len(tc.groups) > 0 || home != tc.home {
				t.Errorf("got %d:%d %v %q, want %d:%d %v %q", uid, gid, groups, home, tc.uid, tc.gid, tc.groups, tc.home)
			}
		})
	}
}

func TestResolveUserStaysInRoot(t *testing.T) {
	// /etc/passwd is a link out of the root: it must resolve inside.
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "passwd"), []byte("evil:x:0:0::/:/bin/sh\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(filepath.Join(root, outside), 0o755)
	os.WriteFile(filepath.Join(root, outside, "passwd"), []byte("evil:x:777:777::/inside:/bin/sh\n"), 0o644)
	os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(root, "etc/passwd"))
	uid, _, _, home, err := ResolveUser(root, "evil")
	if err != nil || uid != 777 || home != "/inside" {
		t.Errorf("got uid %d home %q err %v: read outside the root?", uid, home, err)
	}
	// No passwd at all: numeric works, names do not.
	empty := t.TempDir()
	if uid, gid, _, home, err := ResolveUser(empty, "12:34"); err != nil || uid != 12 || gid != 34 || home != "/" {
		t.Errorf("numeric without passwd: %d %d %q %v", uid, gid, home, err)
	}
	if _, _, _, _, err := ResolveUser(empty, "bob"); err == nil {
		t.Error("a name without passwd resolved")
	}
}
