// Package engine is berth's container engine, hosted in the process that uses
// it: the CLI command or the TUI. Engine is the only door the UI uses; it
// never imports UI code.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"berth/engine/container"
	"berth/engine/content"
	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/network"
	"berth/engine/snapshot"
	"berth/engine/store"
)

// Default locations of the store and the runtime state.
const (
	DefaultRoot    = "/var/lib/berth"
	DefaultRunRoot = "/run/berth"
)

// Option configures New.
type Option func(*options)

type options struct {
	runRoot       string
	defaultSubnet netip.Prefix
}

// WithRunRoot sets the directory for runtime state (default /run/berth).
func WithRunRoot(dir string) Option { return func(o *options) { o.runRoot = dir } }

// WithDefaultSubnet fixes the subnet of the default network when it is
// made (on first use); by default berth picks a free one.
func WithDefaultSubnet(p netip.Prefix) Option { return func(o *options) { o.defaultSubnet = p } }

// Engine is an open berth root.
type Engine struct {
	root, runRoot string
	db            *store.Store
	images        *image.Service
	containers    *container.Service
	networks      *network.Manager
}

// New opens the berth root at root (creating it on first use) and cleans up
// what interrupted operations of earlier processes left half-written. Waits
// for a store another process holds end when ctx does.
func New(ctx context.Context, root string, opts ...Option) (*Engine, error) {
	o := options{runRoot: DefaultRunRoot}
	for _, opt := range opts {
		opt(&o)
	}
	if os.Geteuid() != 0 {
		return nil, errdefs.PermissionDenied("berth needs root for now (rootless mode comes later): run it as root, e.g. sudo berth")
	}
	// Owner-only: nothing under either root is for other users (the
	// containers' own files are reached through their mounts).
	for _, d := range []string{root, o.runRoot} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, errdefs.FromIO(fmt.Errorf("cannot create %s: %w", d, err), d)
		}
	}
	db, err := store.OpenContext(ctx, filepath.Join(root, "db"))
	if err != nil {
		return nil, err
	}
	blobs, err := content.New(filepath.Join(root, "blobs"))
	if err != nil {
		db.Close()
		return nil, err
	}
	snaps, err := snapshot.New(filepath.Join(root, "snapshots"))
	if err != nil {
		db.Close()
		return nil, err
	}
	// Temp files of writers that died (kill -9 during a pull) go now; live
	// writers of other processes hold locks and are left alone.
	if err := errors.Join(blobs.Cleanup(), snaps.Cleanup()); err != nil {
		db.Close()
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		db.Close()
		return nil, err
	}
	e := &Engine{root: root, runRoot: o.runRoot, db: db}
	e.images = image.NewService(db, blobs, snaps, image.WithInUse(func(ctx context.Context, id string) (bool, error) {
		return e.containers.InUse(ctx, id)
	}))
	e.containers = container.NewService(db, e.images, root, o.runRoot, exe)
	e.networks = network.New(db, root, networkOptions(root, o)...)
	e.containers.SetNetworks(e.networks)
	// Layers of pulls and loads killed before they recorded their image go
	// once unused for image.DefaultGracePeriod. Best effort: a failure here
	// must not keep the root from opening; the next open tries again, and
	// berth image prune reports its own errors.
	_, _ = e.images.CollectLeftovers(ctx)
	// Containers whose monitor died since the last berth process are
	// recorded as they really are.
	if err := e.containers.Reconcile(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Bridges and veths a killed process left (best effort, as above).
	_ = e.networks.Reconcile(ctx)
	return e, nil
}

// MonitorMain is the process "berth monitor ...": one container's monitor.
func MonitorMain(args []string) int { return container.MonitorMain(args) }

// Root is the directory of the store.
func (e *Engine) Root() string { return e.root }

// Close releases the store.
func (e *Engine) Close() error { return e.db.Close() }

// PullImage fetches ref from its registry into the store.
func (e *Engine) PullImage(ctx context.Context, ref string, opts image.PullOptions) (image.PullResult, error) {
	return e.images.Pull(ctx, ref, opts)
}

// ListImages lists the stored images, newest first.
func (e *Engine) ListImages(ctx context.Context) ([]image.Summary, error) {
	return e.images.List(ctx)
}

// InspectImage describes one image.
func (e *Engine) InspectImage(ctx context.Context, ref string) (*image.Inspect, error) {
	return e.images.Inspect(ctx, ref)
}

// ImageHistory lists the steps that made an image, newest first.
func (e *Engine) ImageHistory(ctx context.Context, ref string) ([]image.HistoryEntry, error) {
	return e.images.History(ctx, ref)
}

// TagImage gives the image named by src the name dst.
func (e *Engine) TagImage(ctx context.Context, src, dst string) error {
	return e.images.Tag(ctx, src, dst)
}

// RemoveImage untags, and deletes once no name is left, the image ref names.
func (e *Engine) RemoveImage(ctx context.Context, ref string, opts image.RemoveOptions) ([]image.RemoveResult, error) {
	return e.images.Remove(ctx, ref, opts)
}

// PruneImages removes dangling images (all unused ones with all=true).
func (e *Engine) PruneImages(ctx context.Context, all bool) (image.PruneReport, error) {
	return e.images.Prune(ctx, all)
}

// SaveImages writes refs to w as one tar that is both a docker-archive and an
// OCI image layout.
func (e *Engine) SaveImages(ctx context.Context, refs []string, w io.Writer) error {
	return e.images.Save(ctx, refs, w)
}

// LoadImages reads a docker-archive or OCI layout tar from r.
func (e *Engine) LoadImages(ctx context.Context, r io.Reader) (image.LoadResult, error) {
	return e.images.Load(ctx, r)
}

// Events sends the changes made to this root, by this process or another,
// that o asks for: by default from now until ctx ends. The store wakes the
// watch when it is written to; without inotify, it polls 4 times a second.
func (e *Engine) Events(ctx context.Context, o events.Options) <-chan events.Event {
	return events.Watch(ctx, e.db, 250*time.Millisecond, o)
}
