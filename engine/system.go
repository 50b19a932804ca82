package engine

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"

	"berth/engine/container"
	"berth/engine/image"
	"berth/engine/volume"
)

// Version is berth's release; the build adds its commit.
const Version = "0.1.0-dev"

// Info is what `berth info` shows, with Docker's field names where Docker
// has the field (so `--format '{{.CgroupVersion}}'` scripts work on both).
type Info struct {
	Containers        int
	ContainersRunning int
	ContainersPaused  int
	ContainersStopped int
	Images            int
	Driver            string
	DriverStatus      [][2]string
	LoggingDriver     string
	CgroupDriver      string
	CgroupVersion     string
	DefaultRuntime    string
	SecurityOptions   []string
	KernelVersion     string
	OperatingSystem   string
	OSVersion         string
	OSType            string
	Architecture      string
	NCPU              int
	MemTotal          int64
	Name              string
	ServerVersion     string
	DockerRootDir     string // berth's root, under Docker's name
	RunRoot           string // berth's runtime state (Podman's name)
	SystemTime        string
	Warnings          []string
}

// SeccompWarning is what a binary built without seccomp says when it runs
// a container, and what info lists.
const SeccompWarning = "WARNING: this berth was built without seccomp support (build it with bash scripts/run.sh, or go build -tags seccomp with libseccomp-dev): containers run without a seccomp filter"

// SeccompEnabled reports whether this binary applies Docker's seccomp
// profile to containers.
func SeccompEnabled() bool { return container.SeccompAvailable() }

// Info describes the engine, the host and the counts of what the root holds.
func (e *Engine) Info(ctx context.Context) (Info, error) {
	in := Info{
		Driver: image.DriverName, LoggingDriver: "json-file", CgroupDriver: "cgroupfs",
		CgroupVersion: "1", DefaultRuntime: "libcontainer", OSType: runtime.GOOS,
		NCPU: runtime.NumCPU(), ServerVersion: Version, DockerRootDir: e.root, RunRoot: e.runRoot,
		SystemTime: time.Now().Format(time.RFC3339Nano),
	}
	if cgroups.IsCgroup2UnifiedMode() {
		in.CgroupVersion = "2"
	}
	in.DriverStatus = [][2]string{{"Backing Filesystem", backingFS(e.root)}}
	if SeccompEnabled() {
		in.SecurityOptions = append(in.SecurityOptions, "name=seccomp,profile=builtin")
	} else {
		in.Warnings = append(in.Warnings, SeccompWarning)
	}
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		in.KernelVersion, in.Architecture = unix.ByteSliceToString(uts.Release[:]), unix.ByteSliceToString(uts.Machine[:])
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		in.MemTotal = int64(si.Totalram) * int64(si.Unit)
	}
	in.Name, _ = os.Hostname()
	in.OperatingSystem, in.OSVersion = osRelease("/etc/os-release")
	cs, err := e.containers.List(ctx, true)
	if err != nil {
		return in, err
	}
	for _, c := range cs {
		in.Containers++
		switch c.State.Status {
		case container.Running, container.Restarting:
			in.ContainersRunning++
		case container.Paused:
			in.ContainersPaused++
		default:
			in.ContainersStopped++
		}
	}
	imgs, err := e.images.List(ctx)
	in.Images = len(imgs)
	return in, err
}

// backingFS names the file system type of dir as Docker's info does.
func backingFS(dir string) string {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return "unknown"
	}
	switch st.Type {
	case unix.EXT4_SUPER_MAGIC:
		return "extfs"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlayfs"
	}
	return "unknown"
}

// osRelease reads PRETTY_NAME and VERSION_ID from an os-release file.
func osRelease(path string) (name, version string) {
	f, err := os.Open(path)
	if err != nil {
		return "unknown", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "PRETTY_NAME":
			name = v
		case "VERSION_ID":
			version = v
		}
	}
	if name == "" {
		name = "unknown"
	}
	return name, version
}

// VersionInfo is what `berth version` shows of this binary.
type VersionInfo struct {
	Version      string
	GitCommit    string
	GoVersion    string
	Os           string
	Arch         string
	BuildTime    string
	Libcontainer string // runc's module version
	Seccomp      bool
}

