package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/monitor"
	"berth/internal/units"
	"berth/pty"
)

// containerCommands are `berth container ...` and Docker's top-level verbs.
func (a *app) containerCommands() []*cobra.Command {
	ctr := &cobra.Command{Use: "container", Short: "Manage containers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	ctr.AddCommand(a.runCmd(), a.createCmd(), a.startCmd(), a.stopCmd(), a.restartCmd(), a.killCmd(),
		a.pauseCmd(true), a.pauseCmd(false), a.waitCmd(), a.rmCmd("rm", "remove"), a.psCmd("ls", "list", "ps"),
		a.logsCmd(), a.attachCmd(), a.execCmd(), a.containerInspectCmd(), a.statsCmd(), a.topCmd(),
		a.renameCmd(), a.containerPruneCmd(), a.diffCmd(), a.portCmd())
	return []*cobra.Command{ctr, a.runCmd(), a.createCmd(), a.startCmd(), a.stopCmd(), a.restartCmd(), a.killCmd(),
		a.pauseCmd(true), a.pauseCmd(false), a.waitCmd(), a.rmCmd("rm"), a.psCmd("ps"), a.logsCmd(),
		a.attachCmd(), a.execCmd(), a.statsCmd(), a.topCmd(), a.renameCmd(), a.diffCmd()}
}

// containers opens the engine and returns its container service.
func (a *app) containers() (*container.Service, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	return eng.Containers(), nil
}

// createFlags are the flags run and create share.
type createFlags struct {
	o                        container.CreateOptions
	env, envFiles, labels    []string
	entrypoint               string
	memory, memorySwap, cpus string
	restart                  string
	capAdd, capDrop, secOpts []string
	pull                     string
	stopTimeout              int

	volumes, mounts, tmpfs []string // -v, --mount, --tmpfs
	publish, expose        []string // -p, --expose (port.go)
}

func (f *createFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.SetInterspersed(false)                      // flags after the image belong to the command
	fl.Bool("help", false, "help for "+cmd.Name()) // -h is --hostname, as in docker
	fl.StringVar(&f.o.Name, "name", "", "name the container")
	fl.StringArrayVarP(&f.env, "env", "e", nil, "set an environment variable (KEY=value, or KEY to take it from here)")
	fl.StringArrayVar(&f.envFiles, "env-file", nil, "read environment variables from a file")
	fl.StringVarP(&f.o.WorkingDir, "workdir", "w", "", "working directory inside the container")
	fl.StringVarP(&f.o.User, "user", "u", "", "user to run as: name|uid[:group|gid]")
	fl.StringArrayVar(&f.o.Security.GroupAdd, "group-add", nil, "add a supplementary group (a name of the image's /etc/group or a gid)")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "replace the image's entrypoint")
	fl.StringVarP(&f.o.Hostname, "hostname", "h", "", "host name of the container")
	fl.StringArrayVarP(&f.labels, "label", "l", nil, "set a label (key=value)")
	fl.BoolVar(&f.o.ReadOnly, "read-only", false, "mount the root filesystem read-only")
	fl.StringVar(&f.o.StopSignal, "stop-signal", "", "signal that stops the container (default SIGTERM)")
	fl.IntVar(&f.stopTimeout, "stop-timeout", container.DefaultStopTimeout, "seconds to wait for a stop before killing")
	fl.BoolVarP(&f.o.Tty, "tty", "t", false, "allocate a terminal")
	fl.BoolVarP(&f.o.OpenStdin, "interactive", "i", false, "keep standard input open")
	fl.BoolVar(&f.o.AutoRemove, "rm", false, "remove the container when it exits")
	fl.StringVar(&f.restart, "restart", "no", "restart policy: no, on-failure[:N], always, unless-stopped")
	fl.StringVarP(&f.memory, "memory", "m", "", "memory limit (e.g. 64m)")
	fl.StringVar(&f.memorySwap, "memory-swap", "", "memory plus swap limit; -1 for unlimited swap")
	fl.StringVar(&f.cpus, "cpus", "", "number of CPUs (e.g. 0.5)")
	fl.Int64VarP(&f.o.Resources.CPUShares, "cpu-shares", "c", 0, "relative CPU weight")
	fl.Int64Var(&f.o.Resources.PidsLimit, "pids-limit", 0, "maximum number of processes")
	fl.BoolVar(&f.o.Security.Privileged, "privileged", false, "give the container every capability and device")
	fl.StringArrayVar(&f.capAdd, "cap-add", nil, "add a capability")
	fl.StringArrayVar(&f.capDrop, "cap-drop", nil, "drop a capability")
	fl.StringArrayVar(&f.secOpts, "security-opt", nil, "seccomp=unconfined, no-new-privileges[=true|false]")
	fl.StringVar(&f.o.NetworkMode, "network", "bridge", "network: bridge, host, none or a network's name")
	fl.StringArrayVar(&f.o.NetworkAliases, "network-alias", nil, "another name of the container on its network")
	fl.StringVar(&f.o.IPAddress, "ip", "", "the container's IPv4 address on its network")
	fl.StringVar(&f.o.MacAddress, "mac-address", "", "the container's MAC address")
	fl.StringArrayVar(&f.o.DNS, "dns", nil, "a nameserver for the container's resolv.conf")
	fl.StringArrayVar(&f.o.ExtraHosts, "add-host", nil, "a line for /etc/hosts: NAME:ADDRESS")
	fl.StringVar(&f.pull, "pull", "missing", "pull the image: missing, always, never")
	fl.StringArrayVarP(&f.volumes, "volume", "v", nil, "mount a volume or host path: [NAME|/HOST-PATH:]/PATH[:ro]")
	fl.StringArrayVar(&f.mounts, "mount", nil, "mount: type=volume|bind|tmpfs,source=...,target=/PATH[,readonly]")
	fl.StringArrayVar(&f.tmpfs, "tmpfs", nil, "mount a tmpfs: /PATH[:OPTIONS]")
	fl.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a port: [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges as 8000-8010")
	fl.BoolVarP(&f.o.PublishAll, "publish-all", "P", false, "publish every exposed port on a free host port")
	fl.StringArrayVar(&f.expose, "expose", nil, "expose a port or a range without publishing it: PORT[-PORT][/tcp|udp]")
}

