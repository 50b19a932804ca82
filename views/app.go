package views

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"berth/engine"
	"berth/engine/events"
	"berth/themes"
	"berth/ui"
)

// pane is one tab of the app: Images, Containers, Networks, Volumes.
type pane interface {
	ui.Component
	Title() string
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	// Capturing: the pane's keys are text now (a filter, a dialog); the
	// app's global keys must not act.
	Capturing() bool
	// Dialog is the pane's open dialog, which the app draws over the screen.
	Dialog() ui.Dialog
	// ShortHelp are the keys the status bar suggests.
	ShortHelp() []ui.Binding
}

// Optional abilities of a pane, checked with a type assertion.
type (
	// keyClaimer takes some keys the app would handle itself: a log view
	// closes on q rather than quitting.
	keyClaimer interface {
		ClaimsKey(msg tea.KeyPressMsg) bool
	}
	// busyReporter has work under way to show in the status bar.
	busyReporter interface {
		Busy() string
	}
)

// App is the root model. It routes: keys to the dialog, the help, the pulls
// panel or the active pane; engine events and results to whom they concern.
// Behaviour lives in the views.
type App struct {
	env    *env
	panes  []pane
	active int
	pulls  *pullsView
	events <-chan events.Event
	// sessions are the shells and attachments in the split pane beside
	// the lists.
	sessions *sessionsView
	// eventLog is the Events pane, which the engine's events are given to.
	eventLog *eventsView
	cmdline  *ui.CmdLine
	cmds     []command
	mouseOff bool    // M: mouse capture off, so the terminal selects text
	noColor  bool    // NO_COLOR: the output drops colours, :theme cannot help
	startup  tea.Cmd // what to say at start: a bad config file
	// preloaded is the pane whose first load runs already (preload), -1
	// for none; the other panes' first loads and the engine's summary wait
	// for it.
	preloaded int
	profile   *colorprofile.Profile // the terminal's colours, once bubbletea said

	pullsKey  ui.Binding
	showPulls bool
	help      bool
	// helpWhat is what the help shows: "" the keys, helpCommands the
	// commands first (:help), helpActions the keys' action names (:keys).
	helpWhat   string
	helpOffset int       // lines the help is scrolled down by
	dialog     ui.Dialog // the app's own: quitting with pulls running
	status     ui.StatusLine
	system     string      // the engine's essentials, for the title bar
	sys        engine.Info // read once; the counts follow the lists' loads

	width, height, dockH int
}

// Messages of the app.
type (
	engineEventsMsg struct{ Events []events.Event }
	eventsClosedMsg struct{}
)

// clockInterval is how often ages ("3 minutes ago") are redrawn.
const clockInterval = 30 * time.Second

// statsInterval is how often the CPU and memory of running containers are
// read.
const statsInterval = 2 * time.Second

// Panes, in the order of their number keys.
const (
	paneImages = iota
	paneContainers
	paneNetworks
	paneVolumes
	paneEvents
)

// NewApp builds the root model. The engine's event stream is opened here
// and followed by a command; ctx ends it and every pull. The app opens on
// the Containers pane, where users of lazydocker and k9s expect to land.
func NewApp(ctx context.Context, eng Engine, theme themes.Theme) *App {
	e := &env{Common: ui.NewCommon(theme), eng: eng, ctx: ctx, now: time.Now,
		statsEvery: statsInterval, detailRest: detailDebounce, exec: tea.ExecProcess}
	a := &App{env: e, pulls: newPulls(e), width: 80, height: 24,
		pullsKey: ui.Bind("P", "pulls panel", "P"), preloaded: -1}
	a.eventLog = newEventsView(e)
	a.panes = []pane{paneImages: newImagesView(e), paneContainers: newContainersView(e),
		paneNetworks: newNetworksView(e), paneVolumes: newVolumesView(e), paneEvents: a.eventLog}
	a.cmds = commands()
	a.cmdline = ui.NewCmdLine(a.completeLine)
	a.active = paneContainers
	var start sessionStarter
	if se, ok := eng.(sessionEngine); ok {
		start = engineStarter(se)
	}
	a.sessions = newSessions(e, start)
	a.panes[paneContainers].(*containersView).panes = a.sessions.Enabled()
	a.events = eng.Events(ctx, events.Options{})
	a.layout()
	return a
}

