// Package volume keeps berth's local volumes: directories under the root
// that containers mount, which outlive the containers.
//
// On disk (the root is owner-only; containers reach the data only through
// their bind mounts):
//
//	<root>/volumes/                  0700
//	<root>/volumes/<name>/           0700, one per volume
//	<root>/volumes/<name>/_data/     the contents (the Mountpoint); 0755 when
//	                                 made, then the mode and owner of the image
//	                                 directory it is first filled from
//	<root>/volumes/<name>.removing-* a volume being deleted (renamed first, so
//	                                 the name is free at once)
//
// Records live in the store (schema version 3): volumes(name, driver
// "local", created, anonymous, labels) and container_volumes(container_id,
// volume), which says which containers mount which volumes. The store's
// write transaction is the only lock of records; filling a new volume
// from an image holds flock(2) on <name>/. A volume is created by making its
// directory, then inserting its record (ON CONFLICT DO NOTHING: creating an
// existing volume returns it, as Docker does), and removed by deleting its
// record in a transaction that first checks container_volumes (a used volume
// is a Conflict that names the containers), then renaming and deleting the
// directory. A container's create inserts its container_volumes rows in the
// transaction that inserts the container, re-inserting a volume record that
// a concurrent remove deleted; the container's start makes the directory
// again if that remove took it.
//
// Names follow Docker's rule for local volumes, [a-zA-Z0-9][a-zA-Z0-9_.-]+,
// so a name is always one path component under <root>/volumes.
package volume

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/store"
)

// Driver is the only volume driver: directories under the root.
const Driver = "local"

// AnonymousLabel marks anonymous volumes in inspect, as Docker 23+ does.
const AnonymousLabel = "com.docker.volume.anonymous"

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// CheckName accepts Docker's local volume names.
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return errdefs.InvalidArgument("invalid volume name %q: use letters, digits, '_', '.' and '-', starting with a letter or digit (at least 2 characters); for a host directory give an absolute path", errdefs.Printable(name))
	}
	return nil
}

// RandomName is the name of an anonymous (or unnamed) volume: 64 hex.
func RandomName() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Volume is one volume as berth lists it.
type Volume struct {
	Name       string
	Driver     string
	Mountpoint string // the _data directory
	CreatedAt  time.Time
	Labels     map[string]string
	Anonymous  bool
	RefCount   int // containers that mount it
}

// Inspect is `berth volume inspect`'s document, in Docker's field names.
type Inspect struct {
	CreatedAt  string            `json:"CreatedAt"`
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
}

// Service manages the volumes of one berth root.
type Service struct {
	db  *store.Store
	dir string // <root>/volumes
}

// NewService keeps volumes under <root>/volumes.
func NewService(db *store.Store, root string) *Service {
	return &Service{db: db, dir: filepath.Join(root, "volumes")}
}

// Path is the directory a volume's contents live in.
func (s *Service) Path(name string) string { return filepath.Join(s.dir, name, "_data") }

// CreateOptions for Create.
type CreateOptions struct {
	Name      string // "" for a random name
	Labels    map[string]string
	Anonymous bool
}

// Create makes a volume; a volume of that name already there is returned as
// it is (Docker's rule), with created false.
func (s *Service) Create(ctx context.Context, o CreateOptions) (v *Volume, created bool, err error) {
	if o.Name == "" {
		o.Name = RandomName()
	}
	if err := CheckName(o.Name); err != nil {
		return nil, false, err
	}
	if err := s.makeDir(o.Name); err != nil {
		return nil, false, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		err := tx.PutVolume(store.Volume{Name: o.Name, Driver: Driver, Created: time.Now(), Anonymous: o.Anonymous, Labels: o.Labels})
		if errdefs.IsAlreadyExists(err) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		return tx.AddEvent(events.Event{Type: events.TypeVolume, Action: "create", Actor: o.Name,
			Attributes: map[string]string{"driver": Driver}})
	})
	if err != nil {
		return nil, false, err
	}
	v, err = s.Get(ctx, o.Name)
	return v, created, err
}

