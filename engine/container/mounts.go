package container

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth/engine/errdefs"
	"berth/engine/store"
	"berth/engine/volume"
)

// Mount types.
const (
	MountVolume = "volume"
	MountBind   = "bind"
	MountTmpfs  = "tmpfs"
)

// How a mount was asked for (Mount.From).
const (
	FromBinds = "binds" // -v
	FromMount = "mount" // --mount
	FromTmpfs = "tmpfs" // --tmpfs
	FromImage = "image" // the image's Volumes
)

// Mount is a volume, bind mount or tmpfs of a container.
type Mount struct {
	Type        string // MountVolume, MountBind or MountTmpfs
	Source      string `json:",omitempty"` // volume name, or host path of a bind
	Destination string // absolute path inside the container
	ReadOnly    bool   `json:",omitempty"`
	// Anonymous volumes are made for the container (-v /path, the image's
	// Volumes): rm -v and --rm remove them.
	Anonymous   bool   `json:",omitempty"`
	NoCopy      bool   `json:",omitempty"` // do not fill a new volume from the image
	Propagation string `json:",omitempty"` // bind propagation; rprivate by default
	Options     string `json:",omitempty"` // tmpfs options: "size=64m,mode=1777"
	Mode        string `json:",omitempty"` // -v's mode field as given ("ro", "rw,z")
	From        string `json:",omitempty"` // FromBinds, FromMount, FromTmpfs, FromImage
	Spec        string `json:",omitempty"` // the flag's value, for HostConfig.Binds
}

// ParseVolumeFlag reads docker's -v: /path (anonymous volume),
// name:/path[:opts] (named volume, made on first use) or
// /host:/path[:opts] (bind mount). opts: ro|rw, nocopy, z|Z, and a
// propagation (rprivate, private, rslave, slave, rshared, shared).
func ParseVolumeFlag(spec string) (Mount, error) {
	bad := func(why string) (Mount, error) {
		return Mount{}, errdefs.InvalidArgument("invalid volume specification %q: %s", errdefs.Printable(spec), why)
	}
	parts := strings.Split(spec, ":")
	m := Mount{From: FromBinds, Spec: spec}
	switch len(parts) {
	case 1:
		m.Type, m.Destination, m.Anonymous = MountVolume, parts[0], true
	case 2, 3:
		m.Source, m.Destination = parts[0], parts[1]
		if len(parts) == 3 {
			m.Mode = parts[2]
		}
	default:
		return bad("use [NAME|/HOST-PATH:]/CONTAINER-PATH[:ro]")
	}
	if m.Source != "" {
		if strings.HasPrefix(m.Source, "/") {
			m.Type = MountBind
			m.Source = filepath.Clean(m.Source)
		} else {
			m.Type = MountVolume
			if err := volume.CheckName(m.Source); err != nil {
				return Mount{}, err
			}
		}
	} else if len(parts) > 1 {
		return bad("the source is empty: use a volume name or an absolute host path")
	}
	if err := checkDestination(m.Destination, spec); err != nil {
		return Mount{}, err
	}
	seenRW := false
	if m.Mode != "" {
		for _, o := range strings.Split(m.Mode, ",") {
			switch o {
			case "ro", "rw":
				if seenRW {
					return bad("ro and rw are given twice")
				}
				seenRW, m.ReadOnly = true, o == "ro"
			case "z", "Z":
			case "nocopy":
				if m.Type != MountVolume {
					return bad("nocopy is for volumes")
				}
				m.NoCopy = true
			case "rprivate", "private", "rslave", "slave", "rshared", "shared":
				if m.Type != MountBind {
					return bad("a propagation is for bind mounts")
				}
				m.Propagation = o
			default:
				return bad("unknown option " + strconv.Quote(o) + ": use ro, rw, nocopy, z, Z or a propagation such as rslave")
			}
		}
	}
	return m, nil
}

