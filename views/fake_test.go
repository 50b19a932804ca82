package views

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"berth/engine"
	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/monitor"
	"berth/engine/network"
	"berth/engine/progress"
	"berth/engine/volume"
)

// fakeEngine is an in-memory Engine. Pulls block until the test finishes
// them, so that it can send progress in between.
type fakeEngine struct {
	mu       sync.Mutex
	images   []image.Summary
	removed  []removeCall
	inspects []string
	listErr  error
	rmErr    error
	lists    int

	pulls    chan *fakePull // each PullImage announces itself here
	events   chan events.Event
	past     []events.Event // the store's events from before: a history read gives them
	eventSeq atomic.Int64   // IDs of emitted events

	containers []container.Summary
	ctrLists   int
	infoCalls  int // Info calls
	ctrListErr error
	ctrCalls   []ctrCall                 // every container action, in order
	gates      map[string]chan struct{}  // an action of this method waits for a receive
	ctrErr     map[string]error          // an action of this method fails
	stats      map[string]fakeStat       // by container ID
	statsN     map[string]int            // readings so far, by container ID
	runs       []container.CreateOptions // every RunContainer
	logs       chan *fakeLogs            // each ContainerLogs announces itself here
	attaches   []string                  // every AttachCommand
	inspected  []string                  // every InspectContainer
	nextCtr    int

	nets        []fakeNet
	netLists    int
	netInspects []string
	netCreates  []network.CreateOptions
	netRemoves  []string
	vols        []fakeVol
	measures    int
	volCreates  []volume.CreateOptions
	volRemoves  []string
}

// ctrCall is one container action: the method without "Container", the
// reference it was given, and force for a removal.
type ctrCall struct {
	Method string
	Ref    string
	Force  bool
}

// fakeStat is what a running container uses: CPU as a share of one CPU
// (each reading is 2 s after the last), memory in bytes.
type fakeStat struct {
	CPU           float64
	Mem, MemLimit uint64
}

// fakeLogs is one ContainerLogs in progress, driven by the test.
type fakeLogs struct {
	Ref   string
	Opts  monitor.LogOptions
	ctx   context.Context
	lines chan monitor.LogEntry
	end   chan error    // the container stopped: ContainerLogs returns this
	ended chan struct{} // closed when ContainerLogs has returned
}

type removeCall struct {
	Ref   string
	Force bool
}

// fakePull is one PullImage in progress, driven by the test.
type fakePull struct {
	Ref      string
	Progress progress.Func
	ctx      context.Context
	result   chan pullOutcome
}

type pullOutcome struct {
	add *image.Summary
	err error
}

func newFakeEngine(imgs ...image.Summary) *fakeEngine {
	return &fakeEngine{images: imgs, pulls: make(chan *fakePull, 16), events: make(chan events.Event, 256),
		gates: map[string]chan struct{}{}, ctrErr: map[string]error{}, stats: map[string]fakeStat{},
		statsN: map[string]int{}, logs: make(chan *fakeLogs, 16), nets: predefinedNets()}
}

// withContainers stores containers, as if run before the app started.
func (f *fakeEngine) withContainers(cs ...container.Summary) *fakeEngine {
	f.containers = append(f.containers, cs...)
	return f
}

func (f *fakeEngine) PullImage(ctx context.Context, ref string, opts image.PullOptions) (image.PullResult, error) {
	p := &fakePull{Ref: ref, Progress: opts.Progress, ctx: ctx, result: make(chan pullOutcome, 1)}
	f.pulls <- p
	var out pullOutcome
	select {
	case out = <-p.result:
	case <-ctx.Done():
		return image.PullResult{}, ctx.Err()
	}
	if out.err != nil {
		return image.PullResult{}, out.err
	}
	f.mu.Lock()
	f.images = append(f.images, *out.add)
	f.mu.Unlock()
	return image.PullResult{Ref: "docker.io/library/" + ref, ID: out.add.ID}, nil
}

