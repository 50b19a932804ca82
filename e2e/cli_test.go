package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"berth/internal/testimage"
)

func TestCLIImageLifecycle(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	b := newBerth(t)
	ref := reg.Host + "/busybox"

	out := b.ok("pull", ref)
	for _, want := range []string{"Using default tag: latest", "latest: Pulling from busybox", ": Pull complete",
		"Digest: sha256:", "Status: Downloaded newer image for " + ref + ":latest", ref + ":latest"} {
		if !strings.Contains(out, want) {
			t.Errorf("pull output lacks %q:\n%s", want, out)
		}
	}
	if out := b.ok("pull", ref); !strings.Contains(out, "Image is up to date") {
		t.Errorf("second pull:\n%s", out)
	}

	out = b.ok("images")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "REPOSITORY") || !strings.Contains(lines[0], "IMAGE ID") {
		t.Fatalf("images:\n%s", out)
	}
	fields := strings.Fields(lines[1])
	if fields[0] != ref || fields[1] != "latest" || len(fields[2]) != 12 || !strings.HasSuffix(lines[1], "MB") {
		t.Fatalf("images row: %q", lines[1])
	}

	var insp []map[string]any
	if err := json.Unmarshal([]byte(b.ok("image", "inspect", ref)), &insp); err != nil || len(insp) != 1 {
		t.Fatalf("inspect JSON: %v", err)
	}
	if insp[0]["Os"] != "linux" || insp[0]["Architecture"] != "amd64" || insp[0]["Id"] == "" {
		t.Errorf("inspect: %v", insp[0])
	}
	if got := strings.TrimSpace(b.ok("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", ref)); got != "linux/amd64" {
		t.Errorf("inspect --format: %q", got)
	}
	if out := b.ok("image", "history", ref); !strings.Contains(out, "CREATED BY") || !strings.Contains(out, "testimage layer") {
		t.Errorf("history:\n%s", out)
	}

	b.ok("tag", ref, "mybox:1")
	if got := b.ok("images", "--format", "{{.Repository}}:{{.Tag}}"); !strings.Contains(got, "mybox:1") {
		t.Errorf("images after tag:\n%s", got)
	}
	if out := b.ok("rmi", "mybox:1"); strings.TrimSpace(out) != "Untagged: mybox:1" {
		t.Errorf("rmi mybox:1: %q", out)
	}

	// save / load through a file, into another root.
	tarPath := filepath.Join(t.TempDir(), "bb.tar")
	b.ok("save", "-o", tarPath, ref)
	other := newBerth(t)
	if out := other.ok("load", "-i", tarPath); !strings.Contains(out, "Loaded image: "+ref+":latest") {
		t.Errorf("load: %q", out)
	}
	if a, c := b.ok("images", "-q"), other.ok("images", "-q"); a != c {
		t.Errorf("image IDs differ after save/load: %q vs %q", a, c)
	}

	out = b.ok("rmi", ref)
	if !strings.Contains(out, "Untagged: "+ref+":latest") || !strings.Contains(out, "Deleted: sha256:") {
		t.Errorf("rmi: %q", out)
	}
	if out := b.ok("images", "-q"); out != "" {
		t.Errorf("images after rmi: %q", out)
	}
	if blobs, _ := os.ReadDir(filepath.Join(b.root, "blobs", "sha256")); len(blobs) != 0 {
		t.Errorf("%d blobs left after removing the only image", len(blobs))
	}
	if out := b.ok("image", "prune", "-f"); !strings.Contains(out, "Total reclaimed space") {
		t.Errorf("prune: %q", out)
	}
}

func TestCLIErrors(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	b := newBerth(t)
	b.fails("invalid reference", "pull", "Not/Valid")
	b.fails("not found", "pull", reg.Host+"/busybox:nope")
	b.fails("unreachable", "pull", "127.0.0.1:1/busybox")
	b.fails("no such image", "rmi", "busybox:none")
	b.fails("no such image", "image", "inspect", "ghost")
	b.fails("no such image", "tag", "ghost", "x:1")
	b.fails("invalid platform", "pull", "--platform", "linux", reg.Host+"/busybox")
	b.fails("unknown command", "frobnicate")
	b.fails("not a tar", "load", "-i", "/etc/hostname")
	if _, _, code := b.run("pull", "Not/Valid"); code != 1 {
		t.Errorf("exit code of a failed pull = %d, want 1", code)
	}
}