func checkDestination(dst, spec string) error {
	if !strings.HasPrefix(dst, "/") {
		return errdefs.InvalidArgument("invalid mount %q: the container path %q is not absolute", errdefs.Printable(spec), errdefs.Printable(dst))
	}
	if path.Clean(dst) == "/" {
		return errdefs.InvalidArgument("invalid mount %q: the container path cannot be /", errdefs.Printable(spec))
	}
	return nil
}

// ParseMountFlag reads docker's --mount: comma-separated key=value fields
// type=volume|bind|tmpfs, source|src, destination|dst|target, readonly|ro,
// volume-nocopy, bind-propagation, tmpfs-size, tmpfs-mode.
func ParseMountFlag(spec string) (Mount, error) {
	bad := func(format string, args ...any) (Mount, error) {
		return Mount{}, errdefs.InvalidArgument("invalid --mount %q: "+format, append([]any{errdefs.Printable(spec)}, args...)...)
	}
	m := Mount{Type: MountVolume, From: FromMount, Spec: spec}
	var tmpfs []string
	for _, field := range strings.Split(spec, ",") {
		k, v, hasValue := strings.Cut(field, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		boolValue := func() (bool, error) {
			if !hasValue {
				return true, nil
			}
			switch strings.ToLower(v) {
			case "1", "true":
				return true, nil
			case "0", "false":
				return false, nil
			}
			return false, errdefs.InvalidArgument("invalid --mount %q: %s takes true or false, not %q", errdefs.Printable(spec), k, errdefs.Printable(v))
		}
		if !hasValue && k != "readonly" && k != "ro" && k != "volume-nocopy" {
			return bad("field %q has no value: use key=value", errdefs.Printable(field))
		}
		var err error
		switch k {
		case "type":
			switch v {
			case MountVolume, MountBind, MountTmpfs:
				m.Type = v
			default:
				return bad("unknown type %q: use volume, bind or tmpfs", errdefs.Printable(v))
			}
		case "source", "src":
			m.Source = v
		case "destination", "dst", "target":
			m.Destination = v
		case "readonly", "ro":
			m.ReadOnly, err = boolValue()
		case "volume-nocopy":
			m.NoCopy, err = boolValue()
		case "bind-propagation":
			switch v {
			case "rprivate", "private", "rslave", "slave", "rshared", "shared":
				m.Propagation = v
			default:
				return bad("unknown bind-propagation %q", errdefs.Printable(v))
			}
		case "tmpfs-size":
			n, perr := ParseBytes(v)
			if perr != nil || n <= 0 {
				return bad("tmpfs-size %q is not a size such as 64m", errdefs.Printable(v))
			}
			tmpfs = append(tmpfs, "size="+strconv.FormatInt(n, 10))
		case "tmpfs-mode":
			mode, perr := strconv.ParseUint(v, 8, 32)
			if perr != nil || mode > 0o7777 {
				return bad("tmpfs-mode %q is not an octal mode such as 1777", errdefs.Printable(v))
			}
			tmpfs = append(tmpfs, "mode="+strconv.FormatUint(mode, 8))
		case "consistency", "volume-driver":
		default:
			return bad("unknown field %q: use type, source, target, readonly, volume-nocopy, bind-propagation, tmpfs-size or tmpfs-mode", errdefs.Printable(k))
		}
		if err != nil {
			return Mount{}, err
		}
	}
	if m.Destination == "" {
		return bad("no target: add target=/path")
	}
	if err := checkDestination(m.Destination, spec); err != nil {
		return Mount{}, err
	}
	switch m.Type {
	case MountBind:
		if m.Source == "" {
			return bad("a bind mount needs source=/host/path")
		}
		if !strings.HasPrefix(m.Source, "/") {
			return bad("the bind source %q is not an absolute path", errdefs.Printable(m.Source))
		}
		m.Source = filepath.Clean(m.Source)
	case MountVolume:
		if m.Source == "" {
			m.Anonymous = true
		} else if err := volume.CheckName(m.Source); err != nil {
			return Mount{}, err
		}
	case MountTmpfs:
		if m.Source != "" {
			return bad("a tmpfs has no source")
		}
		m.Options = strings.Join(tmpfs, ",")
	}
	if len(tmpfs) > 0 && m.Type != MountTmpfs {
		return bad("tmpfs-size and tmpfs-mode are for type=tmpfs")
	}
	if m.Propagation != "" && m.Type != MountBind {
		return bad("bind-propagation is for type=bind")
	}
	if m.NoCopy && m.Type != MountVolume {
		return bad("volume-nocopy is for type=volume")
	}
	return m, nil
}

// ParseTmpfsFlag reads docker's --tmpfs: /path[:options], options as
// mount(8) takes them for tmpfs (size=64m,mode=1777,exec, ...).
func ParseTmpfsFlag(spec string) (Mount, error) {
	dst, opts, _ := strings.Cut(spec, ":")
	if err := checkDestination(dst, spec); err != nil {
		return Mount{}, err
	}
	m := Mount{Type: MountTmpfs, Destination: dst, Options: opts, From: FromTmpfs, Spec: spec}
	for _, o := range strings.Split(opts, ",") {
		if o == "ro" {
			m.ReadOnly = true
		}
	}
	return m, nil
}

// resolveMounts completes the mounts of a new container: the image's
// Volumes become anonymous volumes unless a mount of the user's covers
// them; anonymous volumes get their random names; bind sources are checked
// (a missing one is made for -v, an error for --mount, as in Docker); two
// mounts on one path are an error.
func resolveMounts(mounts []Mount, imageVolumes map[string]struct{}) ([]Mount, error) {
	out := slices.Clone(mounts)
	seen := map[string]bool{}
	for _, m := range out {
		dst := path.Clean(m.Destination)
		if seen[dst] {
			return nil, errdefs.InvalidArgument("duplicate mount point %s: mount one thing there", dst)
		}
		seen[dst] = true
	}
	var fromImage []string
	for dst := range imageVolumes {
		if p := path.Clean(dst); strings.HasPrefix(p, "/") && p != "/" && !seen[p] {
			fromImage = append(fromImage, p)
		}
	}
	sort.Strings(fromImage)
	for _, dst := range fromImage {
		out = append(out, Mount{Type: MountVolume, Destination: dst, Anonymous: true, From: FromImage})
	}
	for i := range out {
		m := &out[i]
		m.Destination = path.Clean(m.Destination)
		switch {
		case m.Type == MountVolume && m.Source == "":
			m.Source, m.Anonymous = volume.RandomName(), true
		case m.Type == MountBind:
			_, err := os.Stat(m.Source)
			switch {
			case errors.Is(err, fs.ErrNotExist) && m.From == FromBinds:
				// made at create, as Docker does for -v
			case errors.Is(err, fs.ErrNotExist):
				return nil, errdefs.InvalidArgument("invalid mount: bind source path does not exist: %s: create it first, or use -v to have it made", errdefs.Printable(m.Source))
			case err != nil:
				return nil, errdefs.InvalidArgument("invalid mount: bind source %s: %v", errdefs.Printable(m.Source), err)
			}
		}
	}
	return out, nil
}

// volumes is the volume service of this root; it keeps no state of its own
// beyond the store, so one is made where it is needed.
func (s *Service) volumes() *volume.Service { return volume.NewService(s.db, filepath.Dir(s.root)) }

// prepareMounts makes what c's mounts need on the host before c is
// recorded: missing -v bind directories, the volumes (filled from the
// image's layers when new or empty). It returns the volumes it made, for
// undoing if the create fails after.
func (s *Service) prepareMounts(ctx context.Context, c *Container, layers []string) (made []string, err error) {
	vols := s.volumes()
	for _, m := range c.Config.Mounts {
		switch m.Type {
		case MountBind:
			if m.From == FromBinds {
				if err := os.MkdirAll(m.Source, 0o755); err != nil {
					return made, errdefs.InvalidArgument("invalid mount: cannot create the bind source %s: %v", errdefs.Printable(m.Source), err)
				}
			}
		case MountVolume:
			_, created, err := vols.Create(ctx, volume.CreateOptions{Name: m.Source, Anonymous: m.Anonymous})
			if err != nil {
				return made, err
			}
			if created {
				made = append(made, m.Source)
			}
			if !m.NoCopy {
				if err := vols.Populate(m.Source, layers, m.Destination); err != nil {
					return made, err
				}
			}
		}
	}
	return made, nil
}

// undoVolumes removes volumes prepareMounts made for a create that failed.
func (s *Service) undoVolumes(ctx context.Context, made []string) {
	vols := s.volumes()
	for _, name := range made {
		vols.Remove(context.WithoutCancel(ctx), name, true)
	}
}

// useVolumes records, in the transaction that records c, which volumes c
// mounts; a volume record a concurrent prune or rm deleted meanwhile is
// made again (its directory is made again at start).
func useVolumes(tx *store.Tx, c *Container) error {
	for _, m := range c.Config.Mounts {
		if m.Type != MountVolume {
			continue
		}
		err := tx.PutVolume(store.Volume{Name: m.Source, Driver: volume.Driver, Created: time.Now(), Anonymous: m.Anonymous})
		if err != nil && !errdefs.IsAlreadyExists(err) {
			return err
		}
		if err := tx.UseVolume(c.ID, m.Source); err != nil {
			return err
		}
	}
	return nil
}

// removeAnonymousVolumes removes the anonymous volumes of a removed
// container (rm -v, --rm) that no other container uses.
func (s *Service) removeAnonymousVolumes(ctx context.Context, c *Container) error {
	vols := s.volumes()
	var errs []error
	for _, m := range c.Config.Mounts {
		if m.Type != MountVolume || !m.Anonymous {
			continue
		}
		if err := vols.Remove(context.WithoutCancel(ctx), m.Source, true); err != nil && !errdefs.IsConflict(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// specMounts are c's mounts in the runtime spec, parents first: volumes
// and binds as bind mounts (rprivate unless asked otherwise, ro when asked), tmpfs mounts
// with Docker's noexec, nosuid, nodev unless the options say otherwise.
// libcontainer resolves each destination inside the root filesystem
// (securejoin), so a symlink of the image never places a mount outside it.
func (s *Service) specMounts(c *Container) ([]specs.Mount, error) {
	vols := s.volumes()
	var out []specs.Mount
	for _, m := range c.Config.Mounts {
		switch m.Type {
		case MountVolume, MountBind:
			src := m.Source
			if m.Type == MountVolume {
				if err := vols.EnsureDir(m.Source); err != nil {
					return nil, err
				}
				src = vols.Path(m.Source)
			} else if _, err := os.Stat(src); err != nil {
				return nil, errdefs.InvalidArgument("bind source path does not exist: %s: create it, or remove the container", errdefs.Printable(src))
			}
			prop := m.Propagation
			if prop == "" {
				prop = "rprivate"
			}
			opts := []string{"rbind", prop}
			if m.ReadOnly {
				opts = append(opts, "ro")
			}
			out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: src, Options: opts})
		case MountTmpfs:
			opts := tmpfsOptions(m.Options)
			if m.ReadOnly && !slices.Contains(opts, "ro") {
				opts = append(opts, "ro")
			}
			out = append(out, specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: opts})
		}
	}
	// A mount inside another goes after it (/a before /a/b), as in Docker.
	slices.SortStableFunc(out, func(a, b specs.Mount) int {
		return strings.Count(a.Destination, "/") - strings.Count(b.Destination, "/")
	})
	return out, nil
}

// tmpfsOptions are Docker's defaults for a tmpfs (noexec, nosuid, nodev)
// merged with the user's, whose exec, suid and dev win.
func tmpfsOptions(user string) []string {
	opts := []string{"noexec", "nosuid", "nodev"}
	for _, o := range strings.Split(user, ",") {
		if o == "" {
			continue
		}
		if flip, ok := map[string]string{"exec": "noexec", "suid": "nosuid", "dev": "nodev"}[o]; ok {
			opts = slices.DeleteFunc(opts, func(x string) bool { return x == flip })
		}
		if slices.Contains(opts, o) {
			continue
		}
		opts = append(opts, o)
	}
	return opts
}

// inspectMounts is inspect's Mounts: volumes, binds and --mount tmpfs
// mounts, in Docker's fields (a --tmpfs is shown in HostConfig.Tmpfs only).
func (s *Service) inspectMounts(c *Container) []InspectMount {
	vols := s.volumes()
	out := []InspectMount{}
	for _, m := range c.Config.Mounts {
		im := InspectMount{Type: m.Type, Destination: m.Destination, RW: !m.ReadOnly}
		switch m.Type {
		case MountVolume:
			im.Name, im.Source, im.Driver = m.Source, vols.Path(m.Source), volume.Driver
			if m.From == FromBinds || m.From == FromImage {
				im.Mode = "z"
			}
		case MountBind:
			im.Source, im.Propagation = m.Source, m.Propagation
			if im.Propagation == "" {
				im.Propagation = "rprivate"
			}
			if m.From == FromBinds {
				im.Mode = m.Mode
			}
		case MountTmpfs:
			if m.From == FromTmpfs {
				continue
			}
		}
		out = append(out, im)
	}
	return out
}

// InspectHostMount is one --mount in HostConfig.Mounts, as Docker shows it.
type InspectHostMount struct {
	Type          string                `json:"Type"`
	Source        string                `json:"Source,omitempty"`
	Target        string                `json:"Target"`
	ReadOnly      bool                  `json:"ReadOnly,omitempty"`
	BindOptions   *InspectBindOptions   `json:"BindOptions,omitempty"`
	VolumeOptions *InspectVolumeOptions `json:"VolumeOptions,omitempty"`
	TmpfsOptions  *InspectTmpfsOptions  `json:"TmpfsOptions,omitempty"`
}

// InspectBindOptions are a --mount bind's options.
type InspectBindOptions struct {
	Propagation string `json:"Propagation,omitempty"`
}

// InspectVolumeOptions are a --mount volume's options.
type InspectVolumeOptions struct {
	NoCopy bool `json:"NoCopy,omitempty"`
}

// InspectTmpfsOptions are a --mount tmpfs's options.
type InspectTmpfsOptions struct {
	SizeBytes int64  `json:"SizeBytes,omitempty"`
	Mode      uint32 `json:"Mode,omitempty"`
}

// hostMounts are HostConfig's Binds (-v as given), Mounts (--mount) and
// Tmpfs (--tmpfs: path -> options).
func hostMounts(mounts []Mount) (binds []string, hm []InspectHostMount, tmpfs map[string]string) {
	for _, m := range mounts {
		switch m.From {
		case FromBinds:
			binds = append(binds, m.Spec)
		case FromTmpfs:
			if tmpfs == nil {
				tmpfs = map[string]string{}
			}
			tmpfs[m.Destination] = m.Options
		case FromMount:
			h := InspectHostMount{Type: m.Type, Target: m.Destination, ReadOnly: m.ReadOnly}
			if !m.Anonymous {
				h.Source = m.Source
			}
			switch {
			case m.Type == MountBind && m.Propagation != "":
				h.BindOptions = &InspectBindOptions{Propagation: m.Propagation}
			case m.Type == MountVolume && m.NoCopy:
				h.VolumeOptions = &InspectVolumeOptions{NoCopy: true}
			case m.Type == MountTmpfs && m.Options != "":
				t := &InspectTmpfsOptions{}
				for _, o := range strings.Split(m.Options, ",") {
					k, v, _ := strings.Cut(o, "=")
					switch k {
					case "size":
						t.SizeBytes, _ = strconv.ParseInt(v, 10, 64)
					case "mode":
						n, _ := strconv.ParseUint(v, 8, 32)
						t.Mode = uint32(n)
					}
				}
				h.TmpfsOptions = t
			}
			hm = append(hm, h)
		}
	}
	return binds, hm, tmpfs
}

// mountNames are ps's MOUNTS: volume names and bind sources.
func mountNames(mounts []Mount) (names []string, localVolumes int) {
	for _, m := range mounts {
		switch m.Type {
		case MountVolume:
			names = append(names, m.Source)
			localVolumes++
		case MountBind:
			names = append(names, m.Source)
		}
	}
	return names, localVolumes
}
