package views

import (
	"context"
	"errors"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/progress"
	"berth/themes"
)

func sampleImages() []image.Summary {
	return []image.Summary{
		img("a1", 72*time.Hour, 4_270_000, "busybox:latest", "busybox:1.36"),
		img("b2", 2*time.Hour, 40_000_000, "127.0.0.1:5000/big:latest"),
		img("c3", 30*24*time.Hour, 999_000),
	}
}

var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"120x40", 120, 40}}

// fields splits a screen line into its words, frame bars removed.
func fields(line string) []string {
	return strings.Fields(strings.Trim(strings.TrimSpace(line), "│"))
}

func TestImagesList(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h := newImagesHarness(t, newFakeEngine(sampleImages()...), sz.w, sz.h)
			h.waitScreen("busybox")
			lines := strings.Split(h.screen(), "\n")
			if !strings.Contains(lines[0], "berth") || !strings.Contains(lines[0], "1 Images") {
				t.Errorf("title bar = %q", lines[0])
			}
			if !strings.Contains(lines[1], "Images (4)") || !strings.Contains(lines[1], "sort: CREATED↓") {
				t.Errorf("frame title = %q", lines[1])
			}
			want := [][]string{
				{"REPOSITORY", "TAG", "IMAGE", "ID", "CREATED↓", "SIZE"},
				{"127.0.0.1:5000/big", "latest", "b2b2b2b2b2b2", "2", "hours", "ago", "40MB"},
				{"busybox", "1.36", "a1a1a1a1a1a1", "3", "days", "ago", "4.27MB"},
				{"busybox", "latest", "a1a1a1a1a1a1", "3", "days", "ago", "4.27MB"},
				{"<none>", "<none>", "c3c3c3c3c3c3", "4", "weeks", "ago", "999kB"},
			}
			for i, w := range want {
				if got := fields(lines[2+i]); !slices.Equal(got, w) {
					t.Errorf("line %d = %q, want %q", 2+i, got, w)
				}
			}
			if last := lines[len(lines)-1]; !strings.Contains(last, "? help") || !strings.Contains(last, "p pull") {
				t.Errorf("status bar = %q", last)
			}
		})
	}
}

func TestNavigationKeys(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(sampleImages()...), 80, 24)
	h.waitScreen("busybox")
	images := h.app.panes[0].(*imagesView)
	cur := func() string { r, _ := images.selected(); return r.Repo + ":" + r.Tag }
	steps := []struct {
		key, want string
	}{
		{"j", "busybox:1.36"}, {"down", "busybox:latest"}, {"k", "busybox:1.36"}, {"up", "127.0.0.1:5000/big:latest"},
		{"G", "<none>:<none>"}, {"g", "127.0.0.1:5000/big:latest"}, {"k", "127.0.0.1:5000/big:latest"},
	}
	for _, s := range steps {
		h.keys(s.key)
		if got := cur(); got != s.want {
			t.Fatalf("after %s: cursor on %s, want %s", s.key, got, s.want)
		}
	}
}

func TestSortKeys(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(sampleImages()...), 80, 24)
	h.waitScreen("busybox")
	first := func() []string { return fields(strings.Split(h.screen(), "\n")[3])[:2] }
	steps := []struct {
		key, sort string
		first     []string
	}{
		{"s", "SIZE↓", []string{"127.0.0.1:5000/big", "latest"}},       // largest first
		{"s", "REPOSITORY↑", []string{"127.0.0.1:5000/big", "latest"}}, // A to Z
		{"S", "REPOSITORY↓", []string{"busybox", "1.36"}},              // reversed, <none> still last
		{"s", "TAG↑", []string{"busybox", "1.36"}},
		{"s", "IMAGE ID↑", []string{"busybox", "1.36"}},
		{"s", "CREATED↓", []string{"127.0.0.1:5000/big", "latest"}}, // newest first
		{"S", "CREATED↑", []string{"<none>", "<none>"}},
	}
	for _, st := range steps {
		h.keys(st.key)
		if !strings.Contains(h.screen(), "sort: "+st.sort) || !slices.Equal(first(), st.first) {
			t.Fatalf("after %s: want sort %s with %v first:\n%s", st.key, st.sort, st.first, h.screen())
		}
	}
}

