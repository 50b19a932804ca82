package firewall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

const testRoot = "fwtest"

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
}

// lab is a bridge with a "container" (a network namespace on a veth, with
// a TCP and a UDP echo server on port 80), and a "remote client" (another
// namespace behind a veth of its own, routed through the host), all
// removed at the end of the test.
type lab struct {
	bridge   string
	ctrIP    netip.Addr
	hostSide netip.Addr // the host's address facing the client
	client   *os.File   // the client's namespace
	ctr      *os.File   // the container's namespace
	ctrIf    string     // the container's interface
	gateway  string     // the bridge's address
}

func newLab(t *testing.T) *lab {
	t.Helper()
	requireRoot(t)
	var rnd [3]byte
	rand.Read(rnd[:])
	suffix := hex.EncodeToString(rnd[:])
	n := int(rnd[0])
	l := &lab{bridge: "bpt" + suffix, ctrIP: netip.AddrFrom4([4]byte{10, 213, byte(n), 2}), hostSide: netip.AddrFrom4([4]byte{10, 214, byte(n), 1})}

	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: l.bridge}}
	must(t, netlink.LinkAdd(br))
	t.Cleanup(func() { netlink.LinkDel(br) })
	must(t, netlink.AddrAdd(br, addr(fmt.Sprintf("10.213.%d.1/24", n))))
	must(t, netlink.LinkSetUp(br))

	ctrNS := newNS(t)
	l.ctr, l.ctrIf, l.gateway = ctrNS, "bpc"+suffix, fmt.Sprintf("10.213.%d.1", n)
	l.client = newNS(t)
	veth := func(host, peer string, ns *os.File) netlink.Link {
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: host}, PeerName: peer}
		must(t, netlink.LinkAdd(v))
		t.Cleanup(func() { netlink.LinkDel(v) })
		p, err := netlink.LinkByName(peer)
		must(t, err)
		must(t, netlink.LinkSetNsFd(p, int(ns.Fd())))
		return v
	}
	vh := veth("bph"+suffix, "bpc"+suffix, ctrNS)
	must(t, netlink.LinkSetMaster(vh, br))
	must(t, netlink.LinkSetUp(vh))
	ch := veth("bqh"+suffix, "bqc"+suffix, l.client)
	must(t, netlink.AddrAdd(ch, addr(l.hostSide.String()+"/24")))
	must(t, netlink.LinkSetUp(ch))

	inNS(t, ctrNS, func() {
		configure(t, "bpc"+suffix, fmt.Sprintf("10.213.%d.2/24", n), fmt.Sprintf("10.213.%d.1", n))
		tl, err := net.Listen("tcp4", ":80")
		must(t, err)
		t.Cleanup(func() { tl.Close() })
		go serveTCP(tl)
		ul, err := net.ListenPacket("udp4", ":80")
		must(t, err)
		t.Cleanup(func() { ul.Close() })
		go serveUDP(ul)
	})
	inNS(t, l.client, func() {
		configure(t, "bqc"+suffix, fmt.Sprintf("10.214.%d.2/24", n), l.hostSide.String())
	})
	// Docker's FORWARD policy DROP, for this lab's traffic only (the policy
	// itself is the host's, shared with other tests).
	for _, rule := range [][]string{{"-i", l.bridge}, {"-o", l.bridge}} {
		args := append([]string{"-w", "-A", "FORWARD"}, append(rule, "-j", "DROP")...)
		if out, err := exec.Command("iptables", args...).CombinedOutput(); err != nil {
			t.Fatalf("iptables %v: %v %s", args, err, out)
		}
		t.Cleanup(func() {
			args[1] = "-D"
			exec.Command("iptables", args...).Run()
		})
	}
	return l
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func addr(s string) *netlink.Addr {
	a, err := netlink.ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}

// newNS makes a network namespace, kept alive by the returned file.
func newNS(t *testing.T) *os.File {
	t.Helper()
	var ns *os.File
	inNewThread(t, func() {
		must(t, unix.Unshare(unix.CLONE_NEWNET))
		f, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		must(t, err)
		ns = f
	})
	t.Cleanup(func() { ns.Close() })
	return ns
}