// options turns the flags into create options, validating each value.
func (f *createFlags) options(cmd *cobra.Command, args []string) (container.CreateOptions, error) {
	o := f.o
	o.Image, o.Cmd = args[0], args[1:]
	for _, path := range f.envFiles {
		env, err := container.ParseEnvFile(path)
		if err != nil {
			return o, err
		}
		o.Env = append(o.Env, env...)
	}
	for _, e := range f.env {
		if !strings.Contains(e, "=") {
			v, ok := os.LookupEnv(e)
			if !ok {
				continue
			}
			e += "=" + v
		}
		o.Env = append(o.Env, e)
	}
	if cmd.Flags().Changed("entrypoint") {
		ep := []string{f.entrypoint}
		o.Entrypoint = &ep
	}
	if len(f.labels) > 0 {
		o.Labels = map[string]string{}
		for _, l := range f.labels {
			k, v, _ := strings.Cut(l, "=")
			o.Labels[k] = v
		}
	}
	if cmd.Flags().Changed("stop-timeout") {
		o.StopTimeout = &f.stopTimeout
	}
	var err error
	if o.Restart, err = container.ParseRestartPolicy(f.restart); err != nil {
		return o, err
	}
	if err := portOptions(&o, f.publish, f.expose); err != nil {
		return o, err
	}
	warnDiscardedPorts(cmd.ErrOrStderr(), o)
	if f.memory != "" {
		if o.Resources.Memory, err = container.ParseBytes(f.memory); err != nil {
			return o, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "--memory: %v", err)
		}
		if o.Resources.Memory < container.MinMemory {
			return o, errdefs.InvalidArgument("memory limit %s is too small: the minimum is 6 MB", f.memory)
		}
	}
	if f.memorySwap == "-1" {
		o.Resources.MemorySwap = -1
	} else if f.memorySwap != "" {
		if o.Resources.MemorySwap, err = container.ParseBytes(f.memorySwap); err != nil {
			return o, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "--memory-swap: %v", err)
		}
		if o.Resources.Memory == 0 || o.Resources.MemorySwap < o.Resources.Memory {
			return o, errdefs.InvalidArgument("--memory-swap %s must be at least --memory (and needs it)", f.memorySwap)
		}
	}
	if f.cpus != "" {
		if o.Resources.NanoCPUs, err = container.ParseCPUs(f.cpus); err != nil {
			return o, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "--cpus: %v", err)
		}
	}
	if o.Resources.PidsLimit < 0 {
		o.Resources.PidsLimit = 0 // Docker: negative means unlimited
	}
	o.Security.CapAdd, o.Security.CapDrop = f.capAdd, f.capDrop
	for _, so := range f.secOpts {
		switch so {
		case "seccomp=unconfined", "seccomp:unconfined":
			o.Security.SeccompUnconfined = true
		case "no-new-privileges":
			o.Security.NoNewPrivileges = true
		default:
			v, ok := strings.CutPrefix(so, "no-new-privileges=")
			if !ok {
				v, ok = strings.CutPrefix(so, "no-new-privileges:")
			}
			if !ok {
				return o, errdefs.InvalidArgument("unsupported --security-opt %q: berth knows seccomp=unconfined and no-new-privileges[=true|false]", so)
			}
			nnp, err := strconv.ParseBool(v)
			if err != nil {
				return o, errdefs.InvalidArgument("invalid --security-opt %q: no-new-privileges takes true or false", so)
			}
			o.Security.NoNewPrivileges = nnp
		}
	}
	for _, list := range []struct {
		specs []string
		parse func(string) (container.Mount, error)
	}{{f.volumes, container.ParseVolumeFlag}, {f.mounts, container.ParseMountFlag}, {f.tmpfs, container.ParseTmpfsFlag}} {
		for _, spec := range list.specs {
			m, err := list.parse(spec)
			if err != nil {
				return o, err
			}
			o.Mounts = append(o.Mounts, m)
		}
	}
	switch f.pull {
	case "missing", "always", "never":
	default:
		return o, errdefs.InvalidArgument("invalid --pull %q: use missing, always or never", f.pull)
	}
	return o, nil
}

