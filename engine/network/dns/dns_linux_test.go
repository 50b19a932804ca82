package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (network namespaces); CI runs as root")
	}
}

// netns makes a network namespace (lo down, as a fresh one is) and
// returns its path, held by an open descriptor until the test ends.
func netns(t testing.TB) string {
	t.Helper()
	requireRoot(t)
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never undone: the thread ends with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ch <- result{-1, err}
			return
		}
		fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		ch <- result{fd, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("make a network namespace: %v", r.err)
	}
	t.Cleanup(func() { unix.Close(r.fd) })
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), r.fd)
}

// inNetns runs fn on a thread that entered the namespace at path (sockets
// fn makes are the namespace's).
func inNetns(t testing.TB, path string, fn func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			err = unix.Setns(fd, unix.CLONE_NEWNET)
			unix.Close(fd)
		}
		if err == nil {
			fn()
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatalf("enter %s: %v", path, err)
	}
}

// fakeNames is a Names over maps, changed by the tests.
type fakeNames struct {
	mu    sync.Mutex
	names map[string][]netip.Addr
	addrs map[netip.Addr][]string
	err   error
	asked []string
}

func (f *fakeNames) LookupName(_ context.Context, name string) ([]netip.Addr, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, name)
	a, ok := f.names[name]
	return slices.Clone(a), ok, f.err
}

func (f *fakeNames) LookupAddr(_ context.Context, addr netip.Addr) ([]string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.addrs[addr]
	return n, ok, f.err
}

func (f *fakeNames) remove(name string) {
	f.mu.Lock()
	delete(f.names, name)
	f.mu.Unlock()
}

// upstream is a resolver on the host's loopback: example.com. has an
// address, every other name is NXDOMAIN. It counts the names it is asked.
type upstream struct {
	addr  string
	mu    sync.Mutex
	asked []string
}

func startUpstream(t testing.TB) *upstream {
	t.Helper()
	u := &upstream{}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	u.addr = pc.LocalAddr().String()
	h := mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		q := r.Question[0]
		u.mu.Lock()
		u.asked = append(u.asked, q.Name)
		u.mu.Unlock()
		m := new(mdns.Msg)
		m.SetReply(r)
		switch {
		case q.Name == "example.com." && q.Qtype == mdns.TypeA:
			m.Answer = append(m.Answer, &mdns.A{Hdr: mdns.RR_Header{Name: q.Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 300}, A: net.IPv4(192, 0, 2, 7)})
		case q.Name == "example.com.":
		case q.Name == "big.example.com.":
			for i := range 60 {
				m.Answer = append(m.Answer, &mdns.A{Hdr: mdns.RR_Header{Name: q.Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 300}, A: net.IPv4(192, 0, 2, byte(i))})
			}
			if w.LocalAddr().Network() == "udp" {
				m.Truncate(512)
			}
		default:
			m.SetRcode(r, mdns.RcodeNameError)
		}
		w.WriteMsg(m)
	})
	for _, srv := range []*mdns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		go srv.ActivateAndServe()
		t.Cleanup(func() { srv.Shutdown() })
	}
	return u
}

func (u *upstream) saw(name string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Contains(u.asked, name)
}

// query asks the server at 127.0.0.11 from inside the namespace.
func query(t testing.TB, ns, proto, name string, qtype uint16) *mdns.Msg {
	t.Helper()
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	var resp *mdns.Msg
	var err error
	inNetns(t, ns, func() {
		c := &mdns.Client{Net: proto, Timeout: 5 * time.Second}
		resp, _, err = c.Exchange(m, ResolverAddr+":53")
	})
	if err != nil {
		t.Fatalf("query %s %s over %s: %v", name, mdns.TypeToString[qtype], proto, err)
	}
	return resp
}

func answers(m *mdns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		switch rr := rr.(type) {
		case *mdns.A:
			out = append(out, rr.A.String())
		case *mdns.AAAA:
			out = append(out, rr.AAAA.String())
		case *mdns.PTR:
			out = append(out, rr.Ptr)
		default:
			out = append(out, rr.String())
		}
	}
	slices.Sort(out)
	return out
}

