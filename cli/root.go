// Package cli is berth's docker-style command line. With no verb, berth runs
// the TUI that main hands in (the CLI never imports the views itself).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/engine/errdefs"
	"berth/themes"
)

// TUI runs the full-screen app on an open engine.
type TUI func(ctx context.Context, eng *engine.Engine, o TUIOptions) error

// TUIOptions are the root command's flags for the TUI.
type TUIOptions struct {
	Theme string // --theme: dark, light or high-contrast; "" for the config file's
}

// app is the state shared by the commands of one invocation.
type app struct {
	root, runRoot string
	ctx           context.Context // ends on SIGINT or SIGTERM
	in            io.Reader
	out, errOut   io.Writer
	eng           *engine.Engine
	defaultSubnet string // --default-subnet (network.go)
	tuiOpts       TUIOptions
}

// engine opens the engine on first use.
func (a *app) engine() (*engine.Engine, error) {
	if a.eng == nil {
		netOpts, err := a.networkOptions()
		if err != nil {
			return nil, err
		}
		eng, err := engine.New(a.ctx, a.root, append([]engine.Option{engine.WithRunRoot(a.runRoot)}, netOpts...)...)
		if err != nil {
			return nil, err
		}
		a.eng = eng
	}
	return a.eng, nil
}

// Main runs berth with args (without the program name) and returns the exit code.
func Main(args []string, tui TUI) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{ctx: ctx, in: os.Stdin, out: os.Stdout, errOut: os.Stderr}
	cmd := a.command(tui)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if a.eng != nil {
		a.eng.Close()
	}
	if err == nil {
		return 0
	}
	var ee exitError
	if !errors.As(err, &ee) { // a container's own exit code: nothing to say
		fmt.Fprintln(a.errOut, "Error:", err)
	}
	return exitCode(err)
}

// exitCode maps error classes to exit codes: 130 for an interrupt, 1 otherwise.
func exitCode(err error) int {
	var ee exitError
	var ce *codedError
	switch {
	case errors.As(err, &ee):
		return int(ee)
	case errors.As(err, &ce):
		return ce.code
	case errdefs.IsCanceled(err):
		return 130
	default:
		return 1
	}
}

// exitError carries an exit code chosen by a command.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (a *app) command(tui TUI) *cobra.Command {
	root := &cobra.Command{
		Use:   "berth",
		Short: "A terminal workstation for containers, with its own engine",
		Long: "berth opens a full-screen workstation for images and containers when run without a command.\n" +
			"With a command it works like the docker CLI.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if t := a.tuiOpts.Theme; t != "" {
				if _, err := themes.ByName(t); err != nil {
					return errdefs.InvalidArgument("--theme: %v", err)
				}
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			return tui(cmd.Context(), eng, a.tuiOpts)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	f := root.PersistentFlags()
	f.StringVar(&a.root, "root", envOr("BERTH_ROOT", engine.DefaultRoot), "directory of the image and container store (env BERTH_ROOT)")
	f.StringVar(&a.runRoot, "run-root", envOr("BERTH_RUN_ROOT", engine.DefaultRunRoot), "directory of runtime state (env BERTH_RUN_ROOT)")
	f.StringVar(&a.defaultSubnet, "default-subnet", os.Getenv("BERTH_DEFAULT_SUBNET"), "subnet of the default bridge network when it is made (env BERTH_DEFAULT_SUBNET; chosen when empty)")
	root.Flags().StringVar(&a.tuiOpts.Theme, "theme", "", "colours of the TUI: "+strings.Join(themes.Names(), ", ")+" (default: the config file's theme, else dark; NO_COLOR for none)")
	root.AddCommand(a.imageCommands()...)
	root.AddCommand(a.containerCommands()...)
	root.AddCommand(a.inspectCmd(), a.eventsCmd())
	root.AddCommand(a.systemCommands()...)
	root.AddCommand(a.volumeCommands()...)
	root.AddCommand(a.networkCommands()...)
	root.AddCommand(a.portCmd())
	return root
}
