package views

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/network"
	"berth/ui"
)

// Optional abilities of the engine the CLI's remaining verbs need, checked
// with a type assertion (*engine.Engine has them).
type (
	createEngine interface {
		CreateContainer(ctx context.Context, o container.CreateOptions) (*container.Container, error)
	}
	signalEngine interface {
		SignalContainer(ctx context.Context, ref string, sig syscall.Signal) error
	}
	stopAfterEngine interface {
		StopContainerAfter(ctx context.Context, ref string, timeout *int) error
		RestartContainerAfter(ctx context.Context, ref string, timeout *int) error
	}
	archiveEngine interface {
		SaveImages(ctx context.Context, refs []string, w io.Writer) error
		LoadImages(ctx context.Context, r io.Reader) (image.LoadResult, error)
	}
	systemEngine interface {
		DiskUsage(ctx context.Context) (engine.DiskUsage, error)
		Prune(ctx context.Context, o engine.PruneOptions) (engine.PruneReport, error)
	}
)

// verbCommands are the CLI's verbs that the everyday ones lack: create,
// kill with a signal, stop with a timeout, diff, save, load, df and
// system prune.
func verbCommands() []command {
	ctr := func(a *App, _ []string, _ string) []string { return a.containerRefs() }
	img := func(a *App, _ []string, _ string) []string { return a.imageRefs() }
	return []command{
		{name: "create", usage: "[FLAGS] IMAGE [CMD…]", help: "create a container, not started (docker run's flags)", complete: completeRun, run: cmdCreate},
		{name: "stop", usage: "[-t SECONDS] NAME…", help: "stop containers (SIGKILL after -t seconds)", complete: afterFlag(ctr, "-t", "--time"), run: cmdStop},
		{name: "restart", usage: "[-t SECONDS] NAME…", help: "restart containers (SIGKILL after -t seconds)", complete: afterFlag(ctr, "-t", "--time"), run: cmdRestart},
		{name: "rename", usage: "NAME NEW_NAME", help: "rename a container", complete: firstArg(ctr), run: cmdRename},
		{name: "kill", usage: "[-s SIGNAL] NAME…", help: "send a signal to containers (SIGKILL unless -s)", complete: completeKill, run: cmdKill},
		tabVerb("diff", "a container's changed files", changesTitle, paneContainers, firstArg(ctr)),
		{name: "save", usage: "-o FILE REF…", help: "write images to a tar file", complete: afterFlag(img, "-o", "--output"), run: cmdSave},
		{name: "load", usage: "-i FILE", help: "read images from a tar file", run: cmdLoad},
		{name: "df", help: "disk usage of images, containers, volumes", run: cmdDf},
		{name: "system", usage: "df|prune [-a] [--volumes]", help: "disk usage; remove what nothing uses (asks first)", complete: completeSystem, run: cmdSystem},
	}
}

// afterFlag completes with f, except the value of one of flags.
func afterFlag(f func(a *App, prev []string, word string) []string, flags ...string) func(*App, []string, string) []string {
	return func(a *App, prev []string, word string) []string {
		if strings.HasPrefix(word, "-") {
			return flags
		}
		if len(prev) > 0 && slices.Contains(flags, prev[len(prev)-1]) {
			return nil
		}
		return f(a, prev, word)
	}
}

// killSignals are the signals :kill completes and K offers.
var killSignals = []string{"KILL", "TERM", "INT", "HUP", "QUIT", "USR1", "USR2"}

func completeKill(a *App, prev []string, word string) []string {
	if strings.HasPrefix(word, "-") {
		return []string{"-s", "--signal"}
	}
	if len(prev) > 0 && (prev[len(prev)-1] == "-s" || prev[len(prev)-1] == "--signal") {
		return killSignals
	}
	return a.containerRefs()
}

func completeSystem(_ *App, prev []string, word string) []string {
	switch {
	case len(prev) == 0:
		return []string{"df", "prune"}
	case prev[0] == "prune" && strings.HasPrefix(word, "-"):
		return []string{"-a", "--all", "--volumes"}
	}
	return nil
}