// send reports progress as the engine would, stamping the time.
func (p *fakePull) send(u progress.Update) { p.Progress.Send(u) }

func (p *fakePull) finish(img image.Summary) { p.result <- pullOutcome{add: &img} }
func (p *fakePull) fail(err error)           { p.result <- pullOutcome{err: err} }

func (f *fakeEngine) Info(ctx context.Context) (engine.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.infoCalls++
	running := 0
	for _, c := range f.containers {
		if c.State.Status == container.Running {
			running++
		}
	}
	return engine.Info{Containers: len(f.containers), ContainersRunning: running, Images: len(f.images),
		CgroupVersion: "1", SecurityOptions: []string{"name=seccomp,profile=builtin"}, DockerRootDir: "/var/lib/berth"}, nil
}

func (f *fakeEngine) ListImages(ctx context.Context) ([]image.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.listErr != nil {
		return nil, f.listErr
	}
	return slices.Clone(f.images), nil
}

func (f *fakeEngine) listCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

func (f *fakeEngine) InspectImage(ctx context.Context, ref string) (*image.Inspect, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inspects = append(f.inspects, ref)
	for _, img := range f.images {
		if img.ID == ref || slices.Contains(img.RepoTags, ref) {
			return &image.Inspect{ID: img.ID, RepoTags: img.RepoTags, Created: img.Created.Format(time.RFC3339Nano),
				Size: img.Size, Architecture: "amd64", Os: "linux", Config: &image.ContainerConfig{Cmd: []string{"sh"}}}, nil
		}
	}
	return nil, errors.New("No such image: " + ref)
}

func (f *fakeEngine) RemoveImage(ctx context.Context, ref string, opts image.RemoveOptions) ([]image.RemoveResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, removeCall{ref, opts.Force})
	if f.rmErr != nil {
		return nil, f.rmErr
	}
	var res []image.RemoveResult
	for i := range f.images {
		img := &f.images[i]
		if img.ID == ref || opts.Force && slices.Contains(img.RepoTags, ref) {
			for _, t := range img.RepoTags {
				res = append(res, image.RemoveResult{Untagged: t})
			}
			res = append(res, image.RemoveResult{Deleted: img.ID})
			f.images = slices.Delete(f.images, i, i+1)
			return res, nil
		}
		if j := slices.Index(img.RepoTags, ref); j >= 0 {
			img.RepoTags = slices.Delete(img.RepoTags, j, j+1)
			res = append(res, image.RemoveResult{Untagged: ref})
			if len(img.RepoTags) == 0 {
				res = append(res, image.RemoveResult{Deleted: img.ID})
				f.images = slices.Delete(f.images, i, i+1)
			}
			return res, nil
		}
	}
	return nil, errors.New("No such image: " + ref)
}

func (f *fakeEngine) removeCalls() []removeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.removed)
}

// Events gives the fake's live events, or, asked for a history (Until),
// those in past.
func (f *fakeEngine) Events(ctx context.Context, o events.Options) <-chan events.Event {
	if o.Until.IsZero() {
		return f.events
	}
	ch := make(chan events.Event, len(f.past))
	for _, ev := range f.past {
		if !ev.Time.Before(o.Since) && !ev.Time.After(o.Until) {
			ch <- ev
		}
	}
	close(ch)
	return ch
}

// addImage stores an image as another berth process would.
func (f *fakeEngine) addImage(img image.Summary) {
	f.mu.Lock()
	f.images = append(f.images, img)
	f.mu.Unlock()
}

// fixed clock of the tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// img makes a summary: id is a short hex that is repeated to 64 characters.
func img(id string, created time.Duration, size int64, tags ...string) image.Summary {
	hex := strings.Repeat(id, 64/len(id)+1)[:64]
	return image.Summary{ID: "sha256:" + hex, RepoTags: tags, Created: testNow.Add(-created), Size: size, Layers: 1}
}

