package monitor

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"berth/engine/network/dns"
)

// namesRecorder is a recorder that also answers the name server, as the
// engine's does.
type namesRecorder struct {
	*recorder
	names map[string]netip.Addr
}

func (r *namesRecorder) LookupName(_ context.Context, name string) ([]netip.Addr, bool, error) {
	a, ok := r.names[name]
	if !ok {
		return nil, false, nil
	}
	return []netip.Addr{a}, true, nil
}

func (r *namesRecorder) LookupAddr(context.Context, netip.Addr) ([]string, bool, error) {
	return nil, false, nil
}

// fakeUpstream is a resolver on the host's loopback that knows
// example.com. only.
func fakeUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case q.Name == "example.com." && q.Qtype == mdns.TypeA:
			m.Answer = append(m.Answer, &mdns.A{Hdr: mdns.RR_Header{Name: q.Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 7)})
		case q.Name == "example.com.":
		default:
			m.SetRcode(r, mdns.RcodeNameError)
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// openSockets counts the test process's sockets.
func openSockets(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if l, _ := os.Readlink("/proc/self/fd/" + e.Name()); strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}

// TestNameServer: with Bundle.DNS the container finds a server at
// 127.0.0.11 that answers its recorder's names and forwards the rest to
// the upstreams, in every run (a restart is a new namespace), and the
// server is gone with the run.
func TestNameServer(t *testing.T) {
	requireRoot(t)
	up := fakeUpstream(t)
	script := `for n in db example.com gone; do nslookup $n 127.0.0.11 2>&1 || echo "failed $n"; done; exit 1`
	b := testBundle(t, []string{"sh", "-c", script}, nil)
	b.DNS = &DNS{Upstreams: []string{up}}
	rec := &namesRecorder{recorder: &recorder{restarts: 1, delay: 10 * time.Millisecond}, names: map[string]netip.Addr{"db": netip.MustParseAddr("10.1.2.3")}}
	fds := openSockets(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, b, rec, newReadyLines()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("monitor did not end")
	}
	out, _ := readLog(t, b.Log.Path)
	for _, want := range []string{"10.1.2.3", "192.0.2.7"} {
		if n := strings.Count(out, want); n != 2 {
			t.Errorf("%s answered %d times in two runs, want 2:\n%s", want, n, out)
		}
	}
	if n := strings.Count(out, "failed gone"); n != 2 {
		t.Errorf("an unknown name resolved (%d failures in two runs, want 2):\n%s", n, out)
	}
	if strings.Contains(out, "failed db") || strings.Contains(out, "failed example.com") {
		t.Errorf("lookups failed:\n%s", out)
	}
	checkCleanedUp(t, b)
	if now := openSockets(t); now > fds {
		t.Errorf("%d sockets open after the monitor ended, %d before: the name server's stayed", now, fds)
	}
}

// TestNameServerWithoutNames: a recorder that answers no names (the
// test's) leaves every query to the upstreams.
func TestNameServerWithoutNames(t *testing.T) {
	requireRoot(t)
	up := fakeUpstream(t)
	b := testBundle(t, []string{"sh", "-c", "nslookup example.com 127.0.0.11"}, nil)
	b.DNS = &DNS{Upstreams: []string{up}}
	r := startMonitor(t, b, nil)
	r.started()
	r.wait()
	if out, _ := readLog(t, b.Log.Path); !strings.Contains(out, "192.0.2.7") {
		t.Errorf("forwarded lookup:\n%s", out)
	}
	checkCleanedUp(t, b)
}

// TestMonitorRSSWithNameServer is TestMonitorRSS's idle case with a name
// server that has answered queries: the private memory it costs.
func TestMonitorRSSWithNameServer(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("short")
	}
	up := fakeUpstream(t)
	for _, withDNS := range []bool{false, true} {
		b := testBundle(t, []string{"sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do nslookup example.com 127.0.0.11 >/dev/null 2>&1; done; sleep 30"}, nil)
		if withDNS {
			b.DNS = &DNS{Upstreams: []string{up}}
		}
		raw, _ := json.Marshal(b)
		bundlePath := filepath.Join(t.TempDir(), "bundle.json")
		os.WriteFile(bundlePath, raw, 0o600)
		cmd := exec.Command("/proc/self/exe", "monitor-helper", bundlePath)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		st := procStatus(t, cmd.Process.Pid)
		t.Logf("name server %v: VmRSS %d KiB (RssAnon %d, RssFile %d), VmHWM %d KiB", withDNS, st["VmRSS"], st["RssAnon"], st["RssFile"], st["VmHWM"])
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		checkCleanedUp(t, b)
		if withDNS && st["RssAnon"] > 8<<10 {
			t.Errorf("the monitor's private memory is %d KiB with a name server", st["RssAnon"])
		}
	}
}

var _ dns.Names = (*namesRecorder)(nil)
