package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/engine/errdefs"
)

func TestParseVolumeFlag(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Mount // zero: an InvalidArgument
	}{
		{"/data", Mount{Type: MountVolume, Destination: "/data", Anonymous: true}},
		{"data:/data", Mount{Type: MountVolume, Source: "data", Destination: "/data"}},
		{"data:/data:ro", Mount{Type: MountVolume, Source: "data", Destination: "/data", ReadOnly: true, Mode: "ro"}},
		{"data:/data:nocopy,rw", Mount{Type: MountVolume, Source: "data", Destination: "/data", NoCopy: true, Mode: "nocopy,rw"}},
		{"/srv/site:/www:ro", Mount{Type: MountBind, Source: "/srv/site", Destination: "/www", ReadOnly: true, Mode: "ro"}},
		{"/srv//site/:/www:rslave,z", Mount{Type: MountBind, Source: "/srv/site", Destination: "/www", Propagation: "rslave", Mode: "rslave,z"}},
		{"../x:/data", Mount{}},
		{"a/b:/data", Mount{}},
		{"x:/data", Mount{}}, // one character: not a volume name
		{"data:relative", Mount{}},
		{"data:/", Mount{}},
		{"/data:rw", Mount{}}, // docker: a mode needs a source
		{":/data", Mount{}},
		{"data:/data:ro,rw", Mount{}},
		{"data:/data:bogus", Mount{}},
		{"data:/data:rslave", Mount{}},
		{"/h:/data:nocopy", Mount{}},
		{"a:/b:ro:x", Mount{}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			m, err := ParseVolumeFlag(tc.spec)
			if tc.want.Type == "" {
				if !errdefs.IsInvalidArgument(err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("want a one-line InvalidArgument, got %+v, %v", m, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.From, tc.want.Spec = FromBinds, tc.spec
			if m != tc.want {
				t.Fatalf("got  %+v\nwant %+v", m, tc.want)
			}
		})
	}
}

func TestParseMountFlag(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Mount
	}{
		{"type=volume,src=data,dst=/data", Mount{Type: MountVolume, Source: "data", Destination: "/data"}},
		{"target=/data", Mount{Type: MountVolume, Destination: "/data", Anonymous: true}},
		{"type=volume,source=data,target=/data,readonly,volume-nocopy", Mount{Type: MountVolume, Source: "data", Destination: "/data", ReadOnly: true, NoCopy: true}},
		{"type=bind,src=/srv,dst=/srv,readonly=true,bind-propagation=rshared", Mount{Type: MountBind, Source: "/srv", Destination: "/srv", ReadOnly: true, Propagation: "rshared"}},
		{"type=bind,src=/srv,dst=/srv,ro=false", Mount{Type: MountBind, Source: "/srv", Destination: "/srv"}},
		{"type=tmpfs,dst=/run,tmpfs-size=64m,tmpfs-mode=1770", Mount{Type: MountTmpfs, Destination: "/run", Options: "size=67108864,mode=1770"}},
		{"type=nfs,dst=/x", Mount{}},
		{"type=bind,dst=/x", Mount{}},
		{"type=bind,src=rel,dst=/x", Mount{}},
		{"type=volume,src=../x,dst=/x", Mount{}},
		{"type=volume,src=a/b,dst=/x", Mount{}},
		{"type=tmpfs,src=x,dst=/x", Mount{}},
		{"type=volume,src=data", Mount{}},
		{"type=volume,dst=rel", Mount{}},
		{"type=volume,dst=/x,colour=red", Mount{}},
		{"type=volume,dst=/x,readonly=maybe", Mount{}},
		{"type=volume,dst=/x,tmpfs-size=1m", Mount{}},
		{"type=tmpfs,dst=/x,tmpfs-size=huge", Mount{}},
		{"type=tmpfs,dst=/x,tmpfs-mode=999", Mount{}},
		{"type=volume,dst=/x,bind-propagation=rshared", Mount{}},
		{"type", Mount{}},
		{"", Mount{}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			m, err := ParseMountFlag(tc.spec)
			if tc.want.Type == "" {
				if !errdefs.IsInvalidArgument(err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("want a one-line InvalidArgument, got %+v, %v", m, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.From, tc.want.Spec = FromMount, tc.spec
			if m != tc.want {
				t.Fatalf("got  %+v\nwant %+v", m, tc.want)
			}
		})
	}
}

func TestParseTmpfsFlag(t *testing.T) {
	m, err := ParseTmpfsFlag("/run:size=1m,exec,ro")
	if err != nil || m.Destination != "/run" || m.Options != "size=1m,exec,ro" || !m.ReadOnly || m.Type != MountTmpfs {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := ParseTmpfsFlag("run"); !errdefs.IsInvalidArgument(err) {
		t.Fatalf("relative: %v", err)
	}
	if got := tmpfsOptions("size=1m,exec"); !slices.Equal(got, []string{"nosuid", "nodev", "size=1m", "exec"}) {
		t.Fatalf("tmpfsOptions: %v", got)
	}
	if got := tmpfsOptions(""); !slices.Equal(got, []string{"noexec", "nosuid", "nodev"}) {
		t.Fatalf("tmpfsOptions default: %v", got)
	}
}

func TestResolveMounts(t *testing.T) {
	dir := t.TempDir()
	mk := func(specs ...string) []Mount {
		var out []Mount
		for _, s := range specs {
			parse := ParseVolumeFlag
			if strings.Contains(s, "=") {
				parse = ParseMountFlag
			}
			m, err := parse(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	img := map[string]struct{}{"/data": {}, "/cache/": {}, "relative": {}}
	got, err := resolveMounts(mk("named:/data", "/anon"), img)
	if err != nil {
		t.Fatal(err)
	}
	var dsts []string
	for _, m := range got {
		dsts = append(dsts, m.Destination)
		if m.Type == MountVolume && (m.Source == "" || (m.Anonymous && len(m.Source) != 64)) {
			t.Errorf("volume without a proper name: %+v", m)
		}
	}
	// The image's /data is covered by the user's mount; /cache is added
	// as an anonymous volume; a relative image path is ignored.
	if !slices.Equal(dsts, []string{"/data", "/anon", "/cache"}) || got[2].From != FromImage || !got[2].Anonymous {
		t.Fatalf("mounts: %+v", got)
	}
	if _, err := resolveMounts(mk("a1:/x", "a2:/x/"), nil); !errdefs.IsInvalidArgument(err) {
		t.Fatalf("duplicate: %v", err)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := resolveMounts(mk("type=bind,src="+missing+",dst=/x"), nil); !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing --mount bind: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatal("resolve made the missing source")
	}
	if _, err := resolveMounts(mk(missing+":/x"), nil); err != nil {
		t.Fatalf("missing -v bind (made at create, as docker): %v", err)
	}
}

func TestHostMountsInspect(t *testing.T) {
	var ms []Mount
	for _, f := range []struct {
		parse func(string) (Mount, error)
		spec  string
	}{
		{ParseVolumeFlag, "data:/data:ro"},
		{ParseVolumeFlag, "/srv:/srv"},
		{ParseMountFlag, "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700"},
		{ParseMountFlag, "type=bind,src=/h,dst=/h,bind-propagation=rslave"},
		{ParseTmpfsFlag, "/run:size=2m"},
	} {
		m, err := f.parse(f.spec)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	binds, hm, tmpfs := hostMounts(ms)
	if !slices.Equal(binds, []string{"data:/data:ro", "/srv:/srv"}) || tmpfs["/run"] != "size=2m" || len(hm) != 2 {
		t.Fatalf("binds %v mounts %+v tmpfs %v", binds, hm, tmpfs)
	}
	b, _ := json.Marshal(hm)
	want := `[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":448}},{"Type":"bind","Source":"/h","Target":"/h","BindOptions":{"Propagation":"rslave"}}]`
	if string(b) != want {
		t.Fatalf("HostConfig.Mounts\n got %s\nwant %s", b, want)
	}
	names, n := mountNames(ms)
	if !slices.Equal(names, []string{"data", "/srv", "/h"}) || n != 1 {
		t.Fatalf("mountNames %v %d", names, n)
	}
}