func (f *fakeEngine) ListContainers(ctx context.Context, all bool) ([]container.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ctrLists++
	if f.ctrListErr != nil {
		return nil, f.ctrListErr
	}
	var out []container.Summary
	for _, c := range f.containers {
		if all || c.State.Status.Active() {
			out = append(out, c)
		}
	}
	return out, nil
}

// find is the index of the container ref names (ID, ID prefix or name);
// the lock is held.
func (f *fakeEngine) find(ref string) int {
	for i, c := range f.containers {
		if c.Name == ref || c.ID == ref || len(ref) >= 12 && strings.HasPrefix(c.ID, ref) {
			return i
		}
	}
	return -1
}

// emit records an event as the engine does for every change.
func (f *fakeEngine) emit(action, id string) {
	f.emitType(events.TypeContainer, action, id)
}

// action records a call, waits at the method's gate if there is one, and
// applies change to the container under the lock.
func (f *fakeEngine) action(ctx context.Context, method, ref string, force bool, change func(c *container.Summary) (string, error)) error {
	f.mu.Lock()
	f.ctrCalls = append(f.ctrCalls, ctrCall{method, ref, force})
	gate, err := f.gates[method], f.ctrErr[method]
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	i := f.find(ref)
	if i < 0 {
		f.mu.Unlock()
		return errdefs.NotFound("No such container: %s", ref)
	}
	id := f.containers[i].ID
	ev, err := change(&f.containers[i])
	if ev == "destroy" {
		f.containers = slices.Delete(f.containers, i, i+1)
	}
	f.mu.Unlock()
	if err == nil && ev != "" {
		f.emit(ev, id)
	}
	return err
}

func (f *fakeEngine) StartContainer(ctx context.Context, ref string) error {
	return f.action(ctx, "Start", ref, false, func(c *container.Summary) (string, error) {
		c.State = up(0)
		return "start", nil
	})
}

func (f *fakeEngine) StopContainer(ctx context.Context, ref string) error {
	return f.action(ctx, "Stop", ref, false, func(c *container.Summary) (string, error) {
		c.State = exited(0, 0)
		return "stop", nil
	})
}

func (f *fakeEngine) RestartContainer(ctx context.Context, ref string) error {
	return f.action(ctx, "Restart", ref, false, func(c *container.Summary) (string, error) {
		c.State = up(0)
		return "restart", nil
	})
}

func (f *fakeEngine) KillContainer(ctx context.Context, ref string) error {
	return f.action(ctx, "Kill", ref, false, func(c *container.Summary) (string, error) {
		if !c.State.Status.Active() {
			return "", errdefs.Conflict("container %s is not running", c.Name)
		}
		c.State = exited(137, 0)
		return "kill", nil
	})
}

func (f *fakeEngine) PauseContainer(ctx context.Context, ref string) error {
	return f.action(ctx, "Pause", ref, false, func(c *container.Summary) (string, error) {
		c.State.Status = container.Paused
		return "pause", nil
	})
}

func (f *fakeEngine) UnpauseContainer(ctx context.Context, ref string) error {
	return f.action(ctx, "Unpause", ref, false, func(c *container.Summary) (string, error) {
		c.State.Status = container.Running
		return "unpause", nil
	})
}

func (f *fakeEngine) RemoveContainer(ctx context.Context, ref string, force bool) error {
	return f.action(ctx, "Remove", ref, force, func(c *container.Summary) (string, error) {
		if c.State.Status.Active() && !force {
			return "", errdefs.Conflict("cannot remove container %s: it is running: stop it first or force the removal", c.Name)
		}
		return "destroy", nil
	})
}

func (f *fakeEngine) InspectContainer(ctx context.Context, ref string) (*container.Inspect, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inspected = append(f.inspected, ref)
	i := f.find(ref)
	if i < 0 {
		return nil, errdefs.NotFound("No such container: %s", ref)
	}
	c := f.containers[i]
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	return &container.Inspect{ID: c.ID, Name: "/" + c.Name, Created: ts(c.Created), Image: c.ImageID,
		State: container.InspectState{Status: c.State.Status.String(), Running: c.State.Status == container.Running,
			ExitCode: c.State.ExitCode, StartedAt: ts(c.State.StartedAt), FinishedAt: ts(c.State.FinishedAt)},
		Config: image.ContainerConfig{Image: c.Image, Cmd: strings.Fields(c.Command)}}, nil
}