func TestFilter(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h := newImagesHarness(t, newFakeEngine(sampleImages()...), sz.w, sz.h)
			h.waitScreen("busybox")
			h.keys("/")
			h.typeText("busy") // "s" must not sort, "q" would not quit either
			s := h.screen()
			if !strings.Contains(s, "Images (2/4)") || strings.Contains(s, "big") || strings.Contains(s, "c3c3c3") {
				t.Fatalf("filter busy:\n%s", s)
			}
			if !strings.Contains(s, "sort: CREATED↓") {
				t.Errorf("typing s in the filter changed the sort:\n%s", s)
			}
			h.keys("enter") // keep the filter, move in the list
			h.keys("j")
			if r, _ := h.app.panes[0].(*imagesView).selected(); r.Tag != "latest" {
				t.Errorf("j after the filter: on %+v", r)
			}
			if !strings.Contains(h.screen(), "/busy") {
				t.Errorf("the kept filter is not shown:\n%s", h.screen())
			}
			h.keys("esc") // clears
			if s := h.screen(); !strings.Contains(s, "Images (4)") || !strings.Contains(s, "big") {
				t.Fatalf("after esc:\n%s", s)
			}
			h.keys("/")
			h.typeText("qqq")
			if h.quit {
				t.Fatal("q in the filter quit")
			}
			if !strings.Contains(h.screen(), "No image matches the filter") {
				t.Errorf("no match:\n%s", h.screen())
			}
			h.keys("esc")
			if !strings.Contains(h.screen(), "Images (4)") {
				t.Errorf("esc while typing should clear:\n%s", h.screen())
			}
		})
	}
}

func TestRemoveAsksThenRemoves(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			eng := newFakeEngine(sampleImages()...)
			h := newImagesHarness(t, eng, sz.w, sz.h)
			h.waitScreen("busybox")
			h.keys("j", "j") // busybox:latest
			h.keys("d")
			if !strings.Contains(h.screen(), "Remove busybox:latest?") {
				t.Fatalf("no confirmation:\n%s", h.screen())
			}
			h.keys("n")
			h.settle()
			if len(eng.removeCalls()) != 0 || strings.Contains(h.screen(), "Remove busybox") {
				t.Fatalf("n should cancel: calls %v\n%s", eng.removeCalls(), h.screen())
			}
			h.keys("d", "y")
			h.waitScreen("Untagged busybox:latest")
			if got := eng.removeCalls(); !slices.Equal(got, []removeCall{{"busybox:latest", false}}) {
				t.Errorf("RemoveImage calls = %v", got)
			}
			for _, l := range strings.Split(h.screen(), "\n") {
				if f := fields(l); len(f) > 1 && f[0] == "busybox" && f[1] == "latest" {
					t.Errorf("row still there: %q", l)
				}
			}
			if !strings.Contains(h.screen(), "Images (3)") || h.lineWith("1.36") == "" {
				t.Errorf("the other tag should stay:\n%s", h.screen())
			}
		})
	}
}