// create makes the container, pulling its image first when missing (or
// always, with --pull always), as docker run does.
func (a *app) create(ctx context.Context, f *createFlags, o container.CreateOptions) (*container.Container, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	pull := func() error {
		pr := newProgressPrinter(os.Stderr, isTerminal(os.Stderr), terminalWidth(os.Stderr))
		_, err := eng.PullImage(ctx, o.Image, image.PullOptions{Progress: pr.Update})
		pr.Close()
		return err
	}
	if f.pull == "always" {
		if err := pull(); err != nil {
			return nil, err
		}
	}
	c, err := eng.Containers().Create(ctx, o)
	if errdefs.IsNotFound(err) && f.pull == "missing" {
		if _, rerr := eng.InspectImage(ctx, o.Image); errdefs.IsNotFound(rerr) {
			fmt.Fprintf(os.Stderr, "Unable to find image '%s' locally\n", o.Image)
			if err := pull(); err != nil {
				return nil, err
			}
			c, err = eng.Containers().Create(ctx, o)
		}
	}
	if err == nil && !engine.SeccompEnabled() && !o.Security.Privileged && !o.Security.SeccompUnconfined {
		fmt.Fprintln(a.errOut, engine.SeccompWarning)
	}
	return c, err
}

func (a *app) runCmd() *cobra.Command {
	f := &createFlags{}
	var detach bool
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and start a container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options(cmd, args)
			if err != nil {
				return runError(err)
			}
			if err := checkTTY(o.Tty && o.OpenStdin && !detach); err != nil {
				return err
			}
			keys, err := monitor.ParseDetachKeys(detachKeys)
			if err != nil {
				return runError(err)
			}
			c, err := a.create(cmd.Context(), f, o)
			if err != nil {
				return runError(err)
			}
			svc, _ := a.containers()
			if detach {
				if _, err := svc.Start(cmd.Context(), c.ID, container.StartOptions{}); err != nil {
					removeFailed(svc, c)
					return runError(err)
				}
				fmt.Fprintln(a.out, c.ID)
				return nil
			}
			l, err := svc.Start(cmd.Context(), c.ID, container.StartOptions{Attach: true})
			if err != nil {
				removeFailed(svc, c)
				return runError(err)
			}
			code, err := a.attach(cmd.Context(), l.Socket, c.Config.Tty, c.Config.OpenStdin, true, keys, l.Confirm)
			if errors.Is(err, monitor.ErrDetached) {
				return nil
			}
			if err != nil {
				return runError(err)
			}
			a.settleRemoval(svc, c)
			return exitStatus(code)
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "run in the background and print the container ID")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "ctrl-p,ctrl-q", "keys that detach from the container")
	return cmd
}