// flagValue takes "-x V", "-x=V", "--long V" and "--long=V" out of args:
// the value (and whether it was there) and the other words.
func flagValue(verb string, args []string, short, long string) (string, bool, []string, error) {
	var rest []string
	val, found := "", false
	for i := 0; i < len(args); i++ {
		s := args[i]
		switch {
		case s == short || s == long:
			if i+1 >= len(args) {
				return "", false, nil, errdefs.InvalidArgument(":%s %s needs a value: :%s %s", verb, s, verb, usageOf(verb))
			}
			i++
			val, found = args[i], true
		case strings.HasPrefix(s, short+"=") || strings.HasPrefix(s, long+"="):
			_, val, _ = strings.Cut(s, "=")
			found = true
		case strings.HasPrefix(s, "-"):
			return "", false, nil, errdefs.InvalidArgument(":%s: unknown flag %s: :%s %s", verb, s, verb, usageOf(verb))
		default:
			rest = append(rest, s)
		}
	}
	return val, found, rest, nil
}

func usageOf(verb string) string {
	if c, ok := lookup(verbCommands(), verb); ok {
		return c.usage
	}
	return ""
}

func cmdCreate(a *App, args []string) (tea.Cmd, error) {
	r, err := parseRunAs("create", args)
	if err != nil {
		return nil, err
	}
	ce, ok := a.env.eng.(createEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":create: this engine cannot create without starting; use berth create")
	}
	return createCmd(a.env, ce, r.Opts, false), nil
}

// createCmd creates a container from o; a missing image is pulled first,
// as :run and berth create do, and the create tried again once (afterPull).
func createCmd(e *env, ce createEngine, o container.CreateOptions, afterPull bool) tea.Cmd {
	eng, ctx := e.eng, e.ctx
	return func() tea.Msg {
		c, err := ce.CreateContainer(ctx, o)
		if err != nil {
			if errdefs.IsNotFound(err) && !afterPull {
				if _, ierr := eng.InspectImage(ctx, o.Image); errdefs.IsNotFound(ierr) {
					next := cmdDoneMsg{Text: "Pulled " + o.Image + ", creating the container…", Next: createCmd(e, ce, o, true)}
					return startPullMsg{Ref: o.Image, Then: next}
				}
			}
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":create %s: %v", o.Image, err)}
		}
		return cmdDoneMsg{Text: "Created " + createdName(c) + " (" + shortID(c.ID) + "): u starts it"}
	}
}

func createdName(c *container.Container) string {
	if c.Name != "" {
		return c.Name
	}
	return shortID(c.ID)
}

func cmdStop(a *App, args []string) (tea.Cmd, error) {
	return timeoutVerb(a, "stop", "Stopped", args)
}

func cmdRestart(a *App, args []string) (tea.Cmd, error) {
	return timeoutVerb(a, "restart", "Restarted", args)
}

// timeoutVerb is :stop or :restart, with docker's -t SECONDS.
func timeoutVerb(a *App, verb, done string, args []string) (tea.Cmd, error) {
	t, found, refs, err := flagValue(verb, args, "-t", "--time")
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, errdefs.InvalidArgument(":%s needs a container: :%s NAME, :%s -t 2 NAME (tab completes names)", verb, verb, verb)
	}
	var timeout *int
	if found {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return nil, errdefs.InvalidArgument(":%s -t %s: write whole seconds, e.g. :%s -t 2 %s", verb, t, verb, refs[0])
		}
		timeout = &n
	}
	eng, ctx := a.env.eng, a.env.ctx
	call := func(ref string) error { return eng.StopContainer(ctx, ref) }
	if verb == "restart" {
		call = func(ref string) error { return eng.RestartContainer(ctx, ref) }
	}
	if timeout != nil {
		se, ok := eng.(stopAfterEngine)
		if !ok {
			return nil, errdefs.InvalidArgument(":%s -t: this engine cannot; drop -t or use berth %s -t %d", verb, verb, *timeout)
		}
		call = func(ref string) error { return se.StopContainerAfter(ctx, ref, timeout) }
		if verb == "restart" {
			call = func(ref string) error { return se.RestartContainerAfter(ctx, ref, timeout) }
		}
	}
	return eachRef(verb, done, refs, call), nil
}