// inNewThread runs f on a thread of its own that is thrown away after.
func inNewThread(t *testing.T, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		f()
	}()
	<-done
}

// inNS runs f in the namespace ns.
func inNS(t *testing.T, ns *os.File, f func()) {
	inNewThread(t, func() {
		must(t, unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET))
		f()
	})
}

func configure(t *testing.T, name, cidr, gw string) {
	lo, err := netlink.LinkByName("lo")
	must(t, err)
	must(t, netlink.LinkSetUp(lo))
	l, err := netlink.LinkByName(name)
	must(t, err)
	must(t, netlink.AddrAdd(l, addr(cidr)))
	must(t, netlink.LinkSetUp(l))
	must(t, netlink.RouteAdd(&netlink.Route{Gw: net.ParseIP(gw), LinkIndex: l.Attrs().Index}))
}

// serveTCP answers each connection with "hello <client address>\n" and
// then echoes what it gets.
func serveTCP(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			fmt.Fprintf(c, "hello %s\n", c.RemoteAddr().(*net.TCPAddr).IP)
			io.Copy(c, c)
		}()
	}
}

func serveUDP(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		pc.WriteTo(append([]byte("udp "), buf[:n]...), from)
	}
}

// greet connects to addr (from the client namespace when ns is set) and
// returns the server's first line, or the error.
func greet(ns *os.File, addr string) (string, error) {
	var c net.Conn
	var err error
	dial := func() { c, err = net.DialTimeout("tcp4", addr, 2*time.Second) }
	if ns != nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			if err = unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err == nil {
				dial()
			}
		}()
		<-done
	} else {
		dial()
	}
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	return strings.TrimSpace(string(buf[:n])), err
}

// hostAddr is a non-loopback IPv4 address of the host (not the lab's).
func hostAddr(t *testing.T) string {
	ifs, err := net.InterfaceAddrs()
	must(t, err)
	for _, a := range ifs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !strings.HasPrefix(n.IP.String(), "10.21") {
			return n.IP.String()
		}
	}
	t.Fatal("no non-loopback IPv4 address on this host")
	return ""
}