// removeFailed removes a --rm container whose start failed (its monitor
// may be doing the same: the loser finds it gone).
func removeFailed(svc *container.Service, c *container.Container) {
	if c.Config.AutoRemove {
		svc.Remove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	}
}

// settleRemoval waits (briefly) until a --rm container that ended is gone,
// so that the next command does not see it.
func (a *app) settleRemoval(svc *container.Service, c *container.Container) {
	if !c.Config.AutoRemove {
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := svc.Get(context.Background(), c.ID); errdefs.IsNotFound(err) {
			return
		}
	}
}

// runError gives run, create, start and exec errors Docker's exit codes:
// the process's own (126, 127) when it could not start, 125 otherwise.
func runError(err error) error {
	var se *container.StartError
	if errors.As(err, &se) {
		return &codedError{err: err, code: se.Code}
	}
	if errdefs.IsCanceled(err) {
		return err
	}
	return &codedError{err: err, code: 125}
}

// codedError is an error with the exit code berth should end with.
type codedError struct {
	err  error
	code int
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// exitStatus ends berth with a container's exit code, printing nothing.
func exitStatus(code int) error {
	if code == 0 {
		return nil
	}
	return exitError(code)
}

// attach connects the terminal to a container's attach socket until the
// process ends (its exit code) or the user detaches. Without a terminal in
// the container, signals and Ctrl-C go to it (docker's --sig-proxy) and
// the detach keys work too; berth attach (start false) ends on SIGTERM and
// SIGHUP, leaving the container running.
func (a *app) attach(ctx context.Context, socket string, tty, stdin, start bool, keys []byte, started func() error) (int, error) {
	o := monitor.StreamOptions{Stdin: stdin, Start: start}
	if !tty {
		o.Stderr = os.Stderr
	}
	if tty && pty.IsTerminal(os.Stdin) {
		if w, h, err := pty.Size(os.Stdout); err == nil {
			o.Width, o.Height = w, h
		}
	}
	s, err := monitor.OpenStream(ctx, socket, o)
	if err != nil {
		return 0, err
	}
	t := termSession{sess: s, tty: tty, stdin: stdin, keys: keys, sigProxy: !tty, endOnTerm: !start, started: started}
	return t.run(ctx)
}

func (a *app) createCmd() *cobra.Command {
	f := &createFlags{}
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create a container without starting it",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options(cmd, args)
			if err != nil {
				return runError(err)
			}
			c, err := a.create(cmd.Context(), f, o)
			if err != nil {
				return runError(err)
			}
			fmt.Fprintln(a.out, c.ID)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// eachContainer runs fn for every named container, printing each name that
// succeeded, as docker does; failures are reported together.
func (a *app) eachContainer(args []string, fn func(svc *container.Service, ref string) error) error {
	svc, err := a.containers()
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range args {
		if err := fn(svc, ref); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(a.out, ref)
	}
	return joinLines(errs)
}

func (a *app) startCmd() *cobra.Command {
	var attach, interactive bool
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "start [-a] CONTAINER [CONTAINER...]",
		Short: "Start stopped containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !attach {
				return a.eachContainer(args, func(svc *container.Service, ref string) error {
					_, err := svc.Start(cmd.Context(), ref, container.StartOptions{})
					return err
				})
			}
			if len(args) > 1 {
				return errdefs.InvalidArgument("start -a takes one container")
			}
			keys, err := monitor.ParseDetachKeys(detachKeys)
			if err != nil {
				return err
			}
			svc, err := a.containers()
			if err != nil {
				return err
			}
			l, err := svc.Start(cmd.Context(), args[0], container.StartOptions{Attach: true})
			if err != nil {
				return runError(err)
			}
			c := l.Container
			code, err := a.attach(cmd.Context(), l.Socket, c.Config.Tty, interactive && c.Config.OpenStdin, true, keys, l.Confirm)
			if errors.Is(err, monitor.ErrDetached) {
				return nil
			}
			if err != nil {
				return err
			}
			return exitStatus(code)
		},
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "attach to the container's output and wait for it")
	cmd.Flags().BoolVarP(&interactive, "interactive", "i", false, "attach standard input")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "ctrl-p,ctrl-q", "keys that detach from the container")
	return cmd
}