// eachRef runs call for every ref in a command, stopping at the first
// error, and says done with the names.
func eachRef(verb, done string, refs []string, call func(ref string) error) tea.Cmd {
	return func() tea.Msg {
		for _, ref := range refs {
			if err := call(ref); err != nil {
				return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":%s %s: %v", verb, ref, err)}
			}
		}
		return cmdDoneMsg{Text: done + " " + strings.Join(refs, ", ")}
	}
}

func cmdKill(a *App, args []string) (tea.Cmd, error) {
	s, found, refs, err := flagValue("kill", args, "-s", "--signal")
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, errdefs.InvalidArgument(":kill needs a container: :kill NAME, :kill -s TERM NAME (tab completes names)")
	}
	if !found {
		return eachRef("kill", "Killed", refs, func(ref string) error { return a.env.eng.KillContainer(a.env.ctx, ref) }), nil
	}
	sig, err := container.ParseSignal(s)
	if err != nil {
		return nil, errdefs.Wrap(err, err, ":kill -s: %v", err)
	}
	return signalCmd(a.env, sig, refs)
}

// signalCmd sends sig to refs; SIGKILL needs no more than the Engine.
func signalCmd(e *env, sig syscall.Signal, refs []string) (tea.Cmd, error) {
	eng, ctx := e.eng, e.ctx
	done := "Sent " + signalName(sig) + " to"
	if sig == syscall.SIGKILL {
		return eachRef("kill", "Killed", refs, func(ref string) error { return eng.KillContainer(ctx, ref) }), nil
	}
	se, ok := eng.(signalEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":kill -s: this engine sends only SIGKILL; use berth kill -s %s", signalName(sig))
	}
	return eachRef("kill", done, refs, func(ref string) error { return se.SignalContainer(ctx, ref, sig) }), nil
}

// signalName is "SIGTERM", or the number of a signal without a name.
func signalName(sig syscall.Signal) string {
	for _, n := range killSignals {
		if s, err := container.ParseSignal(n); err == nil && s == sig {
			return "SIG" + n
		}
	}
	return "signal " + strconv.Itoa(int(sig))
}

func cmdSave(a *App, args []string) (tea.Cmd, error) {
	path, found, refs, err := flagValue("save", args, "-o", "--output")
	if err != nil {
		return nil, err
	}
	if !found || path == "" || len(refs) == 0 {
		return nil, errdefs.InvalidArgument(":save takes a file and images: :save -o /tmp/images.tar busybox (the TUI has no standard output)")
	}
	ae, ok := a.env.eng.(archiveEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":save: this engine cannot; use berth save -o %s", path)
	}
	ctx := a.env.ctx
	return func() tea.Msg {
		if err := writeAtomic(path, func(w io.Writer) error { return ae.SaveImages(ctx, refs, w) }); err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":save -o %s: %v", path, err)}
		}
		return cmdDoneMsg{Text: "Saved " + strings.Join(refs, ", ") + " to " + path}
	}, nil
}