// BuildVersion reads what the Go toolchain recorded in the binary.
func BuildVersion() VersionInfo {
	v := VersionInfo{Version: Version, GoVersion: runtime.Version(), Os: runtime.GOOS, Arch: runtime.GOARCH, Seccomp: SeccompEnabled()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/opencontainers/runc" {
			v.Libcontainer = d.Version
		}
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.GitCommit = s.Value
			if len(v.GitCommit) > 7 {
				v.GitCommit = v.GitCommit[:7]
			}
		case "vcs.time":
			v.BuildTime = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && v.GitCommit != "" {
		v.GitCommit += "-dirty"
	}
	return v
}

// DiskUsage is what `berth system df` shows.
type DiskUsage struct {
	Images     image.Usage
	ImageUsers map[string]int // image ID -> containers made from it
	Containers []ContainerUsage
	Volumes    []VolumeUsage
}

// ContainerUsage is one container's writable layer.
type ContainerUsage struct {
	container.Summary
	SizeRw int64
}

// DiskUsage measures images (shared layers once) and containers.
func (e *Engine) DiskUsage(ctx context.Context) (DiskUsage, error) {
	var du DiskUsage
	var err error
	if du.Images, err = e.images.Usage(ctx); err != nil {
		return du, err
	}
	cs, err := e.containers.List(ctx, true)
	if err != nil {
		return du, err
	}
	du.ImageUsers = map[string]int{}
	for _, c := range cs {
		du.ImageUsers[c.ImageID]++
		size, err := e.containers.SizeRw(ctx, c.ID)
		if err != nil {
			continue // removed meanwhile
		}
		du.Containers = append(du.Containers, ContainerUsage{Summary: c, SizeRw: size})
	}
	du.Volumes, err = e.VolumesDiskUsage(ctx)
	return du, err
}

// VolumesActive counts the volumes containers use, the bytes of all and
// those of the unused ones.
func (du DiskUsage) VolumesActive() (active int, size, reclaimable int64) {
	for _, v := range du.Volumes {
		size += v.Size
		if v.RefCount > 0 {
			active++
		} else {
			reclaimable += v.Size
		}
	}
	return active, size, reclaimable
}

// ImagesActive counts the images that containers use, and the bytes of
// layers that none of those images has: what removing every unused image
// would free (a layer an unused image shares with a used one stays).
func (du DiskUsage) ImagesActive() (active int, reclaimable int64) {
	used := map[string]bool{}
	for _, img := range du.Images.Images {
		if du.ImageUsers[img.ID] > 0 {
			active++
			for _, d := range img.DiffIDs {
				used[d] = true
			}
		}
	}
	for d, size := range du.Images.LayerSizes {
		if !used[d] {
			reclaimable += size
		}
	}
	return active, reclaimable
}

// ContainersActive counts the running containers, and the bytes of the
// writable layers of the others.
func (du DiskUsage) ContainersActive() (active int, size, reclaimable int64) {
	for _, c := range du.Containers {
		size += c.SizeRw
		if c.State.Status.Active() || c.State.Status == container.Restarting {
			active++
		} else {
			reclaimable += c.SizeRw
		}
	}
	return active, size, reclaimable
}

// PruneOptions say what system prune removes besides stopped containers
// and dangling images.
type PruneOptions struct {
	All     bool // every image no container uses
	Volumes bool // anonymous volumes no container uses
}

// PruneReport is what system prune removed.
type PruneReport struct {
	Containers container.PruneReport
	Images     image.PruneReport
	Volumes    volume.PruneReport
}

// Prune removes stopped containers, then the images they held that are now
// dangling (or, with All, unused).
func (e *Engine) Prune(ctx context.Context, o PruneOptions) (PruneReport, error) {
	var rep PruneReport
	var err error
	if rep.Containers, err = e.containers.Prune(ctx); err != nil {
		return rep, err
	}
	if o.Volumes {
		if rep.Volumes, err = e.PruneVolumes(ctx, false, volume.Filters{}); err != nil {
			return rep, err
		}
	}
	rep.Images, err = e.images.Prune(ctx, o.All)
	return rep, err
}
