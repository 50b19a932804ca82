package views

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"berth/engine"
	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/volume"
)

// verbsFake adds to the fake engine the optional abilities of the CLI's
// remaining verbs, recording what it was asked.
type verbsFake struct {
	*fakeEngine
	mu       sync.Mutex
	signals  []string // "web TERM"
	stops    []string // "web 2"
	creates  []container.CreateOptions
	saved    []string
	loaded   string
	prunes   []engine.PruneOptions
	changes  []container.Change
	du       engine.DiskUsage
	pruneRep engine.PruneReport
}

func newVerbsFake(eng *fakeEngine) *verbsFake {
	return &verbsFake{fakeEngine: eng,
		changes: []container.Change{
			{Kind: container.Changed, Path: "/etc"},
			{Kind: container.Added, Path: "/etc/nginx/conf.d/site.conf"},
			{Kind: container.Deleted, Path: "/etc/nginx/conf.d/default.conf"},
			{Kind: container.Changed, Path: "/var/cache/nginx"},
			{Kind: container.Added, Path: "/var/cache/nginx/client_temp"},
		},
		du: engine.DiskUsage{
			Images:     image.Usage{Images: []image.ImageUsage{{Summary: image.Summary{ID: "sha256:" + hexID("ee")}}, {Summary: image.Summary{ID: "sha256:" + hexID("ef")}}}, LayersSize: 80_000_000},
			ImageUsers: map[string]int{"sha256:" + hexID("ee"): 2},
			Containers: []engine.ContainerUsage{{Summary: ctr("a1", "web", "nginx", "", 0, up(0)), SizeRw: 3_000_000}, {Summary: ctr("e5", "old", "busybox", "", 0, exited(0, 0)), SizeRw: 1_000_000}},
			Volumes:    []engine.VolumeUsage{{Volume: &volume.Volume{Name: "data", RefCount: 1}, Size: 5_000_000}, {Volume: &volume.Volume{Name: "tmp"}, Size: 5_000_000}},
		},
	}
}

func (f *verbsFake) use(h *harness) *verbsFake {
	h.app.env.eng = f
	return f
}

func (f *verbsFake) CreateContainer(ctx context.Context, o container.CreateOptions) (*container.Container, error) {
	f.mu.Lock()
	f.creates = append(f.creates, o)
	f.mu.Unlock()
	if _, err := f.InspectImage(ctx, o.Image); err != nil {
		return nil, errdefs.NotFound("image %q not found", o.Image)
	}
	c := &container.Container{ID: hexID("c7"), Name: o.Name}
	return c, nil
}

// InspectImage says NotFound, as the engine does, for an image not held.
func (f *verbsFake) InspectImage(ctx context.Context, ref string) (*image.Inspect, error) {
	i, err := f.fakeEngine.InspectImage(ctx, ref)
	if err != nil && !strings.Contains(ref, ":") {
		i, err = f.fakeEngine.InspectImage(ctx, ref+":latest")
	}
	if err != nil {
		return nil, errdefs.NotFound("No such image: %s", ref)
	}
	return i, nil
}

func (f *verbsFake) SignalContainer(ctx context.Context, ref string, sig syscall.Signal) error {
	f.mu.Lock()
	f.signals = append(f.signals, ref+" "+signalName(sig))
	f.mu.Unlock()
	return f.action(ctx, "Signal", ref, false, func(c *container.Summary) (string, error) {
		if !c.State.Status.Active() {
			return "", errdefs.Conflict("container %s is not running", c.Name)
		}
		c.State = exited(128+int(sig), 0)
		return "die", nil
	})
}

func (f *verbsFake) RestartContainerAfter(ctx context.Context, ref string, timeout *int) error {
	f.mu.Lock()
	f.stops = append(f.stops, ref+" "+itoa(*timeout)+" restart")
	f.mu.Unlock()
	return f.RestartContainer(ctx, ref)
}

