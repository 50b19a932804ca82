package container

import (
	"fmt"
	"time"

	"berth/engine/errdefs"
	"berth/engine/network/portmap"
	"berth/internal/units"
)

// Summary is one row of `berth ps`.
type Summary struct {
	ID          string
	Name        string
	Image       string // as the user named it
	ImageID     string
	Command     string // Docker's COMMAND: arguments with spaces in single quotes
	Created     time.Time
	State       State
	Labels      map[string]string
	NetworkMode string // its networks, comma-separated: "none", "host", "bridge", "app,other"

	// Mounts are the volume names and bind sources (ps MOUNTS), of which
	// LocalVolumes are volumes.
	Mounts       []string
	LocalVolumes int

	// Ports is ps's PORTS while it runs: "443/tcp, 0.0.0.0:8080->80/tcp".
	Ports string
}

// StatusText is Docker's STATUS column: "Up 3 minutes", "Exited (0) 2 seconds ago".
func (s Summary) StatusText(now time.Time) string {
	st := s.State
	switch st.Status {
	case Running:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt))
	case Paused:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt)) + " (Paused)"
	case Restarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	case Exited:
		if st.StartedAt.IsZero() {
			return "Created"
		}
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	case Dead:
		return "Dead"
	}
	return "Created"
}

// CreateOptions are what `berth create` and `berth run` take. Nil and zero
// fields fall back to the image's config, then to Docker's defaults.
type CreateOptions struct {
	Name        string
	Image       string
	Cmd         []string  // replaces the image's Cmd when not empty
	Entrypoint  *[]string // replaces the image's Entrypoint when set ([""] clears it)
	Env         []string  // KEY=value added to (and overriding) the image's
	WorkingDir  string
	User        string
	Hostname    string
	Labels      map[string]string
	ReadOnly    bool
	StopSignal  string
	StopTimeout *int
	Tty         bool
	OpenStdin   bool
	AutoRemove  bool
	Restart     RestartPolicy
	Resources   Resources
	Security    Security
	NetworkMode string
	// Network settings (see Config).
	NetworkAliases []string
	IPAddress      string
	MacAddress     string
	DNS            []string
	ExtraHosts     []string

	// Mounts: -v, --mount, --tmpfs (ParseVolumeFlag, ParseMountFlag, ParseTmpfsFlag).
	Mounts []Mount

	// Ports: -p (portmap.Parse), -P, --expose (portmap.ParseExpose).
	PortBindings portmap.Bindings
	PublishAll   bool
	Expose       []portmap.Port
}

// Defaults Docker users expect.
const (
	DefaultStopTimeout = 10
	DefaultStopSignal  = "SIGTERM"
	DefaultLogMaxSize  = 10 << 20
	DefaultLogMaxFiles = 3
)

// RemoveOptions for Remove.
type RemoveOptions struct {
	Force bool // kill a running container first
	// Volumes (rm -v) also removes the container's anonymous volumes that
	// no other container uses.
	Volumes bool
}

// PruneReport says what prune removed.
type PruneReport struct {
	Removed []string
	Space   int64
}

// Sample is one reading of a container's resource use.
type Sample struct {
	ID, Name   string
	Time       time.Time
	CPUNanos   uint64 // CPU time used so far
	MemUsage   uint64 // bytes, without reclaimable page cache
	MemLimit   uint64 // bytes; the host's memory when unlimited
	PIDs       uint64
	BlockRead  uint64
	BlockWrite uint64
	// NetRx and NetTx are the bytes the container received and sent on
	// its network interfaces (loopback not counted); 0 without a network
	// of its own (--network none or host).
	NetRx, NetTx uint64
}

// CPUPercent is the CPU use between two samples, in percent of one CPU
// (like Docker, 200% is two CPUs busy).
func CPUPercent(prev, cur Sample) float64 {
	wall := cur.Time.Sub(prev.Time)
	if wall <= 0 || cur.CPUNanos < prev.CPUNanos {
		return 0
	}
	return float64(cur.CPUNanos-prev.CPUNanos) / float64(wall.Nanoseconds()) * 100
}

// MemPercent is usage over limit in percent.
func (s Sample) MemPercent() float64 {
	if s.MemLimit == 0 {
		return 0
	}
	return float64(s.MemUsage) / float64(s.MemLimit) * 100
}

// Process is one row of `berth top`.
type Process struct {
	UID, PID, PPID int
	Start          time.Time
	CPU            time.Duration
	Cmd            string
}

// StartError is a container process that could not be started; Code is the
// exit code Docker gives it (125, 126 cannot execute, 127 not found).
type StartError struct {
	Code int
	Msg  string
}

func (e *StartError) Error() string { return e.Msg }

// Is makes a start failure an InvalidArgument for errdefs.
func (e *StartError) Is(target error) bool { return target == errdefs.ErrInvalidArgument }
