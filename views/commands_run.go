package views

import (
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/pflag"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/network/portmap"
	"berth/ui"
)

// runLine is what :run parsed: the options, and whether to attach in a
// pane once it runs (-it without -d).
type runLine struct {
	Opts   container.CreateOptions
	Attach bool
}

// Messages of :run.
type (
	// cmdRunMsg runs a parsed :run; sent again once a missing image is
	// pulled (AfterPull).
	cmdRunMsg struct {
		Run       runLine
		AfterPull bool
	}
	cmdRunDoneMsg struct {
		cmdRunMsg
		Container *container.Container
		Err       error
	}
)

// runFlags are the flags of docker run that :run takes: the everyday ones.
// The CLI's berth run takes them all.
type runFlags struct {
	detach, interactive, tty, rm, publishAll, readOnly, privileged bool

	name, workdir, user, entrypoint, hostname, restart, memory, cpus, network string
	env, labels, volumes, tmpfs, publish, expose                              []string
}

func (f *runFlags) set() *pflag.FlagSet {
	fs := pflag.NewFlagSet(":run", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false) // flags after the image are the command's
	fs.BoolVarP(&f.detach, "detach", "d", false, "")
	fs.BoolVarP(&f.interactive, "interactive", "i", false, "")
	fs.BoolVarP(&f.tty, "tty", "t", false, "")
	fs.BoolVar(&f.rm, "rm", false, "")
	fs.BoolVarP(&f.publishAll, "publish-all", "P", false, "")
	fs.BoolVar(&f.readOnly, "read-only", false, "")
	fs.BoolVar(&f.privileged, "privileged", false, "")
	fs.StringVar(&f.name, "name", "", "")
	fs.StringVarP(&f.workdir, "workdir", "w", "", "")
	fs.StringVarP(&f.user, "user", "u", "", "")
	fs.StringVar(&f.entrypoint, "entrypoint", "", "")
	fs.StringVarP(&f.hostname, "hostname", "h", "", "")
	fs.StringVar(&f.restart, "restart", "no", "")
	fs.StringVarP(&f.memory, "memory", "m", "", "")
	fs.StringVar(&f.cpus, "cpus", "", "")
	fs.StringVar(&f.network, "network", "bridge", "")
	fs.StringArrayVarP(&f.env, "env", "e", nil, "")
	fs.StringArrayVarP(&f.labels, "label", "l", nil, "")
	fs.StringArrayVarP(&f.volumes, "volume", "v", nil, "")
	fs.StringArrayVar(&f.tmpfs, "tmpfs", nil, "")
	fs.StringArrayVarP(&f.publish, "publish", "p", nil, "")
	fs.StringArrayVar(&f.expose, "expose", nil, "")
	return fs
}

// runFlagNames are the flags :run completes and names in its errors.
const runFlagNames = "-d -i -t --rm --name -e -p -P -v --tmpfs -w -u -h --entrypoint --restart -m --cpus --network -l --expose --read-only --privileged"

// parseRun reads :run's arguments as docker run does: flags, the image,
// then the command.
func parseRun(args []string) (runLine, error) { return parseRunAs("run", args) }

