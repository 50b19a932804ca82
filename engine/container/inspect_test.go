package container

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"berth/engine/image"
	"berth/internal/testimage"
)

func inspectFixture() (*Service, *Container, *image.Resolved) {
	s := &Service{root: "/var/lib/berth/containers", runRoot: "/run/berth"}
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	c := &Container{ID: id, Name: "web", Created: time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC),
		Config: Config{
			Image: "busybox", ImageID: "sha256:feed", Cmd: []string{"httpd", "-f"}, Env: []string{"PATH=/bin"},
			Labels: map[string]string{"app": "web"}, StopSignal: DefaultStopSignal, StopTimeout: DefaultStopTimeout,
			Restart: RestartPolicy{Name: "on-failure", MaxRetries: 3}, NetworkMode: "none",
			Resources:  Resources{Memory: 64 << 20, NanoCPUs: 5e8},
			LogMaxSize: DefaultLogMaxSize, LogMaxFiles: DefaultLogMaxFiles,
		},
		State: State{Status: Created},
	}
	img := &image.Resolved{ID: "sha256:feed", Layers: []string{"/s/top/fs", "/s/base/fs"},
		Config: &v1.ConfigFile{Config: v1.Config{ExposedPorts: map[string]struct{}{"80/tcp": {}}}}}
	return s, c, img
}

