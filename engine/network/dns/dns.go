// Package dns is the name server of containers on user networks, Docker's
// "embedded DNS": it answers at ResolverAddr:53 (UDP and TCP) inside the
// container's own network namespace, where the container's resolv.conf
// points. Names of containers (and their network aliases) come from Names,
// asked on every query, so a container started, restarted or removed is
// seen at once; every other query is forwarded to the upstream resolvers
// (the host's, or the container's --dns).
//
// There is no daemon: the container's monitor runs the server for the
// container's whole life (Start between libcontainer's Start and Exec,
// Close when the run ends). The sockets are made on a thread that entered
// the container's network namespace and stay there; the server's
// goroutines, and the forwarding, run in the monitor's (the host's)
// namespace, so upstream resolvers are reached as the host reaches them.
// Nothing is written to disk and nothing needs a lock.
//
// The protocol is github.com/miekg/dns's, a well-kept library, rather than
// a codec of berth's own.
package dns

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// ResolverAddr is the address of the server in the container's network
// namespace (Docker's): resolv.conf of containers on user networks says
// "nameserver 127.0.0.11".
const ResolverAddr = "127.0.0.11"

// Names answers for containers. The engine implements it over its store
// for one container: the names it sees are those of its networks.
type Names interface {
	// LookupName returns the addresses of the container (or alias)
	// called name, lower case without a trailing dot. ok false means no
	// container answers to the name: the query is forwarded.
	LookupName(ctx context.Context, name string) (addrs []netip.Addr, ok bool, err error)
	// LookupAddr returns the names (without trailing dot) of the
	// container that has addr, for reverse (PTR) queries; ok false
	// forwards the query.
	LookupAddr(ctx context.Context, addr netip.Addr) (names []string, ok bool, err error)
}

// Config is what a server answers with.
type Config struct {
	Names     Names    // nil: every query is forwarded
	Upstreams []string // resolvers to forward to, "ip" or "ip:port" (see Upstreams)
	// Timeout is how long one upstream is given to answer before the next
	// is tried; 0 means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout is how long an upstream resolver is waited for.
const DefaultTimeout = 2 * time.Second

// maxForwards bounds the queries being forwarded at once (Docker's
// embedded server allows 100): a container that floods the server gets
// SERVFAIL instead of growing the monitor.
const maxForwards = 100

// nameTTL is the TTL of container names: 0, so that no cache in the
// container keeps an address across a restart or a removal.
const nameTTL = 0

// Handler answers queries: container names from Names, the rest from the
// upstream resolvers. It is a miekg/dns Handler.
type Handler struct {
	names     Names
	upstreams []string
	timeout   time.Duration
	forwards  chan struct{} // a semaphore of maxForwards
	ctx       context.Context
}

// NewHandler makes a handler; ctx ends the queries it forwards (the
// server's Close).
func NewHandler(ctx context.Context, cfg Config) *Handler {
	t := cfg.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return &Handler{
		names:     cfg.Names,
		upstreams: Upstreams(cfg.Upstreams),
		timeout:   t,
		forwards:  make(chan struct{}, maxForwards),
		ctx:       ctx,
	}
}

// Upstreams turns nameserver addresses ("10.0.0.1", "fe80::1%eth0",
// "10.0.0.1:5353", "[::1]:53") into host:port, port 53 unless given.
// What is not an address is left out.
func Upstreams(ns []string) []string {
	var out []string
	for _, s := range ns {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			out = append(out, ap.String())
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.AddrPortFrom(a, 53).String())
		}
	}
	return out
}

// ServeDNS answers one query.
func (h *Handler) ServeDNS(w mdns.ResponseWriter, r *mdns.Msg) {
	if len(r.Question) != 1 || r.Opcode != mdns.OpcodeQuery {
		m := new(mdns.Msg)
		if len(r.Question) != 1 {
			m.SetRcodeFormatError(r)
		} else {
			m.SetRcode(r, mdns.RcodeNotImplemented)
		}
		w.WriteMsg(m)
		return
	}
	if m := h.local(r); m != nil {
		w.WriteMsg(m)
		return
	}
	w.WriteMsg(h.forward(r, w.LocalAddr().Network()))
}

