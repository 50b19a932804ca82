package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/internal/testimage"
)

// withVolumesImage is withBusybox plus the volumes image (content at
// /data, Volumes {"/data": {}}); it returns both references. Volumes left
// at the end are removed after the containers.
func withVolumesImage(t *testing.T) (b *berth, busybox, vimg string) {
	t.Helper()
	b, busybox = withBusybox(t)
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "volumes:latest", testimage.Volumes(t))
	vimg = reg.Host + "/volumes"
	b.ok("pull", "-q", vimg)
	t.Cleanup(func() {
		b.removeAll()
		if names := strings.Fields(b.ok("volume", "ls", "-q")); len(names) > 0 {
			b.ok(append([]string{"volume", "rm"}, names...)...)
		}
	})
	return b, busybox, vimg
}

func (b *berth) volumes() []string {
	return strings.Fields(b.ok("volume", "ls", "-q"))
}

func TestVolumeNamedSurvivesRemoval(t *testing.T) {
	b, bb, _ := withVolumesImage(t)
	b.ok("run", "--name", "writer", "-v", "data:/data", bb, "sh", "-c", "echo kept > /data/f")
	if got := b.volumes(); !slices.Equal(got, []string{"data"}) {
		t.Fatalf("volume ls -q = %v, want [data] (made on demand)", got)
	}
	if got := b.inspect("writer", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.Driver}} {{.RW}} {{.Mode}}{{end}}"); got != "volume data /data local true z" {
		t.Fatalf("Mounts: %q", got)
	}
	if got := b.inspect("writer", "{{json .HostConfig.Binds}}"); got != `["data:/data"]` {
		t.Fatalf("Binds: %s", got)
	}
	if got := strings.TrimSpace(b.ok("ps", "-a", "--format", "{{.Mounts}} {{.LocalVolumes}}")); got != "data 1" {
		t.Fatalf("ps mounts: %q", got)
	}
	// Even rm -v keeps a named volume.
	b.ok("rm", "-v", "writer")
	if got := b.ok("run", "--rm", "-v", "data:/data:ro", bb, "cat", "/data/f"); got != "kept\n" {
		t.Fatalf("second container reads %q", got)
	}
	mp := strings.TrimSpace(b.ok("volume", "inspect", "-f", "{{.Mountpoint}}", "data"))
	if want := filepath.Join(b.root, "volumes", "data", "_data"); mp != want {
		t.Fatalf("Mountpoint %s, want %s", mp, want)
	}
	if got, _ := os.ReadFile(filepath.Join(mp, "f")); string(got) != "kept\n" {
		t.Fatalf("on the host: %q", got)
	}
	// A read-only volume is read-only inside.
	_, errOut, code := b.run("run", "--rm", "-v", "data:/data:ro", bb, "touch", "/data/g")
	if code == 0 || !strings.Contains(errOut, "Read-only file system") {
		t.Fatalf("write to a ro volume: exit %d %q", code, errOut)
	}
	b.ok("volume", "rm", "data")
	if _, err := os.Stat(filepath.Dir(mp)); !os.IsNotExist(err) {
		t.Fatalf("volume directory left: %v", err)
	}
}

func TestVolumeImageContentCopied(t *testing.T) {
	b, bb, vimg := withVolumesImage(t)
	// The image's Volumes make an anonymous volume, filled from the image
	// with owners and modes.
	out := b.ok("run", "--name", "anon", vimg, "sh", "-c", "stat -c '%u:%g %a %n' /data /data/hello /data/sub/deep; cat /data/hello; echo more > /data/new")
	want := "1000:1001 750 /data\n1000:1001 640 /data/hello\n0:0 644 /data/sub/deep\n" + testimage.VolumesHello
	if out != want {
		t.Fatalf("in the anonymous volume:\n%s\nwant\n%s", out, want)
	}
	anon := b.volumes()
	if len(anon) != 1 || len(anon[0]) != 64 {
		t.Fatalf("volumes %v, want one anonymous", anon)
	}
	if got := b.inspect("anon", "{{range .Mounts}}{{.Name}}{{end}}"); got != anon[0] {
		t.Fatalf("Mounts name %q, want %s", got, anon[0])
	}
	if got := strings.TrimSpace(b.ok("volume", "inspect", "-f", "{{json .Labels}}", anon[0])); got != `{"com.docker.volume.anonymous":""}` {
		t.Fatalf("anonymous labels %s", got)
	}
	// A new named volume over image content is filled too; once it has
	// contents it is not filled again.
	if got := b.ok("run", "--rm", "-v", "fresh:/data", vimg, "cat", "/data/hello"); got != testimage.VolumesHello {
		t.Fatalf("named volume: %q", got)
	}
	b.ok("run", "--rm", "-v", "fresh:/data", vimg, "rm", "/data/hello")
	if _, _, code := b.run("run", "--rm", "-v", "fresh:/data", vimg, "test", "-e", "/data/hello"); code != 1 {
		t.Fatalf("a volume with contents was filled again (exit %d)", code)
	}
	// nocopy leaves it empty.
	if got := b.ok("run", "--rm", "-v", "empty:/data:nocopy", vimg, "ls", "-A", "/data"); got != "" {
		t.Fatalf("nocopy: %q", got)
	}
	// A symlink in the image that climbs out is resolved inside the image:
	// the host's /etc is never copied in.
	b.ok("run", "--rm", "-v", "esc:"+testimage.VolumesEscape, bb, "true")
	escDir := strings.TrimSpace(b.ok("volume", "inspect", "-f", "{{.Mountpoint}}", "esc"))
	if names, _ := os.ReadDir(escDir); len(names) != 0 {
		t.Fatalf("the host's /etc was copied into the volume: %d entries", len(names))
	}
	// rm -v removes the anonymous volume; named ones stay.
	b.ok("rm", "-v", "anon")
	if got := b.volumes(); slices.Contains(got, anon[0]) || !slices.Contains(got, "fresh") {
		t.Fatalf("after rm -v: %v", got)
	}
	// run --rm removes its anonymous volumes at exit.
	before := len(b.volumes())
	b.ok("run", "--rm", "-v", "/scratch", vimg, "true")
	if got := b.volumes(); len(got) != before {
		t.Fatalf("run --rm left anonymous volumes: %v", got)
	}
}

