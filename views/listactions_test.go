package views

import (
	"context"
	"slices"
	"strings"
	"testing"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/network"
)

// The fake engine's optional abilities, as *engine.Engine has them:
// ctrAdminEngine and imageAdminEngine. Calls are recorded in ctrCalls.

func (f *fakeEngine) RenameContainer(ctx context.Context, ref, name string) error {
	return f.action(ctx, "Rename", ref, false, func(c *container.Summary) (string, error) {
		if f.find(name) >= 0 {
			return "", errdefs.AlreadyExists("the name %s is already in use", name)
		}
		c.Name = name
		return "rename", nil
	})
}

func (f *fakeEngine) PruneContainers(ctx context.Context) (container.PruneReport, error) {
	f.mu.Lock()
	f.ctrCalls = append(f.ctrCalls, ctrCall{"Prune", "", false})
	var rep container.PruneReport
	keep := f.containers[:0]
	for _, c := range f.containers {
		if alive(c.State.Status) {
			keep = append(keep, c)
		} else {
			rep.Removed = append(rep.Removed, c.ID)
			rep.Space += 1000
		}
	}
	f.containers = keep
	f.mu.Unlock()
	for _, id := range rep.Removed {
		f.emit("destroy", id)
	}
	return rep, nil
}

func (f *fakeEngine) TagImage(ctx context.Context, src, dst string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, removeCall{"tag " + src + " " + dst, false})
	for i := range f.images {
		if f.images[i].ID == src || slices.Contains(f.images[i].RepoTags, src) || slices.Contains(f.images[i].RepoTags, src+":latest") {
			f.images[i].RepoTags = append(f.images[i].RepoTags, dst)
			f.emitType(events.TypeImage, "tag", f.images[i].ID)
			return nil
		}
	}
	return errdefs.NotFound("no such image: %s", src)
}

func (f *fakeEngine) PruneImages(ctx context.Context, all bool) (image.PruneReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, removeCall{"prune", all})
	var rep image.PruneReport
	keep := f.images[:0]
	for _, img := range f.images {
		if len(img.RepoTags) == 0 || all {
			rep.Removed = append(rep.Removed, image.RemoveResult{Deleted: img.ID})
			rep.SpaceReclaimed += img.Size
			continue
		}
		keep = append(keep, img)
	}
	f.images = keep
	f.emitType(events.TypeImage, "prune", "")
	return rep, nil
}

func TestMarkAndStopTwo(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)
	h.selectRow("web")
	h.keys("space")
	if r, _ := h.containers().selected(); r.Name == "web" {
		t.Error("space did not move down")
	}
	h.selectRow("db")
	h.keys("space")
	if !strings.Contains(h.screen(), "Containers (6) · 2 marked") {
		t.Fatalf("no count of marks in the title:\n%s", h.screen())
	}
	for _, name := range []string{"web", "db"} {
		if l := h.rowLine(name); !strings.HasPrefix(strings.TrimPrefix(l, "│"), "▌") {
			t.Errorf("%s is not drawn marked: %q", name, l)
		}
	}
	if l := h.rowLine("job"); strings.Contains(l, "▌") {
		t.Errorf("job is drawn marked: %q", l)
	}
	h.keys("x")
	h.waitScreen("Stop containers", "Stop 2 containers")
	h.keys("y")
	h.waitScreen("Stopped 2 containers")
	calls := eng.calls()
	slices.SortFunc(calls, func(a, b ctrCall) int { return strings.Compare(a.Ref, b.Ref) })
	if want := []ctrCall{{"Stop", hexID("a1"), false}, {"Stop", hexID("b2"), false}}; !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
	h.waitFor("both exited", func() bool {
		return strings.Contains(h.rowLine("web"), "Exited") && strings.Contains(h.rowLine("db"), "Exited")
	})
	if strings.Contains(h.screen(), "marked") {
		t.Errorf("the marks outlived the action:\n%s", h.screen())
	}
}

func TestBulkSkipsWhatItCannotDo(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)
	h.selectRow("web")
	h.keys("space")
	h.selectRow("old")
	h.keys("space")
	h.keys("x")
	h.waitScreen("Stop 1 container: web?", "Skipped: old not running")
	h.keys("n")
	if len(eng.calls()) != 0 {
		t.Errorf("calls after no: %v", eng.calls())
	}
	// Esc clears the marks, before the filter.
	h.keys("esc")
	if strings.Contains(h.screen(), "marked") {
		t.Errorf("esc left marks:\n%s", h.screen())
	}
	// Nothing that can be done: said, no dialog.
	h.selectRow("old")
	h.keys("space", "x")
	h.waitScreen("none of the 1 marked container can be")
}

func TestBulkErrorsAreSummed(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)
	eng.mu.Lock()
	eng.ctrErr["Remove"] = errdefs.Conflict("cannot remove container: it is starting: wait, or force with -f")
	eng.mu.Unlock()
	h.selectRow("old")
	h.keys("space")
	h.selectRow("job")
	h.keys("space", "d")
	h.waitScreen("Remove 2 containers")
	h.keys("y")
	h.waitScreen("Removed 0 of 2 containers;", "D force-removes")
}

func TestPruneContainers(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)
	h.keys("X")
	h.waitScreen("Prune containers", "Remove 3 stopped containers", "cache", "job", "old")
	h.keys("y")
	h.waitScreen("Removed 3 containers")
	h.waitFor("them gone", func() bool { return h.rowLine("old") == "" && h.rowLine("job") == "" })
	if c := eng.calls(); len(c) != 1 || c[0].Method != "Prune" {
		t.Errorf("calls %v", c)
	}
}

