// Package views holds berth's screens — the images, containers, networks and
// volumes panes (each a listPane with its columns and actions), the
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
	"berth/engine/network"
	"berth/engine/volume"
	"berth/pty"
	"berth/ui"
)

// Engine is what the views need of berth's engine; *engine.Engine has it.
// Declared here, on the consumer's side, so that tests use a fake.
type Engine interface {
	PullImage(ctx context.Context, ref string, opts image.PullOptions) (image.PullResult, error)
	ListImages(ctx context.Context) ([]image.Summary, error)
	InspectImage(ctx context.Context, ref string) (*image.Inspect, error)
	RemoveImage(ctx context.Context, ref string, opts image.RemoveOptions) ([]image.RemoveResult, error)
	Events(ctx context.Context, o events.Options) <-chan events.Event

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
	AttachCommand(ref string) *exec.Cmd
	Info(ctx context.Context) (engine.Info, error)

	ListNetworks(ctx context.Context) ([]*network.Network, error)
	InspectNetwork(ctx context.Context, ref string) (*network.Inspect, error)
	NetworkEndpoints(ctx context.Context, n *network.Network) ([]network.Endpoint, error)
	CreateNetwork(ctx context.Context, o network.CreateOptions) (*network.Network, error)
	RemoveNetwork(ctx context.Context, ref string) (*network.Network, error)
	PruneNetworks(ctx context.Context) ([]string, error)

	ListVolumes(ctx context.Context, f volume.Filters) ([]*volume.Volume, error)
	VolumesDiskUsage(ctx context.Context) ([]engine.VolumeUsage, error)
	InspectVolume(ctx context.Context, name string) (*volume.Inspect, error)
	CreateVolume(ctx context.Context, o volume.CreateOptions) (*volume.Volume, error)
	RemoveVolume(ctx context.Context, name string, force bool) error
	PruneVolumes(ctx context.Context, all bool, f volume.Filters) (volume.PruneReport, error)
}

// sessionEngine is the engine's optional ability (checked with a type
// assertion; *engine.Engine has it) to open sessions in panes: a shell or
// command in a container, and the attachment to its main process. Without
// it, Enter hands the terminal to `berth attach` as before.
type sessionEngine interface {
	ExecSession(ctx context.Context, ref string, cmd []string, cols, rows uint16) (pty.Session, error)
	AttachSession(ctx context.Context, ref string, cols, rows uint16) (pty.Session, error)
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
	// detailRest is how long the selection rests before a docked detail
	// area follows it (0: at once, in tests).
	detailRest time.Duration
	exec       func(*exec.Cmd, tea.ExecCallback) tea.Cmd
	logKeys    *logsKeys // the log view's keys, as the config file rebound them
	detailKeys *tabKeys  // the detail area's and its tabs' keys, as rebound
}
