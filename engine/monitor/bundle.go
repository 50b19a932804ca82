// Package monitor is the per-container monitor process, berth's conmon: it
// mounts the container's root filesystem, creates and starts the container
// with libcontainer, is its parent and reaper, holds its terminal or stdio
// pipes, appends its output to the log file, serves an attach socket to any
// number of clients, applies the restart policy the engine decides on, and
// reports what happened through a Recorder. It outlives the berth process
// that started it.
//
// The package also holds the client side of the attach socket and the
// reader of the log files, which share their formats with the monitor.
package monitor

import (
	"time"

	"github.com/opencontainers/runc/libcontainer/configs"

	"berth/engine/network"
	"berth/engine/network/firewall"
)

// Bundle is everything a monitor needs to own one container. The engine
// writes it as JSON before it starts the monitor.
type Bundle struct {
	ID        string
	StateRoot string          // libcontainer's state root, e.g. /run/berth/runc
	Config    *configs.Config // libcontainer config; Config.Rootfs == Rootfs.Target
	Process   Process
	Rootfs    Overlay
	Log       LogConfig
	Socket    string // path of the attach socket
	// WaitAttach holds the process before it executes until the first
	// client attaches asking to start it (foreground `berth run`), so no
	// output is missed; after 10 s the monitor starts it anyway.
	WaitAttach bool
	// Network is what network.Configure sets up in the container's network
	// namespace once its init exists, before it executes (empty for
	// --network none and host); the host ends go when the run ends.
	Network []network.Attachment `json:",omitempty"`
	// DNS, when set, is the container's name server (user networks): the
	// monitor answers at dns.ResolverAddr:53 in the container's network
	// namespace from its start to its end (package dns).
	DNS *DNS `json:",omitempty"`
	// Ports are the published ports: the monitor keeps their host ports
	// bound and their forwarding rules in place while each run lasts
	// (ports_linux.go).
	Ports *firewall.Ports `json:",omitempty"`
}

// DNS configures the container's name server.
type DNS struct {
	// Upstreams are the resolvers names other than the containers' are
	// forwarded to ("ip" or "ip:port").
	Upstreams []string
}

// Process is what runs in the container.
type Process struct {
	Args []string
	Env  []string
	Cwd  string
	User string // "", "uid", "uid:gid", "name", "name:group": resolved in the container's /etc/passwd and /etc/group
	// GroupAdd are more supplementary groups (--group-add): names of the
	// container's /etc/group or numeric gids (see ResolveUser).
	GroupAdd []string `json:",omitempty"`
	Tty      bool
	Stdin    bool // keep stdin open (-i)
}

// Overlay is the container's root filesystem: read-only image layers below
// (top first), the container's writable layer above, mounted at Target.
type Overlay struct {
	Lower  []string
	Upper  string
	Work   string
	Target string
}

// LogConfig says where output goes and how much is kept.
type LogConfig struct {
	Path     string // current file; rotated ones are Path.1, Path.2, ...
	MaxSize  int64  // bytes before rotation; 0 means no limit
	MaxFiles int    // files kept in all, the current one included
}

// Exit is how a run of the container's process ended.
type Exit struct {
	Code      int // exit status, or 128+signal
	OOMKilled bool
	At        time.Time
	Err       string // set when the process could not be started
}

// Recorder is how the monitor tells the engine what happened; the engine
// implements it over its store. Calls come from the monitor's goroutine,
// in order.
type Recorder interface {
	// Started: the process runs with host pid pid.
	Started(pid int, at time.Time) error
	// Exited: the process ended. The engine answers whether to start it
	// again (restart policy) and after how long.
	Exited(ex Exit) (restart bool, delay time.Duration, err error)
	// Finished: the monitor is done and exits; the container will not run
	// again under this monitor (auto-remove happens here).
	Finished() error
}
