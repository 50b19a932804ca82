package container

// The cgroupfs manager needs this to apply device rules ("cgroup manager is
// not configured to set device rules" otherwise). Every binary that starts
// containers imports this package, so it gets it from here.
import _ "github.com/opencontainers/cgroups/devices"