func (a *app) stopCmd() *cobra.Command {
	return a.timeoutCmd("stop", "Stop containers: the stop signal, then SIGKILL after the timeout", (*container.Service).Stop)
}

func (a *app) restartCmd() *cobra.Command {
	return a.timeoutCmd("restart", "Stop and start containers", (*container.Service).Restart)
}

// timeoutCmd is stop or restart: a verb on containers with docker's -t.
func (a *app) timeoutCmd(verb, short string, fn func(*container.Service, context.Context, string, *int) error) *cobra.Command {
	var timeout int
	cmd := &cobra.Command{
		Use:   verb + " [-t SECONDS] CONTAINER [CONTAINER...]",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var t *int
			if cmd.Flags().Changed("time") {
				t = &timeout
			}
			return a.eachContainer(args, func(svc *container.Service, ref string) error { return fn(svc, cmd.Context(), ref, t) })
		},
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", 10, "seconds to wait before killing (default: the container's stop timeout)")
	return cmd
}

func (a *app) killCmd() *cobra.Command {
	var sig string
	cmd := &cobra.Command{
		Use:   "kill [-s SIGNAL] CONTAINER [CONTAINER...]",
		Short: "Send a signal (SIGKILL by default) to containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := container.ParseSignal(sig)
			if err != nil {
				return err
			}
			return a.eachContainer(args, func(svc *container.Service, ref string) error { return svc.Kill(cmd.Context(), ref, s) })
		},
	}
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send")
	return cmd
}

func (a *app) pauseCmd(pause bool) *cobra.Command {
	use, short := "unpause", "Thaw paused containers"
	if pause {
		use, short = "pause", "Freeze every process of containers"
	}
	return &cobra.Command{
		Use: use + " CONTAINER [CONTAINER...]", Short: short, Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.eachContainer(args, func(svc *container.Service, ref string) error {
				if pause {
					return svc.Pause(cmd.Context(), ref)
				}
				return svc.Unpause(cmd.Context(), ref)
			})
		},
	}
}

func (a *app) waitCmd() *cobra.Command {
	return &cobra.Command{
		Use: "wait CONTAINER [CONTAINER...]", Short: "Wait for containers to stop and print their exit codes",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			var errs []error
			for _, ref := range args {
				code, err := svc.Wait(cmd.Context(), ref)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintln(a.out, code)
			}
			return joinLines(errs)
		},
	}
}

func (a *app) rmCmd(use string, aliases ...string) *cobra.Command {
	var o container.RemoveOptions
	cmd := &cobra.Command{
		Use: use + " [-f] CONTAINER [CONTAINER...]", Aliases: aliases, Short: "Remove containers",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.eachContainer(args, func(svc *container.Service, ref string) error { return svc.Remove(cmd.Context(), ref, o) })
		},
	}
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "kill a running container first")
	cmd.Flags().BoolVarP(&o.Volumes, "volumes", "v", false, "also remove the container's anonymous volumes")
	return cmd
}

