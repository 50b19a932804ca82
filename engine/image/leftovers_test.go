package image_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine/content"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/progress"
	"berth/engine/snapshot"
	"berth/engine/store"
	"berth/internal/testimage"
)

// TestMain lets the test binary play a berth process that pulls and is
// killed half-way (see startPull).
func TestMain(m *testing.M) {
	if root := os.Getenv("BERTH_TEST_PULL_ROOT"); root != "" {
		os.Exit(pullUntilKilled(root, os.Getenv("BERTH_TEST_PULL_REF"), os.Getenv("BERTH_TEST_PULL_READY")))
	}
	os.Exit(m.Run())
}

// stores is one root opened as a berth process opens it.
type stores struct {
	svc   *image.Service
	db    *store.Store
	blobs *content.Store
	snaps *snapshot.Store
}

func openStores(root string, opts ...image.Option) (*stores, error) {
	db, err := store.Open(filepath.Join(root, "db"))
	if err != nil {
		return nil, err
	}
	blobs, err := content.New(filepath.Join(root, "blobs"))
	if err != nil {
		db.Close()
		return nil, err
	}
	snaps, err := snapshot.New(filepath.Join(root, "snapshots"))
	if err != nil {
		db.Close()
		return nil, err
	}
	return &stores{svc: image.NewService(db, blobs, snaps, opts...), db: db, blobs: blobs, snaps: snaps}, nil
}

func (e *env) openWith(opts ...image.Option) *stores {
	e.t.Helper()
	s, err := openStores(e.root, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { s.db.Close() })
	return s
}

// pullUntilKilled pulls ref into root and says "ready" on standard output
// once the layer whose short ID is ready is stored; the pull then hangs on
// a stalled layer until the process is killed.
func pullUntilKilled(root, ref, ready string) int {
	s, err := openStores(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_, err = s.svc.Pull(context.Background(), ref, image.PullOptions{Progress: func(u progress.Update) {
		if u.ID == ready && u.State == progress.Done {
			fmt.Println("ready")
		}
	}})
	fmt.Fprintln(os.Stderr, "the pull was to hang, but ended:", err)
	return 2
}

// startPull runs pullUntilKilled in another process and waits for its
// "ready". The process is killed when the test ends, if not before.
func startPull(t *testing.T, root, ref, ready string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BERTH_TEST_PULL_ROOT="+root, "BERTH_TEST_PULL_REF="+ref, "BERTH_TEST_PULL_READY="+ready)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l != "ready\n" {
			t.Fatalf("pulling process: %q", l)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("pulling process never got its first layer")
	}
	return cmd
}

// stored lists the digests of the blobs and snapshots under root, sorted.
func stored(t *testing.T, root string) (blobs, snaps []string) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(root, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		blobs = append(blobs, "sha256:"+e.Name())
	}
	ents, err = os.ReadDir(filepath.Join(root, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			snaps = append(snaps, "sha256:"+e.Name())
		}
	}
	return blobs, snaps
}

// referenced lists, from the image records, the blobs (configs, manifests,
// layers) and snapshots (diff IDs) the images of root use, sorted.
func referenced(t *testing.T, root string) (blobs, snaps []string) {
	t.Helper()
	db, err := store.Open(filepath.Join(root, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var imgs []store.Image
	if err := db.View(context.Background(), func(tx *store.Tx) (err error) { imgs, err = tx.Images(); return err }); err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		blobs = append(blobs, img.ID, img.ManifestDigest)
		for _, l := range img.Layers {
			blobs = append(blobs, l.BlobDigest)
			snaps = append(snaps, l.DiffID)
		}
	}
	slices.Sort(blobs)
	slices.Sort(snaps)
	return slices.Compact(blobs), slices.Compact(snaps)
}

// onlyReferenced fails unless root holds exactly what its images use, and
// no temp file.
func onlyReferenced(t *testing.T, root string, images int) {
	t.Helper()
	blobs, snaps := stored(t, root)
	wantBlobs, wantSnaps := referenced(t, root)
	if !slices.Equal(blobs, wantBlobs) {
		t.Errorf("blobs under %s:\n%s\nwant exactly the %d images' own:\n%s", root,
			strings.Join(blobs, "\n"), images, strings.Join(wantBlobs, "\n"))
	}
	if !slices.Equal(snaps, wantSnaps) {
		t.Errorf("snapshots: %v, want %v", snaps, wantSnaps)
	}
	if l := testimage.Leftovers(root); len(l) > 0 {
		t.Errorf("temp files left: %v", l)
	}
}

// tarFile is one file of a hand-made archive.
type tarFile struct {
	name string
	body []byte
}

func tarOf(files ...tarFile) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.body))})
		tw.Write(f.body)
	}
	tw.Close()
	return buf.Bytes()
}