func TestForceRemoveAndDangling(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	h.keys("j", "D")
	if !strings.Contains(h.screen(), "Force remove busybox:1.36?") {
		t.Fatalf("no force confirmation:\n%s", h.screen())
	}
	h.keys("y")
	h.waitFor("both busybox rows gone", func() bool { return h.lineWith("busybox") == "" })
	h.keys("G", "d")
	h.waitScreen("Remove c3c3c3c3c3c3?")
	h.keys("y")
	h.waitScreen("Images (1)")
	want := []removeCall{{"busybox:1.36", true}, {"sha256:" + strings.Repeat("c3", 32), false}}
	if got := eng.removeCalls(); !slices.Equal(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
}

func TestRemoveErrorIsOneLine(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	eng.rmErr = errors.New("conflict: image a1a1a1a1a1a1 is used by container web")
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	h.keys("j", "d", "y")
	h.waitScreen("conflict: image a1a1a1a1a1a1 is used by container web")
	last := strings.Split(h.screen(), "\n")[23]
	if !strings.Contains(last, "conflict: image") {
		t.Errorf("the error should be in the status bar: %q", last)
	}
	if h.lineWith("1.36") == "" {
		t.Error("a failed removal must keep the row")
	}
}

func TestDisabledKeysSayWhy(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(), 80, 24)
	h.waitScreen("No images. Press p to pull one.")
	h.keys("d")
	h.waitScreen("d: no image selected")
	h.keys("?")
	if !strings.Contains(h.screen(), "no image selected") {
		t.Errorf("help should say why d is disabled:\n%s", h.screen())
	}
}

func TestInspect(t *testing.T) {
	for _, key := range []string{"i", "enter"} {
		t.Run(key, func(t *testing.T) {
			eng := newFakeEngine(sampleImages()...)
			h := newImagesHarness(t, eng, 80, 24)
			h.waitScreen("busybox")
			h.keys("j", key)
			h.waitScreen("╭─ busybox:1.36", "1 Inspect", `"Id": "sha256:a1a1`, `"busybox:1.36"`)
			if !slices.Equal(eng.inspects, []string{"busybox:1.36"}) {
				t.Errorf("InspectImage calls = %v", eng.inspects)
			}
			h.keys("G", "k", "g")
			h.keys("esc")
			if s := h.screen(); !strings.Contains(s, "Images (4)") || strings.Contains(s, "Inspect") {
				t.Errorf("esc should go back:\n%s", s)
			}
		})
	}
}

func TestInspectErrorShown(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	eng.mu.Lock()
	eng.images = nil // gone behind our back
	eng.mu.Unlock()
	h.keys("i")
	h.waitScreen("No such image: 127.0.0.1:5000/big:latest")
}

// pullAlpine starts a pull the way a user does: p, the reference, Enter.
func pullAlpine(h *harness, ref string) *fakePull {
	h.t.Helper()
	h.keys("p")
	if !strings.Contains(h.screen(), "Pull image") {
		h.t.Fatalf("no pull dialog:\n%s", h.screen())
	}
	h.typeText(ref)
	h.keys("enter")
	p := h.nextPull()
	if p.Ref != ref {
		h.t.Fatalf("PullImage(%q), want %q", p.Ref, ref)
	}
	return p
}

func TestPullShowsProgressThenImage(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			eng := newFakeEngine(sampleImages()...)
			h := newImagesHarness(t, eng, sz.w, sz.h)
			h.waitScreen("busybox")
			p := pullAlpine(h, "alpine")
			if strings.Contains(h.screen(), "Pull image") {
				t.Error("the dialog should close on enter")
			}
			h.waitScreen("⇣ 1 pull: alpine 0%", "resolving")

			p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Waiting})
			p.send(progress.Update{ID: "bbbbbbbbbbbb", State: progress.AlreadyExists})
			p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Downloading, Current: 0, Total: 30_000_000, Time: testNow})
			h.waitScreen("aaaaaaaaaaaa Downloading", "0B / 30MB", "bbbbbbbbbbbb Already exists")
			p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Downloading, Current: 15_000_000, Total: 30_000_000, Time: testNow.Add(time.Second)})
			h.waitScreen("15MB / 30MB", "15MB/s", "ETA 1s", "⇣ 1 pull: alpine 70%")
			line := h.lineWith("aaaaaaaaaaaa")
			if !strings.Contains(line, "━") || !strings.Contains(line, "─") {
				t.Errorf("half-done bar: %q", line)
			}

			// The UI stays responsive while the pull runs.
			h.keys("j")
			if r, _ := h.app.panes[0].(*imagesView).selected(); r.Tag != "1.36" {
				t.Errorf("j during a pull: on %+v", r)
			}

			p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Extracting, Current: 30_000_000, Total: 30_000_000})
			p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Done})
			p.send(progress.Update{Message: "Status: Downloaded newer image for alpine:latest"})
			p.finish(img("d4", time.Minute, 7_340_000, "alpine:latest"))
			h.waitFor("the new image in the list", func() bool {
				f := fields(h.lineWith("d4d4d4d4d4d4"))
				return slices.Equal(f, []string{"alpine", "latest", "d4d4d4d4d4d4", "About", "a", "minute", "ago", "7.34MB"})
			})
			h.waitScreen("aaaaaaaaaaaa Pull complete", "✓ Downloaded newer image for alpine:latest", "Pulled alpine")
			if strings.Contains(h.screen(), "⇣") {
				t.Errorf("no pull runs any more:\n%s", h.screen())
			}

			// The dock goes once the pull has been over for a while.
			h.now = h.now.Add(dockLinger)
			h.send(pullExpiredMsg{ID: 1})
			if strings.Contains(h.screen(), "Pull complete") {
				t.Errorf("dock still shown:\n%s", h.screen())
			}
			// The pulls panel still has it.
			h.keys("P")
			h.waitScreen("aaaaaaaaaaaa Pull complete", "alpine")
			h.keys("esc")
			if !strings.Contains(h.screen(), "Images (5)") {
				t.Errorf("esc should close the panel:\n%s", h.screen())
			}
		})
	}
}

