package container

import (
	"encoding/json"
	"net"
	"net/netip"
	"reflect"
	"testing"

	"berth/engine/errdefs"
	"berth/engine/network/portmap"
)

func TestPortsConfig(t *testing.T) {
	bs := portmap.Bindings{}
	for _, s := range []string{"8080:80", "127.0.0.1::53/udp"} {
		if err := portmap.Parse(bs, s); err != nil {
			t.Fatal(err)
		}
	}
	c := Config{NetworkMode: "bridge"}
	o := CreateOptions{PortBindings: bs, PublishAll: true, Expose: []portmap.Port{pp(9000, "tcp"), pp(80, "tcp")}}
	if err := portsConfig(&c, o, map[string]struct{}{"443/tcp": {}, "80/tcp": {}, "bogus": {}}); err != nil {
		t.Fatal(err)
	}
	want := []portmap.Port{pp(53, "udp"), pp(80, "tcp"), pp(443, "tcp"), pp(9000, "tcp")}
	if !reflect.DeepEqual(c.ExposedPorts, want) {
		t.Errorf("exposed %v, want %v", c.ExposedPorts, want)
	}
	if !c.PublishAll || !reflect.DeepEqual(c.PortBindings, bs) {
		t.Errorf("bindings %v publishAll %v", c.PortBindings, c.PublishAll)
	}
	// The config survives the store's JSON.
	raw, _ := json.Marshal(c)
	var back Config
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back.PortBindings, bs) || !reflect.DeepEqual(back.ExposedPorts, want) {
		t.Errorf("round trip: %v %+v", err, back)
	}

	for _, mode := range []string{"none"} {
		c := Config{NetworkMode: mode}
		if err := portsConfig(&c, CreateOptions{PortBindings: bs}, nil); !errdefs.IsInvalidArgument(err) {
			t.Errorf("--network %s -p: %v", mode, err)
		}
		if err := portsConfig(&c, CreateOptions{PublishAll: true}, nil); !errdefs.IsInvalidArgument(err) {
			t.Errorf("--network %s -P: %v", mode, err)
		}
	}
	bad := Config{NetworkMode: "bridge"}
	if err := portsConfig(&bad, CreateOptions{PortBindings: portmap.Bindings{pp(80, "tcp"): {{HostPort: "x"}}}}, nil); !errdefs.IsInvalidArgument(err) {
		t.Errorf("bad binding: %v", err)
	}
}

func TestPortsInInspectAndPs(t *testing.T) {
	c := &Container{Config: Config{
		NetworkMode:  "bridge",
		ExposedPorts: []portmap.Port{pp(80, "tcp"), pp(443, "tcp")},
		PortBindings: portmap.Bindings{pp(80, "tcp"): {{HostPort: "8080"}}},
	}, State: State{Status: Exited, Ports: []portmap.Published{{Port: pp(80, "tcp"), HostPort: 8080}}}}
	// Stopped: no ports, as Docker.
	if got := inspectPorts(c); len(got) != 0 {
		t.Errorf("stopped: %v", got)
	}
	if got := portsColumn(c); got != "" {
		t.Errorf("stopped PORTS %q", got)
	}
	if c.Ports() != nil {
		t.Errorf("stopped Ports() %v", c.Ports())
	}
	c.State.Status = Running
	got := inspectPorts(c)
	want := map[string][]InspectPortBinding{"80/tcp": {{HostIP: "0.0.0.0", HostPort: "8080"}}, "443/tcp": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("running: %v, want %v", got, want)
	}
	raw, _ := json.Marshal(got)
	if string(raw) != `{"443/tcp":null,"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}` {
		t.Errorf("JSON %s", raw)
	}
	if got := portsColumn(c); got != "443/tcp, 0.0.0.0:8080->80/tcp" {
		t.Errorf("PORTS %q", got)
	}
	if got := inspectPortBindings(c.Config); !reflect.DeepEqual(got, map[string][]InspectPortBinding{"80/tcp": {{HostPort: "8080"}}}) {
		t.Errorf("PortBindings %v", got)
	}
	if got := exposedPorts(c.Config); len(got) != 2 {
		t.Errorf("ExposedPorts %v", got)
	}
	if got := exposedPorts(Config{}); got != nil {
		t.Errorf("no ExposedPorts: %v", got)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	c.State.Ports = append(c.State.Ports, portmap.Published{Port: pp(80, "tcp"), HostIP: lo, HostPort: 9090})
	if got := inspectPorts(c)["80/tcp"]; len(got) != 2 || got[1].HostIP != "127.0.0.1" {
		t.Errorf("two bindings: %v", got)
	}
}

// A host range takes its first free port; a single port that is taken is
// a Conflict.
func TestChoosePort(t *testing.T) {
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := uint16(ln.Addr().(*net.TCPAddr).Port)
	_, _, err = choosePort(portmap.Request{Port: pp(80, "tcp"), HostLo: taken, HostHi: taken})
	if !errdefs.IsConflict(err) {
		t.Fatalf("taken port: %v", err)
	}
	for hi := taken + 1; hi < taken+20; hi++ {
		port, release, err := choosePort(portmap.Request{Port: pp(80, "tcp"), HostLo: taken, HostHi: hi})
		if err == nil {
			release()
			if port == taken || port > hi {
				t.Fatalf("range %d-%d gave %d", taken, hi, port)
			}
			return
		}
	}
	t.Fatal("no free port in 20 after a taken one")
}

func pp(n uint16, proto string) portmap.Port { return portmap.Port{Number: n, Proto: proto} }