func (f *verbsFake) StopContainerAfter(ctx context.Context, ref string, timeout *int) error {
	f.mu.Lock()
	f.stops = append(f.stops, ref+" "+itoa(*timeout))
	f.mu.Unlock()
	return f.StopContainer(ctx, ref)
}

func (f *verbsFake) SaveImages(ctx context.Context, refs []string, w io.Writer) error {
	f.mu.Lock()
	f.saved = append(f.saved, refs...)
	f.mu.Unlock()
	_, err := io.WriteString(w, "tar of "+strings.Join(refs, " "))
	return err
}

func (f *verbsFake) LoadImages(ctx context.Context, r io.Reader) (image.LoadResult, error) {
	b, err := io.ReadAll(r)
	f.mu.Lock()
	f.loaded = string(b)
	f.mu.Unlock()
	return image.LoadResult{Loaded: []string{"Loaded image: busybox:latest"}}, err
}

func (f *verbsFake) DiskUsage(ctx context.Context) (engine.DiskUsage, error) { return f.du, nil }

func (f *verbsFake) Prune(ctx context.Context, o engine.PruneOptions) (engine.PruneReport, error) {
	f.mu.Lock()
	f.prunes = append(f.prunes, o)
	f.mu.Unlock()
	return f.pruneRep, nil
}

func (f *verbsFake) ContainerChanges(ctx context.Context, ref string) ([]container.Change, error) {
	if f.find(ref) < 0 {
		return nil, errdefs.NotFound("No such container: %s", ref)
	}
	return f.changes, nil
}

func (f *verbsFake) record() (signals, stops []string, creates []container.CreateOptions, prunes []engine.PruneOptions) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.signals), slices.Clone(f.stops), slices.Clone(f.creates), slices.Clone(f.prunes)
}

func TestVerbCompletion(t *testing.T) {
	h, _ := newContainersHarness(t, 100, 30)
	for line, want := range map[string][]string{
		"kill -s ":         killSignals,
		"kill -s T":        {"TERM"},
		"kill -s TERM w":   {"web", "worker"},
		"kill -":           {"-s", "--signal"},
		"stop -":           {"-t", "--time"},
		"stop -t ":         nil,
		"stop -t 2 w":      {"web", "worker"},
		"system ":          {"df", "prune"},
		"system prune -":   {"-a", "--all", "--volumes"},
		"save -o ":         nil,
		"save -o f.tar bu": {"busybox", "busybox:1.36", "busybox:latest"},
		"diff w":           {"web", "worker"},
		"create --na":      {"--name"},
		"create bu":        {"busybox", "busybox:1.36", "busybox:latest"},
		"d":                {"df", "diff"},
	} {
		_, got := h.app.completeLine(line)
		if w := slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
			t.Errorf("complete %q = %v, want %v", line, got, w)
		}
	}
}

func TestVerbCommandErrors(t *testing.T) {
	h, eng := newContainersHarness(t, 100, 30)
	newVerbsFake(eng).use(h)
	for line, want := range map[string]string{
		"kill":                 ":kill needs a container: :kill NAME, :kill -s TERM NAME",
		"kill -s":              ":kill -s needs a value: :kill [-s SIGNAL] NAME…",
		"kill -s BOGUS web":    `:kill -s: invalid signal "BOGUS"`,
		"kill --nope web":      ":kill: unknown flag --nope",
		"stop -t x web":        ":stop -t x: write whole seconds, e.g. :stop -t 2 web",
		"stop -t 2":            ":stop needs a container",
		"save busybox":         ":save takes a file and images: :save -o /tmp/images.tar busybox",
		"save -o /tmp/x.tar":   ":save takes a file and images",
		"load":                 ":load takes a tar file: :load -i /tmp/images.tar",
		"load -i a.tar b":      ":load takes a tar file",
		"system":               ":system takes df or prune",
		"system nope":          ":system nope: it takes df or prune",
		"system prune --force": ":system prune: unknown --force: it takes -a",
		"df x":                 ":df takes nothing",
		"create":               ":create needs an image: :create --name web busybox httpd -f",
		"create --bogus img":   ":create: unknown flag: --bogus",
	} {
		words, _ := splitWords(line, "")
		c, ok := lookup(h.app.cmds, words[0])
		if !ok {
			t.Fatalf("no command %s", words[0])
		}
		_, err := c.run(h.app, words[1:])
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", line, err, want)
		}
		if err != nil && !errdefs.IsInvalidArgument(err) {
			t.Errorf("%q: %v is not an invalid argument", line, err)
		}
	}
}

