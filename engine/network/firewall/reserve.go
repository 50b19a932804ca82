package firewall

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"

	"berth/engine/errdefs"
)

// ReservePort binds proto's port on ip (every address when ip is
// invalid; port 0: a free one the kernel picks) and returns the port and
// how to let it go. A TCP port listens (without ever accepting: the
// DNAT rules take its traffic first), so that no other socket can bind it
// even with SO_REUSEADDR; a UDP port is bound without SO_REUSEADDR. A port
// that is taken is a Conflict that names it and the fix.
func ReservePort(proto string, ip netip.Addr, port uint16) (uint16, func(), error) {
	host := "0.0.0.0"
	if ip.IsValid() {
		host = ip.String()
	}
	addr := net.JoinHostPort(host, strconv.Itoa(int(port)))
	var err error
	var got int
	var closer interface{ Close() error }
	if proto == "udp" {
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp4", addr); err == nil {
			got, closer = pc.LocalAddr().(*net.UDPAddr).Port, pc
		}
	} else {
		var ln net.Listener
		if ln, err = net.Listen("tcp4", addr); err == nil {
			got, closer = ln.Addr().(*net.TCPAddr).Port, ln
		}
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return 0, nil, errdefs.Conflict("host port %s/%s is already in use: stop what uses it, or publish another host port (-p OTHER:CONTAINER_PORT)", addr, proto)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return 0, nil, errdefs.InvalidArgument("cannot publish on %s: the host has no such address: use one of its addresses, or none for all", host)
	case err != nil:
		return 0, nil, errdefs.Unavailable("cannot reserve host port %s/%s: %v", addr, proto, err)
	}
	return uint16(got), func() { closer.Close() }, nil
}