func freePort(t *testing.T) uint16 {
	ln, err := net.Listen("tcp4", ":0")
	must(t, err)
	defer ln.Close()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

func owned(t *testing.T, owner string) int {
	out, err := exec.Command("iptables-save").Output()
	must(t, err)
	return strings.Count(string(out), portComment+testRoot+":"+owner)
}

func TestPortsForwardFromEverywhere(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	owner := "test" + l.bridge
	port, udpPort := freePort(t), freePort(t)
	t.Cleanup(func() { RemovePorts(ctx, testRoot, owner) })
	p := Ports{Root: testRoot, Owner: owner, Bridge: l.bridge, Forwards: []Forward{
		{Proto: "tcp", HostPort: port, ContainerIP: l.ctrIP, ContainerPort: 80},
		{Proto: "udp", HostPort: udpPort, ContainerIP: l.ctrIP, ContainerPort: 80},
	}}
	if got, err := greet(l.client, fmt.Sprintf("%s:%d", l.hostSide, port)); err == nil {
		t.Fatalf("reached before the rules: %q", got)
	}
	must(t, AddPorts(ctx, p))
	must(t, AddPorts(ctx, p)) // again: replaces, does not pile up
	if n := owned(t, owner); n != 1+2*5 {
		t.Errorf("%d rules, want 11", n)
	}
	gw := strings.TrimSuffix(l.ctrIP.String(), ".2") + ".1"
	for _, tc := range []struct {
		name, addr, from string
		ns               *os.File
	}{
		{"loopback", fmt.Sprintf("127.0.0.1:%d", port), gw, nil},
		{"host address", fmt.Sprintf("%s:%d", hostAddr(t), port), hostAddr(t), nil},
		{"remote client", fmt.Sprintf("%s:%d", l.hostSide, port), strings.TrimSuffix(l.hostSide.String(), ".1") + ".2", l.client},
	} {
		got, err := greet(tc.ns, tc.addr)
		if err != nil || got != "hello "+tc.from {
			t.Errorf("%s (%s): %q %v, want hello %s", tc.name, tc.addr, got, err, tc.from)
		}
	}
	uc, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", udpPort))
	must(t, err)
	defer uc.Close()
	uc.SetDeadline(time.Now().Add(2 * time.Second))
	uc.Write([]byte("ping"))
	buf := make([]byte, 64)
	if n, err := uc.Read(buf); err != nil || string(buf[:n]) != "udp ping" {
		t.Errorf("udp: %q %v", buf[:n], err)
	}

	owners, err := PortOwners(ctx, testRoot)
	must(t, err)
	if !contains(owners, owner) {
		t.Errorf("owners %v lack %s", owners, owner)
	}
	must(t, RemovePorts(ctx, testRoot, owner))
	if n := owned(t, owner); n != 0 {
		t.Errorf("%d rules left", n)
	}
	if got, err := greet(nil, fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
		t.Errorf("reached after removal: %q", got)
	}
}

func TestPortsOnOneAddress(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	owner := "test" + l.bridge
	port := freePort(t)
	t.Cleanup(func() { RemovePorts(ctx, testRoot, owner) })
	must(t, AddPorts(ctx, Ports{Root: testRoot, Owner: owner, Bridge: l.bridge, Forwards: []Forward{
		{Proto: "tcp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: port, ContainerIP: l.ctrIP, ContainerPort: 80},
	}}))
	if _, err := greet(nil, fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Errorf("127.0.0.1: %v", err)
	}
	if got, err := greet(l.client, fmt.Sprintf("%s:%d", l.hostSide, port)); err == nil {
		t.Errorf("published on 127.0.0.1 only, reached from the client: %q", got)
	}
}

// The start-up reconciliation removes the rules of containers that are
// gone and keeps the others; with the last rule gone, berth's chains go.
func TestRemovePortsExcept(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	a, b := "testa"+l.bridge, "testb"+l.bridge
	t.Cleanup(func() { RemovePorts(ctx, testRoot, a); RemovePorts(ctx, testRoot, b) })
	for _, o := range []string{a, b} {
		must(t, AddPorts(ctx, Ports{Root: testRoot, Owner: o, Bridge: l.bridge, Forwards: []Forward{
			{Proto: "tcp", HostPort: freePort(t), ContainerIP: l.ctrIP, ContainerPort: 80}}}))
	}
	// Another root's container with the same ID is not this root's business.
	must(t, AddPorts(ctx, Ports{Root: "fwother", Owner: b, Bridge: l.bridge, Forwards: []Forward{
		{Proto: "tcp", HostPort: freePort(t), ContainerIP: l.ctrIP, ContainerPort: 80}}}))
	t.Cleanup(func() { RemovePorts(ctx, "fwother", b) })
	must(t, RemovePortsExcept(ctx, testRoot, func(o string) bool { return o != b }))
	if owned(t, a) == 0 || owned(t, b) != 0 {
		t.Fatalf("a: %d rules, b: %d", owned(t, a), owned(t, b))
	}
	if others, _ := PortOwners(ctx, "fwother"); !contains(others, b) {
		t.Fatalf("the other root's rules went too: %v", others)
	}
	must(t, RemovePorts(ctx, "fwother", b))
	must(t, RemovePorts(ctx, testRoot, a))
	out, err := exec.Command("iptables-save").Output()
	must(t, err)
	if others, _ := PortOwners(ctx, testRoot); len(others) == 0 && strings.Contains(string(out), portChain) {
		t.Errorf("chains left with no rules:\n%s", out)
	}
}

func TestAddPortsRefusesBadInput(t *testing.T) {
	requireRoot(t)
	ctx := context.Background()
	for _, p := range []Ports{
		{Root: testRoot, Owner: "x\"y", Bridge: "lo", Forwards: []Forward{{Proto: "tcp", HostPort: 1, ContainerPort: 1, ContainerIP: netip.MustParseAddr("10.0.0.1")}}},
		{Root: testRoot, Owner: "x", Bridge: "lo", Forwards: []Forward{{Proto: "sctp", HostPort: 1, ContainerPort: 1, ContainerIP: netip.MustParseAddr("10.0.0.1")}}},
		{Root: testRoot, Owner: "x", Bridge: "lo", Forwards: []Forward{{Proto: "tcp", HostPort: 0, ContainerPort: 1, ContainerIP: netip.MustParseAddr("10.0.0.1")}}},
		{Root: "", Owner: "x", Bridge: "lo", Forwards: []Forward{{Proto: "tcp", HostPort: 1, ContainerPort: 1, ContainerIP: netip.MustParseAddr("10.0.0.1")}}},
	} {
		if err := AddPorts(ctx, p); err == nil {
			RemovePorts(ctx, testRoot, p.Owner)
			t.Errorf("accepted %+v", p)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

// route_localnet on the bridge must not open the host's loopback services
// to containers: a container that routes 127.0.0.0/8 to its gateway (any
// container with CAP_NET_RAW can send such packets) reaches them without
// berth's raw-table drop, and not with it. UDP, so that what arrives is
// seen whatever becomes of answers.
func TestLoopbackClosedToContainers(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	owner := "test" + l.bridge
	t.Cleanup(func() { RemovePorts(ctx, testRoot, owner) })
	secret, err := net.ListenPacket("udp4", "127.0.0.1:0")
	must(t, err)
	defer secret.Close()
	got := make(chan string, 10)
	go func() {
		buf := make([]byte, 100)
		for {
			n, _, err := secret.ReadFrom(buf)
			if err != nil {
				return
			}
			got <- string(buf[:n])
		}
	}()
	inNS(t, l.ctr, func() {
		// Send 127.0.0.0/8 to the gateway instead of the own loopback.
		lo, err := netlink.LinkByName("lo")
		must(t, err)
		for _, dst := range []string{"127.0.0.0/8", "127.0.0.1/32"} {
			_, p, _ := net.ParseCIDR(dst)
			must(t, netlink.RouteDel(&netlink.Route{Dst: p, Table: unix.RT_TABLE_LOCAL, Type: unix.RTN_LOCAL, LinkIndex: lo.Attrs().Index, Scope: netlink.SCOPE_HOST}))
		}
		eth, err := netlink.LinkByName(l.ctrIf)
		must(t, err)
		_, p, _ := net.ParseCIDR("127.0.0.0/8")
		must(t, netlink.RouteAdd(&netlink.Route{Dst: p, Gw: net.ParseIP(l.gateway), LinkIndex: eth.Attrs().Index}))
	})
	send := func(msg string) {
		inNS(t, l.ctr, func() {
			c, err := net.Dial("udp4", secret.LocalAddr().String())
			must(t, err)
			c.Write([]byte(msg))
			c.Close()
		})
	}
	// route_localnet alone, as a bridge would have it without berth's drop.
	must(t, os.WriteFile("/proc/sys/net/ipv4/conf/"+l.bridge+"/route_localnet", []byte("1"), 0o644))
	send("without the drop")
	select {
	case <-got:
	case <-time.After(2 * time.Second):
		t.Fatal("the attack path does not work here, so this test proves nothing")
	}
	must(t, AddPorts(ctx, Ports{Root: testRoot, Owner: owner, Bridge: l.bridge, Forwards: []Forward{
		{Proto: "tcp", HostPort: freePort(t), ContainerIP: l.ctrIP, ContainerPort: 80}}}))
	send("with the drop")
	select {
	case m := <-got:
		t.Fatalf("a container reached the host's 127.0.0.1 service: %q", m)
	case <-time.After(time.Second):
	}
}
