package monitor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

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

// The monitor reaps every zombie child it has (it is a subreaper): the
// iptables commands of publish and unpublish must still get their own
// exit statuses.
func TestPublishWithTheReaper(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
	var rnd [3]byte
	rand.Read(rnd[:])
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "bpm" + hex.EncodeToString(rnd[:])}}
	if err := netlink.LinkAdd(br); err != nil {
		t.Fatal(err)
	}
	defer netlink.LinkDel(br)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := &monitor{b: &Bundle{Ports: &firewall.Ports{Root: "montest", Owner: "withreaper", Bridge: br.Name, Forwards: []firewall.Forward{
		{Proto: "tcp", HostPort: 0, ContainerIP: netip.MustParseAddr("10.213.0.2"), ContainerPort: 80},
	}}}}
	defer firewall.RemovePorts(context.Background(), "montest", "withreaper")
	go m.reaper(ctx)
	go func() { // SIGCHLD at the worst moment, all the time
		for ctx.Err() == nil {
			m.reapOrphans()
		}
	}()
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
		m.b.Ports.Forwards[0].HostPort = uint16(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		if serr := m.publish(); serr != nil {
			t.Fatalf("run %d: %s", i, serr.msg)
		}
		m.unpublish()
		if out, _ := exec.Command("iptables-save").Output(); strings.Contains(string(out), "withreaper") {
			t.Fatalf("run %d: rules left", i)
		}
	}
}
