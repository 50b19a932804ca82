// Package views holds berth's screens — the images and containers panes, the
// pull progress dock and panel, the inspect and log views, the run dialog —
// and the root model that routes messages between them. Run is the entry
// point of the TUI.
package views

import (
	"context"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/container"
	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/monitor"
	"berth/ui"
)

// Engine is what the views need of berth's engine; *engine.Engine has it.
// Declared here, on the consumer's side, so that tests use a fake.
type Engine interface {
	PullImage(ctx context.Context, ref string, opts image.PullOptions) (image.PullResult, error)
	ListImages(ctx context.Context) ([]image.Summary, error)
	InspectImage(ctx context.Context, ref string) (*image.Inspect, error)
	RemoveImage(ctx context.Context, ref string, opts image.RemoveOptions) ([]image.RemoveResult, error)
	Events(ctx context.Context) <-chan events.Event

	ListContainers(ctx context.Context, all bool) ([]container.Summary, error)
	RunContainer(ctx context.Context, o container.CreateOptions) (*container.Container, error)
	StartContainer(ctx context.Context, ref string) error
	StopContainer(ctx context.Context, ref string) error
	RestartContainer(ctx context.Context, ref string) error
	KillContainer(ctx context.Context, ref string) error
	PauseContainer(ctx context.Context, ref string) error
	UnpauseContainer(ctx context.Context, ref string) error
	RemoveContainer(ctx context.Context, ref string, force bool) error
	InspectContainer(ctx context.Context, ref string) (*container.Inspect, error)
	ContainerStats(ctx context.Context, ref string) (container.Sample, error)
	ContainerLogs(ctx context.Context, ref string, o monitor.LogOptions, sink monitor.LogSink) error
	AttachCommand(ref string) *exec.Cmd
	Info(ctx context.Context) (engine.Info, error)
}

// env is what every view shares: the styles and keys, the engine, the
// context that ends with the program, the clock (fixed in tests), how often
// container stats are read, and how a command takes the terminal over
// (tea.ExecProcess; a fake in tests).
type env struct {
	ui.Common
	eng        Engine
	ctx        context.Context
	now        func() time.Time
	statsEvery time.Duration
	exec       func(*exec.Cmd, tea.ExecCallback) tea.Cmd
}
