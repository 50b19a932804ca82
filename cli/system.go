package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine"
	"berth/internal/units"
)

// systemCommands are info, version and system (df, prune, info).
func (a *app) systemCommands() []*cobra.Command {
	sys := &cobra.Command{Use: "system", Short: "Manage berth: disk usage, prune, info"}
	sys.AddCommand(a.dfCmd(), a.systemPruneCmd(), a.infoCmd())
	return []*cobra.Command{sys, a.infoCmd(), a.versionCmd()}
}

func (a *app) infoCmd() *cobra.Command {
	var f string
	cmd := &cobra.Command{
		Use: "info", Short: "Show the engine, the host and what the root holds", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			in, err := eng.Info(cmd.Context())
			if err != nil {
				return err
			}
			if f != "" {
				return format.Write(a.out, f, nil, []engine.Info{in})
			}
			writeInfo(a.out, in)
			for _, w := range in.Warnings {
				fmt.Fprintln(a.errOut, w)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.CgroupVersion}}' or '{{json .}}'")
	return cmd
}

// writeInfo is docker info's layout, for one process that is both client
// and engine.
func writeInfo(w io.Writer, in engine.Info) {
	p := func(indent int, k string, v any) { fmt.Fprintf(w, "%s%s: %v\n", strings.Repeat(" ", indent), k, v) }
	p(0, "Containers", in.Containers)
	p(1, "Running", in.ContainersRunning)
	p(1, "Paused", in.ContainersPaused)
	p(1, "Stopped", in.ContainersStopped)
	p(0, "Images", in.Images)
	p(0, "Server Version", in.ServerVersion)
	p(0, "Storage Driver", in.Driver)
	for _, kv := range in.DriverStatus {
		p(1, kv[0], kv[1])
	}
	p(0, "Logging Driver", in.LoggingDriver)
	p(0, "Cgroup Driver", in.CgroupDriver)
	p(0, "Cgroup Version", in.CgroupVersion)
	p(0, "Default Runtime", in.DefaultRuntime)
	fmt.Fprintln(w, "Security Options:")
	if len(in.SecurityOptions) == 0 {
		fmt.Fprintln(w, " none (no seccomp filter: see the warning below)")
	}
	for _, opt := range in.SecurityOptions {
		for i, kv := range strings.Split(opt, ",") {
			k, v, _ := strings.Cut(kv, "=")
			if i == 0 {
				fmt.Fprintf(w, " %s\n", v)
				continue
			}
			fmt.Fprintf(w, "  %s: %s\n", strings.ToUpper(k[:1])+k[1:], v)
		}
	}
	p(0, "Kernel Version", in.KernelVersion)
	p(0, "Operating System", in.OperatingSystem)
	p(0, "OSType", in.OSType)
	p(0, "Architecture", in.Architecture)
	p(0, "CPUs", in.NCPU)
	p(0, "Total Memory", units.BytesSize(uint64(in.MemTotal)))
	p(0, "Name", in.Name)
	p(0, "Berth Root Dir", in.DockerRootDir)
	p(0, "Berth Run Root Dir", in.RunRoot)
}

func (a *app) versionCmd() *cobra.Command {
	var f string
	cmd := &cobra.Command{
		Use: "version", Short: "Show berth's version", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionDoc(engine.BuildVersion())
			if f != "" {
				return format.Write(a.out, f, nil, []version{v})
			}
			for _, part := range []struct {
				name string
				v    versionPart
			}{{"Client", v.Client}, {"Server", v.Server}} {
				fmt.Fprintf(a.out, "%s:\n", part.name)
				tw := part.v
				rows := [][2]string{{"Version", tw.Version}, {"Git commit", tw.GitCommit}, {"Go version", tw.GoVersion},
					{"Built", tw.BuildTime}, {"OS/Arch", tw.Os + "/" + tw.Arch}}
				if part.name == "Server" {
					for _, c := range tw.Components {
						rows = append(rows, [2]string{c.Name, c.Version})
					}
				}
				for _, r := range rows {
					if r[1] != "" && r[1] != "/" {
						fmt.Fprintf(a.out, " %-18s %s\n", r[0]+":", r[1])
					}
				}
				if part.name == "Client" {
					fmt.Fprintln(a.out)
				}
			}
			if !v.Server.seccomp {
				fmt.Fprintln(a.errOut, engine.SeccompWarning)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.Server.Version}}'")
	return cmd
}