func TestRenameContainer(t *testing.T) {
	h, _ := newContainersHarness(t, 120, 40)
	h.selectRow("web")
	h.keys("m")
	h.waitScreen("Rename web")
	h.keys("backspace", "backspace", "backspace") // the field starts with the name
	h.typeText("db")                              // taken: the engine says so, the dialog stays to fix it
	h.keys("enter")
	h.waitScreen("already in use")
	for range 2 {
		h.keys("backspace")
	}
	h.typeText("web2")
	h.keys("enter")
	h.waitScreen("Renamed web to web2")
	h.waitFor("the new name listed", func() bool { return h.rowLine("web2") != "" })
}

func TestImageTagRunAndPrune(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 120, 40)
	h.waitScreen("busybox")
	h.keys("g") // 127.0.0.1:5000/big, the newest
	h.keys("t")
	h.waitScreen("Tag 127.0.0.1:5000/big:latest")
	h.typeText("big:2")
	h.keys("enter")
	h.waitScreen("Tagged 127.0.0.1:5000/big:latest as big:2")
	h.waitScreen("big ", " 2 ")

	h.keys("g", "n")
	h.waitScreen("Run a container")
	if !strings.Contains(h.screen(), "127.0.0.1:5000/big:latest") && !strings.Contains(h.screen(), "big:2") {
		t.Errorf("the run dialog lacks the image:\n%s", h.screen())
	}
	h.keys("esc")

	h.keys("X")
	h.waitScreen("Prune images", "Dangling (untagged): c3c3c3c3c3c3", "d  the dangling ones (1)")
	h.keys("d")
	h.waitScreen("Removed 1 image")
	calls := eng.removeCalls()
	if last := calls[len(calls)-1]; last != (removeCall{"prune", false}) {
		t.Errorf("last call %v, want a prune of dangling images", last)
	}
}

func TestImagesBulkRemove(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 120, 40)
	h.waitScreen("busybox")
	h.keys("g", "space", "space") // big and busybox:1.36
	h.waitScreen("2 marked")
	h.keys("d")
	h.waitScreen("Remove images", "Remove 2 images")
	h.keys("y")
	h.waitScreen("Removed 2 images")
	if got := eng.removeCalls(); len(got) != 2 {
		t.Errorf("removals %v", got)
	}
}

func TestNetworksBulkRemove(t *testing.T) {
	h, eng := newObjectsHarness(t, "3", 120, 40)
	h.waitScreen("Networks (5)", "db, web")
	selectRowOf(h, h.networks().listPane, "backend", func(r networkRow) string { return r.Name })
	h.keys("space")
	selectRowOf(h, h.networks().listPane, "appnet", func(r networkRow) string { return r.Name })
	h.keys("space", "d") // appnet is in use: skipped
	h.waitScreen("Remove 1 network: backend?")
	h.keys("y")
	h.waitScreen("Removed 1 network")
	if got := eng.netRemoves; !slices.Equal(got, []string{hexID("c8")}) && !slices.Equal(got, []string{"backend"}) {
		t.Errorf("removed %v", got)
	}
}

func (f *fakeEngine) ConnectNetwork(ctx context.Context, ctr string, r network.Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, n := f.find(ctr), f.findNet(r.Network)
	switch {
	case i < 0:
		return errdefs.NotFound("no such container: %s", ctr)
	case n < 0:
		return errdefs.NotFound("no such network: %s", r.Network)
	case slices.Contains(f.nets[n].ctrs, f.containers[i].ID):
		return errdefs.Conflict("container %s is already on network %s", ctr, f.nets[n].net.Name)
	}
	f.nets[n].ctrs = append(f.nets[n].ctrs, f.containers[i].ID)
	f.emitType(events.TypeNetwork, "connect", f.nets[n].net.ID)
	return nil
}

func (f *fakeEngine) DisconnectNetwork(ctx context.Context, netRef, ctr string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, n := f.find(ctr), f.findNet(netRef)
	if i < 0 || n < 0 || !slices.Contains(f.nets[n].ctrs, f.containers[i].ID) {
		return errdefs.NotFound("container %s is not on network %s", ctr, netRef)
	}
	f.nets[n].ctrs = slices.DeleteFunc(f.nets[n].ctrs, func(id string) bool { return id == f.containers[i].ID })
	f.emitType(events.TypeNetwork, "disconnect", f.nets[n].net.ID)
	return nil
}

func TestNetworkConnectAndDisconnect(t *testing.T) {
	h, _ := newObjectsHarness(t, "3", 120, 40)
	h.waitScreen("Networks (5)", "db, web")
	selectRowOf(h, h.networks().listPane, "backend", func(r networkRow) string { return r.Name })
	h.keys("C")
	h.waitScreen("C: no container on it")
	h.keys("c")
	h.waitScreen("Connect a container to backend")
	h.typeText("nobody")
	h.keys("enter")
	h.waitScreen("no such container: nobody") // the dialog stays to fix it
	for range len("nobody") {
		h.keys("backspace")
	}
	h.typeText("worker")
	h.keys("enter")
	h.waitScreen("Connected worker to backend")
	h.waitFor("worker on backend's row", func() bool { return strings.Contains(h.lineWith("backend"), "worker") })

	h.keys("C")
	h.waitScreen("Disconnect a container from backend", "on it: worker")
	h.keys("enter") // the only one is filled in
	h.waitScreen("Disconnected worker from backend")
	h.waitFor("backend empty again", func() bool { return !strings.Contains(h.lineWith("backend"), "worker") })
}