func TestVerbCommands(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 30)
	f := newVerbsFake(eng).use(h)

	h.command("kill -s TERM web")
	h.waitScreen("Sent SIGTERM to web")
	h.waitScreen("Exited (143)")
	h.command("kill --signal=HUP web")
	h.waitScreen(":kill web: container web is not running")
	h.command("kill db")
	h.waitScreen("Killed db")
	if c := eng.calls(); c[len(c)-1].Method != "Kill" || c[len(c)-1].Ref != "db" {
		t.Errorf("plain :kill: engine calls %v", c)
	}

	h.command("stop -t 2 worker")
	h.waitScreen("Stopped worker")
	h.command("stop job")
	h.waitScreen("Stopped job")

	h.command("create --name cc -e A=1 busybox true")
	h.waitScreen("Created cc (c7c7c7c7c7c7): u starts it")
	h.command("create --name late alpine sh")
	if p := h.nextPull(); p.Ref != "alpine" {
		t.Fatalf("pull of %q", p.Ref)
	} else {
		p.finish(img("dd", 0, 3_000_000, "alpine:latest"))
	}
	h.waitScreen("Created late (c7c7c7c7c7c7): u starts it")
	h.command("create --name later nosuch")
	p := h.nextPull()
	p.fail(errdefs.NotFound("nosuch: not in the registry"))
	h.waitScreen("nosuch: not in the registry")

	signals, stops, creates, _ := f.record()
	if !slices.Equal(signals, []string{"web SIGTERM", "web SIGHUP"}) {
		t.Errorf("signals %v", signals)
	}
	if !slices.Equal(stops, []string{"worker 2"}) {
		t.Errorf("stops with -t %v", stops)
	}
	if len(creates) != 4 || creates[1].Name != "late" || creates[2].Name != "late" || creates[3].Name != "later" || creates[0].Name != "cc" || creates[0].Image != "busybox" ||
		!slices.Equal(creates[0].Cmd, []string{"true"}) || !slices.Equal(creates[0].Env, []string{"A=1"}) {
		t.Errorf("creates %+v", creates)
	}

	dir := t.TempDir()
	tar := filepath.Join(dir, "images.tar")
	h.command("save -o " + tar + " busybox nginx:alpine")
	h.waitScreen("Saved busybox, nginx:alpine to " + tar)
	if b, err := os.ReadFile(tar); err != nil || string(b) != "tar of busybox nginx:alpine" {
		t.Errorf("saved file %q, %v", b, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	h.command("save -o " + filepath.Join(dir, "no/such/dir.tar") + " busybox")
	h.waitScreen(":save -o " + filepath.Join(dir, "no/such/dir.tar"))
	h.command("load -i " + tar)
	h.waitScreen("Loaded 1 image from " + tar + ": busybox:latest")
	if f.loaded != "tar of busybox nginx:alpine" {
		t.Errorf("load read %q", f.loaded)
	}
	h.command("load -i " + filepath.Join(dir, "nothing.tar"))
	h.waitScreen("no such file: give a tar that :save or berth save wrote")
}

func TestVerbSystemPrune(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 30)
	f := newVerbsFake(eng).use(h)
	f.pruneRep.Containers.Removed = []string{hexID("e5")}
	f.pruneRep.Containers.Space = 1_000_000
	f.pruneRep.Images.SpaceReclaimed = 2_000_000

	h.command("system prune")
	h.waitScreen("System prune", "every stopped container and every dangling image?")
	h.keys("n")
	if _, _, _, p := f.record(); len(p) != 0 {
		t.Fatalf("declined prune ran: %v", p)
	}
	h.command("system prune -a --volumes")
	h.waitScreen("every image no container uses and", "every anonymous volume no container uses?")
	h.keys("y")
	h.waitScreen("Pruned 1 container, 0 image references, 0 volumes: 3MB reclaimed")
	if _, _, _, p := f.record(); !slices.Equal(p, []engine.PruneOptions{{All: true, Volumes: true}}) {
		t.Errorf("prunes %v", p)
	}
}

