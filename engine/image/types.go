package image

import (
	"encoding/json"
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

// Inspect is what `berth image inspect` prints as JSON: Docker's field names
// where Docker has one, plus the manifest and layer digests berth keeps.
type Inspect struct {
	ID           string          `json:"Id"`
	RepoTags     []string        `json:"RepoTags"`
	RepoDigests  []string        `json:"RepoDigests"`
	Created      time.Time       `json:"Created"`
	Author       string          `json:"Author,omitempty"`
	Architecture string          `json:"Architecture"`
	Os           string          `json:"Os"`
	Variant      string          `json:"Variant,omitempty"`
	Size         int64           `json:"Size"`
	Config       json.RawMessage `json:"Config"` // the config's "config" object as stored
	RootFS       RootFS          `json:"RootFS"`
	Manifest     ManifestInfo    `json:"Manifest"`
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