// legacyImage is one image of an old docker-archive: a config named
// <hex>.json and a layer directory with layer.tar, json and VERSION.
func legacyImage(name, dir string, layer []byte, diffID string) (files []tarFile, entry string) {
	cfg := testimage.ConfigFor(diffID)
	cfgName := strings.TrimPrefix(testimage.Digest(cfg), "sha256:") + ".json"
	files = []tarFile{
		{dir + "/VERSION", []byte("1.0")},
		{dir + "/json", []byte(`{"id":"` + dir + `"}`)},
		{dir + "/layer.tar", layer},
		{cfgName, cfg},
	}
	return files, fmt.Sprintf(`{"Config":%q,"RepoTags":[%q],"Layers":[%q]}`, cfgName, name, dir+"/layer.tar")
}

// A load stores the blobs its images use and nothing else: not the
// archive's manifest.json, index.json, oci-layout or repositories, not the
// per-layer files of old docker-archives.
func TestLoadStoresOnlyReferencedBlobs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testimage.Push(t, e.reg.Host, "busybox:latest", testimage.Busybox(t))
	testimage.Push(t, e.reg.Host, "big:latest", testimage.Big(t, 2, 256<<10))
	for _, ref := range []string{"busybox", "big"} {
		if _, _, err := e.pull(e.reg.Host+"/"+ref, image.PullOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var archive bytes.Buffer
	if err := e.svc.Save(ctx, []string{e.reg.Host + "/busybox", e.reg.Host + "/big"}, &archive); err != nil {
		t.Fatal(err)
	}

	t.Run("berth save archive", func(t *testing.T) {
		other := &env{t: t, root: t.TempDir()}
		other.svc = other.open()
		if _, err := other.svc.Load(ctx, bytes.NewReader(archive.Bytes())); err != nil {
			t.Fatal(err)
		}
		onlyReferenced(t, other.root, 2)
		if blobs, _ := stored(t, other.root); len(blobs) != 2+2+3 { // 2 configs, 2 manifests, 3 layers (busybox's shared)
			t.Errorf("%d blobs, want 7", len(blobs))
		}
		// Loading again into the same root keeps it so.
		if _, err := other.svc.Load(ctx, bytes.NewReader(archive.Bytes())); err != nil {
			t.Fatal(err)
		}
		onlyReferenced(t, other.root, 2)
	})

	t.Run("old docker-archive", func(t *testing.T) {
		layer := testimage.Tar(testimage.Entry{Name: "hello", Body: "hi"})
		files, entry := legacyImage("legacy:1", "0123abcd", layer, testimage.Digest(layer))
		files = append(files,
			tarFile{"repositories", []byte(`{"legacy":{"1":"0123abcd"}}`)},
			tarFile{"manifest.json", []byte("[" + entry + "]")})
		other := &env{t: t, root: t.TempDir()}
		other.svc = other.open()
		res, err := other.svc.Load(ctx, bytes.NewReader(tarOf(files...)))
		if err != nil || len(res.Loaded) != 1 || res.Loaded[0] != "Loaded image: legacy:1" {
			t.Fatalf("load: %+v %v", res, err)
		}
		onlyReferenced(t, other.root, 1)
		if blobs, _ := stored(t, other.root); len(blobs) != 3 { // config, layer, the manifest berth wrote
			t.Errorf("%d blobs, want 3", len(blobs))
		}
	})
}

// A load that fails keeps only what the images it recorded before the
// failure use.
func TestLoadFailureKeepsOnlyRecordedImages(t *testing.T) {
	ctx := context.Background()
	good := testimage.Tar(testimage.Entry{Name: "good", Body: "good"})
	bad := testimage.Tar(testimage.Entry{Name: "bad", Body: "bad"})
	goodFiles, goodEntry := legacyImage("good:1", "1111", good, testimage.Digest(good))
	// The second image's config names another diff ID than its layer has:
	// its layer is spooled and unpacked, then found broken.
	badFiles, badEntry := legacyImage("bad:1", "2222", bad, testimage.Digest([]byte("another layer")))
	archive := tarOf(append(append(goodFiles, badFiles...),
		tarFile{"manifest.json", []byte("[" + goodEntry + "," + badEntry + "]")})...)

	e := newEnv(t)
	_, err := e.svc.Load(ctx, bytes.NewReader(archive))
	if err == nil {
		t.Fatal("loading an archive with a broken layer succeeded")
	}
	if _, err := e.svc.Resolve(ctx, "good:1"); err != nil {
		t.Errorf("the image loaded before the failure: %v", err)
	}
	onlyReferenced(t, e.root, 1)

	// An archive that names a file it lacks stores nothing at all.
	fresh := newEnv(t)
	_, err = fresh.svc.Load(ctx, bytes.NewReader(tarOf(goodFiles[1:]...)))
	if err == nil {
		t.Fatal("load without manifest.json succeeded")
	}
	missing := tarOf(append(slices.Clone(goodFiles[:3]), tarFile{"manifest.json", []byte("[" + goodEntry + "]")})...) // no config
	if _, err := fresh.svc.Load(ctx, bytes.NewReader(missing)); !errdefs.IsDataCorrupt(err) {
		t.Fatalf("load of an archive without its config: %v", err)
	}
	if blobs, snaps := stored(t, fresh.root); len(blobs)+len(snaps) != 0 {
		t.Errorf("failed loads left blobs %v and snapshots %v", blobs, snaps)
	}
}

// cancelAfter cancels a context once n bytes were read through it, and
// counts the blobs stored by then.
type cancelAfter struct {
	r       io.Reader
	n       int
	cancel  context.CancelFunc
	root    string
	spooled int
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		if c.cancel != nil {
			ents, _ := os.ReadDir(filepath.Join(c.root, "blobs", "sha256"))
			c.spooled = len(ents)
			c.cancel()
			c.cancel = nil
		}
	}
	n, err := c.r.Read(p[:min(len(p), 32<<10)])
	c.n -= n
	return n, err
}