// Init starts the panes, the event stream and the clock.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{waitEvents(a.events), tickClock(), a.startup}
	if a.preloaded >= 0 {
		return tea.Batch(cmds...)
	}
	return tea.Batch(append(cmds, a.loadRest())...)
}

func tickClock() tea.Cmd {
	return tea.Tick(clockInterval, func(time.Time) tea.Msg { return clockMsg{} })
}

// waitEvents returns the next engine events, a burst at a time.
func waitEvents(ch <-chan events.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		evs := []events.Event{ev}
		for len(evs) < 256 {
			select {
			case ev, ok := <-ch:
				if !ok {
					return engineEventsMsg{evs}
				}
				evs = append(evs, ev)
			default:
				return engineEventsMsg{evs}
			}
		}
		return engineEventsMsg{evs}
	}
}

// Update routes msg and lays the screen out again.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.route(msg)
	a.layout()
	return a, cmd
}

func (a *App) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case preloadedMsg:
		return tea.Batch(a.route(msg.Msg), a.loadRest())
	case tea.ColorProfileMsg:
		// bubbletea converts colours with the new profile from now on;
		// what is on screen is drawn again with it.
		changed := a.profile != nil && *a.profile != msg.Profile
		a.profile = &msg.Profile
		if changed {
			return tea.ClearScreen
		}
		return nil
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		return func() tea.Msg { return paneShownMsg{} } // a detail area docked by the new size opens its tab
	case tea.KeyPressMsg:
		return a.key(msg)
	case tea.PasteMsg:
		if a.cmdline.Active() {
			_, _, cmd := a.cmdline.Update(msg)
			return cmd
		}
		if a.dialog == nil && !a.help && a.sessions.Focused() {
			a.sessions.Paste(msg.Content)
			return nil
		}
		if a.dialog == nil && !a.help && !a.showPulls {
			return a.panes[a.active].Update(msg)
		}
		return nil
	case ui.StatusMsg:
		return a.status.Set(msg)
	case ui.StatusExpiredMsg:
		a.status.Expire(msg)
		return nil
	case tea.MouseMsg:
		return a.mouse(msg)
	case cmdDoneMsg:
		return a.commandDone(msg)
	case gotoObjectMsg:
		return a.gotoObject(msg)
	case cmdRunMsg:
		return a.startRun(msg)
	case cmdRunDoneMsg:
		return a.runDone(msg)
	case openSessionMsg, sessionOpenedMsg, termFrameMsg:
		return a.sessions.Update(msg)
	case engineEventsMsg:
		// One refresh per kind of object in a burst; the panes that show
		// that kind reload, coalescing refreshes that come while a load runs.
		a.eventLog.add(msg.Events)
		cmds := []tea.Cmd{waitEvents(a.events)}
		seen := map[events.Type]bool{}
		for _, ev := range msg.Events {
			if !seen[ev.Type] {
				seen[ev.Type] = true
				cmds = append(cmds, a.broadcast(changedMsg{Type: ev.Type}))
			}
		}
		return tea.Batch(cmds...)
	case sysInfoMsg:
		if msg.err == nil {
			a.sys = msg.info
			a.system = sysSummary(a.sys)
		}
		return nil
	case listLoadedMsg[containerRow]:
		a.countContainers(msg)
		return a.broadcast(msg)
	case listLoadedMsg[imageRow]:
		a.countImages(msg)
		return a.broadcast(msg)
	case eventsClosedMsg:
		if a.env.ctx.Err() == nil {
			return ui.Status(ui.LevelError, "the engine's event stream ended: lists no longer follow changes; r refreshes")
		}
		return nil
	case startPullMsg, pullProgressMsg, pullDoneMsg, pullExpiredMsg:
		return a.pulls.Update(msg)
	case clockMsg:
		return tea.Batch(a.broadcast(msg), tickClock())
	}
	return a.broadcast(msg)
}

