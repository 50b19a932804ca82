package monitor

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"berth/engine/network/firewall"
)

// A host port taken after the engine chose it (another process was
// quicker) fails the start with 125 and one line naming it; the ports
// held so far are let go and no rule is left.
func TestPublishTakenPort(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
	taken, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	free, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := uint16(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	ctr := netip.MustParseAddr("10.213.0.2")
	m := &monitor{b: &Bundle{Ports: &firewall.Ports{Root: "montest", Owner: "publishtaken", Bridge: "lo", Forwards: []firewall.Forward{
		{Proto: "tcp", HostPort: freePort, ContainerIP: ctr, ContainerPort: 80},
		{Proto: "tcp", HostPort: uint16(taken.Addr().(*net.TCPAddr).Port), ContainerIP: ctr, ContainerPort: 81},
	}}}}
	serr := m.publish()
	if serr == nil {
		m.unpublish()
		t.Fatal("published on a taken port")
	}
	if serr.code != 125 || !strings.Contains(serr.msg, "is already in use") || strings.Contains(serr.msg, "\n") {
		t.Errorf("%d %q", serr.code, serr.msg)
	}
	if len(m.portHolds) != 0 {
		t.Errorf("%d ports still held", len(m.portHolds))
	}
	ln, err := net.Listen("tcp4", free.Addr().String())
	if err != nil {
		t.Errorf("the first port was not let go: %v", err)
	} else {
		ln.Close()
	}
	out, _ := exec.Command("iptables-save").Output()
	if strings.Contains(string(out), "publishtaken") {
		t.Errorf("rules left:\n%s", out)
	}
}