// makeDir makes <root>/volumes/<name>/_data if it is missing.
func (s *Service) makeDir(name string) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return errdefs.FromIO(err, "volume "+name)
	}
	if err := os.Mkdir(filepath.Join(s.dir, name), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return errdefs.FromIO(err, "volume "+name)
	}
	if err := os.Mkdir(s.Path(name), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return errdefs.FromIO(err, "volume "+name)
	}
	return nil
}

// EnsureDir makes a volume's directory again if it is missing (a remove
// that raced with a container's create took it).
func (s *Service) EnsureDir(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	return s.makeDir(name)
}

func (s *Service) volume(rec store.Volume, refs int) *Volume {
	return &Volume{Name: rec.Name, Driver: rec.Driver, Mountpoint: s.Path(rec.Name), CreatedAt: rec.Created,
		Labels: rec.Labels, Anonymous: rec.Anonymous, RefCount: refs}
}

// Get returns the volume called name.
func (s *Service) Get(ctx context.Context, name string) (*Volume, error) {
	var v *Volume
	err := s.db.View(ctx, func(tx *store.Tx) error {
		rec, err := tx.Volume(name)
		if err != nil {
			return err
		}
		users, err := tx.VolumeUsers(name)
		v = s.volume(rec, len(users))
		return err
	})
	return v, err
}

// Users names the containers that mount volume name.
func (s *Service) Users(ctx context.Context, name string) ([]string, error) {
	var out []string
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.VolumeUsers(name); return err })
	return out, err
}

// List returns every volume, by name.
func (s *Service) List(ctx context.Context) ([]*Volume, error) {
	var out []*Volume
	err := s.db.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.Volumes()
		if err != nil {
			return err
		}
		refs, err := tx.VolumeUseCounts()
		if err != nil {
			return err
		}
		for _, r := range recs {
			out = append(out, s.volume(r, refs[r.Name]))
		}
		return nil
	})
	return out, err
}

// Inspect describes a volume as docker volume inspect does.
func (s *Service) Inspect(ctx context.Context, name string) (*Inspect, error) {
	v, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return v.Inspect(), nil
}

// Inspect is the volume's inspect document.
func (v *Volume) Inspect() *Inspect {
	in := &Inspect{CreatedAt: v.CreatedAt.Truncate(time.Second).Format(time.RFC3339), Driver: v.Driver,
		Mountpoint: v.Mountpoint, Name: v.Name, Scope: "local"}
	if len(v.Labels) > 0 || v.Anonymous {
		in.Labels = map[string]string{}
		for k, val := range v.Labels {
			in.Labels[k] = val
		}
		if v.Anonymous {
			in.Labels[AnonymousLabel] = ""
		}
	}
	return in
}

// Remove deletes a volume no container uses, and its contents. With force
// a missing volume is not an error (docker volume rm -f); a volume in use is
// one in any case.
func (s *Service) Remove(ctx context.Context, name string, force bool) error {
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteVolume(name); err != nil {
			return err
		}
		return tx.AddEvent(events.Event{Type: events.TypeVolume, Action: "destroy", Actor: name,
			Attributes: map[string]string{"driver": Driver}})
	})
	if errdefs.IsNotFound(err) && force {
		return nil
	}
	if err != nil {
		return err
	}
	return s.removeDir(name)
}

// removeDir renames the volume's directory out of the way, then deletes it.
func (s *Service) removeDir(name string) error {
	if CheckName(name) != nil {
		return nil // never a path outside <root>/volumes
	}
	gone := filepath.Join(s.dir, name+".removing-"+RandomName()[:8])
	if err := os.Rename(filepath.Join(s.dir, name), gone); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return os.RemoveAll(gone)
}