// parseRunAs is parseRun for :run or :create, whose errors name verb.
func parseRunAs(verb string, args []string) (runLine, error) {
	var f runFlags
	fs := f.set()
	if err := fs.Parse(args); err != nil {
		return runLine{}, errdefs.InvalidArgument(":%s: %v: it takes %s", verb, err, runFlagNames)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		example := ":" + verb + " --name web busybox httpd -f"
		if verb == "run" {
			example = ":run -d --name web busybox httpd -f"
		}
		return runLine{}, errdefs.InvalidArgument(":%s needs an image: %s", verb, example)
	}
	var o container.CreateOptions
	o.Image, o.Cmd = rest[0], rest[1:]
	o.Name = strings.TrimPrefix(f.name, "/")
	o.WorkingDir, o.User, o.Hostname = f.workdir, f.user, f.hostname
	o.Tty, o.OpenStdin, o.AutoRemove = f.tty, f.interactive, f.rm
	o.ReadOnly, o.PublishAll, o.NetworkMode = f.readOnly, f.publishAll, f.network
	o.Security.Privileged = f.privileged
	if fs.Changed("entrypoint") {
		ep := []string{f.entrypoint}
		o.Entrypoint = &ep
	}
	for _, e := range f.env {
		if !strings.Contains(e, "=") {
			return runLine{}, errdefs.InvalidArgument(":%s -e %s: write KEY=value (the TUI has no environment of its own to pass)", verb, e)
		}
		o.Env = append(o.Env, e)
	}
	if len(f.labels) > 0 {
		o.Labels = map[string]string{}
		for _, l := range f.labels {
			k, v, _ := strings.Cut(l, "=")
			o.Labels[k] = v
		}
	}
	var err error
	if o.Restart, err = container.ParseRestartPolicy(f.restart); err != nil {
		return runLine{}, errdefs.Wrap(errdefs.ErrInvalidArgument, err, ":%s --restart: %v", verb, err)
	}
	if f.memory != "" {
		if o.Resources.Memory, err = container.ParseBytes(f.memory); err != nil {
			return runLine{}, errdefs.Wrap(errdefs.ErrInvalidArgument, err, ":%s --memory: %v: write e.g. 64m", verb, err)
		}
	}
	if f.cpus != "" {
		if o.Resources.NanoCPUs, err = container.ParseCPUs(f.cpus); err != nil {
			return runLine{}, errdefs.Wrap(errdefs.ErrInvalidArgument, err, ":%s --cpus: %v: write e.g. 0.5", verb, err)
		}
	}
	if len(f.publish) > 0 {
		o.PortBindings = portmap.Bindings{}
		for _, spec := range f.publish {
			if err := portmap.Parse(o.PortBindings, spec); err != nil {
				return runLine{}, errdefs.Wrap(errdefs.ErrInvalidArgument, err, ":%s -p %s: %v", verb, spec, err)
			}
		}
	}
	for _, e := range f.expose {
		ps, err := portmap.ParseExpose(e)
		if err != nil {
			return runLine{}, errdefs.Wrap(errdefs.ErrInvalidArgument, err, ":%s --expose %s: %v", verb, e, err)
		}
		o.Expose = append(o.Expose, ps...)
	}
	for _, list := range []struct {
		flag  string
		specs []string
		parse func(string) (container.Mount, error)
	}{{"-v", f.volumes, container.ParseVolumeFlag}, {"--tmpfs", f.tmpfs, container.ParseTmpfsFlag}} {
		for _, spec := range list.specs {
			m, err := list.parse(spec)
			if err != nil {
				return runLine{}, errdefs.Wrap(errdefs.ErrInvalidArgument, err, ":%s %s %s: %v", verb, list.flag, spec, err)
			}
			o.Mounts = append(o.Mounts, m)
		}
	}
	return runLine{Opts: o, Attach: f.tty && f.interactive && !f.detach}, nil
}

func cmdRun(a *App, args []string) (tea.Cmd, error) {
	r, err := parseRun(args)
	if err != nil {
		return nil, err
	}
	return func() tea.Msg { return cmdRunMsg{Run: r} }, nil
}

// startRun runs what :run parsed, in the background; the containers pane
// shows it.
func (a *App) startRun(msg cmdRunMsg) tea.Cmd {
	eng, ctx := a.env.eng, a.env.ctx
	return tea.Batch(ui.Infof("Starting a container from %s…", msg.Run.Opts.Image), func() tea.Msg {
		c, err := eng.RunContainer(ctx, msg.Run.Opts)
		return cmdRunDoneMsg{cmdRunMsg: msg, Container: c, Err: err}
	})
}

// runDone shows how :run went: the new container is selected in the
// Containers pane (and attached in a pane for -it); a missing image is
// pulled first, as docker run does.
func (a *App) runDone(msg cmdRunDoneMsg) tea.Cmd {
	switch {
	case msg.Err != nil && errdefs.IsNotFound(msg.Err) && msg.Container == nil && !msg.AfterPull:
		ref := msg.Run.Opts.Image
		next := msg.cmdRunMsg
		next.AfterPull = true
		return func() tea.Msg { return startPullMsg{Ref: ref, Then: next} }
	case msg.Err != nil:
		if msg.Container != nil {
			a.selectContainer(msg.Container.ID)
		}
		return ui.ErrorStatus(errdefs.Wrap(msg.Err, msg.Err, ":run %s: %v", msg.Run.Opts.Image, msg.Err))
	case msg.Container == nil:
		return nil
	}
	c := msg.Container
	a.selectContainer(c.ID)
	name := c.Name
	if name == "" {
		name = shortID(c.ID)
	}
	status := ui.Status(ui.LevelSuccess, "Started "+name+" ("+shortID(c.ID)+")")
	if msg.Run.Attach && a.sessions.Enabled() {
		spec := sessionSpec{Kind: sessAttach, Ref: c.ID, Name: name}
		return tea.Batch(status, func() tea.Msg { return openSessionMsg{Spec: spec} })
	}
	return status
}

// selectContainer shows the Containers pane with the cursor on id once it
// is listed.
func (a *App) selectContainer(id string) {
	if v, ok := a.panes[paneContainers].(*containersView); ok {
		v.selectKey = id
		v.apply()
	}
	a.active, a.showPulls = paneContainers, false
}

// completeRun completes :run's flags, then image references; nothing
// after the image (the command's words) or after a flag that takes a
// value.
func completeRun(a *App, prev []string, word string) []string {
	if strings.HasPrefix(word, "-") {
		return strings.Fields(runFlagNames)
	}
	var f runFlags
	fs := f.set()
	if err := fs.Parse(prev); err != nil || len(fs.Args()) > 0 {
		return nil
	}
	return a.imageRefs()
}
