package e2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"berth/internal/testimage"
	"berth/internal/units"
)

// snapshotBytes sums the regular files of the unpacked layers on disk.
func snapshotBytes(t *testing.T, root string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(filepath.Join(root, "snapshots"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.Contains(p, "/fs/") {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// info, version, system df and system prune on a root with two images that
// share a layer, a running and a stopped container.
func TestSystemInfoDfPrune(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	testimage.Push(t, reg.Host, "app:1", testimage.Image(t, testimage.BusyboxConfig,
		testimage.Layer(t, testimage.BusyboxLayer(t)), testimage.Layer(t, testimage.RandomTar(7, 500_000))))
	b := newBerth(t)
	t.Cleanup(b.removeAll)
	bb, app := reg.Host+"/busybox", reg.Host+"/app:1"
	b.ok("pull", "-q", bb)
	b.ok("pull", "-q", app)
	b.ok("run", "-d", "--name", "up", bb, "sleep", "300")
	b.ok("run", "--name", "wrote", bb, "sh", "-c", "head -c 100000 /dev/zero > /big")

	var info map[string]any
	if err := json.Unmarshal([]byte(b.ok("info", "--format", "{{json .}}")), &info); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"Containers": 2.0, "ContainersRunning": 1.0, "ContainersStopped": 1.0, "Images": 2.0,
		"Driver": "overlay2", "CgroupDriver": "cgroupfs", "DockerRootDir": b.root, "OSType": "linux"} {
		if info[k] != want {
			t.Errorf("info %s = %v, want %v", k, info[k], want)
		}
	}
	if cg := b.ok("info", "--format", "{{.CgroupVersion}}"); cg != "1\n" && cg != "2\n" {
		t.Errorf("CgroupVersion %q", cg)
	}
	if opts := b.ok("info", "--format", "{{json .SecurityOptions}}"); !strings.Contains(opts, "name=seccomp,profile=builtin") {
		t.Errorf("a seccomp build shows %s", opts)
	}
	if v := b.ok("version", "--format", "{{.Server.Version}}"); strings.TrimSpace(v) == "" {
		t.Error("version has no server version")
	}

	// Shared layers count once: the images' SIZE is the bytes on disk.
	rows := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(b.ok("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}")), "\n") {
		f := strings.Split(line, "|")
		rows[f[0]] = f[1:]
	}
	onDisk := snapshotBytes(t, b.root)
	if got := rows["Images"]; len(got) != 4 || got[0] != "2" || got[1] != "1" || got[2] != units.HumanSize(onDisk) {
		t.Errorf("df Images %v, want 2 images, 1 active, %s (%d bytes on disk)", got, units.HumanSize(onDisk), onDisk)
	}
	// Removing app would free its own layer only: busybox's stays in use.
	if got := rows["Images"]; len(got) == 4 && !strings.HasPrefix(got[3], "500kB") {
		t.Errorf("df Images reclaimable %q, want 500kB (app's own layer)", got[3])
	}
	if got := rows["Containers"]; len(got) != 4 || got[0] != "2" || got[1] != "1" || got[2] != "100kB" || got[3] != "100kB (100%)" {
		t.Errorf("df Containers %v, want 2, 1 active, 100kB, 100kB (100%%)", got)
	}
	verbose := b.ok("system", "df", "-v")
	for _, want := range []string{"Images space usage:", "SHARED SIZE", "Containers space usage:", "wrote"} {
		if !strings.Contains(verbose, want) {
			t.Errorf("df -v lacks %q:\n%s", want, verbose)
		}
	}

	// Prune asks first; no answer keeps everything.
	cmd := exec.Command(berthBin, "system", "prune")
	cmd.Env, cmd.Stdin = b.env(), strings.NewReader("n\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Are you sure you want to continue? [y/N]") {
		t.Fatalf("prune without -f: %v\n%s", err, out)
	}
	if n := len(strings.Fields(b.ok("ps", "-aq"))); n != 2 {
		t.Fatalf("a declined prune removed containers: %d left", n)
	}
	out2 := b.ok("system", "prune", "-f")
	if !strings.Contains(out2, "Deleted Containers:") || !strings.Contains(out2, "Total reclaimed space: 100kB") {
		t.Errorf("prune -f:\n%s", out2)
	}
	if n := len(strings.Fields(b.ok("ps", "-aq"))); n != 1 {
		t.Errorf("after prune -f: %d containers, want the running one", n)
	}
	b.ok("system", "prune", "-a", "-f")
	if imgs := b.ok("images", "--format", "{{.Repository}}"); strings.Contains(imgs, "app") || !strings.Contains(imgs, "busybox") {
		t.Errorf("prune -a kept or removed the wrong images:\n%s", imgs)
	}
	if got, want := snapshotBytes(t, b.root), onDisk-500_000; got != want {
		t.Errorf("layers on disk after prune -a: %d bytes, want %d", got, want)
	}
}

// A binary built without the project's build flags (no seccomp tag) says
// so when it runs a container, and in info: never unconfined in silence.
func TestBuildWithoutSeccompWarns(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "berth-noseccomp")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("plain go build: %v\n%s", err, out)
	}
	b, bb := withBusybox(t)
	cmd := exec.Command(bin, "run", "--rm", bb, "true")
	cmd.Env = b.env()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "WARNING") || !strings.Contains(string(out), "seccomp") {
		t.Errorf("run with a binary built without seccomp: %v\n%s", err, out)
	}
	cmd = exec.Command(bin, "info")
	cmd.Env = b.env()
	out, _ = cmd.CombinedOutput()
	if !strings.Contains(string(out), "without seccomp support") {
		t.Errorf("info of a binary built without seccomp:\n%s", out)
	}
	if opts, _ := exec.Command(bin, "info", "--root", b.root, "--run-root", b.runRoot, "--format", "{{json .SecurityOptions}}").Output(); strings.Contains(string(opts), "seccomp") {
		t.Errorf("SecurityOptions of a build without seccomp: %s", opts)
	}
	_ = os.Remove(bin)
}
