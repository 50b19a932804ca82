package container

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"berth/engine/image"
)

// Inspect is what `berth inspect` prints for a container: Docker's
// document (API 1.41, as docker 20.10 prints it) with its field names,
// order and zero values, so that scripts reading it find what they read in
// Docker's. Go field names are Docker's too (ID, NanoCPUs), so templates
// resolve them as docker's do; the JSON names (Id, NanoCpus) resolve through
// the CLI's fallback to the JSON document, as in docker. What berth has no
// counterpart for keeps Docker's zero value (AppArmorProfile, Dns, Links).
type Inspect struct {
	ID              string                `json:"Id"`
	Created         string                `json:"Created"`
	Path            string                `json:"Path"`
	Args            []string              `json:"Args"`
	State           InspectState          `json:"State"`
	Image           string                `json:"Image"`
	ResolvConfPath  string                `json:"ResolvConfPath"`
	HostnamePath    string                `json:"HostnamePath"`
	HostsPath       string                `json:"HostsPath"`
	LogPath         string                `json:"LogPath"`
	Name            string                `json:"Name"`
	RestartCount    int                   `json:"RestartCount"`
	Driver          string                `json:"Driver"`
	Platform        string                `json:"Platform"`
	MountLabel      string                `json:"MountLabel"`
	ProcessLabel    string                `json:"ProcessLabel"`
	AppArmorProfile string                `json:"AppArmorProfile"`
	ExecIDs         []string              `json:"ExecIDs"`
	HostConfig      InspectHostConfig     `json:"HostConfig"`
	GraphDriver     image.GraphDriver     `json:"GraphDriver"`
	SizeRw          *int64                `json:"SizeRw,omitempty"`     // with inspect --size
	SizeRootFs      *int64                `json:"SizeRootFs,omitempty"` // with inspect --size
	Mounts          []InspectMount        `json:"Mounts"`
	Config          image.ContainerConfig `json:"Config"`
	NetworkSettings InspectNetwork        `json:"NetworkSettings"`
}

// InspectState is Docker's State object; times are RFC 3339 strings in
// UTC, "0001-01-01T00:00:00Z" for never. MonitorPid is berth's own: the
// pid of the container's monitor process.
type InspectState struct {
	Status     string `json:"Status"`
	Running    bool   `json:"Running"`
	Paused     bool   `json:"Paused"`
	Restarting bool   `json:"Restarting"`
	OOMKilled  bool   `json:"OOMKilled"`
	Dead       bool   `json:"Dead"`
	Pid        int    `json:"Pid"`
	ExitCode   int    `json:"ExitCode"`
	Error      string `json:"Error"`
	StartedAt  string `json:"StartedAt"`
	FinishedAt string `json:"FinishedAt"`
	MonitorPid int    `json:"MonitorPid"`
}

// InspectHostConfig is Docker's HostConfig object, every key of it.
type InspectHostConfig struct {
	Binds           []string                        `json:"Binds"`
	ContainerIDFile string                          `json:"ContainerIDFile"`
	LogConfig       InspectLogConfig                `json:"LogConfig"`
	NetworkMode     string                          `json:"NetworkMode"`
	PortBindings    map[string][]InspectPortBinding `json:"PortBindings"`
	RestartPolicy   InspectRestartPolicy            `json:"RestartPolicy"`
	AutoRemove      bool                            `json:"AutoRemove"`
	VolumeDriver    string                          `json:"VolumeDriver"`
	VolumesFrom     []string                        `json:"VolumesFrom"`
	CapAdd          []string                        `json:"CapAdd"`
	CapDrop         []string                        `json:"CapDrop"`
	CgroupnsMode    string                          `json:"CgroupnsMode"`
	DNS             []string                        `json:"Dns"`
	DNSOptions      []string                        `json:"DnsOptions"`
	DNSSearch       []string                        `json:"DnsSearch"`
	ExtraHosts      []string                        `json:"ExtraHosts"`
	GroupAdd        []string                        `json:"GroupAdd"`
	IpcMode         string                          `json:"IpcMode"`
	Cgroup          string                          `json:"Cgroup"`
	Links           []string                        `json:"Links"`
	OomScoreAdj     int                             `json:"OomScoreAdj"`
	PidMode         string                          `json:"PidMode"`
	Privileged      bool                            `json:"Privileged"`
	PublishAllPorts bool                            `json:"PublishAllPorts"`
	ReadonlyRootfs  bool                            `json:"ReadonlyRootfs"`
	SecurityOpt     []string                        `json:"SecurityOpt"`
	UTSMode         string                          `json:"UTSMode"`
	UsernsMode      string                          `json:"UsernsMode"`
	ShmSize         int64                           `json:"ShmSize"`
	Runtime         string                          `json:"Runtime"`
	ConsoleSize     [2]uint                         `json:"ConsoleSize"`
	Isolation       string                          `json:"Isolation"`
	InspectResources
	MaskedPaths   []string `json:"MaskedPaths"`
	ReadonlyPaths []string `json:"ReadonlyPaths"`
	// Mounts (--mount) and Tmpfs (--tmpfs), left out when empty, as Docker does.
	Mounts []InspectHostMount `json:"Mounts,omitempty"`
	Tmpfs  map[string]string  `json:"Tmpfs,omitempty"`
}