func TestPullErrorIsOneLine(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	p := pullAlpine(h, "nosuch")
	p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Failed, Err: errors.New("unexpected EOF")})
	p.fail(errors.New("pull nosuch: docker.io/library/nosuch:latest: not found"))
	h.waitScreen("aaaaaaaaaaaa Failed: unexpected EOF", "✗ pull nosuch")
	h.waitFor("the error in the status bar", func() bool {
		return strings.Contains(strings.Split(h.screen(), "\n")[23], "pull nosuch: docker.io/library/nosuch:latest: not found")
	})
}

func TestPullDialogNeedsAReference(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(sampleImages()...), 80, 24)
	h.waitScreen("busybox")
	h.keys("p", "enter")
	if !strings.Contains(h.screen(), "type an image reference") {
		t.Fatalf("empty reference accepted:\n%s", h.screen())
	}
	h.keys("esc")
	if strings.Contains(h.screen(), "Pull image") {
		t.Errorf("esc should close the dialog:\n%s", h.screen())
	}
	select {
	case p := <-h.eng.pulls:
		t.Errorf("pulled %q", p.Ref)
	default:
	}
}

func TestSeveralPullsAtOnce(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	a := pullAlpine(h, "alpine")
	b := pullAlpine(h, "127.0.0.1:5000/big")
	a.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Downloading, Current: 45, Total: 100})
	b.send(progress.Update{ID: "bbbbbbbbbbbb", State: progress.Downloading, Current: 15, Total: 100})
	h.waitScreen("⇣ 2 pulls: alpine 36% · big 12%", "aaaaaaaaaaaa", "bbbbbbbbbbbb")
	b.finish(img("e5", 0, 1, "127.0.0.1:5000/big:v2"))
	h.waitScreen("⇣ 1 pull: alpine 36%", "v2")
	a.finish(img("f6", 0, 1, "alpine:latest"))
	h.waitScreen("f6f6f6f6f6f6")
}

func TestCancelPullFromPanel(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(sampleImages()...), 80, 24)
	h.waitScreen("busybox")
	p := pullAlpine(h, "alpine")
	h.keys("P")
	h.waitScreen("▌ alpine")
	h.keys("x")
	h.waitScreen("Pull of alpine cancelled")
	if p.ctx.Err() == nil {
		t.Error("the pull's context was not cancelled")
	}
}