// ContainerStats gives readings 2 s apart for containers with a fakeStat.
func (f *fakeEngine) ContainerStats(ctx context.Context, ref string) (container.Sample, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.find(ref)
	if i < 0 {
		return container.Sample{}, errdefs.NotFound("No such container: %s", ref)
	}
	c := f.containers[i]
	st, ok := f.stats[c.ID]
	if !ok || !c.State.Status.Active() {
		return container.Sample{}, errdefs.Conflict("container %s is not running", c.Name)
	}
	n := f.statsN[c.ID]
	f.statsN[c.ID] = n + 1
	return container.Sample{ID: c.ID, Name: c.Name, Time: testNow.Add(time.Duration(n) * 2 * time.Second),
		CPUNanos: uint64(float64(n) * 2e9 * st.CPU), MemUsage: st.Mem, MemLimit: st.MemLimit}, nil
}

func (f *fakeEngine) ctrListCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ctrLists
}

func (f *fakeEngine) statsCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.statsN {
		n += c
	}
	return n
}

// ContainerLogs announces itself on f.logs and hands what the test sends to
// the sink until the test ends it or ctx ends.
func (f *fakeEngine) ContainerLogs(ctx context.Context, ref string, o monitor.LogOptions, sink monitor.LogSink) error {
	l := &fakeLogs{Ref: ref, Opts: o, ctx: ctx, lines: make(chan monitor.LogEntry), end: make(chan error, 1), ended: make(chan struct{})}
	defer close(l.ended)
	f.logs <- l
	var buf []byte // reused for every line, as the engine does
	for {
		select {
		case e := <-l.lines:
			buf = append(buf[:0], e.Line...)
			e.Line = buf
			err := sink(e)
			for i := range buf { // a view that kept the line sees this
				buf[i] = 'X'
			}
			if err != nil {
				return err
			}
		case err := <-l.end:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *fakeEngine) RunContainer(ctx context.Context, o container.CreateOptions) (*container.Container, error) {
	f.mu.Lock()
	f.runs = append(f.runs, o)
	found := false
	for _, img := range f.images {
		for _, t := range img.RepoTags {
			if t == o.Image || t == o.Image+":latest" {
				found = true
			}
		}
	}
	if !found {
		f.mu.Unlock()
		return nil, errdefs.NotFound("image %q not found: pull it first with \"berth pull %s\"", o.Image, o.Image)
	}
	f.nextCtr++
	name := o.Name
	if name == "" {
		name = fmt.Sprintf("fake_%d", f.nextCtr)
	}
	if f.find(name) >= 0 {
		f.mu.Unlock()
		return nil, errdefs.Conflict("the name %q is already in use", name)
	}
	c := ctr(fmt.Sprintf("f%d", f.nextCtr), name, o.Image, strings.Join(o.Cmd, " "), 0, up(0))
	startErr := f.ctrErr["Run"] // the container is made but does not start
	if startErr != nil {
		c.State = cstate()
	}
	f.containers = append(f.containers, c)
	f.mu.Unlock()
	f.emit("create", c.ID)
	made := &container.Container{ID: c.ID, Name: c.Name, Created: c.Created}
	if startErr != nil {
		return made, startErr
	}
	f.emit("start", c.ID)
	return made, nil
}

func (f *fakeEngine) AttachCommand(ref string) *exec.Cmd {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attaches = append(f.attaches, ref)
	return exec.Command("berth", "attach", ref)
}

func (f *fakeEngine) calls() []ctrCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ctrCalls)
}

func (f *fakeEngine) runCalls() []container.CreateOptions {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.runs)
}