func TestVolumeBindAndTmpfs(t *testing.T) {
	b, bb, _ := withVolumesImage(t)
	host := t.TempDir()
	os.WriteFile(filepath.Join(host, "f"), []byte("from host\n"), 0o644)
	if got := b.ok("run", "--rm", "-v", host+":/mnt:ro", bb, "cat", "/mnt/f"); got != "from host\n" {
		t.Fatalf("bind: %q", got)
	}
	for _, flag := range [][]string{{"-v", host + ":/mnt:ro"}, {"--mount", "type=bind,src=" + host + ",dst=/mnt,readonly"}} {
		args := append(append([]string{"run", "--rm"}, flag...), bb, "touch", "/mnt/new")
		_, errOut, code := b.run(args...)
		if code == 0 || !strings.Contains(errOut, "Read-only file system") {
			t.Fatalf("%v: write to a ro bind: exit %d %q", flag, code, errOut)
		}
	}
	b.ok("run", "--rm", "--mount", "type=bind,src="+host+",dst=/mnt", bb, "sh", "-c", "echo rw > /mnt/g")
	if got, _ := os.ReadFile(filepath.Join(host, "g")); string(got) != "rw\n" {
		t.Fatalf("rw bind: %q", got)
	}
	// -v makes a missing host directory, as Docker does.
	made := filepath.Join(host, "made", "here")
	b.ok("run", "--rm", "-v", made+":/m", bb, "true")
	if st, err := os.Stat(made); err != nil || !st.IsDir() {
		t.Fatalf("-v did not make %s: %v", made, err)
	}
	// tmpfs: --tmpfs with Docker's noexec,nosuid,nodev, --mount with a size.
	out := b.ok("run", "--rm", "--tmpfs", "/run:size=2m", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m", bb, "sh", "-c", "grep -E ' /(run|t) ' /proc/mounts | sort")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "tmpfs /run tmpfs ") || !strings.Contains(lines[0], "size=2048k") ||
		!strings.Contains(lines[0], "nosuid") || !strings.Contains(lines[0], "nodev") || !strings.Contains(lines[0], "noexec") ||
		!strings.HasPrefix(lines[1], "tmpfs /t tmpfs ") || !strings.Contains(lines[1], "size=1024k") {
		t.Fatalf("tmpfs mounts:\n%s", out)
	}
	b.ok("create", "--name", "tm", "--tmpfs", "/run:size=2m", "--mount", "type=tmpfs,dst=/t", "-v", host+":/h:ro", bb)
	if got := b.inspect("tm", "{{json .HostConfig.Tmpfs}} {{len .HostConfig.Mounts}} {{range .Mounts}}{{.Type}}:{{.Source}}:{{.RW}}:{{.Propagation}} {{end}}"); got != `{"/run":"size=2m"} 1 bind:`+host+`:false:rprivate tmpfs::true:` {
		t.Fatalf("inspect: %s", got)
	}
}

func TestVolumeInUseAndPrune(t *testing.T) {
	b, bb, _ := withVolumesImage(t)
	b.ok("volume", "create", "--label", "keep=1", "named")
	b.ok("run", "-d", "--name", "web", "-v", "used:/d", bb, "sleep", "100")
	b.ok("create", "--name", "left", "-v", "/anon", bb)
	anon := strings.TrimSpace(b.ok("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "left"))
	b.ok("rm", "left") // without -v: its anonymous volume stays, unused
	b.fails("in use by container web", "volume", "rm", "used")
	if got := b.ok("volume", "ls", "-q", "-f", "dangling=true"); strings.Fields(got)[0] != anon && !strings.Contains(got, anon) {
		t.Fatalf("dangling: %q", got)
	}
	if got := strings.Fields(b.ok("volume", "ls", "-q", "-f", "label=keep=1")); !slices.Equal(got, []string{"named"}) {
		t.Fatalf("label filter: %v", got)
	}
	if got := b.ok("volume", "ls"); !strings.HasPrefix(got, "DRIVER    VOLUME NAME\n") || !strings.Contains(got, "local     named\n") {
		t.Fatalf("volume ls:\n%s", got)
	}
	// Prune asks first; "n" keeps everything.
	cmd := exec.Command(berthBin, "volume", "prune")
	cmd.Env = b.env()
	cmd.Stdin = strings.NewReader("n\n")
	out, _ := cmd.Output()
	if !strings.Contains(string(out), "WARNING! This will remove anonymous local volumes not used by at least one container.") || len(b.volumes()) != 3 {
		t.Fatalf("prune declined:\n%s\nvolumes %v", out, b.volumes())
	}
	// Anonymous unused only, then every unused one with -a.
	if got := b.ok("volume", "prune", "-f"); !strings.Contains(got, "Deleted Volumes:\n"+anon+"\n") {
		t.Fatalf("prune:\n%s", got)
	}
	if got := b.volumes(); !slices.Equal(got, []string{"named", "used"}) {
		t.Fatalf("after prune: %v", got)
	}
	if got := b.ok("system", "df"); !strings.Contains(got, "Local Volumes   2         1") {
		t.Fatalf("system df:\n%s", got)
	}
	if got := b.ok("system", "df", "-v"); !strings.Contains(got, "VOLUME NAME   LINKS     SIZE\nnamed         0         0B\nused          1") {
		t.Fatalf("system df -v:\n%s", got)
	}
	b.ok("volume", "prune", "-a", "-f")
	if got := b.volumes(); !slices.Equal(got, []string{"used"}) {
		t.Fatalf("after prune -a: %v", got)
	}
	// system prune takes unused anonymous volumes with --volumes only.
	b.ok("create", "--name", "left2", "-v", "/anon2", bb)
	anon2 := strings.TrimSpace(b.ok("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "left2"))
	b.ok("rm", "left2")
	b.ok("system", "prune", "-f")
	if !slices.Contains(b.volumes(), anon2) {
		t.Fatal("system prune without --volumes removed a volume")
	}
	if got := b.ok("system", "prune", "-f", "--volumes"); !strings.Contains(got, "Deleted Volumes:\n"+anon2+"\n") {
		t.Fatalf("system prune --volumes:\n%s", got)
	}
	if got := b.volumes(); !slices.Equal(got, []string{"used"}) {
		t.Fatalf("after system prune --volumes: %v", got)
	}
	// Data survives while mounted; the volume goes once its container does.
	b.ok("rm", "-f", "web")
	b.ok("volume", "rm", "used")
	b.fails("no such volume", "volume", "rm", "used")
	b.ok("volume", "rm", "-f", "used")
}

func TestVolumeBadInput(t *testing.T) {
	b, bb, _ := withVolumesImage(t)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"invalid volume name", []string{"run", "--rm", "-v", "../x:/data", bb, "true"}},
		{"invalid volume name", []string{"run", "--rm", "-v", "a/b:/data", bb, "true"}},
		{"invalid volume name", []string{"run", "--rm", "--mount", "type=volume,src=../x,dst=/d", bb, "true"}},
		{"bind source path does not exist: " + missing, []string{"run", "--rm", "--mount", "type=bind,src=" + missing + ",dst=/d", bb, "true"}},
		{"unknown type", []string{"run", "--rm", "--mount", "type=nfs,dst=/d", bb, "true"}},
		{"unknown field", []string{"create", "--mount", "type=volume,dst=/d,colour=red", bb}},
		{"no target", []string{"create", "--mount", "type=volume,src=data", bb}},
		{"not absolute", []string{"create", "-v", "data:rel", bb}},
		{"duplicate mount point /d", []string{"create", "-v", "a1:/d", "-v", "a2:/d", bb}},
	} {
		_, errOut, code := b.run(tc.args...)
		errOut = strings.TrimSpace(errOut)
		if code != 125 || strings.Contains(errOut, "\n") || !strings.Contains(errOut, tc.want) {
			t.Errorf("berth %s: exit %d, want 125 and one line with %q:\n%s", strings.Join(tc.args, " "), code, tc.want, errOut)
		}
	}
	b.fails("invalid volume name", "volume", "create", "../x")
	b.fails("invalid volume name", "volume", "create", "a/b")
	if got := b.ok("ps", "-aq"); got != "" {
		t.Fatalf("containers left: %q", got)
	}
	if got := b.volumes(); len(got) != 0 {
		t.Fatalf("volumes left: %v", got)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("--mount made the missing bind source: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(b.root, "volumes"))
	if len(entries) != 0 {
		t.Fatalf("volume directories left: %v", entries)
	}
}