func (a *app) logsCmd() *cobra.Command {
	var o monitor.LogOptions
	var tail, since string
	var timestamps bool
	cmd := &cobra.Command{
		Use: "logs [-f] [--tail N] [-t] CONTAINER", Short: "Show a container's output", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			o.Tail = -1
			if tail != "all" {
				n, err := fmt.Sscanf(tail, "%d", &o.Tail)
				if n != 1 || err != nil || o.Tail < 0 {
					return errdefs.InvalidArgument("invalid --tail %q: use a number or all", tail)
				}
			}
			if since != "" {
				t, err := parseTimeFlag("since", since, time.Now())
				if err != nil {
					return err
				}
				o.Since = t
			}
			return svc.Logs(cmd.Context(), args[0], o, timestamps, os.Stdout, os.Stderr)
		},
	}
	cmd.Flags().BoolVarP(&o.Follow, "follow", "f", false, "keep printing new output")
	cmd.Flags().StringVarP(&tail, "tail", "n", "all", "number of lines from the end")
	cmd.Flags().BoolVarP(&timestamps, "timestamps", "t", false, "show timestamps")
	cmd.Flags().StringVar(&since, "since", "", "only output since a time (RFC 3339, a date, Unix seconds) or a duration ago (10m)")
	return cmd
}

func (a *app) attachCmd() *cobra.Command {
	var noStdin bool
	var detachKeys string
	cmd := &cobra.Command{
		Use: "attach CONTAINER", Short: "Attach the terminal to a running container", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			keys, err := monitor.ParseDetachKeys(detachKeys)
			if err != nil {
				return err
			}
			c, err := svc.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if !c.State.Status.Active() {
				return errdefs.Conflict("you cannot attach to a stopped container: start it first (berth start -a %s)", c.Name)
			}
			code, err := a.attach(cmd.Context(), svc.Socket(c.ID), c.Config.Tty, c.Config.OpenStdin && !noStdin, false, keys, nil)
			if errors.Is(err, monitor.ErrDetached) {
				return nil
			}
			if err != nil {
				return err
			}
			return exitStatus(code)
		},
	}
	cmd.Flags().BoolVar(&noStdin, "no-stdin", false, "do not attach standard input")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "ctrl-p,ctrl-q", "keys that detach from the container")
	return cmd
}

func (a *app) execCmd() *cobra.Command {
	var o container.ExecOptions
	var env []string
	var detachKeys string
	cmd := &cobra.Command{
		Use: "exec [OPTIONS] CONTAINER COMMAND [ARG...]", Short: "Run a command in a running container",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			keys, err := monitor.ParseDetachKeys(detachKeys)
			if err != nil {
				return runError(err)
			}
			if err := checkTTY(o.Tty && o.Interactive && !o.Detach); err != nil {
				return err
			}
			o.Cmd, o.Env = args[1:], env
			if o.Tty && !o.Detach {
				if pty.IsTerminal(os.Stdin) {
					if w, h, err := pty.Size(os.Stdout); err == nil {
						o.Width, o.Height = w, h
					}
				}
				sess, err := svc.ExecSession(cmd.Context(), args[0], o)
				if err != nil {
					return runError(err)
				}
				code, err := termSession{sess: sess, tty: true, stdin: o.Interactive, keys: keys}.run(cmd.Context())
				if errors.Is(err, monitor.ErrDetached) {
					return nil
				}
				if err != nil {
					return runError(err)
				}
				return exitStatus(code)
			}
			o.Stdout, o.Stderr = os.Stdout, os.Stderr
			if o.Interactive {
				o.Stdin = os.Stdin
			}
			code, err := svc.Exec(cmd.Context(), args[0], o)
			if errors.Is(err, monitor.ErrDetached) {
				return nil
			}
			if err != nil {
				return runError(err)
			}
			return exitStatus(code)
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVarP(&o.Interactive, "interactive", "i", false, "keep standard input open")
	fl.BoolVarP(&o.Tty, "tty", "t", false, "allocate a terminal")
	fl.BoolVarP(&o.Detach, "detach", "d", false, "run in the background")
	fl.StringArrayVarP(&env, "env", "e", nil, "set an environment variable")
	fl.StringVarP(&o.User, "user", "u", "", "user to run as")
	fl.StringVarP(&o.WorkingDir, "workdir", "w", "", "working directory")
	fl.StringVar(&detachKeys, "detach-keys", "ctrl-p,ctrl-q", "keys that detach")
	return cmd
}

func (a *app) statsCmd() *cobra.Command {
	var noStream, all bool
	cmd := &cobra.Command{
		Use: "stats [--no-stream] [CONTAINER...]", Short: "Show containers' CPU, memory, PIDs and block I/O",
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			refs := args
			if len(refs) == 0 {
				list, err := svc.List(cmd.Context(), all)
				if err != nil {
					return err
				}
				for _, c := range list {
					refs = append(refs, c.ID)
				}
			}
			prev := map[string]container.Sample{}
			for _, ref := range refs {
				if s, err := svc.Stats(cmd.Context(), ref); err == nil {
					prev[ref] = s
				} else if len(args) > 0 && cmd.Context().Err() == nil {
					return err
				}
			}
			for {
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(500 * time.Millisecond):
				}
				if !noStream {
					fmt.Fprint(a.out, "\x1b[H\x1b[2J")
				}
				tw := tabwriter.NewWriter(a.out, 0, 8, 3, ' ', 0)
				fmt.Fprintln(tw, "CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tBLOCK I/O\tPIDS")
				for _, ref := range refs {
					s, err := svc.Stats(cmd.Context(), ref)
					if err != nil {
						continue
					}
					p, ok := prev[ref]
					cpu := 0.0
					if ok {
						cpu = container.CPUPercent(p, s)
					}
					prev[ref] = s
					fmt.Fprintf(tw, "%s\t%s\t%.2f%%\t%s / %s\t%.2f%%\t%s / %s\t%d\n", s.ID[:12], s.Name, cpu,
						units.BytesSize(s.MemUsage), units.BytesSize(s.MemLimit), s.MemPercent(),
						units.HumanSize(int64(s.BlockRead)), units.HumanSize(int64(s.BlockWrite)), s.PIDs)
				}
				tw.Flush()
				if noStream {
					return nil
				}
			}
		},
	}
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print one reading and exit")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "all containers, not just running ones")
	return cmd
}

