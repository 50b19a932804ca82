package monitor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResolveUser(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\nnohome:x:1001:1001::/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nbob:x:1000:\nstaff:x:50:bob,nohome\nwheel:x:10:root\nnogroup:x:65534:\naudio:x:29:\n"), 0o644)
	// groups are Docker's (20.10.18 and later): the primary gid, then the
	// groups listing the user (without an explicit group), then --group-add.
	for _, tc := range []struct {
		spec     string
		groupAdd []string
		uid, gid int
		groups   []int
		home     string
		err      string
	}{
		{"", nil, 0, 0, []int{0, 10}, "/root", ""},
		{"root", nil, 0, 0, []int{0, 10}, "/root", ""},
		{"bob", nil, 1000, 1000, []int{1000, 50}, "/home/bob", ""},
		{"1000", nil, 1000, 1000, []int{1000, 50}, "/home/bob", ""},
		{"bob:staff", nil, 1000, 50, []int{50}, "/home/bob", ""},
		{"bob:4242", nil, 1000, 4242, []int{4242}, "/home/bob", ""},
		{"65534", nil, 65534, 65534, []int{65534}, "/nonexistent", ""},
		{"4242", nil, 4242, 0, []int{0}, "/", ""}, // no passwd entry: gid 0, as docker gives
		{"4242:4343", nil, 4242, 4343, []int{4343}, "/", ""},
		{"bob", []string{"audio", "7", "staff", "1000"}, 1000, 1000, []int{1000, 50, 29, 7}, "/home/bob", ""},
		{"65534", []string{"29"}, 65534, 65534, []int{65534, 29}, "/nonexistent", ""},
		{"", []string{"nogroup"}, 0, 0, []int{0, 10, 65534}, "/root", ""},
		{"bob", []string{"nosuch"}, 0, 0, nil, "", "unable to find group nosuch of --group-add: no matching entries in the container's /etc/group: use a group named there or a numeric gid"},
		{"bob", []string{"-1"}, 0, 0, nil, "", "unable to find group -1 of --group-add"},
		{"alice", nil, 0, 0, nil, "", "unable to find user alice: no matching entries in passwd file"},
		{"bob:nogroupx", nil, 0, 0, nil, "", "unable to find group nogroupx: no matching entries in group file"},
	} {
		t.Run(tc.spec+"+"+strings.Join(tc.groupAdd, ","), func(t *testing.T) {
			uid, gid, groups, home, err := ResolveUser(root, tc.spec, tc.groupAdd...)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if uid != tc.uid || gid != tc.gid || !slices.Equal(groups, tc.groups) || home != tc.home {
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
