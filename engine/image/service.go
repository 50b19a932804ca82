// Package image keeps images: pull from registries with per-layer progress,
// list, inspect, history, tag, remove, prune, save and load. Blobs live in the
// content store, unpacked layers in the snapshot store, records in the
// metadata store.
//
// Garbage: a blob or snapshot is kept while an image record names it or a
// live operation (a pull, a load, in this process or another) holds a lease
// on it (store.Tx.AddLeases; a lease dies with its process). Removing an
// image or pruning deletes the rest at once. What a killed pull or load left
// (finished layers of an image it never recorded) is deleted by
// CollectLeftovers, which engine.New runs, once it has been left unchanged
// for the grace period (WithGracePeriod).
package image

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"berth/engine/content"
	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/snapshot"
	"berth/engine/store"
)

// Service is the image part of the engine.
type Service struct {
	db        *store.Store
	blobs     *content.Store
	snaps     *snapshot.Store
	keychain  authn.Keychain
	transport http.RoundTripper
	inUse     func(ctx context.Context, imageID string) (bool, error)
	grace     time.Duration // see WithGracePeriod
}

// DefaultGracePeriod is how long CollectLeftovers leaves an unreferenced,
// unleased blob or snapshot alone after it was last written. An hour is
// long enough for the usual next step after a killed pull, pulling again,
// to find the layers it already downloaded ("Already exists") instead of
// fetching them anew, and it is a wide margin over the milliseconds any
// operation spends between writing a blob and leasing or recording it. It
// is short enough that an aborted pull of gigabytes does not hold the disk
// for a day (containerd keeps a client's lease for 24 h, but its leases
// outlive the client; berth's die with their process, so this period is
// all the slack there is).
const DefaultGracePeriod = time.Hour

// Option configures a Service.
type Option func(*Service)

// WithKeychain sets where registry credentials come from (default: the
// Docker config file and credential helpers).
func WithKeychain(k authn.Keychain) Option { return func(s *Service) { s.keychain = k } }

// WithTransport sets the HTTP transport to registries.
func WithTransport(t http.RoundTripper) Option { return func(s *Service) { s.transport = t } }

// WithInUse tells the service how to ask whether a container uses an image;
// such an image is only removed with Force.
func WithInUse(f func(ctx context.Context, imageID string) (bool, error)) Option {
	return func(s *Service) { s.inUse = f }
}

// WithGracePeriod sets how long CollectLeftovers keeps an unreferenced,
// unleased blob or snapshot after it was last written (default
// DefaultGracePeriod; 0 collects at once).
func WithGracePeriod(d time.Duration) Option { return func(s *Service) { s.grace = d } }

// NewService builds the image service over the three stores.
func NewService(db *store.Store, blobs *content.Store, snaps *snapshot.Store, opts ...Option) *Service {
	s := &Service{db: db, blobs: blobs, snaps: snaps, keychain: authn.DefaultKeychain, transport: defaultTransport(),
		grace: DefaultGracePeriod}
	for _, o := range opts {
		o(s)
	}
	return s
}

func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	t.ReadBufferSize = 256 << 10
	return t
}

var hexPrefix = regexp.MustCompile(`^(sha256:)?[0-9a-f]{4,64}$`)

// resolve finds the stored image that s names: a tag, a repo@digest, a full
// image ID, or a unique prefix of one.
func (s *Service) resolve(tx *store.Tx, ref string) (store.Image, error) {
	if r, err := ParseRef(ref); err == nil {
		var id string
		if r.Digest != "" {
			id, err = tx.RepoDigestTarget(r.Repo, r.Digest)
		} else {
			id, err = tx.TagTarget(r.String())
		}
		if err == nil {
			return tx.Image(id)
		}
		if !errdefs.IsNotFound(err) {
			return store.Image{}, err
		}
	}
	if hexPrefix.MatchString(ref) {
		ids, err := tx.ImageIDsWithPrefix(strings.TrimPrefix(ref, "sha256:"))
		if err != nil {
			return store.Image{}, err
		}
		switch len(ids) {
		case 1:
			return tx.Image(ids[0])
		case 0:
		default:
			return store.Image{}, errdefs.InvalidArgument("image ID prefix %q matches %d images: give more digits", ref, len(ids))
		}
	}
	return store.Image{}, errdefs.NotFound("no such image %q: pull it first with \"berth pull %s\"", ref, ref)
}

// List returns every image, newest first.
func (s *Service) List(ctx context.Context) ([]Summary, error) {
	var out []Summary
	err := s.db.View(ctx, func(tx *store.Tx) error {
		imgs, err := tx.Images()
		if err != nil {
			return err
		}
		names, digests, err := namesByImage(tx)
		if err != nil {
			return err
		}
		for _, img := range imgs {
			out = append(out, summarize(img, names[img.ID], digests[img.ID]))
		}
		return nil
	})
	return out, err
}