// version is docker version's document: berth is its own client and
// server, so both halves describe this binary.
type version struct {
	Client versionPart
	Server versionPart
}

type versionPart struct {
	Version    string
	GitCommit  string
	GoVersion  string
	Os         string
	Arch       string
	BuildTime  string
	Components []versionComponent `json:",omitempty"`
	seccomp    bool
}

type versionComponent struct {
	Name    string
	Version string
}

func versionDoc(b engine.VersionInfo) version {
	part := versionPart{Version: b.Version, GitCommit: b.GitCommit, GoVersion: b.GoVersion, Os: b.Os, Arch: b.Arch, BuildTime: b.BuildTime, seccomp: b.Seccomp}
	server := part
	seccomp := "built in"
	if !b.Seccomp {
		seccomp = "not built in"
	}
	server.Components = []versionComponent{{"libcontainer", b.Libcontainer}, {"seccomp", seccomp}}
	return version{Client: part, Server: server}
}

// dfRow is one line of system df.
type dfRow struct {
	Type        string
	TotalCount  int
	Active      int
	Size        string
	Reclaimable string
}

var dfHeader = format.Header{"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"}

// reclaimable is docker's RECLAIMABLE cell: the size and, when there is
// anything at all, its share of the total.
func reclaimable(n, total int64) string {
	if total <= 0 {
		return units.HumanSize(n)
	}
	return fmt.Sprintf("%s (%d%%)", units.HumanSize(n), n*100/total)
}

func (a *app) dfCmd() *cobra.Command {
	var f string
	var verbose bool
	cmd := &cobra.Command{
		Use: "df", Short: "Show disk usage: images (shared layers once), containers, volumes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			du, err := eng.DiskUsage(cmd.Context())
			if err != nil {
				return err
			}
			if verbose {
				return a.writeDfVerbose(du)
			}
			imgActive, imgFree := du.ImagesActive()
			ctrActive, ctrSize, ctrFree := du.ContainersActive()
			volActive, volSize, volFree := du.VolumesActive()
			rows := []dfRow{
				{"Images", len(du.Images.Images), imgActive, units.HumanSize(du.Images.LayersSize), reclaimable(imgFree, du.Images.LayersSize)},
				{"Containers", len(du.Containers), ctrActive, units.HumanSize(ctrSize), reclaimable(ctrFree, ctrSize)},
				{"Local Volumes", len(du.Volumes), volActive, units.HumanSize(volSize), reclaimable(volFree, volSize)},
				{"Build Cache", 0, 0, units.HumanSize(0), reclaimable(0, 0)},
			}
			if f == "" {
				f = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
			}
			return format.Write(a.out, f, dfHeader, rows)
		},
	}
	cmd.Flags().StringVar(&f, "format", "", "Go template per row, e.g. '{{.Type}}: {{.Size}}'")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show each image, container and volume")
	return cmd
}

// dfImage and dfContainer are the rows of system df -v.
type dfImage struct {
	Repository, Tag, ID, CreatedSince, Size, SharedSize, UniqueSize string
	Containers                                                      int
}

type dfContainer struct {
	ID, Image, Command, LocalVolumes, Size, RunningFor, Status, Names string
}