// writeAtomic writes path through fill: a temporary file beside it, renamed
// into place once complete, so a failed save leaves no half a tar.
func writeAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return errdefs.FromIO(err, path)
	}
	tmp := f.Name()
	err = errdefs.FromIO(fill(f), path)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func cmdLoad(a *App, args []string) (tea.Cmd, error) {
	path, found, rest, err := flagValue("load", args, "-i", "--input")
	if err != nil {
		return nil, err
	}
	if !found || path == "" || len(rest) > 0 {
		return nil, errdefs.InvalidArgument(":load takes a tar file: :load -i /tmp/images.tar (the TUI has no standard input)")
	}
	ae, ok := a.env.eng.(archiveEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":load: this engine cannot; use berth load -i %s", path)
	}
	ctx := a.env.ctx
	return func() tea.Msg {
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			return cmdDoneMsg{Err: errdefs.NotFound(":load -i %s: no such file: give a tar that :save or berth save wrote", path)}
		}
		if err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":load -i %s: %v", path, err)}
		}
		defer f.Close()
		res, err := ae.LoadImages(ctx, f)
		if err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":load -i %s: %v", path, err)}
		}
		names := make([]string, 0, len(res.Loaded))
		for _, l := range res.Loaded {
			_, n, _ := strings.Cut(l, ": ")
			names = append(names, n)
		}
		return cmdDoneMsg{Text: fmt.Sprintf("Loaded %s from %s: %s", plural(len(names), "image"), path, strings.Join(names, ", "))}
	}, nil
}

func cmdDf(a *App, args []string) (tea.Cmd, error) {
	if len(args) > 0 {
		return nil, errdefs.InvalidArgument(":df takes nothing: it shows images, containers, volumes and build cache")
	}
	se, ok := a.env.eng.(systemEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":df: this engine cannot measure its disk; use berth system df")
	}
	ctx, st := a.env.ctx, a.env.Styles
	return func() tea.Msg {
		du, err := se.DiskUsage(ctx)
		if err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":df: %v", err)}
		}
		return cmdDoneMsg{Text: "Disk usage measured", Dialog: newDfDialog(st, du)}
	}, nil
}

func cmdSystem(a *App, args []string) (tea.Cmd, error) {
	if len(args) == 0 {
		return nil, errdefs.InvalidArgument(":system takes df or prune: :system df, :system prune [-a] [--volumes]")
	}
	switch args[0] {
	case "df":
		return cmdDf(a, args[1:])
	case "prune":
		return cmdSystemPrune(a, args[1:])
	}
	return nil, errdefs.InvalidArgument(":system %s: it takes df or prune: :system prune -a", args[0])
}

// cmdSystemPrune asks first, saying what goes, as berth system prune does.
func cmdSystemPrune(a *App, args []string) (tea.Cmd, error) {
	var o engine.PruneOptions
	for _, s := range args {
		switch s {
		case "-a", "--all":
			o.All = true
		case "--volumes":
			o.Volumes = true
		default:
			return nil, errdefs.InvalidArgument(":system prune: unknown %s: it takes -a (every unused image) and --volumes", s)
		}
	}
	se, ok := a.env.eng.(systemEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":system prune: this engine cannot; use berth system prune")
	}
	ctx := a.env.ctx
	run := func() tea.Msg {
		r, err := se.Prune(ctx, o)
		if err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":system prune: %v", err)}
		}
		return cmdDoneMsg{Text: fmt.Sprintf("Pruned %s, %s, %s: %s reclaimed",
			plural(len(r.Containers.Removed), "container"), plural(len(r.Images.Removed), "image reference"),
			plural(len(r.Volumes.Removed), "volume"), humanSize(r.Containers.Space+r.Images.SpaceReclaimed+r.Volumes.Space))}
	}
	a.dialog = ui.NewConfirm(a.env.Styles, "System prune", systemPruneBody(o), run)
	return nil, nil
}

// systemPruneBody says what a system prune removes.
func systemPruneBody(o engine.PruneOptions) string {
	what := []string{"every stopped container", "every dangling image"}
	if o.All {
		what[1] = "every image no container uses"
	}
	if o.Volumes {
		what = append(what, "every anonymous volume no container uses")
	}
	return "Remove " + strings.Join(what[:len(what)-1], ", ") + " and " + what[len(what)-1] + "?"
}

func cmdRename(a *App, args []string) (tea.Cmd, error) {
	if len(args) != 2 {
		return nil, errdefs.InvalidArgument(":rename takes a container and its new name: :rename web web-old")
	}
	ce, ok := a.env.eng.(ctrAdminEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":rename: this engine cannot; use berth rename %s %s", args[0], args[1])
	}
	ctx, ref, name := a.env.ctx, args[0], args[1]
	return eachRef("rename", "Renamed", []string{ref}, func(ref string) error { return ce.RenameContainer(ctx, ref, name) }), nil
}