// PruneReport says what Prune removed.
type PruneReport struct {
	Removed []string
	Space   int64
}

// Prune removes the volumes no container uses: anonymous ones, or every
// one with all (Docker 23+'s rule). Filters are label=k[=v] and label!=....
func (s *Service) Prune(ctx context.Context, all bool, f Filters) (PruneReport, error) {
	var rep PruneReport
	list, err := s.List(ctx)
	if err != nil {
		return rep, err
	}
	for _, v := range list {
		if v.RefCount > 0 || (!all && !v.Anonymous) || !f.match(v) {
			continue
		}
		size := DirSize(v.Mountpoint)
		if err := s.Remove(ctx, v.Name, false); err != nil {
			if errdefs.IsConflict(err) || errdefs.IsNotFound(err) {
				continue // taken or removed meanwhile
			}
			return rep, err
		}
		rep.Removed = append(rep.Removed, v.Name)
		rep.Space += size
	}
	return rep, nil
}

// Cleanup deletes directories of removals that were interrupted.
func (s *Service) Cleanup() {
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".removing-") {
			os.RemoveAll(filepath.Join(s.dir, e.Name()))
		}
	}
}

// Filters select volumes, as docker volume ls -f takes them.
type Filters struct {
	Dangling *bool    // dangling=true|false: used by no container
	Names    []string // name=...: substring of the name
	Labels   []string // label=key or label=key=value
	NoLabels []string // label!=key or label!=key=value
}

// ParseFilters reads "key=value" filters: dangling, name, label, label!=.
func ParseFilters(args []string) (Filters, error) {
	var f Filters
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if strings.HasSuffix(k, "!") {
			k = strings.TrimSuffix(k, "!")
			if k == "label" {
				f.NoLabels = append(f.NoLabels, v)
				continue
			}
		}
		switch {
		case !ok:
			return f, errdefs.InvalidArgument("bad filter %q: use key=value (dangling, name, label)", a)
		case k == "dangling":
			var d bool
			switch strings.ToLower(v) {
			case "true", "1":
				d = true
			case "false", "0":
			default:
				return f, errdefs.InvalidArgument("invalid filter 'dangling=%s': use true or false", v)
			}
			f.Dangling = &d
		case k == "name":
			f.Names = append(f.Names, v)
		case k == "label":
			f.Labels = append(f.Labels, v)
		case k == "driver":
			if v != Driver {
				f.Names = append(f.Names, "\x00") // matches nothing: every volume is local
			}
		default:
			return f, errdefs.InvalidArgument("invalid filter %q: berth volume filters are dangling, name, label, driver", k)
		}
	}
	return f, nil
}

// Match reports whether v passes the filters.
func (f Filters) Match(v *Volume) bool {
	if f.Dangling != nil && (v.RefCount == 0) != *f.Dangling {
		return false
	}
	return f.match(v)
}

func (f Filters) match(v *Volume) bool {
	if len(f.Names) > 0 {
		found := false
		for _, n := range f.Names {
			found = found || strings.Contains(v.Name, n)
		}
		if !found {
			return false
		}
	}
	labels := v.Inspect().Labels
	has := func(l string) bool {
		k, val, withValue := strings.Cut(l, "=")
		got, ok := labels[k]
		return ok && (!withValue || got == val)
	}
	for _, l := range f.Labels {
		if !has(l) {
			return false
		}
	}
	for _, l := range f.NoLabels {
		if has(l) {
			return false
		}
	}
	return true
}

// DirSize is the bytes of the regular files under dir, each hard-linked
// file once (what system df shows for a volume).
func DirSize(dir string) int64 {
	var total int64
	seen := map[[2]uint64]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) != nil {
			return nil
		}
		if st.Nlink > 1 {
			key := [2]uint64{st.Dev, st.Ino}
			if seen[key] {
				return nil
			}
			seen[key] = true
		}
		total += st.Size
		return nil
	})
	return total
}