// InspectResources are Docker's cgroup settings inside HostConfig.
type InspectResources struct {
	CPUShares            int64                  `json:"CpuShares"`
	Memory               int64                  `json:"Memory"`
	NanoCPUs             int64                  `json:"NanoCpus"`
	CgroupParent         string                 `json:"CgroupParent"`
	BlkioWeight          uint16                 `json:"BlkioWeight"`
	BlkioWeightDevice    []InspectWeightDevice  `json:"BlkioWeightDevice"`
	BlkioDeviceReadBps   []InspectThrottle      `json:"BlkioDeviceReadBps"`
	BlkioDeviceWriteBps  []InspectThrottle      `json:"BlkioDeviceWriteBps"`
	BlkioDeviceReadIOps  []InspectThrottle      `json:"BlkioDeviceReadIOps"`
	BlkioDeviceWriteIOps []InspectThrottle      `json:"BlkioDeviceWriteIOps"`
	CPUPeriod            int64                  `json:"CpuPeriod"`
	CPUQuota             int64                  `json:"CpuQuota"`
	CPURealtimePeriod    int64                  `json:"CpuRealtimePeriod"`
	CPURealtimeRuntime   int64                  `json:"CpuRealtimeRuntime"`
	CpusetCpus           string                 `json:"CpusetCpus"`
	CpusetMems           string                 `json:"CpusetMems"`
	Devices              []InspectDevice        `json:"Devices"`
	DeviceCgroupRules    []string               `json:"DeviceCgroupRules"`
	DeviceRequests       []InspectDeviceRequest `json:"DeviceRequests"`
	KernelMemory         int64                  `json:"KernelMemory"`
	KernelMemoryTCP      int64                  `json:"KernelMemoryTCP"`
	MemoryReservation    int64                  `json:"MemoryReservation"`
	MemorySwap           int64                  `json:"MemorySwap"`
	MemorySwappiness     *int64                 `json:"MemorySwappiness"`
	OomKillDisable       bool                   `json:"OomKillDisable"`
	PidsLimit            *int64                 `json:"PidsLimit"`
	Ulimits              []InspectUlimit        `json:"Ulimits"`
	CPUCount             int64                  `json:"CpuCount"`
	CPUPercent           int64                  `json:"CpuPercent"`
	IOMaximumIOps        uint64                 `json:"IOMaximumIOps"`
	IOMaximumBandwidth   uint64                 `json:"IOMaximumBandwidth"`
}

// InspectLogConfig is the log driver and its options.
type InspectLogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
}

// InspectRestartPolicy is Docker's RestartPolicy object.
type InspectRestartPolicy struct {
	Name              string `json:"Name"`
	MaximumRetryCount int    `json:"MaximumRetryCount"`
}

// InspectPortBinding is one published port.
type InspectPortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// InspectWeightDevice is a per-device block I/O weight.
type InspectWeightDevice struct {
	Path   string `json:"Path"`
	Weight uint16 `json:"Weight"`
}

// InspectThrottle is a per-device block I/O limit.
type InspectThrottle struct {
	Path string `json:"Path"`
	Rate uint64 `json:"Rate"`
}

// InspectDevice is a host device given to the container.
type InspectDevice struct {
	PathOnHost        string `json:"PathOnHost"`
	PathInContainer   string `json:"PathInContainer"`
	CgroupPermissions string `json:"CgroupPermissions"`
}

