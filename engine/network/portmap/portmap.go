// Package portmap reads Docker's published-port syntax (-p, --expose, an
// image's ExposedPorts) into typed values, and keeps them in Docker's JSON
// shapes: a container port is the key "80/tcp", a host side is
// {"HostIp": "0.0.0.0", "HostPort": "8080"}. It does no I/O: choosing free
// host ports and forwarding traffic are for the engine and the firewall.
package portmap

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"berth/engine/errdefs"
)

// Port is a container port and its protocol: Docker's "80/tcp".
type Port struct {
	Number uint16
	Proto  string // "tcp" or "udp"
}

func (p Port) String() string { return strconv.Itoa(int(p.Number)) + "/" + p.Proto }

// MarshalText makes a Port a JSON map key, as Docker writes it: "80/tcp".
func (p Port) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads "80/tcp" (or "80", which is tcp).
func (p *Port) UnmarshalText(b []byte) error {
	q, err := ParsePort(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePort reads "80", "80/tcp" or "53/udp" (--expose, `berth port CTR 80/tcp`,
// an image's ExposedPorts).
func ParsePort(s string) (Port, error) {
	num, proto, err := splitProto(s)
	if err != nil {
		return Port{}, errdefs.InvalidArgument("invalid port %q: %v", s, err)
	}
	n, err := portNumber(num)
	if err != nil || n == 0 {
		return Port{}, errdefs.InvalidArgument("invalid port %q: give a port number from 1 to 65535, optionally with /tcp or /udp", s)
	}
	return Port{Number: n, Proto: proto}, nil
}

// ParseExpose reads --expose's value: a port or a range ("8000-8010/udp").
func ParseExpose(s string) ([]Port, error) {
	num, proto, err := splitProto(s)
	if err != nil {
		return nil, errdefs.InvalidArgument("invalid port %q: %v", s, err)
	}
	lo, hi, err := portRange(num)
	if err != nil || lo == 0 {
		return nil, errdefs.InvalidArgument("invalid port %q: give a port (80) or a range (8000-8010) from 1 to 65535, optionally with /tcp or /udp", s)
	}
	var out []Port
	for n := int(lo); n <= int(hi); n++ {
		out = append(out, Port{Number: uint16(n), Proto: proto})
	}
	return out, nil
}

// Binding is one host side of a published port, in Docker's shape. In a
// container's configuration HostPort may be "" (any free port) or a range
// "8000-8010" (the first free one of them); once the container runs it is
// the one port chosen.
type Binding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

// Bindings is Docker's HostConfig.PortBindings: container port to host sides.
type Bindings map[Port][]Binding

// Add records that the container port p is published on b.
func (bs Bindings) Add(p Port, b Binding) {
	bs[p] = append(bs[p], b)
}

// Ports are bs's container ports in Docker's order (number, then protocol).
func (bs Bindings) Ports() []Port {
	out := make([]Port, 0, len(bs))
	for p := range bs {
		out = append(out, p)
	}
	SortPorts(out)
	return out
}

// SortPorts sorts by number, then protocol.
func SortPorts(ps []Port) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Number != ps[j].Number {
			return ps[i].Number < ps[j].Number
		}
		return ps[i].Proto < ps[j].Proto
	})
}

// Parse reads one -p value, Docker's
// [ip:][hostPort:]containerPort[/tcp|udp], where hostPort and
// containerPort may be ranges (8000-8010:80-90: one for one), a host range
// for a single container port (8000-8010:80: the first free one), and an
// empty hostPort (127.0.0.1::80) means any free port. It adds what it read
// to bs.
func Parse(bs Bindings, spec string) error {
	bad := func(why string, args ...any) error {
		return errdefs.InvalidArgument("invalid port mapping %q: %s", spec, fmt.Sprintf(why, args...))
	}
	rest, proto, err := splitProto(spec)
	if err != nil {
		return bad("%v", err)
	}
	var ip, host, ctr string
	if strings.HasPrefix(rest, "[") { // [::1]:8080:80
		end := strings.Index(rest, "]")
		if end < 0 || len(rest) == end+1 || rest[end+1] != ':' {
			return bad("an IPv6 host address goes in brackets before a colon: [::1]:8080:80")
		}
		ip, rest = rest[1:end], rest[end+2:]
		parts := strings.Split(rest, ":")
		if len(parts) != 2 {
			return bad("use [ip]:hostPort:containerPort")
		}
		host, ctr = parts[0], parts[1]
	} else {
		parts := strings.Split(rest, ":")
		switch len(parts) {
		case 1:
			ctr = parts[0]
		case 2:
			host, ctr = parts[0], parts[1]
		case 3:
			ip, host, ctr = parts[0], parts[1], parts[2]
		default:
			return bad("use [ip:][hostPort:]containerPort[/tcp|udp], with an IPv6 address in brackets")
		}
	}
	hostIP := ""
	if ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil || a.Zone() != "" {
			return bad("%q is not an IP address", ip)
		}
		if !a.Is4() && !a.Is4In6() {
			return bad("IPv6 host addresses are not supported yet: publish on an IPv4 address or on all of them")
		}
		hostIP = a.Unmap().String()
	}
	if ctr == "" {
		return bad("no container port: give one, as in 8080:80")
	}
	clo, chi, err := portRange(ctr)
	if err != nil {
		return bad("container port %q %v", ctr, err)
	}
	if clo == 0 {
		return bad("container port 0: give a port from 1 to 65535")
	}
	var hlo, hhi uint16
	if host != "" {
		if hlo, hhi, err = portRange(host); err != nil {
			return bad("host port %q %v", host, err)
		}
		if hlo == 0 && hhi != 0 {
			return bad("host port range %q starts at 0: give ports from 1 to 65535", host)
		}
	}
	if host != "" && hlo != 0 && chi-clo != hhi-hlo && chi != clo {
		return bad("host ports %s and container ports %s are ranges of different sizes: give ranges of the same size, or one container port", host, ctr)
	}
	for i := 0; i <= int(chi-clo); i++ {
		p := Port{Number: clo + uint16(i), Proto: proto}
		b := Binding{HostIP: hostIP}
		switch {
		case host == "" || hlo == 0:
		case chi != clo:
			b.HostPort = strconv.Itoa(int(hlo) + i)
		case hlo == hhi:
			b.HostPort = strconv.Itoa(int(hlo))
		default:
			b.HostPort = fmt.Sprintf("%d-%d", hlo, hhi)
		}
		bs.Add(p, b)
	}
	return nil
}