// namesByImage maps image IDs to their familiar tags and repo digests.
func namesByImage(tx *store.Tx) (tags, digests map[string][]string, err error) {
	ts, err := tx.Tags()
	if err != nil {
		return nil, nil, err
	}
	ds, err := tx.RepoDigests()
	if err != nil {
		return nil, nil, err
	}
	tags, digests = map[string][]string{}, map[string][]string{}
	for _, t := range ts {
		tags[t.ImageID] = append(tags[t.ImageID], Familiar(t.Name))
	}
	for _, d := range ds {
		digests[d.ImageID] = append(digests[d.ImageID], Familiar(d.Repo)+"@"+d.Digest)
	}
	return tags, digests, nil
}

func summarize(img store.Image, tags, digests []string) Summary {
	sort.Strings(tags)
	return Summary{
		ID: img.ID, RepoTags: tags, RepoDigests: digests,
		Created: img.Created, Size: img.Size, Layers: len(img.Layers),
	}
}

// Resolved is an image as a container needs it.
type Resolved struct {
	ID     string
	Config *v1.ConfigFile
	Layers []string // unpacked layer directories, top first (overlay's lowerdir order)
}

// Resolve finds the image ref names and reads its config.
func (s *Service) Resolve(ctx context.Context, ref string) (*Resolved, error) {
	var img store.Image
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		img, err = s.resolve(tx, ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	f, err := s.blobs.Open(img.ID)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, err := v1.ParseConfigFile(f)
	if err != nil {
		return nil, errdefs.DataCorrupt("image %s: stored config is not valid: %v", ShortID(img.ID), err)
	}
	out := &Resolved{ID: img.ID, Config: cfg}
	for i := len(img.Layers) - 1; i >= 0; i-- {
		out.Layers = append(out.Layers, s.snaps.Path(img.Layers[i].DiffID))
	}
	return out, nil
}

// History lists the steps that built the image, newest first.
func (s *Service) History(ctx context.Context, ref string) ([]HistoryEntry, error) {
	res, err := s.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	id, cfg := res.ID, res.Config
	var img store.Image
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) { img, err = tx.Image(id); return err }); err != nil {
		return nil, err
	}
	var out []HistoryEntry
	layer := 0
	for _, h := range cfg.History {
		e := HistoryEntry{Created: h.Created.Time, CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer}
		if !h.EmptyLayer && layer < len(img.Layers) {
			e.Size = img.Layers[layer].Size
			layer++
		}
		out = append(out, e)
	}
	// Layers the history does not describe (images built without history).
	for ; layer < len(img.Layers); layer++ {
		out = append(out, HistoryEntry{Created: img.Created, Size: img.Layers[layer].Size})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	for i := range out {
		out[i].ID = "<missing>"
	}
	if len(out) > 0 {
		out[0].ID = id
	}
	return out, nil
}

// Tag gives the image src names the new name dst.
func (s *Service) Tag(ctx context.Context, src, dst string) error {
	r, err := ParseRef(dst)
	if err != nil {
		return err
	}
	if r.Digest != "" {
		return errdefs.InvalidArgument("cannot tag %q: a tag name may not carry a digest; use NAME[:TAG]", dst)
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		img, err := s.resolve(tx, src)
		if err != nil {
			return err
		}
		if _, err := tx.SetTag(r.String(), img.ID); err != nil {
			return err
		}
		return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionTag, Actor: img.ID,
			Attributes: map[string]string{"name": r.Familiar()}})
	})
}

// Remove untags ref; once the image has no name left it is deleted, with
// every blob and snapshot no other image uses.
func (s *Service) Remove(ctx context.Context, ref string, opts RemoveOptions) ([]RemoveResult, error) {
	var out []RemoveResult
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		img, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		tags, err := tx.TagsOf(img.ID)
		if err != nil {
			return err
		}
		byName := false
		if r, err := ParseRef(ref); err == nil && r.Tag != "" {
			for _, t := range tags {
				byName = byName || t == r.String()
			}
		}
		if byName && len(tags) > 1 && !opts.Force {
			// Another name still holds the image: only this name goes.
			r, _ := ParseRef(ref)
			out = append(out, RemoveResult{Untagged: r.Familiar()})
			return untag(tx, img.ID, r.String())
		}
		if !byName && len(tags) > 1 && !opts.Force {
			return errdefs.Conflict("image %s is referenced by %d names (%s): remove them by name, or force with -f",
				ShortID(img.ID), len(tags), strings.Join(familiarAll(tags), ", "))
		}
		if s.inUse != nil && !opts.Force {
			used, err := s.inUse(ctx, img.ID)
			if err != nil {
				return err
			}
			if used {
				return errdefs.Conflict("image %s is used by a container: remove the container first, or force with -f", Familiar(ref))
			}
		}
		removed, err := deleteImage(tx, img.ID)
		out = append(out, removed...)
		return err
	})
	if err != nil {
		return nil, err
	}
	_, err = s.collect(ctx)
	return out, err
}

func familiarAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Familiar(n)
	}
	return out
}

