package views

import (
	"context"
	"io/fs"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/layertree"
	"berth/themes"
	"berth/ui"
)

// layersFake is the fake engine with the layer analysis ability: the
// analysis of busybox:latest, given after a receive on gate when gate is
// set.
type layersFake struct {
	*fakeEngine
	gate chan struct{}

	mu    sync.Mutex
	calls []string
}

func (f *layersFake) ImageLayers(ctx context.Context, ref string) (*image.LayerAnalysis, error) {
	f.mu.Lock()
	f.calls = append(f.calls, ref)
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if ref != "busybox:latest" {
		return nil, errdefs.NotFound("no such image %q", ref)
	}
	return sampleLayers(), nil
}

// sampleLayers is a three-layer image: a base, a layer that adds curl,
// modifies /etc/passwd and leaves a 3 MB cache behind, and one that
// deletes the cache. Wasted: passwd 120+150, cache 3,000,000+0 =
// 3,000,270 B. Efficiency: the smallest copy of each path over all bytes,
// (1,000,000+120+60+250,000+0+5)/(1,000,000+270+60+250,000+3,000,000+5) =
// 29.4 %.
func sampleLayers() *image.LayerAnalysis {
	dir := fs.ModeDir | 0o755
	file := func(p string, size int64) layertree.Entry {
		return layertree.Entry{Path: p, Kind: layertree.KindFile, Mode: 0o644, Size: size}
	}
	entries := [][]layertree.Entry{
		{
			{Path: "bin", Kind: layertree.KindDir, Mode: dir},
			{Path: "bin/busybox", Kind: layertree.KindFile, Mode: 0o755, Size: 1_000_000},
			{Path: "bin/sh", Kind: layertree.KindSymlink, Mode: fs.ModeSymlink | 0o777, Link: "busybox"},
			{Path: "etc", Kind: layertree.KindDir, Mode: dir},
			file("etc/passwd", 120), file("etc/group", 60),
			{Path: "tmp", Kind: layertree.KindDir, Mode: dir | fs.ModeSticky | 0o777},
		},
		{
			{Path: "usr", Kind: layertree.KindDir, Mode: dir},
			{Path: "usr/bin", Kind: layertree.KindDir, Mode: dir},
			{Path: "usr/bin/curl", Kind: layertree.KindFile, Mode: 0o755, Size: 250_000},
			{Path: "etc", Kind: layertree.KindDir, Mode: dir},
			file("etc/passwd", 150),
			{Path: "tmp", Kind: layertree.KindDir, Mode: dir | fs.ModeSticky | 0o777},
			file("tmp/cache.tar", 3_000_000),
		},
		{
			{Path: "tmp", Kind: layertree.KindDir, Mode: dir | fs.ModeSticky | 0o777},
			{Path: "tmp/cache.tar", Kind: layertree.KindWhiteout},
			{Path: "etc", Kind: layertree.KindDir, Mode: dir},
			file("etc/motd", 5),
		},
	}
	return image.NewLayerAnalysis("sha256:"+strings.Repeat("a1", 32), []image.LayerDetail{
		{Index: 0, Size: 1_000_180, Command: "/bin/sh -c #(nop) ADD file:4f1d2 in / ", DiffID: digestOf("d0"), Digest: digestOf("b0")},
		{Index: 1, Size: 3_250_150, Command: "/bin/sh -c apk add curl && echo bob >> /etc/passwd", DiffID: digestOf("d1"), Digest: digestOf("b1")},
		{Index: 2, Size: 5, Command: "/bin/sh -c rm -f /tmp/cache.tar && echo hi > /etc/motd", DiffID: digestOf("d2"), Digest: digestOf("b2")},
	}, entries)
}

// digestOf is a made-up digest: hex repeated.
func digestOf(hex string) string { return "sha256:" + strings.Repeat(hex, 64/len(hex)) }

