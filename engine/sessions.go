package engine

import (
	"context"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/monitor"
	"berth/pty"
)

// ExecSession runs cmd in the running container ref on a new terminal of
// cols x rows, as `berth exec -it` does; cmd nil: bash if the container's
// PATH has it, else /bin/sh. Wait gives the command's exit code; Close
// kills what it started on the terminal. ctx bounds the start only.
func (e *Engine) ExecSession(ctx context.Context, ref string, cmd []string, cols, rows uint16) (pty.Session, error) {
	if len(cmd) == 0 {
		sh, err := e.containers.DefaultShell(ctx, ref)
		if err != nil {
			return nil, err
		}
		cmd = sh
	}
	return e.containers.ExecSession(ctx, ref, container.ExecOptions{Cmd: cmd, Tty: true, Interactive: true, Width: cols, Height: rows})
}

// AttachSession attaches to the main process of the running container ref
// over its monitor's socket: output (stdout and stderr interleaved when it
// has no terminal) to Read, Write to its stdin (when it keeps stdin open),
// Resize to its terminal (when it has one). Wait gives its exit code, or
// pty.ErrDetached after Close; Close detaches and leaves it running. The
// detach keys are for the caller to watch for. ctx bounds the connection's
// opening only.
func (e *Engine) AttachSession(ctx context.Context, ref string, cols, rows uint16) (pty.Session, error) {
	c, err := e.containers.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !c.State.Status.Active() {
		return nil, errdefs.Conflict("container %s is not running: start it first", c.Name)
	}
	o := monitor.StreamOptions{Stdin: c.Config.OpenStdin}
	if c.Config.Tty {
		o.Width, o.Height = cols, rows
	}
	return monitor.OpenStream(ctx, e.containers.Socket(c.ID), o)
}
