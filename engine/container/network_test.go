package container

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"

	"berth/engine/errdefs"
	"berth/engine/network"
)

func TestNetworkDefaultsAndOptions(t *testing.T) {
	img := imageConfig{Cmd: []string{"sh"}}
	c, err := config(CreateOptions{Image: "x"}, "sha256:abc", img)
	if err != nil || c.NetworkMode != "bridge" {
		t.Fatalf("default network: %q, %v (want Docker's bridge)", c.NetworkMode, err)
	}
	cases := []struct {
		name string
		o    CreateOptions
		err  string // "" for none
	}{
		{"user network with ip and alias", CreateOptions{NetworkMode: "appnet", IPAddress: "10.9.0.5", NetworkAliases: []string{"db"}}, ""},
		{"ip on the default bridge", CreateOptions{IPAddress: "10.9.0.5"}, "user-defined networks only"},
		{"alias on the default bridge", CreateOptions{NetworkAliases: []string{"db"}}, "user-defined networks only"},
		{"ip with none", CreateOptions{NetworkMode: "none", IPAddress: "10.9.0.5"}, "need a bridge network"},
		{"mac with host", CreateOptions{NetworkMode: "host", MacAddress: "02:42:00:00:00:01"}, "need a bridge network"},
		{"dns with host", CreateOptions{NetworkMode: "host", DNS: []string{"1.1.1.1"}}, "--network host"},
		{"bad dns", CreateOptions{DNS: []string{"dns.example"}}, "invalid --dns"},
		{"bad add-host", CreateOptions{ExtraHosts: []string{"db=10.0.0.1"}}, "invalid --add-host"},
		{"add-host", CreateOptions{ExtraHosts: []string{"db:10.0.0.1"}}, ""},
		{"add-host host-gateway", CreateOptions{ExtraHosts: []string{"host.docker.internal:host-gateway"}}, ""},
		{"add-host host-gateway without a network", CreateOptions{NetworkMode: "none", ExtraHosts: []string{"gw:host-gateway"}}, "invalid --add-host"},
		{"container mode", CreateOptions{NetworkMode: "container:web"}, "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Image = "x"
			_, err := config(tc.o, "sha256:abc", img)
			if tc.err == "" && err != nil || tc.err != "" && (!errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("got %v, want %q", err, tc.err)
			}
		})
	}
}

func TestSpecNetworkNamespace(t *testing.T) {
	for _, mode := range []string{"bridge", "appnet", "none"} {
		s := mustSpec(t, testContainer(func(c *Config) { c.NetworkMode = mode }))
		has := slices.ContainsFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace && ns.Path == "" })
		if !has {
			t.Errorf("--network %s: no network namespace of its own", mode)
		}
	}
}

func TestWriteEtcFilesNet(t *testing.T) {
	fakeHostFiles(t, "", "search example.com\nnameserver 127.0.0.53\nnameserver 192.0.2.53\noptions edns0\n", "")
	dir := t.TempDir()
	c := &Container{ID: testID, Config: Config{NetworkMode: "appnet", Hostname: "web"}}
	p, err := WriteEtcFilesNet(dir, c, "appnet", EtcNet{Addresses: []string{"10.9.0.2"}, ExtraHosts: []string{"db:10.0.0.7"},
		Nameservers: []string{"127.0.0.11"}, Options: []string{"ndots:0"}})
	if err != nil {
		t.Fatal(err)
	}
	hosts := readFile(t, p.Hosts)
	if !strings.HasPrefix(hosts, defaultHosts) || !strings.HasSuffix(hosts, "10.0.0.7\tdb\n10.9.0.2\tweb\n") {
		t.Errorf("hosts:\n%s", hosts)
	}
	if got := readFile(t, p.ResolvConf); got != "nameserver 127.0.0.11\nsearch example.com\noptions edns0\noptions ndots:0\n" {
		t.Errorf("resolv.conf:\n%s", got)
	}
	// The default bridge keeps the host's resolvers, minus loopback ones.
	p, err = WriteEtcFilesNet(dir, c, "bridge", EtcNet{Addresses: []string{"10.200.0.2"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p.ResolvConf); strings.Contains(got, "127.0.0.53") || !strings.Contains(got, "nameserver 192.0.2.53") {
		t.Errorf("resolv.conf on the default bridge:\n%s", got)
	}
}

func TestFillNetwork(t *testing.T) {
	br := &network.Network{ID: strings.Repeat("b", 64), Name: "bridge", Config: network.Config{Bridge: "berth0",
		Subnet: netip.MustParsePrefix("10.200.0.0/16"), Gateway: netip.MustParseAddr("10.200.0.1")}}
	app := &network.Network{ID: strings.Repeat("a", 64), Name: "app", Config: network.Config{Bridge: "berthaaaa",
		Subnet: netip.MustParsePrefix("10.9.0.0/24"), Gateway: netip.MustParseAddr("10.9.0.1")}}
	c := &Container{ID: testID, Config: Config{NetworkMode: "bridge"}}
	n := inspectNetwork(c)
	fillNetwork(&n, c, []network.Endpoint{
		{ContainerID: testID, Network: br, IP: netip.MustParseAddr("10.200.0.2"), MAC: "02:42:0a:c8:00:02"},
		{ContainerID: testID, Network: app, IP: netip.MustParseAddr("10.9.0.3"), MAC: "02:42:0a:09:00:03", Aliases: []string{"db"}},
	})
	if n.IPAddress != "10.200.0.2" || n.Gateway != "10.200.0.1" || n.IPPrefixLen != 16 || n.MacAddress != "02:42:0a:c8:00:02" || n.Bridge != "berth0" {
		t.Errorf("top level: %+v", n)
	}
	a := n.Networks["app"]
	if a == nil || a.IPAddress != "10.9.0.3" || a.NetworkID != app.ID || a.IPPrefixLen != 24 || len(a.EndpointID) != 64 ||
		!slices.Equal(a.Aliases, []string{"db", testID[:12]}) {
		t.Errorf("app endpoint: %+v", a)
	}
	if len(n.Networks) != 2 || n.Networks["bridge"].Aliases != nil {
		t.Errorf("networks: %v", n.Networks)
	}
}
