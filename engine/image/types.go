package image

import (
	"time"

	"berth/engine/progress"
)

// Summary is one image as `berth images` lists it. An image with several
// tags has several RepoTags; a dangling image has none.
type Summary struct {
	ID          string    // "sha256:<hex>" of the config blob
	RepoTags    []string  // familiar names: "busybox:latest", "127.0.0.1:5000/big:latest"
	RepoDigests []string  // "busybox@sha256:..."
	Created     time.Time // from the image config
	Size        int64     // bytes of the unpacked layers
	Layers      int
}

// ShortID is the 12-hex form Docker shows.
func (s Summary) ShortID() string { return ShortID(s.ID) }

// ShortID cuts "sha256:<hex>" to 12 hex characters.
func ShortID(id string) string {
	if len(id) > 7 && id[:7] == "sha256:" {
		id = id[7:]
	}
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// PullOptions tune a pull.
type PullOptions struct {
	Platform string        // "os/arch[/variant]"; "" means linux/amd64
	Parallel int           // layers fetched at once; 0 means 3
	Progress progress.Func // receives the per-layer stream; may be nil
}

// PullResult says what a pull did.
type PullResult struct {
	Ref      string // normalized full reference, e.g. "docker.io/library/busybox:latest"
	ID       string // image ID
	Digest   string // manifest (or index) digest served by the registry
	UpToDate bool   // nothing was fetched: the tag already pointed at this digest
}

// HistoryEntry is one row of `berth image history`, newest first.
type HistoryEntry struct {
	ID         string // image ID for the top row, "<missing>" below it, as Docker
	Created    time.Time
	CreatedBy  string
	Size       int64 // unpacked bytes of the layer this step made; 0 for empty layers
	Comment    string
	EmptyLayer bool
}

// RemoveOptions for Remove.
type RemoveOptions struct {
	Force bool // remove every tag of the image and remove it even if in use
}

// RemoveResult is one line of `berth rmi` output: exactly one field is set.
type RemoveResult struct {
	Untagged string
	Deleted  string
}

// PruneReport says what prune removed.
type PruneReport struct {
	Removed        []RemoveResult
	SpaceReclaimed int64
}

// LoadResult names what a load stored.
type LoadResult struct {
	Loaded []string // "Loaded image: busybox:latest" or "Loaded image ID: sha256:..."
}

// Inspect is what `berth image inspect` prints: Docker's image document
// (API 1.41, as docker 20.10 prints it) with its field names, order and
// zero values, then the manifest and layer digests berth keeps. Times are
// strings, as in Docker's, so that templates print them the same way.
type Inspect struct {
	ID              string           `json:"Id"`
	RepoTags        []string         `json:"RepoTags"`
	RepoDigests     []string         `json:"RepoDigests"`
	Parent          string           `json:"Parent"`
	Comment         string           `json:"Comment"`
	Created         string           `json:"Created"` // RFC 3339 with nanoseconds, as the config says
	Container       string           `json:"Container"`
	ContainerConfig ContainerConfig  `json:"ContainerConfig"`
	DockerVersion   string           `json:"DockerVersion"`
	Author          string           `json:"Author"`
	Config          *ContainerConfig `json:"Config"`
	Architecture    string           `json:"Architecture"`
	Variant         string           `json:"Variant,omitempty"`
	Os              string           `json:"Os"`
	OsVersion       string           `json:"OsVersion,omitempty"`
	Size            int64            `json:"Size"`
	VirtualSize     int64            `json:"VirtualSize"`
	GraphDriver     GraphDriver      `json:"GraphDriver"`
	RootFS          RootFS           `json:"RootFS"`
	Metadata        Metadata         `json:"Metadata"`
	Manifest        ManifestInfo     `json:"Manifest"` // berth's own: the manifest and layer blobs
}

// ContainerConfig is Docker's container.Config: an image's default run
// settings (its config's "config" object), and what a container runs with
// (container inspect's Config). Fields without omitempty are always shown,
// as Docker shows them.
type ContainerConfig struct {
	Hostname        string              `json:"Hostname"`
	Domainname      string              `json:"Domainname"`
	User            string              `json:"User"`
	AttachStdin     bool                `json:"AttachStdin"`
	AttachStdout    bool                `json:"AttachStdout"`
	AttachStderr    bool                `json:"AttachStderr"`
	ExposedPorts    map[string]struct{} `json:"ExposedPorts,omitempty"`
	Tty             bool                `json:"Tty"`
	OpenStdin       bool                `json:"OpenStdin"`
	StdinOnce       bool                `json:"StdinOnce"`
	Env             []string            `json:"Env"`
	Cmd             []string            `json:"Cmd"`
	Healthcheck     *HealthConfig       `json:"Healthcheck,omitempty"`
	ArgsEscaped     bool                `json:"ArgsEscaped,omitempty"`
	Image           string              `json:"Image"`
	Volumes         map[string]struct{} `json:"Volumes"`
	WorkingDir      string              `json:"WorkingDir"`
	Entrypoint      []string            `json:"Entrypoint"`
	NetworkDisabled bool                `json:"NetworkDisabled,omitempty"`
	MacAddress      string              `json:"MacAddress,omitempty"`
	OnBuild         []string            `json:"OnBuild"`
	Labels          map[string]string   `json:"Labels"`
	StopSignal      string              `json:"StopSignal,omitempty"`
	StopTimeout     *int                `json:"StopTimeout,omitempty"`
	Shell           []string            `json:"Shell,omitempty"`
}

// HealthConfig is Docker's HEALTHCHECK settings; durations in nanoseconds.
type HealthConfig struct {
	Test        []string      `json:"Test,omitempty"`
	Interval    time.Duration `json:"Interval,omitempty"`
	Timeout     time.Duration `json:"Timeout,omitempty"`
	StartPeriod time.Duration `json:"StartPeriod,omitempty"`
	Retries     int           `json:"Retries,omitempty"`
}

// GraphDriver names the storage driver and its directories, as Docker's
// GraphDriverData. berth says "overlay2": its layers are directories
// stacked as overlayfs lower directories, which is Docker's overlay2
// layout (Docker's older "overlay" driver chained hard links instead).
type GraphDriver struct {
	Data map[string]string `json:"Data"`
	Name string            `json:"Name"`
}

// DriverName is the GraphDriver name of images and containers.
const DriverName = "overlay2"

// Metadata is Docker's engine-local data about an image. berth does not
// record when a tag was set, so LastTagTime is the zero time, as Docker
// shows for a pulled image.
type Metadata struct {
	LastTagTime time.Time `json:"LastTagTime"`
}

// RootFS lists the layers' uncompressed digests, bottom first.
type RootFS struct {
	Type   string   `json:"Type"`
	Layers []string `json:"Layers"`
}

// ManifestInfo names the manifest and its layer blobs.
type ManifestInfo struct {
	Digest    string      `json:"Digest"`
	MediaType string      `json:"MediaType"`
	Layers    []LayerInfo `json:"Layers"`
}

// LayerInfo is one layer as stored: its blob and its unpacked snapshot.
type LayerInfo struct {
	Digest    string `json:"Digest"`    // compressed blob digest
	MediaType string `json:"MediaType"` // as the manifest says
	Size      int64  `json:"Size"`      // compressed bytes
	DiffID    string `json:"DiffID"`    // uncompressed digest
	Unpacked  int64  `json:"UnpackedSize"`
}