func (a *app) writeDfVerbose(du engine.DiskUsage) error {
	now := time.Now()
	var imgs []dfImage
	for _, img := range du.Images.Images {
		row := dfImage{ID: format.TruncateID(img.ID), CreatedSince: units.Ago(img.Created, now),
			Size: units.HumanSize(img.Size), SharedSize: units.HumanSize(img.SharedSize),
			UniqueSize: units.HumanSize(img.UniqueSize), Containers: du.ImageUsers[img.ID]}
		names := img.RepoTags
		if len(names) == 0 {
			names = []string{"<none>:<none>"}
		}
		for _, n := range names {
			r := row
			r.Repository, r.Tag = splitRepoTag(n)
			imgs = append(imgs, r)
		}
	}
	fmt.Fprintf(a.out, "Images space usage:\n\n")
	if err := format.Write(a.out, "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
		format.Header{"Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED", "Size": "SIZE",
			"SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "Containers": "CONTAINERS"}, imgs); err != nil {
		return err
	}
	var ctrs []dfContainer
	for _, c := range du.Containers {
		ctrs = append(ctrs, dfContainer{ID: format.TruncateID(c.ID), Image: c.Image, Command: `"` + format.Ellipsis(c.Command, 20) + `"`,
			LocalVolumes: fmt.Sprint(c.LocalVolumes), Size: units.HumanSize(c.SizeRw), RunningFor: units.Ago(c.Created, now),
			Status: c.StatusText(now), Names: c.Name})
	}
	fmt.Fprintf(a.out, "\nContainers space usage:\n\n")
	if err := format.Write(a.out, "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
		format.Header{"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "LocalVolumes": "LOCAL VOLUMES", "Size": "SIZE",
			"RunningFor": "CREATED", "Status": "STATUS", "Names": "NAMES"}, ctrs); err != nil {
		return err
	}
	type dfVolume struct{ Name, Links, Size string }
	var vols []dfVolume
	for _, v := range du.Volumes {
		vols = append(vols, dfVolume{Name: v.Name, Links: fmt.Sprint(v.RefCount), Size: units.HumanSize(v.Size)})
	}
	fmt.Fprintf(a.out, "\nLocal Volumes space usage:\n\n")
	if err := format.Write(a.out, "table {{.Name}}\t{{.Links}}\t{{.Size}}",
		format.Header{"Name": "VOLUME NAME", "Links": "LINKS", "Size": "SIZE"}, vols); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "\nBuild cache usage: 0B\n")
	return nil
}

// splitRepoTag splits a familiar "repo:tag" at the tag's colon (a registry
// port's colon comes before the last slash).
func splitRepoTag(name string) (string, string) {
	i := strings.LastIndex(name, ":")
	if i < 0 || strings.Contains(name[i:], "/") {
		return name, "<none>"
	}
	return name[:i], name[i+1:]
}

func (a *app) systemPruneCmd() *cobra.Command {
	var all, force, volumes bool
	cmd := &cobra.Command{
		Use: "prune", Short: "Remove stopped containers and dangling images (-a: every unused image)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			what := []string{"all stopped containers", "all dangling images"}
			if all {
				what[1] = "all images without at least one container associated to them"
			}
			if volumes {
				what = append(what, "anonymous volumes not used by at least one container")
			}
			warning := "WARNING! This will remove:\n  - " + strings.Join(what, "\n  - ") + "\n"
			if !force && !a.confirm(warning) {
				return nil
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			rep, err := eng.Prune(cmd.Context(), engine.PruneOptions{All: all, Volumes: volumes})
			if len(rep.Containers.Removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Containers:")
				for _, id := range rep.Containers.Removed {
					fmt.Fprintln(a.out, id)
				}
				fmt.Fprintln(a.out)
			}
			if len(rep.Volumes.Removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Volumes:")
				for _, n := range rep.Volumes.Removed {
					fmt.Fprintln(a.out, n)
				}
				fmt.Fprintln(a.out)
			}
			if len(rep.Images.Removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Images:")
				printRemoved(a.out, rep.Images.Removed)
				fmt.Fprintln(a.out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Total reclaimed space: %s\n", units.HumanSizeDigits(rep.Containers.Space+rep.Images.SpaceReclaimed+rep.Volumes.Space, 4))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().BoolVar(&volumes, "volumes", false, "also prune anonymous volumes")
	return cmd
}

// confirm shows warning and asks, as docker does; anything but y or yes
// (or the end of the input) declines.
func (a *app) confirm(warning string) bool {
	fmt.Fprint(a.out, warning+"\nAre you sure you want to continue? [y/N] ")
	line, _ := bufio.NewReader(a.in).ReadString('\n')
	if !strings.HasSuffix(line, "\n") {
		fmt.Fprintln(a.out) // the input ended: end the prompt's line
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