func TestDfDialog(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 30)
	newVerbsFake(eng).use(h)
	h.command("df")
	h.waitScreen("Disk usage", "Local Volumes")
	for _, want := range []string{"Images", "2", "1", "80MB", "Containers", "4MB", "1MB (25%)", "10MB", "5MB (50%)", "Build Cache"} {
		if !strings.Contains(h.screen(), want) {
			t.Errorf("df dialog lacks %q:\n%s", want, h.screen())
		}
	}
	h.keys("esc")
	if h.app.dialog != nil || strings.Contains(h.screen(), "Disk usage") {
		t.Errorf("esc left the dialog open:\n%s", h.screen())
	}
	h.command("system df")
	h.waitScreen("Disk usage")
}

func TestDfRows(t *testing.T) {
	f := newVerbsFake(newFakeEngine())
	var b bytes.Buffer
	for _, r := range dfRows(f.du) {
		b.WriteString(strings.Join(r.Cells, "|") + "\n")
	}
	want := "Images|2|1|80MB|0B (0%)\nContainers|2|1|4MB|1MB (25%)\nLocal Volumes|2|1|10MB|5MB (50%)\nBuild Cache|0|0|0B|0B\n"
	if b.String() != want {
		t.Errorf("rows\n%s\nwant\n%s", b.String(), want)
	}
}

func TestChangesTab(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 30)
	newVerbsFake(eng).use(h)
	h.command("diff web")
	h.waitScreen("5 changes", "A  /etc/nginx/conf.d/site.conf", "D  /etc/nginx/conf.d/default.conf")
	if got := h.openTab(); got != changesTitle {
		t.Errorf("open tab %q", got)
	}
	h.app.env.eng = eng // an engine without the ability says what to use instead
	h.keys("[", "]")
	h.waitScreen("use berth diff a1a1a1a1a1a1")
}

func TestGoldenVerbs(t *testing.T) {
	for _, sz := range detailSizes {
		t.Run(sz.name, func(t *testing.T) {
			h, eng := newContainersHarness(t, sz.w, sz.h)
			newVerbsFake(eng).use(h)
			h.command("diff web")
			h.waitScreen("5 changes")
			golden(t, h, "detail-changes-"+sz.name)
			h.keys("esc")
			h.command("df")
			h.waitScreen("Disk usage")
			golden(t, h, "df-"+sz.name)
			h.keys("esc")
			h.selectRow("web")
			h.keys("K")
			h.waitScreen("Send which signal to web?")
			golden(t, h, "kill-signal-"+sz.name)
		})
	}
}

func TestKillKeyChoosesSignal(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 30)
	f := newVerbsFake(eng).use(h)
	h.selectRow("web")
	h.keys("K")
	h.waitScreen("Kill container", "Send which signal to web?", "SIGKILL: at once", "SIGTERM: asks it to stop", "SIGHUP")
	h.keys("t")
	h.waitScreen("Sent SIGTERM to web", "Exited (143)")
	h.selectRow("db")
	h.keys("K", "esc")
	h.keys("K", "y")
	h.waitScreen("Killed db")
	if signals, _, _, _ := f.record(); !slices.Equal(signals, []string{"web SIGTERM"}) {
		t.Errorf("signals %v", signals)
	}
	if c := eng.calls(); c[len(c)-1] != (ctrCall{"Kill", hexID("b2"), false}) {
		t.Errorf("K y: engine calls %v", c)
	}
}