func (a *app) topCmd() *cobra.Command {
	return &cobra.Command{
		Use: "top CONTAINER", Short: "List a container's processes", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			procs, err := svc.Top(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.out, 0, 8, 3, ' ', 0)
			fmt.Fprintln(tw, "UID\tPID\tPPID\tSTIME\tTIME\tCMD")
			for _, p := range procs {
				cpu := p.CPU.Round(time.Second)
				fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%02d:%02d:%02d\t%s\n", p.UID, p.PID, p.PPID, p.Start.Format("15:04"),
					int(cpu.Hours()), int(cpu.Minutes())%60, int(cpu.Seconds())%60, p.Cmd)
			}
			return tw.Flush()
		},
	}
}

func (a *app) renameCmd() *cobra.Command {
	return &cobra.Command{
		Use: "rename CONTAINER NEW_NAME", Short: "Rename a container", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			return svc.Rename(cmd.Context(), args[0], args[1])
		},
	}
}

func (a *app) containerPruneCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use: "prune", Short: "Remove every stopped container", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !force && !a.confirm("WARNING! This will remove all stopped containers.\n") {
				return nil
			}
			svc, err := a.containers()
			if err != nil {
				return err
			}
			rep, err := svc.Prune(cmd.Context())
			if err != nil {
				return err
			}
			if len(rep.Removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Containers:")
				for _, id := range rep.Removed {
					fmt.Fprintln(a.out, id)
				}
				fmt.Fprintln(a.out)
			}
			fmt.Fprintf(a.out, "Total reclaimed space: %s\n", units.HumanSizeDigits(rep.Space, 4))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func (a *app) diffCmd() *cobra.Command {
	return &cobra.Command{
		Use: "diff CONTAINER", Short: "List the files a container added (A), changed (C) or deleted (D)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := a.containers()
			if err != nil {
				return err
			}
			changes, err := svc.Diff(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			for _, c := range changes {
				fmt.Fprintf(a.out, "%c %s\n", c.Kind, c.Path)
			}
			return nil
		},
	}
}

// checkTTY refuses -it when standard input is not a terminal, as docker
// does: a pipe cannot drive a terminal (and would never send its EOF).
func checkTTY(wantTTY bool) error {
	if wantTTY && !pty.IsTerminal(os.Stdin) {
		return errdefs.InvalidArgument("the input device is not a TTY: drop -t to pipe input, or run from a terminal")
	}
	return nil
}
