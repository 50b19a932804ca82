package format

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/engine/container"
	"berth/engine/image"
	"berth/internal/units"
)

// CreatedAt is docker's CREATED AT of ps and images: whole seconds in the
// local zone, "2006-01-02 15:04:05 -0700 MST".
func CreatedAt(t time.Time) string {
	return time.Unix(t.Unix(), 0).Format("2006-01-02 15:04:05 -0700 MST")
}

// TruncateID is an ID as lists show it: without "sha256:", 12 characters.
func TruncateID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// Docker's default formats of berth ps.
const (
	ContainerTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
	ContainerRaw   = "container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n" +
		"state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n" +
		"labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n"
)

// ContainerHeader titles the fields of a container row.
var ContainerHeader = Header{
	"ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND",
	"CreatedAt": "CREATED AT", "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE",
	"Status": "STATUS", "Size": "SIZE", "Labels": "LABELS", "Mounts": "MOUNTS",
	"LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS",
}

// SizeFunc measures a container for {{.Size}}: the bytes it wrote and
// those plus its image's. It runs only if a template asks for the size.
type SizeFunc func(c container.Summary) (rw, rootfs int64, err error)

// Container is one row of ps as templates see it: {{.ID}}, {{.Names}},
// {{.Label "k"}} and the other fields of docker's container context.
type Container struct {
	s     container.Summary
	trunc bool
	now   time.Time
	size  SizeFunc
}

// NewContainer makes the row of s; trunc shortens IDs and the command as
// ps does without --no-trunc; size may be nil (sizes then read 0B).
func NewContainer(s container.Summary, trunc bool, now time.Time, size SizeFunc) *Container {
	return &Container{s: s, trunc: trunc, now: now, size: size}
}

// ID is the container's ID, 12 characters when truncated.
func (c *Container) ID() string {
	if c.trunc {
		return TruncateID(c.s.ID)
	}
	return c.s.ID
}

// Names is the container's name.
func (c *Container) Names() string { return c.s.Name }

// Image is the image as the container was created with it; truncated, an
// image ID is shortened and a digest dropped.
func (c *Container) Image() string {
	img := c.s.Image
	switch {
	case img == "":
		return "<no image>"
	case !c.trunc:
		return img
	case strings.HasPrefix(img, "sha256:") || strings.HasPrefix(strings.TrimPrefix(c.s.ImageID, "sha256:"), img):
		return TruncateID(img)
	}
	if name, _, ok := strings.Cut(img, "@"); ok {
		return name
	}
	return img
}

// Command is the command line, quoted, shortened to 20 characters when
// truncated: "\"sh -c 'echo hi'\"".
func (c *Container) Command() string {
	cmd := c.s.Command
	if c.trunc {
		cmd = Ellipsis(cmd, 20)
	}
	return strconv.Quote(cmd)
}

// CreatedAt is when the container was made, docker's way.
func (c *Container) CreatedAt() string { return CreatedAt(c.s.Created) }

// RunningFor is how long ago the container was made: "5 minutes ago".
func (c *Container) RunningFor() string {
	return units.HumanDuration(c.now.Sub(c.s.Created)) + " ago"
}

// Ports are the published ports of a running container, and its other
// exposed ports: "443/tcp, 0.0.0.0:8080->80/tcp".
func (c *Container) Ports() string { return c.s.Ports }

// State is the status word: "running", "exited", ...
func (c *Container) State() string { return c.s.State.Status.String() }

// Status is the STATUS column: "Up 3 minutes", "Exited (0) 2 seconds ago".
func (c *Container) Status() string { return c.s.StatusText(c.now) }

// Size is what the container wrote, and with its image: "2B (virtual 1.15MB)".
func (c *Container) Size() (string, error) {
	var rw, rootfs int64
	if c.size != nil {
		var err error
		if rw, rootfs, err = c.size(c.s); err != nil {
			return "", err
		}
	}
	if rootfs > 0 {
		return fmt.Sprintf("%s (virtual %s)", units.HumanSize(rw), units.HumanSize(rootfs)), nil
	}
	return units.HumanSize(rw), nil
}

// Labels are the container's labels, "k=v" sorted and joined by commas.
func (c *Container) Labels() string { return joinLabels(c.s.Labels) }

// Label is the value of one label, "" when it is not set.
func (c *Container) Label(name string) string { return c.s.Labels[name] }

// Mounts names the container's volumes and bind mounts, joined by commas;
// each shortened to 15 characters when truncated, as docker does.
func (c *Container) Mounts() string {
	names := make([]string, len(c.s.Mounts))
	for i, m := range c.s.Mounts {
		if c.trunc {
			m = Ellipsis(m, 15)
		}
		names[i] = m
	}
	return strings.Join(names, ",")
}

// LocalVolumes counts the container's local volumes.
func (c *Container) LocalVolumes() string { return strconv.Itoa(c.s.LocalVolumes) }

// Networks names the networks the container is on.
func (c *Container) Networks() string { return c.s.NetworkMode }

// MarshalJSON is {{json .}}: every field above but Label, as docker's.
func (c *Container) MarshalJSON() ([]byte, error) {
	size, err := c.Size()
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]string{
		"Command": c.Command(), "CreatedAt": c.CreatedAt(), "ID": c.ID(), "Image": c.Image(),
		"Labels": c.Labels(), "LocalVolumes": c.LocalVolumes(), "Mounts": c.Mounts(), "Names": c.Names(),
		"Networks": c.Networks(), "Ports": c.Ports(), "RunningFor": c.RunningFor(), "Size": size,
		"State": c.State(), "Status": c.Status(),
	})
}

