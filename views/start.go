package views

import (
	"context"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/ui"
	"berth/ui/pace"
)

// How the app starts: the pane on screen first and alone, bubbletea's
// renderer paced, the colour profile without waiting for tmux, the
// collector relaxed while the first frames are drawn (bench/tui-start.sh).

// Run opens the full-screen app on eng and returns when the user quits.
func Run(ctx context.Context, eng Engine, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends running pulls and the event stream
	defer startupGC()()
	app, err := newConfiguredApp(ctx, eng, o, os.Getenv)
	if err != nil {
		return err
	}
	// The pacer draws a key's frame at once, at most 120 frames a second
	// while things change, and rests the renderer while nothing does
	// (bench/tui-idle.sh, bench/terminal.sh).
	pacer := pace.New()
	profile, askTmux := ui.ColorProfile(os.Stdout, os.Environ())
	prog := tea.NewProgram(pacer.Model(app), tea.WithContext(ctx), tea.WithFPS(120), tea.WithColorProfile(profile))
	pacer.Attach(prog)
	if askTmux != nil { // `tmux info`: 5 ms that the first frame does not wait for
		go func() {
			if p := askTmux(); p != profile {
				prog.Send(tea.ColorProfileMsg{Profile: p})
			}
		}()
	}
	// The pane on screen loads while bubbletea sets the terminal up, and
	// alone: the first full frame comes sooner (bench/tui-start.sh).
	if first := app.preload(); first != nil {
		go func() { prog.Send(preloadedMsg{first()}) }() // Send returns when ctx ends
	}
	_, err = prog.Run()
	pacer.Stop()
	app.sessions.CloseAll() // after ctrl+c too: no exec or host shell outlives berth
	return err
}

// startupGC lets the heap grow 5 times, not twice, between collections for
// the first seconds, when the lists load and the first frames are drawn,
// unless GOGC says otherwise; it returns what ends that early. With 200
// containers on 2 busy cores the first full frame came at 95 ms median
// with GOGC=100 and at 67-76 ms with 400 (bench/tui-start.sh, POLL=0);
// after the start the collector is as usual, so memory stays as it was.
func startupGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	t := time.AfterFunc(startupGCFor, func() { debug.SetGCPercent(old) })
	return func() {
		if t.Stop() {
			debug.SetGCPercent(old)
		}
	}
}

// startupGCFor is how long startupGC lasts.
const startupGCFor = 3 * time.Second

// preload is the active pane's first load, to run before the program
// starts, its message wrapped in preloadedMsg. Init then leaves out every
// first load: the others start once it is in (loadRest), so that they do
// not compete with it and with the first full frame for the CPU.
func (a *App) preload() tea.Cmd {
	a.preloaded = a.active
	return a.panes[a.active].Init()
}

// preloadedMsg is the message of the preload.
type preloadedMsg struct{ Msg tea.Msg }

// loadRest is the first load of every pane but a preloaded one, and of the
// engine's summary.
func (a *App) loadRest() tea.Cmd {
	cmds := []tea.Cmd{a.env.loadSysInfo()}
	for i, p := range a.panes {
		if i != a.preloaded {
			cmds = append(cmds, p.Init())
		}
	}
	return tea.Batch(cmds...)
}