// local is the answer from Names, or nil when the query is to be
// forwarded.
func (h *Handler) local(r *mdns.Msg) *mdns.Msg {
	q := r.Question[0]
	if h.names == nil || q.Qclass != mdns.ClassINET {
		return nil
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.timeout)
	defer cancel()
	name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
	m := new(mdns.Msg)
	m.SetReply(r)
	m.Authoritative, m.RecursionAvailable = true, true
	if q.Qtype == mdns.TypePTR {
		addr, ok := reverseAddr(name)
		if !ok {
			return nil
		}
		names, ok, err := h.names.LookupAddr(ctx, addr)
		if err != nil {
			return m.SetRcode(r, mdns.RcodeServerFailure)
		}
		if !ok {
			return nil
		}
		for _, n := range names {
			m.Answer = append(m.Answer, &mdns.PTR{Hdr: header(q.Name, mdns.TypePTR), Ptr: mdns.Fqdn(n)})
		}
		return m
	}
	addrs, ok, err := h.names.LookupName(ctx, name)
	if err != nil {
		return m.SetRcode(r, mdns.RcodeServerFailure)
	}
	if !ok {
		return nil
	}
	// Several containers may share an alias: any order, as Docker's
	// round robin.
	rand.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	for _, a := range addrs {
		switch {
		case q.Qtype == mdns.TypeA && a.Is4():
			m.Answer = append(m.Answer, &mdns.A{Hdr: header(q.Name, mdns.TypeA), A: a.AsSlice()})
		case q.Qtype == mdns.TypeAAAA && a.Is6() && !a.Is4In6():
			m.Answer = append(m.Answer, &mdns.AAAA{Hdr: header(q.Name, mdns.TypeAAAA), AAAA: a.AsSlice()})
		}
	}
	// A name that exists without records of the type asked (AAAA of a
	// container with IPv4 only, MX, ...) is NOERROR with no answer, not
	// forwarded: an upstream has nothing to say about container names.
	return m
}

func header(name string, typ uint16) mdns.RR_Header {
	return mdns.RR_Header{Name: name, Rrtype: typ, Class: mdns.ClassINET, Ttl: nameTTL}
}

// reverseAddr reads the address of a reverse name, "4.3.2.1.in-addr.arpa"
// or the 32 nibbles of ip6.arpa, lower case without the trailing dot.
func reverseAddr(name string) (netip.Addr, bool) {
	if rest, ok := strings.CutSuffix(name, ".in-addr.arpa"); ok {
		f := strings.Split(rest, ".")
		if len(f) != 4 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(f[3] + "." + f[2] + "." + f[1] + "." + f[0])
		return a, err == nil && a.Is4()
	}
	if rest, ok := strings.CutSuffix(name, ".ip6.arpa"); ok {
		f := strings.Split(rest, ".")
		if len(f) != 32 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i, n := range f {
			if len(n) != 1 {
				return netip.Addr{}, false
			}
			v := strings.IndexByte("0123456789abcdef", n[0])
			if v < 0 {
				return netip.Addr{}, false
			}
			k := 31 - i // the last label is the first nibble
			b[k/2] |= byte(v) << (4 * (1 - k%2))
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

// forward asks the upstream resolvers in turn, over the protocol the
// query came by (a UDP answer too big for the client is cut, TC set: the
// client asks again over TCP), and answers SERVFAIL if none answers or
// maxForwards queries are already being forwarded.
func (h *Handler) forward(r *mdns.Msg, network string) *mdns.Msg {
	fail := new(mdns.Msg)
	fail.SetRcode(r, mdns.RcodeServerFailure)
	fail.RecursionAvailable = true
	select {
	case h.forwards <- struct{}{}:
		defer func() { <-h.forwards }()
	default:
		return fail
	}
	proto := "udp"
	if strings.HasPrefix(network, "tcp") {
		proto = "tcp"
	}
	for _, up := range h.upstreams {
		if h.ctx.Err() != nil {
			break
		}
		resp := h.exchange(r, proto, up)
		if resp == nil {
			continue
		}
		resp.Id = r.Id
		if proto == "udp" {
			// Within what the client can take (512 bytes unless it
			// says more with EDNS0), with TC set if cut.
			size := mdns.MinMsgSize
			if o := r.IsEdns0(); o != nil {
				size = int(o.UDPSize())
			}
			resp.Truncate(size)
		}
		return resp
	}
	return fail
}

// exchange asks one upstream; nil if it does not answer in time. The
// handler's context ends it at once (miekg/dns's ExchangeContext only
// takes a deadline from a context).
func (h *Handler) exchange(r *mdns.Msg, proto, upstream string) *mdns.Msg {
	c := &mdns.Client{Net: proto, Timeout: h.timeout}
	conn, err := c.DialContext(h.ctx, upstream)
	if err != nil {
		return nil
	}
	defer conn.Close()
	stop := context.AfterFunc(h.ctx, func() { conn.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(h.ctx, r, conn)
	if err != nil {
		return nil
	}
	return resp
}

// localAddr is where the server listens in the container's namespace.
func localAddr() *net.UDPAddr { return &net.UDPAddr{IP: net.ParseIP(ResolverAddr), Port: 53} }