// broadcast gives msg to every pane: results of a pane's commands go home,
// and hidden panes stay current.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, p := range a.panes {
		cmds = append(cmds, p.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	a.status.KeyPressed()
	km := a.env.Keys
	p := a.panes[a.active]
	switch {
	case a.dialog == nil && !a.help && a.sessions.Focused():
		return a.sessions.Key(msg) // ctrl+c too: it is the program's
	case km.ForceQuit.Matches(msg):
		return tea.Quit
	case a.cmdline.Active():
		line, done, cmd := a.cmdline.Update(msg)
		if done {
			return tea.Batch(cmd, a.execLine(line))
		}
		return cmd
	case a.dialog != nil:
		var cmd tea.Cmd
		a.dialog, cmd = a.dialog.Update(msg)
		return cmd
	case a.help:
		a.helpKey(msg)
		return nil
	case p.Capturing() && !a.showPulls:
		return p.Update(msg)
	case !a.showPulls && claims(p, msg):
		return p.Update(msg)
	case a.sessions.ListKey(msg):
		return nil
	case km.Command.Matches(msg):
		a.cmdline.Open(a.env.Styles)
		return nil
	case km.Copy.Matches(msg) && !a.showPulls:
		return a.copy()
	case km.Mouse.Matches(msg):
		a.mouseOff = !a.mouseOff
		if a.mouseOff {
			return ui.Infof("Mouse capture off: the terminal selects text; M turns it on")
		}
		return ui.Infof("Mouse capture on: click selects, the wheel scrolls; M turns it off")
	case km.Quit.Matches(msg):
		return a.quit()
	case km.Help.Matches(msg):
		a.help = true
		return nil
	case km.NextPane.Matches(msg), km.PrevPane.Matches(msg), km.GotoPane.Matches(msg):
		return a.switchPane(msg)
	case a.showPulls:
		cmd, closed := a.pulls.PanelUpdate(msg)
		a.showPulls = !closed
		return cmd
	case a.pullsKey.Matches(msg):
		a.showPulls = true
		return nil
	}
	return p.Update(msg)
}

func claims(p pane, msg tea.KeyPressMsg) bool {
	c, ok := p.(keyClaimer)
	return ok && c.ClaimsKey(msg)
}

// quit asks first while pulls or container actions (a slow stop) are under
// way: quitting cancels them half-done.
func (a *App) quit() tea.Cmd {
	busy := a.busy()
	if n := a.sessions.running(); n > 0 {
		what := itoa(n) + " sessions are open"
		if n == 1 {
			what = "A session is open"
		}
		body := what + ": quitting ends shells and commands, and detaches from attached containers (they keep running)."
		if busy != "" {
			body += " Still under way: " + busy + "."
		}
		a.dialog = ui.NewConfirm(a.env.Styles, "Quit berth", body+" Quit?", tea.Sequence(a.sessions.closeAllCmd(), tea.Quit))
		return nil
	}
	if busy == "" {
		return tea.Quit
	}
	a.dialog = ui.NewConfirm(a.env.Styles, "Quit berth", "Still under way: "+busy+". Quit and cancel it?", tea.Quit)
	return nil
}

func (a *App) switchPane(msg tea.KeyPressMsg) tea.Cmd {
	km := a.env.Keys
	n := len(a.panes)
	var next int
	switch {
	case km.NextPane.Matches(msg):
		next = (a.active + 1) % n
	case km.PrevPane.Matches(msg):
		next = (a.active + n - 1) % n
	default:
		i := int(msg.Code - '1')
		if i < 0 || i >= n {
			return ui.Infof("No pane %s yet: only %s", msg.String(), strings.Join(a.numberedTitles(), ", "))
		}
		next = i
	}
	a.active, a.showPulls = next, false
	return func() tea.Msg { return paneShownMsg{} } // its detail tab opens again
}

// numberedTitles are "1 Images", "2 Containers".
func (a *App) numberedTitles() []string {
	t := a.paneTitles()
	for i := range t {
		t[i] = itoa(i+1) + " " + t[i]
	}
	return t
}

func (a *App) paneTitles() []string {
	t := make([]string, len(a.panes))
	for i, p := range a.panes {
		t[i] = p.Title()
	}
	return t
}

// layout shares the screen: the title bar, the pane (or the pulls panel),
// the pulls dock while pulls are shown, the status bar.
func (a *App) layout() {
	body := max(a.height-2, 1)
	a.dockH = 0
	if !a.showPulls {
		a.dockH = a.pulls.DockHeight(body)
		if body-a.dockH < 6 { // the list comes first
			a.dockH = 0
		}
	}
	a.sessions.SetSize(a.width, body)
	lw, lh := a.sessions.ListsSize()
	for i, p := range a.panes {
		p.SetSize(lw, max(lh-a.dockH, 0))
		if o, ok := p.(onScreener); ok {
			o.SetOnScreen(i == a.active && !a.showPulls && lw > 0 && lh > 0)
		}
	}
	a.pulls.SetSize(a.width, body)
}