// cmdNetworkConnect is :network connect [--alias A]… [--ip IP] NETWORK
// CONTAINER and :network disconnect NETWORK CONTAINER.
func cmdNetworkConnect(a *App, verb string, args []string) (tea.Cmd, error) {
	usage := ":network connect [--alias A] [--ip IP] NETWORK CONTAINER"
	if verb == "disconnect" {
		usage = ":network disconnect NETWORK CONTAINER"
	}
	var r network.Request
	var pos []string
	for i := 0; i < len(args); i++ {
		s := args[i]
		flag, val, hasVal := strings.Cut(s, "=")
		switch {
		case verb == "connect" && (flag == "--alias" || flag == "--ip"):
			if !hasVal {
				if i+1 >= len(args) {
					return nil, errdefs.InvalidArgument("%s needs a value: %s", flag, usage)
				}
				i++
				val = args[i]
			}
			if flag == "--alias" {
				r.Aliases = append(r.Aliases, val)
			} else {
				r.IP = val
			}
		case strings.HasPrefix(s, "-"):
			return nil, errdefs.InvalidArgument(":network %s: unknown flag %s: %s", verb, s, usage)
		default:
			pos = append(pos, s)
		}
	}
	if len(pos) != 2 {
		return nil, errdefs.InvalidArgument(":network %s takes a network and a container: %s", verb, usage)
	}
	ne, ok := a.env.eng.(netAdminEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":network %s: this engine cannot; use berth network %s %s %s", verb, verb, pos[0], pos[1])
	}
	ctx, net, ctr := a.env.ctx, pos[0], pos[1]
	r.Network = net
	return func() tea.Msg {
		if verb == "disconnect" {
			if err := ne.DisconnectNetwork(ctx, net, ctr); err != nil {
				return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":network disconnect %s %s: %v", net, ctr, err)}
			}
			return cmdDoneMsg{Text: "Disconnected " + ctr + " from " + net}
		}
		if err := ne.ConnectNetwork(ctx, ctr, r); err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":network connect %s %s: %v", net, ctr, err)}
		}
		return cmdDoneMsg{Text: "Connected " + ctr + " to " + net}
	}, nil
}

// pruneContainers is :prune containers: every stopped container, after
// asking.
func pruneContainers(a *App) (string, func() tea.Msg, error) {
	ce, ok := a.env.eng.(ctrAdminEngine)
	if !ok {
		return "", nil, errdefs.InvalidArgument(":prune containers: this engine cannot; use berth container prune")
	}
	ctx := a.env.ctx
	return "Remove every stopped container?", func() tea.Msg {
		r, err := ce.PruneContainers(ctx)
		if err != nil {
			return cmdDoneMsg{Err: errdefs.Wrap(err, err, ":prune containers: %v", err)}
		}
		return cmdDoneMsg{Text: fmt.Sprintf("Pruned %s, %s reclaimed", plural(len(r.Removed), "container"), humanSize(r.Space))}
	}, nil
}

// completeConnect completes :network connect|disconnect's network, then
// its container.
func completeConnect(a *App, prev []string, word string) []string {
	if strings.HasPrefix(word, "-") {
		return []string{"--alias", "--ip"}
	}
	if len(prev) > 0 && (prev[len(prev)-1] == "--alias" || prev[len(prev)-1] == "--ip") {
		return nil
	}
	n := 0
	for i := 0; i < len(prev); i++ {
		if prev[i] == "--alias" || prev[i] == "--ip" {
			i++
			continue
		}
		if !strings.HasPrefix(prev[i], "-") {
			n++
		}
	}
	switch n {
	case 0:
		return a.networkRefs()
	case 1:
		return a.containerRefs()
	}
	return nil
}