// gate makes actions of method wait until the test sends on the channel.
func (f *fakeEngine) gate(method string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := make(chan struct{})
	f.gates[method] = g
	return g
}

// setState changes a container behind the app's back, as another berth
// process would.
func (f *fakeEngine) setState(ref string, st container.State) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.find(ref)
	f.containers[i].State = st
	return f.containers[i].ID
}

// hexID is a 64-hex ID made of id repeated.
func hexID(id string) string { return strings.Repeat(id, 64/len(id)+1)[:64] }

// ctr makes a container summary created ago before the test's now.
func ctr(id, name, image, cmd string, ago time.Duration, st container.State) container.Summary {
	return container.Summary{ID: hexID(id), Name: name, Image: image, ImageID: "sha256:" + hexID("ee"),
		Command: cmd, Created: testNow.Add(-ago), State: st}
}

// up is a container running for d.
func up(d time.Duration) container.State {
	return container.State{Status: container.Running, Pid: 4242, StartedAt: testNow.Add(-d)}
}

// exited is a container that exited with code ago.
func exited(code int, ago time.Duration) container.State {
	return container.State{Status: container.Exited, ExitCode: code,
		StartedAt: testNow.Add(-ago - time.Hour), FinishedAt: testNow.Add(-ago)}
}

// paused is a container paused after running for d.
func paused(d time.Duration) container.State {
	s := up(d)
	s.Status = container.Paused
	return s
}

// cstate is a container created and never started.
func cstate() container.State { return container.State{Status: container.Created} }

// fakeNet is a network of the fake engine and the container IDs on it.
type fakeNet struct {
	net  *network.Network
	ctrs []string
}

// withNetworks stores networks; bridge, host and none are always there.
func (f *fakeEngine) withNetworks(ns ...fakeNet) *fakeEngine {
	f.nets = append(f.nets, ns...)
	return f
}

// predefinedNets are Docker's three.
func predefinedNets() []fakeNet {
	p := netip.MustParsePrefix("172.30.0.0/16")
	return []fakeNet{
		{net: &network.Network{ID: hexID("b0"), Name: "bridge", Driver: "bridge", Created: testNow.Add(-72 * time.Hour),
			Config: network.Config{Subnet: p, Gateway: netip.MustParseAddr("172.30.0.1"), Bridge: "berth0"}}},
		{net: &network.Network{ID: hexID("b1"), Name: "host", Driver: "host"}},
		{net: &network.Network{ID: hexID("b2"), Name: "none", Driver: "null"}},
	}
}

// userNet is a user network created ago, with containers on it.
func userNet(id, name, subnet string, ago time.Duration, ctrs ...string) fakeNet {
	p := netip.MustParsePrefix(subnet)
	return fakeNet{net: &network.Network{ID: hexID(id), Name: name, Driver: "bridge", Created: testNow.Add(-ago),
		Config: network.Config{Subnet: p, Gateway: p.Addr().Next(), Bridge: "berth" + hexID(id)[:10]}}, ctrs: ctrs}
}

// emitType sends a live event. Its ID grows as a store's would, from 1001
// (tests send a few with IDs of their own first).
func (f *fakeEngine) emitType(t events.Type, action, actor string) {
	f.events <- events.Event{ID: 1000 + f.eventSeq.Add(1), Type: t, Action: action, Actor: actor, Time: testNow}
}

func (f *fakeEngine) findNet(ref string) int {
	for i, n := range f.nets {
		if n.net.Name == ref || n.net.ID == ref || len(ref) >= 12 && strings.HasPrefix(n.net.ID, ref) {
			return i
		}
	}
	return -1
}

func (f *fakeEngine) ListNetworks(ctx context.Context) ([]*network.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.netLists++
	out := make([]*network.Network, len(f.nets))
	for i, n := range f.nets {
		c := *n.net
		out[i] = &c
	}
	return out, nil
}