// newLayersHarness is a harness on the Images pane of an engine that can
// analyse layers.
func newLayersHarness(t *testing.T, eng *layersFake, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	hs := &harness{t: t, eng: eng.fakeEngine, msgs: make(chan tea.Msg, 256), now: testNow}
	hs.app = NewApp(ctx, eng, themes.Dark())
	hs.app.env.now = func() time.Time { return hs.now }
	hs.app.env.statsEvery = 0
	hs.app.env.exec = func(*exec.Cmd, tea.ExecCallback) tea.Cmd { return nil }
	hs.run(hs.app.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.keys("1")
	hs.waitScreen("busybox")
	return hs
}

// openLayersOf selects the image row of ref and presses L.
func (h *harness) openLayersOf(ref string) {
	h.t.Helper()
	v := h.images()
	h.keys("g")
	for range len(v.shown) {
		if r, _ := v.selected(); r.Ref() == ref {
			h.keys("L")
			return
		}
		h.keys("j")
	}
	h.t.Fatalf("no image %s:\n%s", ref, h.screen())
}

// files is the files column of the screen, line by line.
func (h *harness) files() []string {
	s, ok := h.layersTab()
	if !ok {
		return nil
	}
	lw, _, _ := s.columns()
	var out []string
	for _, l := range strings.Split(h.screen(), "\n")[3:] { // below the title, the tab strip and the summary
		if r := []rune(l); len(r) > lw+1 {
			out = append(out, strings.TrimRight(string(r[lw+1:]), " │"))
		}
	}
	return out
}

// fileLine is the line of the files column naming name, trimmed, or "".
func (h *harness) fileLine(name string) string {
	for _, l := range h.files() {
		if strings.Contains(l, name) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func TestLayersBrowser(t *testing.T) {
	fe := &layersFake{fakeEngine: newFakeEngine(sampleImages()...), gate: make(chan struct{})}
	h := newLayersHarness(t, fe, 100, 30)
	h.openLayersOf("busybox:latest")
	// The engine call runs in a command: the screen says so meanwhile.
	h.waitScreen("Layers busybox:latest", "Loading…")
	close(fe.gate)
	h.waitScreen("busybox:latest · 4.25MB in 3 layers · wasted 3MB · efficiency 29.4 %", "Changes of layer 3")

	// The top layer is selected: its deletion of the cache is marked, with
	// the bytes it deleted, and the layers show their commands.
	if l := h.fileLine("cache.tar"); !strings.HasPrefix(l, "- ") || !strings.Contains(l, "3MB") {
		t.Errorf("the deleted cache: %q", l)
	}
	for _, want := range []string{"ADD file:4f1d2 in /", "RUN apk add curl", "RUN rm -f /tmp/cache"} {
		if !strings.Contains(h.screen(), want) {
			t.Errorf("no layer %q:\n%s", want, h.screen())
		}
	}
	// The selected layer's details: its digest and whole command.
	if !strings.Contains(h.screen(), "DIGEST   sha256:d2d2d2") || !strings.Contains(h.screen(), "COMMAND  /bin/sh -c rm -f") {
		t.Errorf("no details of layer 3:\n%s", h.screen())
	}
	if l := h.fileLine("motd"); !strings.HasPrefix(l, "+ ") {
		t.Errorf("motd: %q", l)
	}

	// The layer below: curl added, passwd modified, the cache added.
	h.keys("k")
	h.waitScreen("Changes of layer 2", "Layer 2", "DIGEST   sha256:d1d1d1")
	for name, mark := range map[string]string{"curl": "+", "passwd": "~", "cache.tar": "+"} {
		if l := h.fileLine(name); !strings.HasPrefix(l, mark+" ") {
			t.Errorf("layer 2: %s is %q, want mark %s", name, l, mark)
		}
	}
	if h.fileLine("busybox") != "" {
		t.Error("layer 2 shows bin/busybox, which it did not change")
	}

	// c filters changes in the image's view only: here it says so.
	h.keys("c")
	h.waitScreen("a shows the whole image")

	// The whole image at layer 2: built in a command; bin/ is there,
	// closed, since nothing changed in it.
	h.keys("a")
	h.waitScreen("Image at layer 2", "▸ bin/")
	if l := h.fileLine("bin/"); !strings.Contains(l, "▸ bin/") || h.fileLine("busybox") != "" {
		t.Errorf("bin/ is open: %q", l)
	}
	// Only changes: bin/ goes.
	h.keys("c")
	h.waitScreen("changes only")
	if l := h.fileLine("▸ bin/"); l != "" {
		t.Errorf("changes only still lists bin/:\n%s", h.screen())
	}
	h.keys("c")

	// Into the files: bin/ is the first; open it with space.
	h.keys("tab", "g")
	if r, _ := h.mustLayersTab().tree.Selected(); r.Key != "bin" {
		t.Fatalf("the cursor is on %q, want bin", r.Key)
	}
	h.keys("space")
	h.waitScreen("▾ bin/", "busybox", "sh → busybox")

	// Filter by path: only /etc/passwd and its directory stay.
	h.keys("/")
	h.typeText("passw")
	h.waitScreen("/passw", "passwd")
	if h.fileLine("curl") != "" || h.fileLine("group") != "" {
		t.Errorf("the filter keeps other paths:\n%s", h.screen())
	}
	// Typing q is text while filtering: the browser stays open.
	h.keys("q")
	h.waitScreen("/passwq")
	h.keys("esc")
	h.waitFor("the filter cleared", func() bool { return h.fileLine("curl") != "" })

	// q closes the browser rather than quitting.
	h.keys("q")
	h.waitScreen("Images (4)")
	if h.quit {
		t.Fatal("q quit the app")
	}
	if _, ok := h.layersTab(); ok {
		t.Fatal("the browser is still open")
	}
	if len(fe.calls) != 1 || fe.calls[0] != "busybox:latest" {
		t.Errorf("ImageLayers calls %q", fe.calls)
	}
}

// A result for a closed or reopened tab is dropped; a failure says why.
func TestLayersTabStale(t *testing.T) {
	fe := &layersFake{fakeEngine: newFakeEngine()}
	e := &env{Common: ui.NewCommon(themes.Dark()), eng: fe, ctx: context.Background(), now: func() time.Time { return testNow }}
	v := newLayersView(e, "busybox:latest")
	v.SetSize(80, 20)
	first := v.Open()
	v.Close()
	second := v.Open()
	v.Update(first())
	if v.a != nil || !strings.Contains(v.View(), "Loading…") {
		t.Fatalf("a stale result was taken:\n%s", v.View())
	}
	other := newLayersView(e, "busybox:latest")
	v.Update(layersMsg{Tab: other, Seq: v.seq, A: sampleLayers()})
	if v.a != nil {
		t.Fatal("another tab's result was taken")
	}
	v.Update(second())
	if v.a == nil || !strings.Contains(v.View(), "wasted 3MB") {
		t.Fatalf("the current result was dropped:\n%s", v.View())
	}

	// Opened again (a tab shown again), it keeps the layer and the mode
	// the user chose, and what it showed until the new analysis comes.
	v.list.SetCursor(0)
	v.imageMode = true
	again := v.Open()
	if !strings.Contains(v.View(), "wasted 3MB") {
		t.Errorf("reopening blanks the tab:\n%s", v.View())
	}
	v.Update(again())
	if v.layer() != 0 || !v.imageMode {
		t.Errorf("reopened at layer %d, image mode %v; want 0, true", v.layer()+1, v.imageMode)
	}

	// A change of theme (:theme) colours the file rows anew.
	v.imageMode = false
	v.refreshTree()
	added := func() string { return e.Styles.Layers.Added.Render("+") } // layer 1 adds everything
	dark := added()
	if !strings.Contains(v.View(), dark) {
		t.Fatalf("no added mark in the dark theme's colour:\n%q", v.View())
	}
	*e.Styles = themes.New(themes.Light())
	if light := added(); light == dark || !strings.Contains(v.View(), light) {
		t.Errorf("the added mark keeps the dark theme's colour after :theme light")
	}

	bad := newLayersView(e, "nosuch:1")
	bad.SetSize(80, 20)
	bad.Update(bad.Open()())
	if !strings.Contains(bad.View(), `Could not analyse the layers: no such image "nosuch:1"`) {
		t.Errorf("error view:\n%s", bad.View())
	}
	// An engine without the ability says so.
	plain := newLayersView(&env{Common: e.Common, eng: newFakeEngine(), ctx: context.Background()}, "busybox:latest")
	plain.SetSize(80, 20)
	plain.Update(plain.Open()())
	if !strings.Contains(plain.View(), "this engine cannot analyse layers") {
		t.Errorf("engine without layers:\n%s", plain.View())
	}
}

// flattenTree: what shows and what is open.
func TestFlattenTree(t *testing.T) {
	a := sampleLayers()
	img := a.ImageTree(1)
	paths := func(rows []treeRow) string {
		var ps []string
		for _, r := range rows {
			ps = append(ps, r.path)
		}
		return strings.Join(ps, " ")
	}
	cases := []struct {
		name string
		show treeShow
		want string
	}{
		{"changed directories open", treeShow{}, "bin etc etc/group etc/passwd tmp tmp/cache.tar usr usr/bin usr/bin/curl"},
		{"only changes", treeShow{changesOnly: true}, "etc etc/passwd tmp tmp/cache.tar usr usr/bin usr/bin/curl"},
		{"toggled", treeShow{toggled: map[string]bool{"bin": true, "usr": false}}, "bin bin/busybox bin/sh etc etc/group etc/passwd tmp tmp/cache.tar usr"},
		{"filter opens what matches", treeShow{filter: "BUSY", toggled: map[string]bool{"bin": false}}, "bin bin/busybox"},
		{"filter on a directory", treeShow{filter: "usr/"}, "usr usr/bin usr/bin/curl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := paths(flattenTree(img, tc.show)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestLayerCommand(t *testing.T) {
	for in, want := range map[string]string{
		"/bin/sh -c #(nop)  CMD [\"sh\"]": `CMD ["sh"]`,
		"/bin/sh -c apk add\n  curl":      "RUN apk add curl",
		"COPY . /app # buildkit":          "COPY . /app # buildkit",
		"":                                "(no history)",
	} {
		if got := layerCommand(in); got != want {
			t.Errorf("layerCommand(%q) = %q, want %q", in, got, want)
		}
	}
	if got := efficiencyPercent(0.99999); got != "99.9 %" {
		t.Errorf("efficiency 0.99999: %s", got)
	}
	if got := efficiencyPercent(1); got != "100.0 %" {
		t.Errorf("efficiency 1: %s", got)
	}
}

func TestGoldenLayers(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		t.Run(sz.name, func(t *testing.T) {
			h := newLayersHarness(t, &layersFake{fakeEngine: newFakeEngine(sampleImages()...)}, sz.w, sz.h)
			h.openLayersOf("busybox:latest")
			h.waitScreen("Changes of layer 3")
			golden(t, h, "layers-"+sz.name)
			h.keys("k", "a")
			h.waitScreen("Image at layer 2", "curl")
			golden(t, h, "layers-image-"+sz.name)
			h.keys("?")
			golden(t, h, "layers-help-"+sz.name)
		})
	}
}

func TestUnixMode(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		fs.ModeDir | 0o755:                 "drwxr-xr-x",
		fs.ModeDir | fs.ModeSticky | 0o777: "drwxrwxrwt",
		fs.ModeSetuid | 0o755:              "-rwsr-xr-x",
		fs.ModeSetgid | 0o640:              "-rw-r-S---",
		fs.ModeSymlink | 0o777:             "lrwxrwxrwx",
		fs.ModeDevice | fs.ModeCharDevice:  "c---------",
		fs.ModeDir | fs.ModeSticky | 0o700: "drwx-----T",
	} {
		if got := unixMode(m); got != want {
			t.Errorf("unixMode(%v) = %s, want %s", m, got, want)
		}
	}
}