// splitProto cuts "80/udp" into "80" and "udp"; tcp when none is given.
// Its error is a reason, for the caller to put after the value it names.
func splitProto(s string) (string, string, error) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return s, "tcp", nil
	}
	switch proto := strings.ToLower(s[i+1:]); proto {
	case "tcp", "udp":
		return s[:i], proto, nil
	case "sctp":
		return "", "", fmt.Errorf("berth publishes tcp and udp ports, not sctp")
	default:
		return "", "", fmt.Errorf("unknown protocol %q: use tcp or udp (80/udp)", s[i+1:])
	}
}

// portRange reads "80" or "8000-8010".
func portRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = portNumber(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = portNumber(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("is a range that ends before it starts: write it low-high")
	}
	return lo, hi, nil
}

func portNumber(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	switch {
	case err != nil && strings.Trim(s, "0123456789") == "" && s != "":
		return 0, fmt.Errorf("is out of range: use 1 to 65535")
	case err != nil:
		return 0, fmt.Errorf("is not a port number: use 1 to 65535")
	case n > 65535:
		return 0, fmt.Errorf("is out of range: use 1 to 65535")
	}
	return uint16(n), nil
}

// Request is one host port to find for a container port: HostLo..HostHi
// (both 0: any free port), on HostIP (invalid: every address).
type Request struct {
	Port           Port
	HostIP         netip.Addr
	HostLo, HostHi uint16
}

// Requests lists the host ports a container needs: its bindings, and with
// publishAll every exposed port not bound already on any free port.
// Bindings carry values Parse made (or a Docker client sent).
func Requests(bs Bindings, exposed []Port, publishAll bool) ([]Request, error) {
	var out []Request
	for _, p := range bs.Ports() {
		for _, b := range bs[p] {
			r := Request{Port: p}
			if b.HostIP != "" {
				a, err := netip.ParseAddr(b.HostIP)
				if err != nil {
					return nil, errdefs.InvalidArgument("invalid host address %q for port %s: give an IPv4 address", b.HostIP, p)
				}
				if !a.IsUnspecified() {
					r.HostIP = a.Unmap()
				}
			}
			if b.HostPort != "" {
				lo, hi, err := portRange(b.HostPort)
				if err != nil {
					return nil, errdefs.InvalidArgument("invalid host port %q for port %s: %v", b.HostPort, p, err)
				}
				r.HostLo, r.HostHi = lo, hi
			}
			out = append(out, r)
		}
	}
	if publishAll {
		ps := append([]Port{}, exposed...)
		SortPorts(ps)
		for _, p := range ps {
			if _, ok := bs[p]; !ok {
				out = append(out, Request{Port: p})
			}
		}
	}
	return out, nil
}

// Published is one container port forwarded from a host port.
type Published struct {
	Port     Port
	HostIP   netip.Addr // invalid: every address of the host
	HostPort uint16
}

// HostIPString is the host address as Docker prints it: 0.0.0.0 for all.
func (p Published) HostIPString() string {
	if !p.HostIP.IsValid() {
		return "0.0.0.0"
	}
	return p.HostIP.String()
}

// String is `berth port`'s right side and half of ps's PORTS: "0.0.0.0:8080".
func (p Published) String() string {
	return p.HostIPString() + ":" + strconv.Itoa(int(p.HostPort))
}
