// Package container keeps containers: their fixed configuration, their
// changing state, and the lifecycle Docker users expect (create, start, stop,
// kill, pause, remove, exec, logs, stats, top). Each running container is
// owned by a monitor process (package monitor); this package starts
// monitors, talks to them and records what they report.
package container

import (
	"fmt"
	"time"

	"berth/engine/network/portmap"
)

// Status is where a container stands in its lifecycle.
type Status int

const (
	Created    Status = iota // made, never started
	Running                  // its process runs
	Paused                   // frozen
	Restarting               // exited; the monitor will start it again
	Exited                   // its process ended
	Dead                     // could not be cleaned up; only rm helps
)

var statusNames = [...]string{"created", "running", "paused", "restarting", "exited", "dead"}

// String is Docker's word for the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("status(%d)", int(s))
	}
	return statusNames[s]
}

// ParseStatus reads a status word (as `ps --filter status=` takes it).
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if n == s {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q: use created, running, paused, restarting, exited or dead", s)
}

// Active reports whether a process of the container is alive (running or paused).
func (s Status) Active() bool { return s == Running || s == Paused }

// RestartPolicy says when the monitor starts an exited container again.
type RestartPolicy struct {
	Name       string // "no", "on-failure", "always", "unless-stopped"
	MaxRetries int    // for on-failure; 0 means no limit
}

// Resources are the cgroup limits of a container; zero means no limit.
type Resources struct {
	Memory     int64 // bytes
	MemorySwap int64 // bytes of memory plus swap; -1 unlimited swap
	NanoCPUs   int64 // CPUs × 10^9 (--cpus 0.5 is 500000000)
	CPUShares  int64
	PidsLimit  int64
}

// Security loosens or tightens Docker's default confinement, and says
// which privileges the container's processes get.
type Security struct {
	Privileged        bool
	CapAdd, CapDrop   []string // "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL"
	SeccompUnconfined bool
	// NoNewPrivileges (--security-opt no-new-privileges) makes setuid and
	// setgid binaries and file capabilities grant nothing. Off by default,
	// as in Docker and Podman, so sudo and su work.
	NoNewPrivileges bool
	// GroupAdd are supplementary groups for every process of the container
	// (--group-add): names of its /etc/group or numeric gids.
	GroupAdd []string `json:",omitempty"`
}

// Config is what a container is made with; it does not change after create
// (except the name, which lives apart).
type Config struct {
	Image       string // as the user named it: "busybox"
	ImageID     string // "sha256:..." of the config blob
	Platform    string // the image's "os/arch", e.g. "linux/amd64"
	Entrypoint  []string
	Cmd         []string
	Env         []string // KEY=value, image env overridden by -e
	WorkingDir  string
	User        string // "uid[:gid]" or "name[:group]"; "" is root
	Hostname    string
	Labels      map[string]string
	ReadOnly    bool
	StopSignal  string // "SIGTERM" by default
	StopTimeout int    // seconds; 10 by default
	Tty         bool   // -t
	OpenStdin   bool   // -i
	AutoRemove  bool   // --rm
	Restart     RestartPolicy
	Resources   Resources
	Security    Security
	NetworkMode string // "bridge" (default), "none", "host" or a user network's name
	// The container's place on its network (run's --network-alias, --ip,
	// --mac-address) and its resolver settings (--dns, --add-host).
	NetworkAliases []string `json:",omitempty"`
	IPAddress      string   `json:",omitempty"`
	MacAddress     string   `json:",omitempty"`
	DNS            []string `json:",omitempty"`
	ExtraHosts     []string `json:",omitempty"` // "name:address"
	LogMaxSize     int64    // bytes per log file before rotation
	LogMaxFiles    int      // rotated files kept
	// Mounts are the volumes, bind mounts and tmpfs mounts (mounts.go).
	Mounts []Mount `json:",omitempty"`
	// Published ports (ports.go): -p's bindings as given, -P, and every
	// port the container exposes (the image's, --expose's, the published).
	PortBindings portmap.Bindings `json:",omitempty"`
	PublishAll   bool             `json:",omitempty"`
	ExposedPorts []portmap.Port   `json:",omitempty"`
}

// Args is the command line the container runs: entrypoint then cmd.
func (c Config) Args() []string {
	return append(append([]string{}, c.Entrypoint...), c.Cmd...)
}

// State is what changes while a container lives.
type State struct {
	Status       Status
	Pid          int // the container's init, in the host pid namespace
	MonitorPid   int
	MonitorStart string // start time of the monitor process, against pid reuse
	ExitCode     int
	OOMKilled    bool
	Error        string // why the last start failed
	StartedAt    time.Time
	FinishedAt   time.Time
	RestartCount int
	// StoppedByUser is set by stop and kill so the restart policy leaves the
	// container exited (Docker's rule for "always" until the next start).
	StoppedByUser bool
	// Ports are the host ports the current run publishes (ports.go).
	Ports []portmap.Published `json:",omitempty"`
}

// Container is one container: identity, fixed config and current state.
type Container struct {
	ID      string // 64 hex
	Name    string // without Docker's leading "/"
	Created time.Time
	Config  Config
	State   State
}

// ShortID is the 12-hex form.
func (c *Container) ShortID() string { return c.ID[:12] }
