package firewall

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"berth/engine/errdefs"
)

func TestReservePort(t *testing.T) {
	// Port 0: one from the kernel's ephemeral range, Docker's for -P.
	port, release, err := ReservePort("tcp", netip.Addr{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	f := strings.Fields(string(raw))
	lo, _ := strconv.Atoi(f[0])
	hi, _ := strconv.Atoi(f[1])
	if int(port) < lo || int(port) > hi {
		t.Errorf("port %d outside %d-%d", port, lo, hi)
	}
	// Held: no other socket binds it, SO_REUSEADDR or not, on any address.
	for _, addr := range []string{"0.0.0.0", "127.0.0.1"} {
		if ln, err := net.Listen("tcp4", net.JoinHostPort(addr, strconv.Itoa(int(port)))); err == nil {
			ln.Close()
			t.Errorf("%s:%d taken while reserved", addr, port)
		}
	}
	_, _, err = ReservePort("tcp", netip.MustParseAddr("127.0.0.1"), port)
	if !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(int(port))+"/tcp is already in use") {
		t.Errorf("second reservation: %v", err)
	}
	release()
	ln, err := net.Listen("tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(int(port))))
	if err != nil {
		t.Fatalf("released port: %v", err)
	}
	ln.Close()

	uport, urelease, err := ReservePort("udp", netip.Addr{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pc, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(int(uport))); err == nil {
		pc.Close()
		t.Errorf("udp %d taken while reserved", uport)
	}
	urelease()

	if _, _, err := ReservePort("tcp", netip.MustParseAddr("192.0.2.254"), 0); err == nil || errdefs.IsConflict(err) {
		t.Errorf("an address the host lacks: %v", err)
	}
}