func (f *fakeEngine) InspectNetwork(ctx context.Context, ref string) (*network.Inspect, error) {
	f.mu.Lock()
	f.netInspects = append(f.netInspects, ref)
	i := f.findNet(ref)
	if i < 0 {
		f.mu.Unlock()
		return nil, errdefs.NotFound("network %s not found", ref)
	}
	n := f.nets[i].net
	names := map[string]string{}
	for _, id := range f.nets[i].ctrs {
		if j := f.find(id); j >= 0 {
			names[id] = f.containers[j].Name
		}
	}
	f.mu.Unlock()
	eps, err := f.NetworkEndpoints(ctx, n)
	if err != nil {
		return nil, err
	}
	return network.InspectOf(n, eps, names), nil
}

func (f *fakeEngine) NetworkEndpoints(ctx context.Context, n *network.Network) ([]network.Endpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.findNet(n.ID)
	if i < 0 {
		return nil, errdefs.NotFound("network %s not found", n.ID)
	}
	var out []network.Endpoint
	for k, id := range f.nets[i].ctrs {
		ip := n.Subnet.Addr().Next()
		for range k + 1 {
			ip = ip.Next()
		}
		out = append(out, network.Endpoint{ContainerID: id, Network: n, IP: ip, MAC: "02:42:ac:1e:00:0" + itoa(k+2)})
	}
	return out, nil
}

func (f *fakeEngine) CreateNetwork(ctx context.Context, o network.CreateOptions) (*network.Network, error) {
	f.mu.Lock()
	f.netCreates = append(f.netCreates, o)
	if f.findNet(o.Name) >= 0 {
		f.mu.Unlock()
		return nil, errdefs.AlreadyExists("network with name %s already exists", o.Name)
	}
	subnet := o.Subnet
	if subnet == "" {
		subnet = fmt.Sprintf("10.99.%d.0/24", len(f.nets))
	}
	for _, n := range f.nets {
		if n.net.Subnet.IsValid() && n.net.Subnet.Overlaps(netip.MustParsePrefix(subnet)) {
			f.mu.Unlock()
			return nil, errdefs.Conflict("subnet %s overlaps network %s (%s): choose another subnet", subnet, n.net.Name, n.net.Subnet)
		}
	}
	n := userNet(fmt.Sprintf("e%d", len(f.nets)), o.Name, subnet, 0)
	n.net.Labels = o.Labels
	f.nets = append(f.nets, n)
	f.mu.Unlock()
	f.emitType(events.TypeNetwork, "create", n.net.ID)
	c := *n.net
	return &c, nil
}

func (f *fakeEngine) RemoveNetwork(ctx context.Context, ref string) (*network.Network, error) {
	f.mu.Lock()
	f.netRemoves = append(f.netRemoves, ref)
	i := f.findNet(ref)
	if i < 0 {
		f.mu.Unlock()
		return nil, errdefs.NotFound("network %s not found", ref)
	}
	n := f.nets[i]
	if n.net.Predefined() {
		f.mu.Unlock()
		return nil, errdefs.Conflict("%s is a pre-defined network and cannot be removed", n.net.Name)
	}
	if len(n.ctrs) > 0 {
		f.mu.Unlock()
		return nil, errdefs.Conflict("network %s has active endpoints", n.net.Name)
	}
	f.nets = slices.Delete(f.nets, i, i+1)
	f.mu.Unlock()
	f.emitType(events.TypeNetwork, "destroy", n.net.ID)
	return n.net, nil
}

func (f *fakeEngine) PruneNetworks(ctx context.Context) ([]string, error) {
	var removed []string
	for _, n := range slices.Clone(f.networksNow()) {
		if !n.net.Predefined() && len(n.ctrs) == 0 {
			if _, err := f.RemoveNetwork(ctx, n.net.ID); err == nil {
				removed = append(removed, n.net.Name)
			}
		}
	}
	return removed, nil
}

func (f *fakeEngine) networksNow() []fakeNet {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.nets)
}

