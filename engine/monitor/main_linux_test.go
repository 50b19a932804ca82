package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/opencontainers/cgroups/devices" // device rules of the test configs
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	_ "github.com/opencontainers/runc/libcontainer/nsenter" // joins namespaces before Go starts, for init
	"github.com/opencontainers/runc/libcontainer/specconv"
	"github.com/opencontainers/runtime-spec/specs-go"

	"berth/engine/snapshot"
	"berth/internal/testimage"
)

// testCgroupParent holds the cgroups of the test containers.
const testCgroupParent = "berth-test"

// layers are the lower directories of the test rootfs, top first, unpacked
// once for the package (empty when not root).
var layers []string

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		// libcontainer re-executes /proc/self/exe init in a new container.
		libcontainer.Init()
	}
	if len(os.Args) > 2 && os.Args[1] == "monitor-helper" {
		os.Exit(monitorHelper(os.Args[2]))
	}
	code := func() int {
		if os.Geteuid() == 0 {
			dir, err := os.MkdirTemp("", "berth-monitor-layers-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			if layers, err = unpackLayers(dir); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer removeCgroupParents()
		}
		return m.Run()
	}()
	os.Exit(code)
}

// fatalTB turns testimage's failures into a panic outside a test.
type fatalTB struct{}

func (fatalTB) Helper()                           {}
func (fatalTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (fatalTB) Cleanup(func())                    {}

// unpackLayers unpacks busybox plus a layer of extra applets and files.
func unpackLayers(dir string) ([]string, error) {
	s, err := snapshot.New(dir)
	if err != nil {
		return nil, err
	}
	bb := testimage.BusyboxLayer(fatalTB{})
	var extra []testimage.Entry
	for _, a := range []string{"dd", "tr", "seq", "yes", "kill", "sed"} {
		extra = append(extra, testimage.Entry{Name: "bin/" + a, Type: '2', Linkname: "busybox", Mode: 0o777})
	}
	extra = append(extra,
		testimage.Entry{Name: "etc/noexec", Body: "not a program\n", Mode: 0o644},
		testimage.Entry{Name: "etc/group", Body: "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n"},
	)
	var out []string
	for _, tar := range [][]byte{testimage.Tar(extra...), bb} { // top first
		id := testimage.Digest(tar)
		if _, err := s.Unpack(context.Background(), id, bytes.NewReader(tar)); err != nil {
			return nil, err
		}
		out = append(out, s.Path(id))
	}
	return out, nil
}

func removeCgroupParents() {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/" + testCgroupParent)
	if d := "/sys/fs/cgroup/" + testCgroupParent; exists(d) {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		os.Remove(d)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// testBundle makes a bundle for args in fresh directories; mod may change
// the OCI spec before it becomes the libcontainer config.
func testBundle(t testing.TB, args []string, mod func(*specs.Spec)) *Bundle {
	t.Helper()
	dir := t.TempDir()
	sockDir, err := os.MkdirTemp("", "bm") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	id := fmt.Sprintf("t%d-%d", os.Getpid(), time.Now().UnixNano())
	b := &Bundle{
		ID:        id,
		StateRoot: filepath.Join(dir, "state"),
		Process:   Process{Args: args, Env: []string{"PATH=/bin"}, Cwd: "/"},
		Rootfs: Overlay{
			Lower:  layers,
			Upper:  filepath.Join(dir, "upper"),
			Work:   filepath.Join(dir, "work"),
			Target: filepath.Join(dir, "rootfs"),
		},
		Log:    LogConfig{Path: filepath.Join(dir, "log.json"), MaxSize: 1 << 20, MaxFiles: 3},
		Socket: filepath.Join(sockDir, "a.sock"),
	}
	b.Config = testConfig(t, id, b.Rootfs.Target, mod)
	// The engine hands the bundle over as JSON: make sure it survives that.
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var out Bundle
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func testConfig(t testing.TB, id, rootfs string, mod func(*specs.Spec)) *configs.Config {
	t.Helper()
	spec := specconv.Example()
	spec.Root.Path = rootfs
	spec.Root.Readonly = false
	spec.Hostname = "berth-test"
	spec.Linux.CgroupsPath = "/" + testCgroupParent + "/" + id
	if mod != nil {
		mod(spec)
	}
	cfg, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{CgroupName: id, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// recorder records what the monitor reports; it asks for restarts times
// restarts.
type recorder struct {
	mu       sync.Mutex
	restarts int
	delay    time.Duration
	started  []int
	exits    []Exit
	finished int
}

func (r *recorder) Started(pid int, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, pid)
	return nil
}

func (r *recorder) Exited(ex Exit) (bool, time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exits = append(r.exits, ex)
	if r.restarts > 0 {
		r.restarts--
		return true, r.delay, nil
	}
	return false, 0, nil
}

func (r *recorder) Finished() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished++
	return nil
}

func (r *recorder) snapshot() ([]int, []Exit, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int{}, r.started...), append([]Exit{}, r.exits...), r.finished
}

// readyLines receives the monitor's ready lines.
type readyLines struct {
	ch     chan Ready
	closed chan struct{}
	once   sync.Once
}

func newReadyLines() *readyLines {
	return &readyLines{ch: make(chan Ready, 4), closed: make(chan struct{})}
}

func (r *readyLines) Write(p []byte) (int, error) {
	var rd Ready
	if err := json.Unmarshal(p, &rd); err != nil {
		return 0, err
	}
	r.ch <- rd
	return len(p), nil
}

func (r *readyLines) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

// running is a monitor running in the test process.
type running struct {
	t      *testing.T
	b      *Bundle
	rec    *recorder
	ready  *readyLines
	cancel context.CancelFunc
	done   chan error
}

func startMonitor(t *testing.T, b *Bundle, rec *recorder) *running {
	t.Helper()
	if rec == nil {
		rec = &recorder{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, b: b, rec: rec, ready: newReadyLines(), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- Run(ctx, b, rec, r.ready) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			t.Errorf("monitor did not end after cancel")
		}
	})
	return r
}

// next is the next ready line.
func (r *running) next() Ready {
	r.t.Helper()
	select {
	case rd := <-r.ready.ch:
		return rd
	default:
	}
	select {
	case rd := <-r.ready.ch:
		return rd
	case err := <-r.done:
		r.done <- err
		select {
		case rd := <-r.ready.ch:
			return rd
		default:
		}
		r.t.Fatalf("monitor ended (%v) before its ready line", err)
	case <-time.After(20 * time.Second):
		r.t.Fatal("no ready line")
	}
	return Ready{}
}

// started waits for the created and started lines.
func (r *running) started() int {
	r.t.Helper()
	if rd := r.next(); !rd.Created {
		r.t.Fatalf("first ready line %+v, want created", rd)
	}
	rd := r.next()
	if !rd.Started || rd.Pid <= 0 {
		r.t.Fatalf("second ready line %+v, want started with a pid", rd)
	}
	return rd.Pid
}

// wait waits for Run to return.
func (r *running) wait() error {
	r.t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		return err
	case <-time.After(30 * time.Second):
		r.t.Fatal("monitor did not end")
	}
	return nil
}

// checkCleanedUp asserts that nothing of the container is left.
func checkCleanedUp(t *testing.T, b *Bundle) {
	t.Helper()
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mi), " "+b.Rootfs.Target+" ") {
		t.Errorf("rootfs %s is still mounted", b.Rootfs.Target)
	}
	if exists(b.Socket) {
		t.Errorf("socket %s is still there", b.Socket)
	}
	if exists(filepath.Join(b.StateRoot, b.ID)) {
		t.Errorf("libcontainer state dir is still there")
	}
	cgs, _ := filepath.Glob("/sys/fs/cgroup/*/" + testCgroupParent + "/" + b.ID)
	if len(cgs) > 0 {
		t.Errorf("cgroups left: %v", cgs)
	}
}

// monitorHelper runs a monitor as a process of its own (for measuring
// it): the bundle comes from a JSON file, readiness goes to stdout.
func monitorHelper(path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var b Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, &b, nopRecorder{}, os.Stdout); err != nil {
		return 1
	}
	return 0
}

type nopRecorder struct{}

func (nopRecorder) Started(int, time.Time) error             { return nil }
func (nopRecorder) Exited(Exit) (bool, time.Duration, error) { return false, 0, nil }
func (nopRecorder) Finished() error                          { return nil }