// View draws the screen, exactly width×height, in the alternate screen.
func (a *App) View() tea.View {
	st := a.env.Styles
	w, h := a.width, a.height
	p := a.panes[a.active]
	parts := []string{ui.TitleBar(st, appTitle, a.paneTitles(), a.active, a.system, w)}
	keys := p.ShortHelp()
	if a.showPulls {
		parts = append(parts, a.pulls.PanelView())
		keys = a.pulls.KeyGroups()[0].Keys
	} else {
		lists := ""
		if lw, lh := a.sessions.ListsSize(); lw > 0 && lh > 0 {
			lists = p.View()
			if a.dockH > 0 {
				lists += "\n" + a.pulls.DockView(lw, a.dockH)
			}
		}
		parts = append(parts, a.sessions.View(lists))
	}
	keys = append([]ui.Binding{a.env.Keys.Help}, keys...)
	if a.sessions.Focused() {
		keys = a.sessions.ShortHelp()
	}
	busy := a.busy()
	if a.mouseOff {
		busy = strings.TrimSuffix("mouse off · "+busy, " · ")
	}
	bar := ui.StatusBar{Busy: busy, Message: a.status.Message(), Keys: keys}
	if a.cmdline.Active() {
		parts = append(parts, a.cmdline.View(st, w))
	} else {
		parts = append(parts, bar.View(st, w))
	}
	screen := ui.Block(strings.Join(parts, "\n"), w, h)
	if c := a.cmdline.CandidatesView(st, w); c != "" && a.cmdline.Active() && h >= 3 {
		lines := strings.Split(screen, "\n")
		lines[h-2] = c
		screen = strings.Join(lines, "\n")
	}

	if d := p.Dialog(); d != nil && !a.showPulls {
		screen = ui.Overlay(screen, d.View(w, h-2), w, h)
	}
	if a.dialog != nil {
		screen = ui.Overlay(screen, a.dialog.View(w, h-2), w, h)
	}
	if a.help {
		screen = ui.Overlay(screen, a.helpView(), w, h)
	}
	v := tea.NewView(screen)
	if c := a.sessions.Cursor(); c != nil && a.dialog == nil && !a.help && !a.showPulls {
		c.Y++ // below the title bar
		v.Cursor = c
	}
	if !a.mouseOff {
		// Clicks select and focus, the wheel scrolls lists and panes
		// back; programs in panes may ask for the mouse.
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.AltScreen = true
	v.WindowTitle = "berth"
	return v
}

// busy is the status bar's summary of work under way: pulls and the panes'.
func (a *App) busy() string {
	var parts []string
	if s := a.pulls.Busy(); s != "" {
		parts = append(parts, s)
	}
	for _, p := range a.panes {
		if b, ok := p.(busyReporter); ok {
			if s := b.Busy(); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, " · ")
}

// helpGroups are the keys of what is on screen — its first group, moving,
// its other groups — then the shared ones. Moving comes second so that the
// columns pack into a 24-line window.
func (a *App) helpGroups() []ui.KeyGroup {
	km := *a.env.Keys
	var groups []ui.KeyGroup
	if a.showPulls {
		groups = a.pulls.KeyGroups()
	} else {
		groups = a.panes[a.active].KeyGroups()
	}
	if len(a.panes) < 2 {
		km.NextPane.SetDisabled("only one pane so far")
		km.PrevPane.SetDisabled("only one pane so far")
		km.GotoPane.SetDisabled("only 1 so far")
	}
	global := km.GlobalGroup()
	global.Keys = append([]ui.Binding{a.pullsKey}, global.Keys...)
	out := append([]ui.KeyGroup{}, groups[:min(1, len(groups))]...)
	out = append(out, km.NavGroup())
	out = append(out, groups[min(1, len(groups)):]...)
	if a.sessions.Enabled() {
		out = append(out, a.sessions.KeyGroup())
	}
	km.Copy.SetDisabled(a.copyDisabled())
	return a.withCommands(append(out, global, km.MoreGroup()))
}