// fakeVol is a volume of the fake engine.
type fakeVol struct {
	vol  volume.Volume
	size int64
}

func vol(name string, ago time.Duration, size int64) fakeVol {
	return fakeVol{vol: volume.Volume{Name: name, Driver: "local", Mountpoint: "/var/lib/berth/volumes/" + name + "/_data",
		CreatedAt: testNow.Add(-ago), Anonymous: len(name) == 64}, size: size}
}

func (f *fakeEngine) withVolumes(vs ...fakeVol) *fakeEngine {
	f.vols = append(f.vols, vs...)
	return f
}

// volUsers counts the containers that mount name; the lock is held.
func (f *fakeEngine) volUsers(name string) int {
	n := 0
	for _, c := range f.containers {
		if slices.Contains(c.Mounts, name) {
			n++
		}
	}
	return n
}

func (f *fakeEngine) ListVolumes(ctx context.Context, _ volume.Filters) ([]*volume.Volume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*volume.Volume, len(f.vols))
	for i, v := range f.vols {
		c := v.vol
		c.RefCount = f.volUsers(c.Name)
		out[i] = &c
	}
	return out, nil
}

func (f *fakeEngine) VolumesDiskUsage(ctx context.Context) ([]engine.VolumeUsage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.measures++
	out := make([]engine.VolumeUsage, len(f.vols))
	for i, v := range f.vols {
		c := v.vol
		out[i] = engine.VolumeUsage{Volume: &c, Size: v.size}
	}
	return out, nil
}

func (f *fakeEngine) InspectVolume(ctx context.Context, name string) (*volume.Inspect, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.vols {
		if v.vol.Name == name {
			return &volume.Inspect{CreatedAt: v.vol.CreatedAt.Format(time.RFC3339), Driver: v.vol.Driver,
				Labels: v.vol.Labels, Mountpoint: v.vol.Mountpoint, Name: v.vol.Name, Scope: "local"}, nil
		}
	}
	return nil, errdefs.NotFound("no such volume %q", name)
}

func (f *fakeEngine) CreateVolume(ctx context.Context, o volume.CreateOptions) (*volume.Volume, error) {
	f.mu.Lock()
	f.volCreates = append(f.volCreates, o)
	for _, v := range f.vols {
		if v.vol.Name == o.Name {
			f.mu.Unlock()
			c := v.vol
			return &c, nil
		}
	}
	v := vol(o.Name, 0, 0)
	v.vol.Labels = o.Labels
	f.vols = append(f.vols, v)
	f.mu.Unlock()
	f.emitType(events.TypeVolume, "create", o.Name)
	c := v.vol
	return &c, nil
}

func (f *fakeEngine) RemoveVolume(ctx context.Context, name string, force bool) error {
	f.mu.Lock()
	f.volRemoves = append(f.volRemoves, name)
	i := slices.IndexFunc(f.vols, func(v fakeVol) bool { return v.vol.Name == name })
	if i < 0 {
		f.mu.Unlock()
		return errdefs.NotFound("no such volume %q", name)
	}
	if f.volUsers(name) > 0 {
		f.mu.Unlock()
		return errdefs.Conflict("volume %s is in use", name)
	}
	f.vols = slices.Delete(f.vols, i, i+1)
	f.mu.Unlock()
	f.emitType(events.TypeVolume, "destroy", name)
	return nil
}

func (f *fakeEngine) PruneVolumes(ctx context.Context, all bool, _ volume.Filters) (volume.PruneReport, error) {
	f.mu.Lock()
	var names []string
	var space int64
	for _, v := range f.vols {
		if f.volUsers(v.vol.Name) == 0 && (all || v.vol.Anonymous) {
			names = append(names, v.vol.Name)
			space += v.size
		}
	}
	f.mu.Unlock()
	var rep volume.PruneReport
	for _, n := range names {
		if f.RemoveVolume(ctx, n, false) == nil {
			rep.Removed = append(rep.Removed, n)
		}
	}
	rep.Space = space
	return rep, nil
}