func TestCLINeedsRoot(t *testing.T) {
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	b := newBerth(t)
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", berthBin, "images")
	cmd.Env = b.env()
	out, err := cmd.CombinedOutput()
	if err == nil || strings.TrimSpace(string(out)) != "Error: berth needs root for now (rootless mode comes later): run it as root, e.g. sudo berth" {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

func TestCLIPlainProgressAndManyProcesses(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "big:latest", testimage.Big(t, 3, 1<<20))
	b := newBerth(t)
	ref := reg.Host + "/big"
	out := b.ok("pull", ref)
	// Not a terminal: one plain line per state change, no escape codes.
	if strings.Contains(out, "\x1b[") || strings.Count(out, ": Pull complete") != 4 || !strings.Contains(out, ": Waiting") {
		t.Errorf("plain progress:\n%s", out)
	}
	// Many berth processes on one root at once: no "database is locked", no lost tags.
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := range 12 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, e, code := b.run("tag", ref, "many:"+string(rune('a'+i))); code != 0 {
				errs <- e
			}
		}()
		go func() {
			defer wg.Done()
			if _, e, code := b.run("images"); code != 0 {
				errs <- e
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent berth failed: %s", e)
	}
	if got := strings.Count(b.ok("images"), "many"); got != 12 {
		t.Errorf("%d of 12 tags recorded", got)
	}
}

func TestCLIKill9DuringPull(t *testing.T) {
	reg, stalled := stalledBig(t, 3, 4<<20, 2)
	b := newBerth(t)
	ref := reg.Host + "/big"

	cmd := exec.Command(berthBin, "pull", ref)
	cmd.Env = b.env()
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the stalled layer is half-way (in the content store's temp area).
	eventually(t, 20*time.Second, "a half-written layer", func() bool {
		ents, _ := os.ReadDir(filepath.Join(b.root, "blobs", "ingest"))
		return len(ents) > 0 && strings.Contains(out.String(), "Pull complete")
	})
	time.Sleep(100 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(b.leftovers()) == 0 {
		t.Fatalf("expected the killed pull to leave temp files behind for the next start to clean")
	}

	reg.SetFault(stalled, 0)
	b.ok("pull", ref)
	if l := b.leftovers(); len(l) > 0 {
		t.Errorf("leftovers after the next pull: %v", l)
	}
	if out := b.ok("images"); strings.Count(out, "\n") != 2 {
		t.Errorf("images after kill -9 and pull:\n%s", out)
	}
	// Every layer is complete: a save reads every blob back.
	b.ok("save", "-o", filepath.Join(t.TempDir(), "big.tar"), ref)
}

// syncBuffer is a bytes.Buffer safe for a writer process and a reader test.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.buf)
}

func TestCLICtrlCCancelsCleanly(t *testing.T) {
	reg, _ := stalledBig(t, 2, 4<<20, 1)
	b := newBerth(t)
	cmd := exec.Command(berthBin, "pull", reg.Host+"/big")
	cmd.Env = b.env()
	var out, errOut syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the pull to be under way", func() bool {
		ents, _ := os.ReadDir(filepath.Join(b.root, "blobs", "ingest"))
		return len(ents) > 0
	})
	start := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("after Ctrl-C: %v (stderr %q)", err, errOut.String())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Ctrl-C took %v to take effect", d)
	}
	if !strings.Contains(errOut.String(), "canceled") {
		t.Errorf("stderr: %q", errOut.String())
	}
	if l := b.leftovers(); len(l) > 0 {
		t.Errorf("Ctrl-C left %v", l)
	}
	if out := b.ok("images", "-q"); out != "" {
		t.Errorf("a canceled pull recorded an image: %q", out)
	}
}

func TestCLIFullDisk(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "big:latest", testimage.Big(t, 2, 4<<20))
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", small).Run() })
	b := &berth{t: t, root: filepath.Join(small, "root"), runRoot: filepath.Join(t.TempDir(), "run")}
	b.fails("no space left", "pull", reg.Host+"/big")
	if l := b.leftovers(); len(l) > 0 {
		t.Errorf("a pull that filled the disk left %v", l)
	}
	// The store is intact and usable: a small image still fits.
	b.ok("pull", reg.Host+"/busybox")
	if out := b.ok("images", "--format", "{{.Repository}}"); strings.TrimSpace(out) != reg.Host+"/busybox" {
		t.Errorf("images after a full disk: %q", out)
	}
}

// stalledBig serves "big" (busybox and n random layers of size bytes) from
// a new registry that sends half of layer stall, then holds it; it returns
// the registry and that layer's digest.
func stalledBig(t *testing.T, n int, size int64, stall int) (*testimage.Registry, string) {
	t.Helper()
	reg := testimage.NewRegistry(t)
	img := testimage.Big(t, n, size)
	testimage.Push(t, reg.Host, "big:latest", img)
	layers, _ := img.Layers()
	d, _ := layers[stall].Digest()
	reg.SetFault(d.String(), testimage.Stall)
	return reg, d.String()
}
