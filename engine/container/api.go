package container

import (
	"fmt"
	"time"

	"berth/engine/errdefs"
)

// Summary is one row of `berth ps`.
type Summary struct {
	ID      string
	Name    string
	Image   string
	ImageID string
	Command string
	Created time.Time
	State   State
	Labels  map[string]string
}

// StatusText is Docker's STATUS column: "Up 3 minutes", "Exited (0) 2 seconds ago".
func (s Summary) StatusText(now time.Time) string {
	st := s.State
	switch st.Status {
	case Running:
		return "Up " + humanDuration(now.Sub(st.StartedAt))
	case Paused:
		return "Up " + humanDuration(now.Sub(st.StartedAt)) + " (Paused)"
	case Restarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, humanDuration(now.Sub(st.FinishedAt)))
	case Exited:
		if st.StartedAt.IsZero() {
			return "Created"
		}
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, humanDuration(now.Sub(st.FinishedAt)))
	case Dead:
		return "Dead"
	}
	return "Created"
}

// humanDuration is Docker's units.HumanDuration wording.
func humanDuration(d time.Duration) string {
	switch s := int(d.Seconds()); {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	case d.Minutes() < 2:
		return "About a minute"
	case d.Minutes() < 60:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d.Hours() < 2:
		return "About an hour"
	case d.Hours() < 48:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d.Hours() < 24*14:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d.Hours() < 24*60:
		return fmt.Sprintf("%d weeks", int(d.Hours()/24/7))
	case d.Hours() < 24*365*2:
		return fmt.Sprintf("%d months", int(d.Hours()/24/30))
	default:
		return fmt.Sprintf("%d years", int(d.Hours()/24/365))
	}
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

// Inspect is what `berth inspect` prints for a container, with Docker's
// field names where Docker has them.
type Inspect struct {
	ID           string        `json:"Id"`
	Created      time.Time     `json:"Created"`
	Path         string        `json:"Path"`
	Args         []string      `json:"Args"`
	State        InspectState  `json:"State"`
	Image        string        `json:"Image"`
	Name         string        `json:"Name"`
	RestartCount int           `json:"RestartCount"`
	LogPath      string        `json:"LogPath"`
	Config       InspectConfig `json:"Config"`
	HostConfig   InspectHost   `json:"HostConfig"`
	GraphDriver  InspectGraph  `json:"GraphDriver"`
}

// InspectState is Docker's State object.
type InspectState struct {
	Status     string    `json:"Status"`
	Running    bool      `json:"Running"`
	Paused     bool      `json:"Paused"`
	Restarting bool      `json:"Restarting"`
	OOMKilled  bool      `json:"OOMKilled"`
	Dead       bool      `json:"Dead"`
	Pid        int       `json:"Pid"`
	ExitCode   int       `json:"ExitCode"`
	Error      string    `json:"Error"`
	StartedAt  time.Time `json:"StartedAt"`
	FinishedAt time.Time `json:"FinishedAt"`
	MonitorPid int       `json:"MonitorPid"`
}

// InspectConfig is Docker's Config object.
type InspectConfig struct {
	Hostname    string            `json:"Hostname"`
	User        string            `json:"User"`
	Tty         bool              `json:"Tty"`
	OpenStdin   bool              `json:"OpenStdin"`
	Env         []string          `json:"Env"`
	Cmd         []string          `json:"Cmd"`
	Image       string            `json:"Image"`
	WorkingDir  string            `json:"WorkingDir"`
	Entrypoint  []string          `json:"Entrypoint"`
	Labels      map[string]string `json:"Labels"`
	StopSignal  string            `json:"StopSignal"`
	StopTimeout int               `json:"StopTimeout"`
}

// InspectHost is Docker's HostConfig object (the parts berth has).
type InspectHost struct {
	NetworkMode    string        `json:"NetworkMode"`
	RestartPolicy  RestartPolicy `json:"RestartPolicy"`
	AutoRemove     bool          `json:"AutoRemove"`
	Privileged     bool          `json:"Privileged"`
	CapAdd         []string      `json:"CapAdd"`
	CapDrop        []string      `json:"CapDrop"`
	ReadonlyRootfs bool          `json:"ReadonlyRootfs"`
	Memory         int64         `json:"Memory"`
	MemorySwap     int64         `json:"MemorySwap"`
	NanoCpus       int64         `json:"NanoCpus"`
	CPUShares      int64         `json:"CpuShares"`
	PidsLimit      int64         `json:"PidsLimit"`
	SecurityOpt    []string      `json:"SecurityOpt"`
}

// InspectGraph names the overlay directories, as Docker's GraphDriver.
type InspectGraph struct {
	Name string            `json:"Name"`
	Data map[string]string `json:"Data"`
}
