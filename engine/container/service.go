package container

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/store"
)

// Images is what the container service needs of the image service.
type Images interface {
	Resolve(ctx context.Context, ref string) (*image.Resolved, error)
}

// Service manages the containers of one berth root.
type Service struct {
	db      *store.Store
	images  Images
	root    string   // <root>/containers
	runRoot string   // <run>
	exe     string   // the berth binary, started again as each container's monitor
	nets    Networks // bridge networks (network.go); nil: none and host only
}

// NewService builds the container service. exe is the binary to run as
// monitor ("exe monitor ..."); root and runRoot are berth's two roots.
func NewService(db *store.Store, images Images, root, runRoot, exe string) *Service {
	return &Service{db: db, images: images, root: filepath.Join(root, "containers"), runRoot: runRoot, exe: exe}
}

// Paths of a container's files.
func (s *Service) dir(id string) string        { return filepath.Join(s.root, id) }
func (s *Service) logPath(id string) string    { return filepath.Join(s.dir(id), "container.log") }
func (s *Service) runDir(id string) string     { return filepath.Join(s.runRoot, "containers", id) }
func (s *Service) rootfs(id string) string     { return filepath.Join(s.runDir(id), "rootfs") }
func (s *Service) socket(id string) string     { return filepath.Join(s.runRoot, "sock", id[:12]+".sock") }
func (s *Service) stateRoot() string           { return filepath.Join(s.runRoot, "runc") }
func (s *Service) bundlePath(id string) string { return filepath.Join(s.dir(id), "bundle.json") }

// load decodes a stored record.
func load(rec store.Container) (*Container, error) {
	c, err := loadState(rec)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(rec.Config, &c.Config); err != nil {
		return nil, errdefs.DataCorrupt("container %s: stored config is not valid: %v", rec.ID[:12], err)
	}
	return c, nil
}

// loadState is load without the config, most of the work of decoding.
func loadState(rec store.Container) (*Container, error) {
	c := &Container{ID: rec.ID, Name: rec.Name, Created: rec.Created}
	if err := json.Unmarshal(rec.State, &c.State); err != nil {
		return nil, errdefs.DataCorrupt("container %s: stored state is not valid: %v", rec.ID[:12], err)
	}
	return c, nil
}

var hexRef = regexp.MustCompile(`^[0-9a-f]{1,64}$`)

// find resolves a full ID, a name or a unique ID prefix, in that order,
// as Docker does: a name that looks like another container's ID never
// hides that container.
func (s *Service) find(tx *store.Tx, ref string) (*Container, error) {
	ref = strings.TrimPrefix(ref, "/")
	if len(ref) == 64 && hexRef.MatchString(ref) {
		if c, err := s.get(tx, ref); err == nil || !errdefs.IsNotFound(err) {
			return c, err
		}
	}
	if id, err := tx.ContainerIDByName(ref); err == nil {
		return s.get(tx, id)
	} else if !errdefs.IsNotFound(err) {
		return nil, err
	}
	if hexRef.MatchString(ref) {
		ids, err := tx.ContainerIDsWithPrefix(ref)
		if err != nil {
			return nil, err
		}
		switch len(ids) {
		case 1:
			return s.get(tx, ids[0])
		case 0:
		default:
			return nil, errdefs.InvalidArgument("container ID prefix %q matches %d containers: give more digits", ref, len(ids))
		}
	}
	return nil, errdefs.NotFound("no such container %q: see berth ps -a", ref)
}

func (s *Service) get(tx *store.Tx, id string) (*Container, error) {
	rec, err := tx.Container(id)
	if err != nil {
		return nil, err
	}
	return load(rec)
}

// Get returns the container ref names.
func (s *Service) Get(ctx context.Context, ref string) (*Container, error) {
	var c *Container
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { c, err = s.find(tx, ref); return err })
	return c, err
}

// mutate changes a container's state in one write transaction, so that
// the monitor and CLI commands of several processes never lose each
// other's changes. fn may return an error to change nothing.
func (s *Service) mutate(ctx context.Context, id string, fn func(c *Container) (*events.Event, error)) (*Container, error) {
	var c *Container
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = s.get(tx, id); err != nil {
			return err
		}
		ev, err := fn(c)
		if err != nil {
			return err
		}
		st, err := json.Marshal(c.State)
		if err != nil {
			return err
		}
		if err := tx.SetContainerState(id, st); err != nil {
			return err
		}
		if ev != nil {
			return s.event(tx, c, ev.Action, ev.Attributes)
		}
		return nil
	})
	return c, err
}