// TestInspectDockerKeys checks the container document's keys, in docker
// 20.10's order (docker inspect of a container made with --network none).
func TestInspectDockerKeys(t *testing.T) {
	s, c, img := inspectFixture()
	raw, err := json.Marshal(s.inspect(c, img))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	json.Unmarshal(raw, &doc)
	for _, tc := range []struct {
		name string
		raw  []byte
		want []string
	}{
		{"top", raw, []string{"Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath",
			"HostsPath", "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel", "ProcessLabel",
			"AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings"}},
		{"State", doc["State"], []string{"Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid",
			"ExitCode", "Error", "StartedAt", "FinishedAt", "MonitorPid"}},
		{"HostConfig", doc["HostConfig"], []string{"Binds", "ContainerIDFile", "LogConfig", "NetworkMode",
			"PortBindings", "RestartPolicy", "AutoRemove", "VolumeDriver", "VolumesFrom", "CapAdd", "CapDrop",
			"CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd", "IpcMode", "Cgroup",
			"Links", "OomScoreAdj", "PidMode", "Privileged", "PublishAllPorts", "ReadonlyRootfs", "SecurityOpt",
			"UTSMode", "UsernsMode", "ShmSize", "Runtime", "ConsoleSize", "Isolation", "CpuShares", "Memory",
			"NanoCpus", "CgroupParent", "BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps",
			"BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota",
			"CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", "Devices", "DeviceCgroupRules",
			"DeviceRequests", "KernelMemory", "KernelMemoryTCP", "MemoryReservation", "MemorySwap",
			"MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits", "CpuCount", "CpuPercent",
			"IOMaximumIOps", "IOMaximumBandwidth", "MaskedPaths", "ReadonlyPaths"}},
		{"Config", doc["Config"], []string{"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
			"AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Image", "Volumes",
			"WorkingDir", "Entrypoint", "OnBuild", "Labels"}},
		{"NetworkSettings", doc["NetworkSettings"], []string{"Bridge", "SandboxID", "HairpinMode",
			"LinkLocalIPv6Address", "LinkLocalIPv6PrefixLen", "Ports", "SandboxKey", "SecondaryIPAddresses",
			"SecondaryIPv6Addresses", "EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen",
			"IPAddress", "IPPrefixLen", "IPv6Gateway", "MacAddress", "Networks"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := testimage.ObjectKeys(t, tc.raw); !slices.Equal(got, tc.want) {
				t.Errorf("keys:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestInspectDockerValues checks the values scripts read, as docker writes
// them: empty strings and nulls where unset, integers for sizes.
func TestInspectDockerValues(t *testing.T) {
	s, c, img := inspectFixture()
	raw, _ := json.Marshal(s.inspect(c, img))
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Decode(&doc)
	get := func(path ...string) any {
		var v any = doc
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return "<not an object>"
			}
			v = m[p]
		}
		return v
	}
	str := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	id := c.ID
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"Id"}, `"` + id + `"`},
		{[]string{"Created"}, `"2024-05-01T12:00:00.123456789Z"`},
		{[]string{"Path"}, `"httpd"`},
		{[]string{"Args"}, `["-f"]`},
		{[]string{"Name"}, `"/web"`},
		{[]string{"Image"}, `"sha256:feed"`},
		{[]string{"Driver"}, `"overlay2"`},
		{[]string{"Platform"}, `"linux"`},
		{[]string{"ExecIDs"}, `null`},
		{[]string{"Mounts"}, `[]`},
		{[]string{"HostsPath"}, `"/var/lib/berth/containers/` + id + `/hosts"`},
		{[]string{"ResolvConfPath"}, `"/var/lib/berth/containers/` + id + `/resolv.conf"`},
		{[]string{"HostnamePath"}, `"/var/lib/berth/containers/` + id + `/hostname"`},
		{[]string{"State", "Status"}, `"created"`},
		{[]string{"State", "StartedAt"}, `"0001-01-01T00:00:00Z"`},
		{[]string{"Config", "User"}, `""`},
		{[]string{"Config", "Entrypoint"}, `null`},
		{[]string{"Config", "Cmd"}, `["httpd","-f"]`},
		{[]string{"Config", "Hostname"}, `"0123456789ab"`},
		{[]string{"Config", "Labels"}, `{"app":"web"}`},
		{[]string{"Config", "ExposedPorts"}, `{"80/tcp":{}}`},
		{[]string{"Config", "StopSignal"}, `null`}, // the default is not shown, as in docker
		{[]string{"HostConfig", "Memory"}, `67108864`},
		{[]string{"HostConfig", "MemorySwap"}, `134217728`},
		{[]string{"HostConfig", "NanoCpus"}, `500000000`},
		{[]string{"HostConfig", "PidsLimit"}, `null`},
		{[]string{"HostConfig", "RestartPolicy"}, `{"MaximumRetryCount":3,"Name":"on-failure"}`},
		{[]string{"HostConfig", "CapAdd"}, `null`},
		{[]string{"HostConfig", "Dns"}, `[]`},
		{[]string{"HostConfig", "PortBindings"}, `{}`},
		{[]string{"HostConfig", "LogConfig"}, `{"Config":{"max-file":"3","max-size":"10m"},"Type":"json-file"}`},
		{[]string{"HostConfig", "ShmSize"}, `67108864`},
		{[]string{"HostConfig", "ConsoleSize"}, `[0,0]`},
		{[]string{"HostConfig", "NetworkMode"}, `"none"`},
		{[]string{"NetworkSettings", "Ports"}, `{}`},
		{[]string{"NetworkSettings", "Networks", "none", "IPAddress"}, `""`},
		{[]string{"NetworkSettings", "SandboxKey"}, `""`},
		{[]string{"GraphDriver", "Name"}, `"overlay2"`},
		{[]string{"GraphDriver", "Data", "LowerDir"}, `"/s/top/fs:/s/base/fs"`},
		{[]string{"GraphDriver", "Data", "UpperDir"}, `"/var/lib/berth/containers/` + id + `/upper"`},
	} {
		if got := str(get(tc.path...)); got != tc.want {
			t.Errorf("%v = %s, want %s", tc.path, got, tc.want)
		}
	}
	if n := len(get("HostConfig", "MaskedPaths").([]any)); n != len(MaskedPaths) {
		t.Errorf("MaskedPaths has %d entries, want %d", n, len(MaskedPaths))
	}
}

func TestInspectVariants(t *testing.T) {
	t.Run("host network, running", func(t *testing.T) {
		s, c, img := inspectFixture()
		c.Config.NetworkMode = "host"
		c.State = State{Status: Running, Pid: 4242, StartedAt: time.Date(2024, 5, 1, 12, 0, 1, 0, time.UTC)}
		in := s.inspect(c, img)
		host, _ := os.Hostname()
		if _, ok := in.NetworkSettings.Networks["host"]; !ok || len(in.NetworkSettings.Networks) != 1 {
			t.Errorf("Networks = %v, want host only", in.NetworkSettings.Networks)
		}
		if in.NetworkSettings.SandboxKey != "" || in.Config.Hostname != host || !in.State.Running ||
			in.State.StartedAt != "2024-05-01T12:00:01Z" {
			t.Errorf("host network: %+v %+v %q", in.NetworkSettings, in.State, in.Config.Hostname)
		}
	})
	t.Run("own network, running", func(t *testing.T) {
		s, c, img := inspectFixture()
		c.State = State{Status: Running, Pid: 4242}
		if k := s.inspect(c, img).NetworkSettings.SandboxKey; k != "/proc/4242/ns/net" {
			t.Errorf("SandboxKey = %q", k)
		}
	})
	t.Run("privileged, limits, own stop settings", func(t *testing.T) {
		s, c, img := inspectFixture()
		c.Config.Security = Security{Privileged: true, SeccompUnconfined: true, CapAdd: []string{"NET_ADMIN"}}
		c.Config.Resources = Resources{Memory: 64 << 20, MemorySwap: -1, PidsLimit: 50}
		c.Config.Entrypoint, c.Config.User = []string{"/entry"}, "nobody"
		c.Config.StopSignal, c.Config.StopTimeout = "SIGQUIT", 30
		in := s.inspect(c, img)
		h := in.HostConfig
		if h.MaskedPaths != nil || h.ReadonlyPaths != nil || !h.Privileged || h.MemorySwap != -1 ||
			h.PidsLimit == nil || *h.PidsLimit != 50 || !slices.Equal(h.SecurityOpt, []string{"seccomp=unconfined"}) ||
			!slices.Equal(h.CapAdd, []string{"NET_ADMIN"}) {
			t.Errorf("HostConfig = %+v", h)
		}
		if in.Path != "/entry" || !slices.Equal(in.Args, []string{"httpd", "-f"}) || in.Config.User != "nobody" ||
			in.Config.StopSignal != "SIGQUIT" || in.Config.StopTimeout == nil || *in.Config.StopTimeout != 30 {
			t.Errorf("Path %q Args %q Config %+v", in.Path, in.Args, in.Config)
		}
	})
	t.Run("image removed", func(t *testing.T) {
		s, c, _ := inspectFixture()
		in := s.inspect(c, nil)
		if _, ok := in.GraphDriver.Data["LowerDir"]; ok || in.Config.ExposedPorts != nil {
			t.Errorf("without its image: %+v %+v", in.GraphDriver, in.Config)
		}
	})
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sh", "-c", "echo hi"}, "sh -c 'echo hi'"},
		{[]string{"nginx", "-g", "daemon off;"}, "nginx -g 'daemon off;'"},
		{[]string{"true"}, "true"},
		{[]string{"/my prog", "x"}, "/my prog x"}, // docker quotes arguments, not the path
		{nil, ""},
	} {
		if got := commandLine(tc.args); got != tc.want {
			t.Errorf("commandLine(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	_, c, _ := inspectFixture()
	c.Config.Cmd = []string{"sh", "-c", "echo hi"}
	s := summarize(c)
	if s.Command != "sh -c 'echo hi'" || s.NetworkMode != "none" || s.Labels["app"] != "web" ||
		s.ID != c.ID || s.Name != "web" || s.Image != "busybox" || s.ImageID != "sha256:feed" {
		t.Errorf("summary = %+v", s)
	}
}