func untag(tx *store.Tx, imageID, name string) error {
	if err := tx.DeleteTag(name); err != nil {
		return err
	}
	return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionUntag, Actor: imageID,
		Attributes: map[string]string{"name": Familiar(name)}})
}

// deleteImage drops every name of an image and its record.
func deleteImage(tx *store.Tx, id string) ([]RemoveResult, error) {
	tags, err := tx.TagsOf(id)
	if err != nil {
		return nil, err
	}
	var out []RemoveResult
	for _, t := range tags {
		if err := untag(tx, id, t); err != nil {
			return nil, err
		}
		out = append(out, RemoveResult{Untagged: Familiar(t)})
	}
	if err := tx.DeleteImage(id); err != nil {
		return nil, err
	}
	out = append(out, RemoveResult{Deleted: id})
	return out, tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionDelete, Actor: id})
}

// Prune deletes dangling images (with all, every image no container uses).
func (s *Service) Prune(ctx context.Context, all bool) (PruneReport, error) {
	var rep PruneReport
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		imgs, err := tx.Images()
		if err != nil {
			return err
		}
		for _, img := range imgs {
			tags, err := tx.TagsOf(img.ID)
			if err != nil {
				return err
			}
			if len(tags) > 0 && !all {
				continue
			}
			if s.inUse != nil {
				if used, err := s.inUse(ctx, img.ID); err != nil || used {
					if err != nil {
						return err
					}
					continue
				}
			}
			removed, err := deleteImage(tx, img.ID)
			if err != nil {
				return err
			}
			rep.Removed = append(rep.Removed, removed...)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.SpaceReclaimed, err = s.collect(ctx)
	return rep, err
}

// collect deletes the blobs and snapshots that no image references and no
// operation in flight has leased, and reports the bytes freed.
func (s *Service) collect(ctx context.Context) (int64, error) {
	return s.sweep(ctx, time.Time{})
}

// CollectLeftovers deletes what interrupted pulls and loads left behind:
// blobs and snapshots that no image references, no live operation has
// leased, and that were last written longer than the grace period ago. It
// reports the bytes freed. It looks first in a read transaction and takes
// the write lock only when there is something to delete (or leases of dead
// processes to drop), so that opening a root with nothing to collect costs
// two directory reads and one query.
func (s *Service) CollectLeftovers(ctx context.Context) (int64, error) {
	cutoff := time.Now().Add(-s.grace)
	work := false
	err := s.db.View(ctx, func(tx *store.Tx) error {
		keep, dead, err := tx.HeldLeases()
		if err != nil {
			return err
		}
		blobs, snaps, err := s.garbage(tx, keep, cutoff)
		work = dead > 0 || len(blobs)+len(snaps) > 0
		return err
	})
	if err != nil || !work {
		return 0, err
	}
	return s.sweep(ctx, cutoff)
}

// sweep deletes the garbage last written before cutoff (all of it for a
// zero cutoff). It decides and deletes under the write lock, so no
// operation can lease a digest meanwhile: one that leases first and looks
// second (as pull and load do) either sees the thing gone or keeps it.
func (s *Service) sweep(ctx context.Context, cutoff time.Time) (int64, error) {
	var freed int64
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		keep, err := tx.LiveLeases()
		if err != nil {
			return err
		}
		blobs, snaps, err := s.garbage(tx, keep, cutoff)
		if err != nil {
			return err
		}
		for _, d := range blobs {
			if n, err := s.blobs.Stat(d); err == nil {
				freed += n
			}
			if err := s.blobs.Delete(d); err != nil {
				return err
			}
		}
		for _, d := range snaps {
			if n, err := s.snaps.Size(d); err == nil {
				freed += n
			}
			if err := s.snaps.Remove(d); err != nil {
				return err
			}
		}
		return nil
	})
	return freed, err
}

// garbage lists the blobs and snapshots that no image references and keep
// (the live leases) does not hold; with a non-zero cutoff, only those last
// written before it.
func (s *Service) garbage(tx *store.Tx, keep map[string]bool, cutoff time.Time) (blobs, snaps []string, err error) {
	refs, err := tx.ReferencedDigests()
	if err != nil {
		return nil, nil, err
	}
	old := func(path string) bool {
		if cutoff.IsZero() {
			return true
		}
		fi, err := os.Lstat(path)
		return err == nil && fi.ModTime().Before(cutoff)
	}
	all, err := s.blobs.List()
	if err != nil {
		return nil, nil, err
	}
	for _, d := range all {
		if !refs[d] && !keep[d] && old(s.blobs.Path(d)) {
			blobs = append(blobs, d)
		}
	}
	if all, err = s.snaps.List(); err != nil {
		return nil, nil, err
	}
	for _, d := range all {
		// A snapshot's time is that of its <hex>/ directory: when its
		// unpacking began. Nothing inside a layer can change it (the
		// layer's own files and times are under <hex>/fs).
		if !refs[d] && !keep[d] && old(filepath.Dir(s.snaps.Path(d))) {
			snaps = append(snaps, d)
		}
	}
	return blobs, snaps, nil
}
