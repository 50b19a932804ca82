// Package progress is the typed stream of per-layer updates that a pull (and
// later push, load and build) produces. The engine emits Updates; the CLI prints
// them as lines or live bars, the TUI draws them as bars. It imports nothing
// of ours.
package progress

import "time"

// State is where one layer (or the whole operation) stands.
type State int

const (
	Waiting       State = iota // queued behind the parallelism limit
	Downloading                // Current/Total are compressed bytes fetched
	Verifying                  // digest being checked (end of the download)
	Extracting                 // Current/Total are compressed bytes of the blob consumed by the unpacker
	AlreadyExists              // blob and snapshot are already in the store
	Done                       // this layer is complete
	Failed                     // Err says why
)

var stateNames = [...]string{
	Waiting:       "Waiting",
	Downloading:   "Downloading",
	Verifying:     "Verifying Checksum",
	Extracting:    "Extracting",
	AlreadyExists: "Already exists",
	Done:          "Pull complete",
	Failed:        "Failed",
}

// String is the Docker-style word for the state.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "Unknown"
	}
	return stateNames[s]
}

// Final reports whether no further update follows for this layer.
func (s State) Final() bool { return s == AlreadyExists || s == Done || s == Failed }

// Update is one event of the stream. An Update with an empty ID is about the
// whole operation and carries only Message (e.g. "Digest: sha256:...").
type Update struct {
	Ref     string // the reference being pulled, as the user typed it, normalized
	ID      string // short (12 hex) digest of the layer blob; "" for whole-operation messages
	State   State
	Current int64 // bytes done in this state
	Total   int64 // bytes expected in this state; 0 if unknown
	Err     error // set when State == Failed
	Message string
	Time    time.Time
}

// Func receives updates. It is called from several goroutines and must not
// block for long; a nil Func discards.
type Func func(Update)

// Send calls f if it is not nil, stamping the time.
func (f Func) Send(u Update) {
	if f == nil {
		return
	}
	if u.Time.IsZero() {
		u.Time = time.Now()
	}
	f(u)
}