func joinLabels(labels map[string]string) string {
	kv := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		kv = append(kv, k+"="+labels[k])
	}
	return strings.Join(kv, ",")
}

// Docker's default formats of berth images.
const (
	ImageTable        = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince}}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
	ImageTableDigests = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince}}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
	ImageRaw          = "repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
	ImageRawDigests   = "repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
)

// ImageHeader titles the fields of an image row.
var ImageHeader = Header{
	"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
	"CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
	"VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
}

// Image is one row of images as templates see it: one name (repository
// and tag) of an image, or <none> <none> for an image without one.
type Image struct {
	s                 image.Summary
	repo, tag, digest string
	trunc             bool
	now               time.Time
}

// ImageOptions say how images become rows.
type ImageOptions struct {
	Trunc   bool      // 12-character IDs
	Digests bool      // --digests: a row per digest, and rows for names known only by digest
	Format  string    // the --format value: one naming {{.Digest}} needs digests too
	Now     time.Time // for CreatedSince
}

// ImageRows turns images into rows as docker does: a row per tag (per tag
// and digest of the same repository when digests are wanted), a row per
// repository known only by digest, one <none> row for an image without
// names. Tags keep the image's order; repositories the order they first
// appear in.
func ImageRows(list []image.Summary, o ImageOptions) []*Image {
	needDigest := o.Digests || strings.Contains(o.Format, "{{.Digest}}")
	var rows []*Image
	for _, s := range list {
		add := func(repo, tag, digest string) {
			rows = append(rows, &Image{s: s, repo: repo, tag: tag, digest: digest, trunc: o.Trunc, now: o.Now})
		}
		if len(s.RepoTags) == 0 && len(s.RepoDigests) == 0 {
			add("<none>", "<none>", "<none>")
			continue
		}
		var repos []string
		tags, digests := map[string][]string{}, map[string][]string{}
		for _, t := range s.RepoTags {
			repo, tag := splitTag(t)
			if _, ok := tags[repo]; !ok {
				repos = append(repos, repo)
			}
			tags[repo] = append(tags[repo], tag)
		}
		var digestOnly []string
		for _, d := range s.RepoDigests {
			repo, dg, ok := strings.Cut(d, "@")
			if !ok {
				continue
			}
			if _, ok := digests[repo]; !ok {
				if _, tagged := tags[repo]; !tagged {
					digestOnly = append(digestOnly, repo)
				}
			}
			digests[repo] = append(digests[repo], dg)
		}
		for _, repo := range repos {
			ds := digests[repo]
			if !needDigest {
				ds = nil
			}
			for _, tag := range tags[repo] {
				if len(ds) == 0 {
					add(repo, tag, "<none>")
				}
				for _, d := range ds {
					add(repo, tag, d)
				}
			}
		}
		for _, repo := range digestOnly {
			if !o.Digests {
				add(repo, "<none>", "")
				continue
			}
			for _, d := range digests[repo] {
				add(repo, "<none>", d)
			}
		}
	}
	return rows
}

// splitTag splits a familiar "repo:tag" at the tag's colon (the last one
// after the last slash: "127.0.0.1:5000/big:latest").
func splitTag(name string) (repo, tag string) {
	i := strings.LastIndexByte(name, ':')
	if i < 0 || strings.Contains(name[i:], "/") {
		return name, "<none>"
	}
	return name[:i], name[i+1:]
}

// ID is the image ID, 12 hex characters when truncated.
func (i *Image) ID() string {
	if i.trunc {
		return TruncateID(i.s.ID)
	}
	return i.s.ID
}

// Repository is the row's repository, familiar: "busybox".
func (i *Image) Repository() string { return i.repo }

// Tag is the row's tag.
func (i *Image) Tag() string { return i.tag }

// Digest is the row's repository digest, "<none>" when it has none.
func (i *Image) Digest() string { return i.digest }

// CreatedSince is how long ago the image was built: "3 days ago"; "" when
// its config does not say.
func (i *Image) CreatedSince() string { return units.Ago(i.s.Created, i.now) }

// CreatedAt is when the image was built, docker's way.
func (i *Image) CreatedAt() string { return CreatedAt(i.s.Created) }

// Size is the image's unpacked size: "1.15MB".
func (i *Image) Size() string { return units.HumanSize(i.s.Size) }

// VirtualSize is Size with four digits (docker's deprecated field).
func (i *Image) VirtualSize() string { return units.HumanSizeDigits(i.s.Size, 4) }

// Containers, SharedSize and UniqueSize are what docker images prints
// without --verbose disk usage: N/A.
func (i *Image) Containers() string { return "N/A" }

// SharedSize: see Containers.
func (i *Image) SharedSize() string { return "N/A" }

// UniqueSize: see Containers.
func (i *Image) UniqueSize() string { return "N/A" }

// MarshalJSON is {{json .}}: every field above, as docker's.
func (i *Image) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"Containers": i.Containers(), "CreatedAt": i.CreatedAt(), "CreatedSince": i.CreatedSince(),
		"Digest": i.Digest(), "ID": i.ID(), "Repository": i.Repository(), "SharedSize": i.SharedSize(),
		"Size": i.Size(), "Tag": i.Tag(), "UniqueSize": i.UniqueSize(), "VirtualSize": i.VirtualSize(),
	})
}