// event records a container event in tx. Every container event carries
// the container's name and its image as the user named it, as Docker's do.
func (s *Service) event(tx *store.Tx, c *Container, action string, attrs map[string]string) error {
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["name"], attrs["image"] = c.Name, c.Config.Image
	return tx.AddEvent(events.Event{Type: events.TypeContainer, Action: action, Actor: c.ID, Attributes: attrs})
}

// lockPoll is how often a wait for a container's lock looks again, and
// lockWait how long it waits before giving up.
const (
	lockPoll = 10 * time.Millisecond
	lockWait = 60 * time.Second
)

// lock takes the per-container lock that orders create/start/remove across
// processes; unlock with the returned function. The lock is not re-entrant:
// a caller that holds it uses the *Locked helpers, never lock again. It
// waits until ctx ends or lockWait passes.
func (s *Service) lock(ctx context.Context, id string) (func(), error) {
	f, err := s.lockFile(ctx, id)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// lockFile is lock that returns the locked file: the lock lasts as long as
// some process holds a descriptor of it (Start hands one to the monitor).
func (s *Service) lockFile(ctx context.Context, id string) (*os.File, error) {
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	for {
		f, err := s.tryLockFile(id)
		if err == nil || !errdefs.IsConflict(err) {
			return f, err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, errdefs.Unavailable("container %s is busy: another berth command has held it for %v: try again once it is done", id[:12], lockWait)
			}
			return nil, errdefs.Canceled("waiting for container %s: %v", id[:12], context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
}

// tryLock takes the container's lock if it is free; it says Conflict when
// another holder has it.
func (s *Service) tryLock(id string) (func(), error) {
	f, err := s.tryLockFile(id)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

func (s *Service) tryLockFile(id string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(s.dir(id), "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errdefs.NotFound("no such container %s", id[:12])
		}
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errdefs.Conflict("container %s is locked by another berth command", id[:12])
		}
		return nil, err
	}
	return f, nil
}

// mountedAt reports whether something is mounted at dir.
func mountedAt(dir string) bool {
	var st, parent unix.Stat_t
	if unix.Lstat(dir, &st) != nil || unix.Lstat(filepath.Dir(dir), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}

// unmount detaches whatever is mounted at dir, lazily if busy.
func unmount(dir string) error {
	for mountedAt(dir) {
		if err := unix.Unmount(dir, 0); err != nil {
			if errors.Is(err, syscall.EBUSY) {
				return unix.Unmount(dir, unix.MNT_DETACH)
			}
			if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOENT) {
				return nil
			}
			return err
		}
	}
	return nil
}

// all loads every container, newest first.
func (s *Service) all(ctx context.Context) ([]*Container, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(recs))
	for _, rec := range recs {
		c, err := load(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// records are the stored containers, not decoded.
func (s *Service) records(ctx context.Context) (recs []store.Container, err error) {
	err = s.db.View(ctx, func(tx *store.Tx) error {
		recs, err = tx.Containers()
		return err
	})
	return recs, err
}

// List returns the containers, newest first: running ones, or all.
func (s *Service) List(ctx context.Context, all bool) ([]Summary, error) {
	cs, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, c := range cs {
		if !all && !c.State.Status.Active() && c.State.Status != Restarting {
			continue
		}
		out = append(out, summarize(c))
	}
	if err := s.listNetworks(ctx, out); err != nil { // network.go
		return nil, err
	}
	return out, nil
}

// InUse reports whether any container was made from imageID (for rmi).
func (s *Service) InUse(ctx context.Context, imageID string) (bool, error) {
	var n int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { n, err = tx.ContainersUsingImage(imageID); return err })
	return n > 0, err
}

// Rename gives a container a new name.
func (s *Service) Rename(ctx context.Context, ref, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		c, err := s.find(tx, ref)
		if err != nil {
			return err
		}
		old := c.Name
		if err := tx.RenameContainer(c.ID, name); err != nil {
			return err
		}
		c.Name = name
		return s.event(tx, c, "rename", map[string]string{"oldName": old})
	})
}