func TestVerbAdminCommands(t *testing.T) {
	h, eng := newObjectsHarness(t, "2", 120, 30)
	f := newVerbsFake(eng).use(h)
	// Completion offers what the panes listed: the networks' first load
	// may still be on its way.
	h.waitFor("the networks listed", func() bool { return h.networks().loaded })
	for line, want := range map[string][]string{
		"restart -":                       {"-t", "--time"},
		"rename ":                         {"cache", "db", "job", "old", "web", "worker"},
		"rename web ":                     nil,
		"prune ":                          {"containers", "images", "networks", "volumes"},
		"network c":                       {"connect", "create"},
		"network connect ":                {"appnet", "backend", "bridge", "host", "none"},
		"network connect --alias x back":  {"backend"},
		"network connect backend w":       {"web", "worker"},
		"network disconnect appnet d":     {"db"},
		"network connect backend worker ": nil,
	} {
		_, got := h.app.completeLine(line)
		if w := slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
			t.Errorf("complete %q = %v, want %v", line, got, w)
		}
	}

	h.command("restart -t 3 web")
	h.waitScreen("Restarted web")
	h.command("restart db")
	h.waitScreen("Restarted db")
	if _, stops, _, _ := f.record(); !slices.Equal(stops, []string{"web 3 restart"}) {
		t.Errorf("restarts with -t: %v", stops)
	}
	if c := eng.calls(); c[len(c)-1] != (ctrCall{"Restart", "db", false}) {
		t.Errorf("plain :restart: %v", c)
	}

	h.command("rename old older")
	h.waitScreen("Renamed old", "older")
	h.command("rename web db")
	h.waitScreen(":rename web: the name db is already in use")

	h.command("network connect --alias=w2 backend worker")
	h.waitScreen("Connected worker to backend")
	h.command("network connect backend worker")
	h.waitScreen(":network connect backend worker: container worker is already on network backend")
	h.command("network disconnect backend worker")
	h.waitScreen("Disconnected worker from backend")

	h.command("prune containers")
	h.waitScreen("Remove every stopped container?")
	h.keys("y")
	h.waitScreen("Pruned 3 containers, 3kB reclaimed")

	for line, want := range map[string]string{
		"rename web":                    ":rename takes a container and its new name",
		"restart -t soon web":           ":restart -t soon: write whole seconds, e.g. :restart -t 2 web",
		"network connect backend":       ":network connect takes a network and a container: :network connect [--alias A] [--ip IP] NETWORK CONTAINER",
		"network disconnect --ip 1 a b": ":network disconnect: unknown flag --ip",
		"network connect --ip":          "--ip needs a value",
		"network bogus":                 ":network takes create, rm, prune, connect or disconnect",
		"prune things":                  ":prune takes containers, images [-a], networks or volumes [-a]",
	} {
		words, _ := splitWords(line, "")
		c, _ := lookup(h.app.cmds, words[0])
		_, err := c.run(h.app, words[1:])
		if err == nil || !strings.Contains(err.Error(), want) || !errdefs.IsInvalidArgument(err) {
			t.Errorf("%q: error %v, want an invalid argument with %q", line, err, want)
		}
	}
}

func TestParseCreateErrorsNameCreate(t *testing.T) {
	for line, want := range map[string]string{
		"":                   ":create needs an image: :create --name web busybox httpd -f",
		"-e NOVALUE busybox": ":create -e NOVALUE: write KEY=value",
		"-m lots busybox":    ":create --memory:",
		"--bogus busybox":    ":create: unknown flag: --bogus",
	} {
		words, _ := splitWords(line, "")
		_, err := parseRunAs("create", words)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), ":run") || !errdefs.IsInvalidArgument(err) {
			t.Errorf("%q: error %v, want an invalid argument with %q and no :run", line, err, want)
		}
	}
}