func TestQuitAsksWhilePulling(t *testing.T) {
	h := newImagesHarness(t, newFakeEngine(sampleImages()...), 80, 24)
	h.waitScreen("busybox")
	pullAlpine(h, "alpine")
	h.keys("q")
	h.settle()
	if h.quit || !strings.Contains(h.screen(), "Quit berth") || !strings.Contains(h.screen(), "Still under way: ⇣ 1 pull") {
		t.Fatalf("q should ask:\n%s", h.screen())
	}
	h.keys("n")
	h.settle()
	if h.quit {
		t.Fatal("n quit")
	}
	h.keys("q", "y")
	h.waitFor("quit", func() bool { return h.quit })
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			h := newImagesHarness(t, newFakeEngine(sampleImages()...), 80, 24)
			h.waitScreen("busybox")
			h.keys(k)
			h.waitFor("quit", func() bool { return h.quit })
		})
	}
	t.Run("ctrl+c while typing", func(t *testing.T) {
		h := newImagesHarness(t, newFakeEngine(), 80, 24)
		h.keys("/")
		h.keys("ctrl+c")
		h.waitFor("quit", func() bool { return h.quit })
	})
}

func TestHelpOverlay(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h := newImagesHarness(t, newFakeEngine(sampleImages()...), sz.w, sz.h)
			h.waitScreen("busybox")
			h.keys("?")
			for _, want := range []string{"Keys", "pull an image", "force remove", "sort / reverse", "filter", "pulls panel", "quit", "inspect", "refresh"} {
				if !strings.Contains(h.screen(), want) {
					t.Errorf("help lacks %q:\n%s", want, h.screen())
				}
			}
			h.keys("j") // ignored while help is open
			h.keys("esc")
			if strings.Contains(h.screen(), "pulls panel") {
				t.Errorf("esc should close help:\n%s", h.screen())
			}
			if r, _ := h.app.panes[0].(*imagesView).selected(); r.Repo != "127.0.0.1:5000/big" {
				t.Errorf("j moved under the help: %+v", r)
			}
		})
	}
}

func TestEventsRefreshTheList(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	before := eng.listCount()
	eng.events <- events.Event{ID: 1, Type: events.TypeContainer, Action: "start"}
	h.settle()
	if eng.listCount() != before {
		t.Error("a container event reloaded images")
	}
	eng.addImage(img("99", 0, 1, "redis:7"))
	eng.events <- events.Event{ID: 2, Type: events.TypeImage, Action: events.ActionPull, Actor: "redis:7"}
	h.waitScreen("redis", "Images (5)")
}

func TestRefreshCoalesces(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	before := eng.listCount()
	v := h.app.panes[0].(*imagesView)
	// Ten refreshes while one load runs make one more load, not ten.
	cmd := v.refresh()
	for range 10 {
		if v.refresh() != nil {
			t.Fatal("a refresh during a load started another load")
		}
	}
	h.run(cmd)
	h.settle()
	if got := eng.listCount() - before; got != 2 {
		t.Errorf("%d loads, want 2", got)
	}
}

func TestLoadErrorShown(t *testing.T) {
	eng := newFakeEngine()
	eng.listErr = errors.New("open /var/lib/berth/db: permission denied")
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("Could not list images: open /var/lib/berth/db: permission denied")
}

func TestResizeNeverOverflows(t *testing.T) {
	eng := newFakeEngine(append(sampleImages(),
		img("77", time.Hour, 1, "registry.example.com:5000/a/very/long/repository/name/that/goes/on:and-a-long-tag-too"))...)
	h := newImagesHarness(t, eng, 120, 40)
	h.waitScreen("busybox")
	p := pullAlpine(h, "alpine")
	p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Downloading, Current: 1, Total: 2})
	h.waitScreen("aaaaaaaaaaaa")
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {200, 60}, {80, 24}, {60, 15}, {30, 8}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]}) // checkView checks every line
		h.keys("?")
		h.keys("esc", "p")
		h.keys("esc")
	}
}

func TestNoColorTheme(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := NewApp(ctx, newFakeEngine(sampleImages()...), themes.FromEnv(func(k string) string {
		return map[string]string{"NO_COLOR": "1"}[k]
	}))
	content := app.View().Content
	if strings.Contains(content, "38;2;") || strings.Contains(content, "48;2;") {
		t.Errorf("NO_COLOR view has colours: %q", content)
	}
	if ansi.Strip(content) == content {
		t.Error("the plain theme should still mark things (reverse video)")
	}
}