// Ctrl-C during a load removes what it had spooled.
func TestLoadCanceledKeepsNothing(t *testing.T) {
	e := newEnv(t)
	testimage.Push(t, e.reg.Host, "big:latest", testimage.Big(t, 3, 1<<20))
	if _, _, err := e.pull(e.reg.Host+"/big", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := e.svc.Save(context.Background(), []string{e.reg.Host + "/big"}, &archive); err != nil {
		t.Fatal(err)
	}
	other := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &cancelAfter{r: bytes.NewReader(archive.Bytes()), n: archive.Len() * 3 / 4, cancel: cancel, root: other.root}
	_, err := other.svc.Load(ctx, r)
	if !errdefs.IsCanceled(err) || err.Error() != "load canceled" {
		t.Fatalf("canceled load: %v", err)
	}
	if r.spooled == 0 {
		t.Fatal("the load was canceled before it stored any blob: the test proves nothing")
	}
	if blobs, snaps := stored(t, other.root); len(blobs)+len(snaps) != 0 {
		t.Errorf("canceled load (%d blobs spooled) left blobs %v and snapshots %v", r.spooled, blobs, snaps)
	}
	if l := other.leftovers(); len(l) > 0 {
		t.Errorf("canceled load left %v", l)
	}
}

// backdate sets the times of every blob and snapshot under root to d ago.
func backdate(t *testing.T, root string, d time.Duration) {
	t.Helper()
	old := time.Now().Add(-d)
	blobs, snaps := stored(t, root)
	for _, b := range blobs {
		if err := os.Chtimes(filepath.Join(root, "blobs", "sha256", strings.TrimPrefix(b, "sha256:")), old, old); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range snaps {
		if err := os.Chtimes(filepath.Join(root, "snapshots", strings.TrimPrefix(s, "sha256:")), old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// The layers of a pull killed before it recorded its image stay while the
// pulling process lives, and for the grace period after it died; then
// CollectLeftovers, which every engine runs when it opens a root, deletes
// them, and only them.
func TestCollectLeftoversOfKilledPull(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testimage.Push(t, e.reg.Host, "busybox:latest", testimage.Busybox(t))
	if _, _, err := e.pull(e.reg.Host+"/busybox", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	fast := testimage.Layer(t, testimage.RandomTar(7, 256<<10))
	slow := testimage.Layer(t, testimage.RandomTar(8, 4<<20))
	testimage.Push(t, e.reg.Host, "half:1", testimage.Image(t, testimage.BusyboxConfig,
		testimage.Layer(t, testimage.BusyboxLayer(t)), fast, slow))
	slowDigest, _ := slow.Digest()
	e.reg.SetFault(slowDigest.String(), testimage.Stall)
	fastDigest, _ := fast.Digest()
	fastDiffID, _ := fast.DiffID()
	fastBlob := filepath.Join(e.root, "blobs", "sha256", fastDigest.Hex)
	fastSnap := filepath.Join(e.root, "snapshots", fastDiffID.Hex)
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	puller := startPull(t, e.root, e.reg.Host+"/half:1", image.ShortID(fastDigest.String()))
	if !exists(fastBlob) || !exists(fastSnap) {
		t.Fatal("the pulling process has not stored its first layer")
	}
	// While the pulling process lives, its leases keep its layers, whatever
	// their age: from start-up collection and from prune alike.
	backdate(t, e.root, 2*time.Hour)
	now := e.openWith(image.WithGracePeriod(0))
	if n, err := now.svc.CollectLeftovers(ctx); err != nil || n != 0 {
		t.Fatalf("collection during a live pull: freed %d, %v", n, err)
	}
	if _, err := now.svc.Prune(ctx, false); err != nil {
		t.Fatal(err)
	}
	if !exists(fastBlob) || !exists(fastSnap) {
		t.Fatal("a live pull's layer was collected")
	}

	puller.Process.Kill()
	puller.Wait()
	// Young leftovers of a dead pull stay for the grace period (for a pull
	// again to reuse); the dead process's leases go.
	e.svc = e.openWith().svc
	for _, p := range []string{fastBlob, fastSnap} {
		if err := os.Chtimes(p, time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := e.svc.CollectLeftovers(ctx); err != nil || n != 0 {
		t.Fatalf("collection of young leftovers: freed %d, %v", n, err)
	}
	if !exists(fastBlob) || !exists(fastSnap) {
		t.Fatal("a leftover younger than the grace period was collected")
	}
	check := e.openWith()
	check.db.View(ctx, func(tx *store.Tx) error {
		if _, dead, err := tx.HeldLeases(); err != nil || dead != 0 {
			t.Errorf("leases of the killed pull: %d owners left, %v", dead, err)
		}
		return nil
	})

	// Once older than the grace period, they go, and nothing else does.
	backdate(t, e.root, 2*time.Hour)
	n, err := e.svc.CollectLeftovers(ctx)
	if err != nil || n < 256<<10 {
		t.Fatalf("collection of old leftovers: freed %d, %v", n, err)
	}
	if exists(fastBlob) || exists(fastSnap) {
		t.Fatal("old leftovers of a killed pull were not collected")
	}
	if err := errors.Join(check.blobs.Cleanup(), check.snaps.Cleanup()); err != nil {
		t.Fatal(err)
	}
	onlyReferenced(t, e.root, 1)
	if _, err := e.svc.Resolve(ctx, e.reg.Host+"/busybox"); err != nil {
		t.Fatal(err)
	}
	// The interrupted image pulls whole again.
	e.reg.SetFault(slowDigest.String(), 0)
	if _, _, err := e.pull(e.reg.Host+"/half:1", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	onlyReferenced(t, e.root, 2)
}

// BenchmarkCollectLeftoversNothingToDo is what engine.New pays for the
// collection on a root with a few images and no garbage.
func BenchmarkCollectLeftoversNothingToDo(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root: layers carry owners (CI runs as root)")
	}
	root := b.TempDir()
	reg := testimage.NewRegistry(b)
	svc := openBench(b, root)
	for i := range 4 {
		testimage.Push(b, reg.Host, fmt.Sprintf("img%d:latest", i), testimage.Big(b, 3, 64<<10+int64(i)))
		if _, err := svc.Pull(context.Background(), fmt.Sprintf("%s/img%d", reg.Host, i), image.PullOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if n, err := svc.CollectLeftovers(context.Background()); err != nil || n != 0 {
			b.Fatal(n, err)
		}
	}
}
