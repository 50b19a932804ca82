// Package views holds berth's screens — the images pane, the pull progress
// dock and panel, the inspect view — and the root model that routes
// messages between them. Run is the entry point of the TUI.
package views

import (
	"context"
	"time"

	"berth/engine/events"
	"berth/engine/image"
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
}

// env is what every view shares: the styles and keys, the engine, the
// context that ends with the program, and the clock (fixed in tests).
type env struct {
	ui.Common
	eng Engine
	ctx context.Context
	now func() time.Time
}