// InspectDeviceRequest asks a device driver for devices (GPUs).
type InspectDeviceRequest struct {
	Driver       string            `json:"Driver"`
	Count        int               `json:"Count"`
	DeviceIDs    []string          `json:"DeviceIDs"`
	Capabilities [][]string        `json:"Capabilities"`
	Options      map[string]string `json:"Options"`
}

// InspectUlimit is one resource limit.
type InspectUlimit struct {
	Name string `json:"Name"`
	Hard int64  `json:"Hard"`
	Soft int64  `json:"Soft"`
}

// InspectMount is a volume or bind mount (berth has none yet).
type InspectMount struct {
	Type        string `json:"Type,omitempty"`
	Name        string `json:"Name,omitempty"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Driver      string `json:"Driver,omitempty"`
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
}

// InspectNetwork is Docker's NetworkSettings object.
type InspectNetwork struct {
	Bridge                 string                          `json:"Bridge"`
	SandboxID              string                          `json:"SandboxID"`
	HairpinMode            bool                            `json:"HairpinMode"`
	LinkLocalIPv6Address   string                          `json:"LinkLocalIPv6Address"`
	LinkLocalIPv6PrefixLen int                             `json:"LinkLocalIPv6PrefixLen"`
	Ports                  map[string][]InspectPortBinding `json:"Ports"`
	SandboxKey             string                          `json:"SandboxKey"`
	SecondaryIPAddresses   []InspectAddress                `json:"SecondaryIPAddresses"`
	SecondaryIPv6Addresses []InspectAddress                `json:"SecondaryIPv6Addresses"`
	EndpointID             string                          `json:"EndpointID"`
	Gateway                string                          `json:"Gateway"`
	GlobalIPv6Address      string                          `json:"GlobalIPv6Address"`
	GlobalIPv6PrefixLen    int                             `json:"GlobalIPv6PrefixLen"`
	IPAddress              string                          `json:"IPAddress"`
	IPPrefixLen            int                             `json:"IPPrefixLen"`
	IPv6Gateway            string                          `json:"IPv6Gateway"`
	MacAddress             string                          `json:"MacAddress"`
	Networks               map[string]*InspectEndpoint     `json:"Networks"`
}

// InspectAddress is an extra address of the container.
type InspectAddress struct {
	Addr      string `json:"Addr"`
	PrefixLen int    `json:"PrefixLen"`
}

// InspectEndpoint is the container's place on one network.
type InspectEndpoint struct {
	IPAMConfig          *InspectIPAMConfig `json:"IPAMConfig"`
	Links               []string           `json:"Links"`
	Aliases             []string           `json:"Aliases"`
	NetworkID           string             `json:"NetworkID"`
	EndpointID          string             `json:"EndpointID"`
	Gateway             string             `json:"Gateway"`
	IPAddress           string             `json:"IPAddress"`
	IPPrefixLen         int                `json:"IPPrefixLen"`
	IPv6Gateway         string             `json:"IPv6Gateway"`
	GlobalIPv6Address   string             `json:"GlobalIPv6Address"`
	GlobalIPv6PrefixLen int                `json:"GlobalIPv6PrefixLen"`
	MacAddress          string             `json:"MacAddress"`
	DriverOpts          map[string]string  `json:"DriverOpts"`
}

// InspectIPAMConfig is an endpoint's requested addresses.
type InspectIPAMConfig struct {
	IPv4Address string `json:"IPv4Address,omitempty"`
	IPv6Address string `json:"IPv6Address,omitempty"`
}

// Docker's fixed values for what berth does the same way every time.
const (
	shmSize     = 64 << 20 // /dev/shm, as the spec mounts it
	runtimeName = "runc"   // libcontainer, runc's library
	logDriver   = "json-file"
)

// Inspect describes a container, as docker inspect does.
func (s *Service) Inspect(ctx context.Context, ref string) (*Inspect, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	// The image adds what the container config does not keep (exposed
	// ports, volumes, health check) and its layers; a container whose
	// image was removed (rmi -f) is described without them.
	img, _ := s.images.Resolve(ctx, c.Config.ImageID)
	in := s.inspect(c, img)
	eps, err := s.endpoints(ctx, c)
	if err != nil {
		return nil, err
	}
	fillNetwork(&in.NetworkSettings, c, eps)
	return in, nil
}

// inspect builds the document of c; img may be nil.
func (s *Service) inspect(c *Container, img *image.Resolved) *Inspect {
	cfg := c.Config
	args := cfg.Args()
	in := &Inspect{
		ID: c.ID, Created: timeString(c.Created), Args: []string{},
		State: inspectState(c.State), Image: cfg.ImageID,
		ResolvConfPath: filepath.Join(s.dir(c.ID), ResolvConfFile),
		HostnamePath:   filepath.Join(s.dir(c.ID), HostnameFile),
		HostsPath:      filepath.Join(s.dir(c.ID), HostsFile),
		LogPath:        s.logPath(c.ID),
		Name:           "/" + c.Name, RestartCount: c.State.RestartCount,
		Driver: image.DriverName, Platform: "linux",
		HostConfig: inspectHost(cfg),
		GraphDriver: image.GraphDriver{Name: image.DriverName, Data: map[string]string{
			"MergedDir": s.rootfs(c.ID),
			"UpperDir":  filepath.Join(s.dir(c.ID), "upper"),
			"WorkDir":   filepath.Join(s.dir(c.ID), "work"),
		}},
		Mounts:          s.inspectMounts(c),
		Config:          inspectConfig(c, img),
		NetworkSettings: inspectNetwork(c),
	}
	if len(args) > 0 {
		in.Path, in.Args = args[0], args[1:]
	}
	if img != nil && len(img.Layers) > 0 {
		in.GraphDriver.Data["LowerDir"] = strings.Join(img.Layers, ":")
	}
	return in
}

// timeString is Docker's form of a time in inspect: RFC 3339 in UTC with
// nanoseconds, "0001-01-01T00:00:00Z" for the zero time.
func timeString(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func inspectState(st State) InspectState {
	return InspectState{
		Status:  st.Status.String(),
		Running: st.Status == Running || st.Status == Paused, Paused: st.Status == Paused,
		Restarting: st.Status == Restarting, OOMKilled: st.OOMKilled, Dead: st.Status == Dead,
		Pid: st.Pid, ExitCode: st.ExitCode, Error: st.Error,
		StartedAt: timeString(st.StartedAt), FinishedAt: timeString(st.FinishedAt),
		MonitorPid: st.MonitorPid,
	}
}

// inspectConfig is the Config object: the container's own settings over
// what it takes from its image. Entrypoint stays null and User "" when
// unset, as in Docker. berth does not record which streams `run` attached,
// so the Attach* flags are false (docker's values for run -d).
func inspectConfig(c *Container, img *image.Resolved) image.ContainerConfig {
	cfg := c.Config
	out := image.ContainerConfig{
		Hostname: Hostname(c), User: cfg.User, Tty: cfg.Tty, OpenStdin: cfg.OpenStdin,
		Env: cfg.Env, Cmd: cfg.Cmd, Image: cfg.Image, WorkingDir: cfg.WorkingDir,
		Entrypoint: cfg.Entrypoint, Labels: cfg.Labels,
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	if cfg.StopSignal != "" && cfg.StopSignal != DefaultStopSignal {
		out.StopSignal = cfg.StopSignal
	}
	if cfg.StopTimeout != DefaultStopTimeout {
		t := cfg.StopTimeout
		out.StopTimeout = &t
	}
	if img != nil && img.Config != nil {
		ic := img.Config.Config
		out.ExposedPorts, out.Volumes = ic.ExposedPorts, ic.Volumes
		if h := ic.Healthcheck; h != nil {
			out.Healthcheck = &image.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
				StartPeriod: h.StartPeriod, Retries: h.Retries}
		}
	}
	if e := exposedPorts(cfg); e != nil { // the image's, --expose's and the published (ports.go)
		out.ExposedPorts = e
	}
	return out
}

// inspectHost is the HostConfig object. Where berth applies a default of
// its own (the swap of a memory limit, /dev/shm's size, Docker's masked
// paths), the document shows the value applied, as Docker's does.
func inspectHost(cfg Config) InspectHostConfig {
	r := cfg.Resources
	h := InspectHostConfig{
		LogConfig: InspectLogConfig{Type: logDriver, Config: map[string]string{
			"max-size": logSize(cfg.LogMaxSize), "max-file": fmt.Sprint(cfg.LogMaxFiles),
		}},
		NetworkMode:   cfg.NetworkMode,
		PortBindings:  inspectPortBindings(cfg),
		RestartPolicy: InspectRestartPolicy{Name: cfg.Restart.Name, MaximumRetryCount: cfg.Restart.MaxRetries},
		AutoRemove:    cfg.AutoRemove,
		CapAdd:        cfg.Security.CapAdd, CapDrop: cfg.Security.CapDrop,
		// berth gives every container its own cgroup namespace (spec_linux.go).
		CgroupnsMode: "private",
		DNS:          []string{}, DNSOptions: []string{}, DNSSearch: []string{},
		IpcMode:        "private",
		Privileged:     cfg.Security.Privileged,
		ReadonlyRootfs: cfg.ReadOnly,
		ShmSize:        shmSize,
		Runtime:        runtimeName,
		InspectResources: InspectResources{
			CPUShares: r.CPUShares, Memory: r.Memory, NanoCPUs: r.NanoCPUs,
			BlkioWeightDevice: []InspectWeightDevice{}, Devices: []InspectDevice{},
			MemorySwap: r.MemorySwap,
		},
	}
	if h.RestartPolicy.Name == "" {
		h.RestartPolicy.Name = "no"
	}
	h.PublishAllPorts = cfg.PublishAll
	if cfg.LogMaxSize <= 0 {
		h.LogConfig.Config = map[string]string{}
	}
	if r.Memory > 0 && r.MemorySwap == 0 {
		h.MemorySwap = 2 * r.Memory // Docker's default, which the spec applies too
	}
	if r.PidsLimit > 0 {
		n := r.PidsLimit
		h.PidsLimit = &n
	}
	if cfg.Security.SeccompUnconfined {
		h.SecurityOpt = append(h.SecurityOpt, "seccomp=unconfined")
	}
	if cfg.Security.NoNewPrivileges {
		h.SecurityOpt = append(h.SecurityOpt, "no-new-privileges")
	}
	if len(cfg.Security.GroupAdd) > 0 {
		h.GroupAdd = append([]string{}, cfg.Security.GroupAdd...)
	}
	h.Binds, h.Mounts, h.Tmpfs = hostMounts(cfg.Mounts)
	if !cfg.Security.Privileged {
		h.MaskedPaths = append([]string{}, MaskedPaths...)
		h.ReadonlyPaths = append([]string{}, ReadonlyPaths...)
	}
	return h
}

// logSize writes a log size as docker's --log-opt max-size takes it.
func logSize(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dg", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dm", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dk", n>>10)
	}
	return fmt.Sprint(n)
}

// inspectNetwork is the NetworkSettings object: the container's one
// network ("none" or "host") with Docker's zero values, no ports. A
// running container that has a network namespace of its own names it in
// SandboxKey, so `nsenter --net=` works as with Docker's.
func inspectNetwork(c *Container) InspectNetwork {
	mode := c.Config.NetworkMode
	n := InspectNetwork{
		Ports:    inspectPorts(c),
		Networks: map[string]*InspectEndpoint{},
	}
	if mode != "" {
		n.Networks[mode] = &InspectEndpoint{}
	}
	if c.State.Status.Active() && c.State.Pid > 0 && mode != "host" {
		n.SandboxKey = fmt.Sprintf("/proc/%d/ns/net", c.State.Pid)
	}
	return n
}

// summarize is c's row in `berth ps` (Service.List builds its rows with it).
func summarize(c *Container) Summary {
	sum := Summary{ID: c.ID, Name: c.Name, Image: c.Config.Image, ImageID: c.Config.ImageID,
		Command: commandLine(c.Config.Args()), Created: c.Created, State: c.State, Labels: c.Config.Labels,
		NetworkMode: c.Config.NetworkMode}
	sum.Mounts, sum.LocalVolumes = mountNames(c.Config.Mounts)
	sum.Ports = portsColumn(c)
	return sum
}

// commandLine is Docker's COMMAND of a container: its arguments joined by
// spaces, those with a space inside single quotes ("sh -c 'echo hi'").
func commandLine(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if i > 0 && strings.Contains(a, " ") {
			a = "'" + a + "'"
		}
		quoted[i] = a
	}
	return strings.Join(quoted, " ")
}

// SizeRw is the size of what the container wrote over its image: the bytes
// of the regular files in its writable layer (Docker's SizeRw).
func (s *Service) SizeRw(ctx context.Context, ref string) (int64, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return 0, err
	}
	return dirSize(filepath.Join(s.dir(c.ID), "upper")), nil
}