func TestRefreshKey(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	h := newImagesHarness(t, eng, 80, 24)
	h.waitScreen("busybox")
	eng.addImage(img("99", 0, 1, "redis:7")) // no event: only r shows it
	h.settle()
	if h.lineWith("redis") != "" {
		t.Fatal("shown before r")
	}
	h.keys("r")
	h.waitScreen("redis", "Images (5)")
}

// A colour profile that changes after the start (tmux answered later)
// draws the screen again; the first one does not.
func TestChangedColorProfileRedraws(t *testing.T) {
	a := NewApp(context.Background(), newFakeEngine(), themes.Dark())
	if cmd := a.route(tea.ColorProfileMsg{Profile: colorprofile.ANSI256}); cmd != nil {
		t.Errorf("the first profile: a command %T, want none", cmd())
	}
	if cmd := a.route(tea.ColorProfileMsg{Profile: colorprofile.ANSI256}); cmd != nil {
		t.Errorf("the same profile again: a command %T, want none", cmd())
	}
	cmd := a.route(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	if cmd == nil || cmd() != tea.ClearScreen() {
		t.Errorf("a new profile: want tea.ClearScreen, so that the screen is drawn with it")
	}
}

// The preloaded pane's rows come first and alone; the other panes and the
// engine's summary load once they are in, even if the user switched panes
// meanwhile.
func TestPreloadThenTheRest(t *testing.T) {
	eng := newFakeEngine(sampleImages()...)
	a := NewApp(context.Background(), eng, themes.Dark())
	first := a.preload()
	a.active = paneImages // switched before the preload came back
	init := a.Init()
	for _, m := range drain(init) {
		if _, ok := m.(listLoadedMsg[imageRow]); ok {
			t.Fatal("Init loads the images before the preload is in")
		}
	}
	var loaded []string
	for _, m := range drain(a.route(preloadedMsg{first()})) {
		switch m.(type) {
		case listLoadedMsg[imageRow]:
			loaded = append(loaded, "images")
		case listLoadedMsg[containerRow]:
			loaded = append(loaded, "containers")
		case sysInfoMsg:
			loaded = append(loaded, "info")
		}
	}
	slices.Sort(loaded)
	if want := []string{"images", "info"}; !slices.Equal(loaded, want) {
		t.Errorf("after the preload: loaded %v, want %v (not the preloaded containers again)", loaded, want)
	}
}

// drain runs cmd and the commands of its batches, and returns their
// messages; it leaves out commands that wait (ticks, streams).
func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case m := <-done:
		if b, ok := m.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, drain(c)...)
			}
			return out
		}
		return []tea.Msg{m}
	case <-time.After(200 * time.Millisecond):
		return nil
	}
}

// The collector lets the heap grow more while the TUI starts, and is as
// before once that ends; GOGC set by the user is left alone.
func TestStartupGC(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := startupGC()
	if got := debug.SetGCPercent(400); got != 400 {
		t.Errorf("while starting: GOGC %d, want 400", got)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the start: GOGC %d, want 100 again", got)
	}
	t.Setenv("GOGC", "50")
	restore = startupGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=50 in the environment: changed to %d", got)
	}
	restore()
}

// The title bar's counts follow the lists' loads: a container started
// elsewhere shows in them without reading the engine's Info again.
func TestTitleCountsFollowTheLists(t *testing.T) {
	h, eng := newContainersHarness(t, 200, 40)
	h.waitScreen("2/6 running · 3 images")
	eng.mu.Lock()
	calls := eng.infoCalls
	eng.mu.Unlock()
	if err := eng.StartContainer(context.Background(), "old"); err != nil {
		t.Fatal(err)
	}
	h.waitScreen("3/6 running · 3 images")
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if eng.infoCalls != calls {
		t.Errorf("Info read %d more times for a change the lists show", eng.infoCalls-calls)
	}
}