func TestServerAnswers(t *testing.T) {
	ns := netns(t)
	up := startUpstream(t)
	names := &fakeNames{
		names: map[string][]netip.Addr{
			"db":       {netip.MustParseAddr("10.90.0.2")},
			"database": {netip.MustParseAddr("10.90.0.2")},
			"web":      {netip.MustParseAddr("10.90.0.4"), netip.MustParseAddr("10.90.0.3")},
			"v6":       {netip.MustParseAddr("fd00::5")},
		},
		addrs: map[netip.Addr][]string{netip.MustParseAddr("10.90.0.2"): {"db.appnet"}},
	}
	s, err := Start(ns, Config{Names: names, Upstreams: []string{up.addr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	tests := []struct {
		name      string
		q         string
		qtype     uint16
		proto     string
		rcode     int
		want      []string
		forwarded bool
	}{
		{"name", "db.", mdns.TypeA, "udp", mdns.RcodeSuccess, []string{"10.90.0.2"}, false},
		{"alias", "database.", mdns.TypeA, "udp", mdns.RcodeSuccess, []string{"10.90.0.2"}, false},
		{"case-insensitive", "DaTaBaSe.", mdns.TypeA, "udp", mdns.RcodeSuccess, []string{"10.90.0.2"}, false},
		{"over tcp", "db.", mdns.TypeA, "tcp", mdns.RcodeSuccess, []string{"10.90.0.2"}, false},
		{"shared alias: every address", "web.", mdns.TypeA, "udp", mdns.RcodeSuccess, []string{"10.90.0.3", "10.90.0.4"}, false},
		{"AAAA of an IPv4-only name: no data, not forwarded", "db.", mdns.TypeAAAA, "udp", mdns.RcodeSuccess, nil, false},
		{"MX of a container: no data", "db.", mdns.TypeMX, "udp", mdns.RcodeSuccess, nil, false},
		{"AAAA", "v6.", mdns.TypeAAAA, "udp", mdns.RcodeSuccess, []string{"fd00::5"}, false},
		{"A of an IPv6-only name: no data", "v6.", mdns.TypeA, "udp", mdns.RcodeSuccess, nil, false},
		{"reverse", "2.0.90.10.in-addr.arpa.", mdns.TypePTR, "udp", mdns.RcodeSuccess, []string{"db.appnet."}, false},
		{"unknown: forwarded", "example.com.", mdns.TypeA, "udp", mdns.RcodeSuccess, []string{"192.0.2.7"}, true},
		{"unknown over tcp: forwarded", "example.com.", mdns.TypeA, "tcp", mdns.RcodeSuccess, []string{"192.0.2.7"}, true},
		{"unknown AAAA: forwarded", "example.com.", mdns.TypeAAAA, "udp", mdns.RcodeSuccess, nil, true},
		{"unknown reverse: forwarded", "9.0.90.10.in-addr.arpa.", mdns.TypePTR, "udp", mdns.RcodeNameError, nil, true},
		{"upstream's NXDOMAIN", "nothing.example.", mdns.TypeA, "udp", mdns.RcodeNameError, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up.mu.Lock()
			up.asked = nil
			up.mu.Unlock()
			m := query(t, ns, tc.proto, tc.q, tc.qtype)
			if m.Rcode != tc.rcode {
				t.Errorf("rcode %s, want %s", mdns.RcodeToString[m.Rcode], mdns.RcodeToString[tc.rcode])
			}
			if got := answers(m); !slices.Equal(got, tc.want) {
				t.Errorf("answers %v, want %v", got, tc.want)
			}
			if got := up.saw(tc.q); got != tc.forwarded {
				t.Errorf("forwarded %v, want %v", got, tc.forwarded)
			}
			for _, rr := range m.Answer {
				if rr.Header().Name != tc.q {
					t.Errorf("answer for %q, asked %q", rr.Header().Name, tc.q)
				}
				if !tc.forwarded && rr.Header().Ttl != 0 {
					t.Errorf("TTL %d for a container name, want 0", rr.Header().Ttl)
				}
			}
		})
	}

	t.Run("names lower-cased without the dot", func(t *testing.T) {
		names.mu.Lock()
		asked := slices.Clone(names.asked)
		names.mu.Unlock()
		if !slices.Contains(asked, "database") || slices.ContainsFunc(asked, func(s string) bool { return s == "DaTaBaSe" || s == "db." }) {
			t.Errorf("Names asked %q", asked)
		}
	})

	t.Run("truncated over udp, whole over tcp", func(t *testing.T) {
		m := query(t, ns, "udp", "big.example.com.", mdns.TypeA)
		if !m.Truncated {
			t.Errorf("udp answer of %d records not truncated", len(m.Answer))
		}
		m = query(t, ns, "tcp", "big.example.com.", mdns.TypeA)
		if m.Truncated || len(m.Answer) != 60 {
			t.Errorf("tcp answer: truncated %v, %d records, want 60", m.Truncated, len(m.Answer))
		}
	})

	t.Run("removed: no longer answered", func(t *testing.T) {
		names.remove("db")
		m := query(t, ns, "udp", "db.", mdns.TypeA)
		if m.Rcode != mdns.RcodeNameError || len(m.Answer) != 0 {
			t.Errorf("removed name: %s %v, want NXDOMAIN", mdns.RcodeToString[m.Rcode], answers(m))
		}
		if !up.saw("db.") {
			t.Error("a name no container has was not forwarded")
		}
	})

	t.Run("lookup failure: SERVFAIL", func(t *testing.T) {
		names.mu.Lock()
		names.err = errors.New("store locked")
		names.mu.Unlock()
		defer func() {
			names.mu.Lock()
			names.err = nil
			names.mu.Unlock()
		}()
		if m := query(t, ns, "udp", "database.", mdns.TypeA); m.Rcode != mdns.RcodeServerFailure {
			t.Errorf("rcode %s, want SERVFAIL", mdns.RcodeToString[m.Rcode])
		}
	})
}

func TestServerUpstreams(t *testing.T) {
	ns := netns(t)
	up := startUpstream(t)
	// A port nobody listens on: the UDP query is refused (ICMP), the
	// next upstream answers.
	dead, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.LocalAddr().String()
	dead.Close()
	s, err := Start(ns, Config{Upstreams: []string{deadAddr, up.addr}, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m := query(t, ns, "udp", "example.com.", mdns.TypeA); m.Rcode != mdns.RcodeSuccess || !slices.Equal(answers(m), []string{"192.0.2.7"}) {
		t.Errorf("with a dead first upstream: %s %v", mdns.RcodeToString[m.Rcode], answers(m))
	}
	s.Close()

	// No upstream answers: SERVFAIL, within the timeout.
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	s2, err := Start(ns, Config{Upstreams: []string{silent.LocalAddr().String()}, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	start := time.Now()
	m := query(t, ns, "udp", "example.com.", mdns.TypeA)
	if m.Rcode != mdns.RcodeServerFailure {
		t.Errorf("silent upstream: rcode %s, want SERVFAIL", mdns.RcodeToString[m.Rcode])
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("SERVFAIL after %v, the timeout is 300ms", d)
	}
}

// TestServerClose: the sockets are the namespace's (the host's
// 127.0.0.11:53 stays free) and Close releases them, also with a query
// being forwarded.
func TestServerClose(t *testing.T) {
	ns := netns(t)
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	s, err := Start(ns, Config{Upstreams: []string{silent.LocalAddr().String()}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start(ns, Config{}); err == nil || !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("second server in one namespace: %v, want address in use", err)
	}
	// A query that waits for the silent upstream while we close.
	inNetns(t, ns, func() {
		c, err := net.Dial("udp4", ResolverAddr+":53")
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		m := new(mdns.Msg)
		m.SetQuestion("example.com.", mdns.TypeA)
		raw, _ := m.Pack()
		c.Write(raw)
	})
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("Close took %v with a query in flight", d)
	}
	inNetns(t, ns, func() {
		for _, proto := range []string{"udp4", "tcp4"} {
			var err error
			if proto == "udp4" {
				var pc net.PacketConn
				if pc, err = net.ListenPacket(proto, ResolverAddr+":53"); err == nil {
					pc.Close()
				}
			} else {
				var ln net.Listener
				if ln, err = net.Listen(proto, ResolverAddr+":53"); err == nil {
					ln.Close()
				}
			}
			if err != nil {
				t.Errorf("%s %s:53 still taken after Close: %v", proto, ResolverAddr, err)
			}
		}
	})
}

func TestStartMissingNamespace(t *testing.T) {
	requireRoot(t)
	_, err := Start("/proc/999999999/ns/net", Config{})
	if err == nil {
		t.Fatal("Start in a missing namespace succeeded")
	}
	if !errdefs.IsUnavailable(err) {
		t.Errorf("error %q is not of class Unavailable", err)
	}
}
