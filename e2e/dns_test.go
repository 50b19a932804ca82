package e2e

import (
	"net"
	"strings"
	"sync"
	"testing"

	mdns "github.com/miekg/dns"
)

// resolve is a shell function that prints the address nslookup finds for
// $1 through the container's resolv.conf, and fails when it finds none.
const resolve = `resolve() { a=$(nslookup "$1" 2>/dev/null | sed -n 's/^Address:[[:space:]]*//p' | grep -v ':53$' | tail -1); [ -n "$a" ] && echo "$a"; }; `

// fakeResolver answers external.test. with 192.0.2.7 and NXDOMAIN for
// everything else, on addr:53 (UDP), and remembers the names asked.
type fakeResolver struct {
	mu    sync.Mutex
	asked []string
}

func startFakeResolver(t *testing.T, addr string) *fakeResolver {
	t.Helper()
	f := &fakeResolver{}
	pc, err := net.ListenPacket("udp4", net.JoinHostPort(addr, "53"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		q := r.Question[0]
		f.mu.Lock()
		f.asked = append(f.asked, q.Name)
		f.mu.Unlock()
		m := new(mdns.Msg)
		m.SetReply(r)
		switch {
		case q.Name == "external.test." && q.Qtype == mdns.TypeA:
			m.Answer = append(m.Answer, &mdns.A{Hdr: mdns.RR_Header{Name: q.Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 7)})
		case q.Name == "external.test.":
		default:
			m.SetRcode(r, mdns.RcodeNameError)
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return f
}

func (f *fakeResolver) saw(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.asked {
		if n == name {
			return true
		}
	}
	return false
}

// TestDNSUserNetwork: containers on a user network find each other by
// name and alias, also containers started later and after a restart; a
// removed container's name goes; other networks and the default bridge
// have no such names; other names are forwarded.
func TestDNSUserNetwork(t *testing.T) {
	b, bb := withNetworks(t)
	sub, other := testSubnet(t), testSubnet(t)
	for sub == other {
		other = testSubnet(t)
	}
	b.ok("network", "create", "--subnet", sub, "dnsnet")
	b.ok("network", "create", "--subnet", other, "dnsother")
	gw := b.ok("network", "inspect", "--format", "{{(index .IPAM.Config 0).Gateway}}", "dnsnet")
	gw = strings.TrimSpace(gw)
	if gw == "" {
		gw = strings.TrimSuffix(sub, "0/24") + "1"
	}
	up := startFakeResolver(t, gw)

	ipDB := webOn(t, b, bb, "db", "dnsnet", "--network-alias", "database")
	b.ok("run", "-d", "--name", "client", "--network", "dnsnet", bb, "sleep", "600")
	look := func(ctr, name string) (string, int) {
		out, _, code := b.run("exec", ctr, "sh", "-c", resolve+"resolve "+name)
		return strings.TrimSpace(out), code
	}

	t.Run("resolv.conf", func(t *testing.T) {
		out, _, _ := b.run("run", "--rm", "--network", "dnsnet", bb, "cat", "/etc/resolv.conf")
		if !strings.Contains(out, "nameserver 127.0.0.11\n") {
			t.Errorf("resolv.conf on a user network:\n%s", out)
		}
	})

	t.Run("by name and alias", func(t *testing.T) {
		out, _, code := b.run("run", "--rm", "--network", "dnsnet", bb, "sh", "-c",
			resolve+"for n in db database DB db.dnsnet; do a=$(resolve $n) || { echo \"no $n\"; exit 1; }; echo $a; done; "+
				"wget -qO- http://db/ && wget -qO- http://database/")
		want := strings.Repeat(ipDB+"\n", 4) + "hello-db\nhello-db\n"
		if code != 0 || out != want {
			t.Errorf("exit %d, got:\n%s\nwant:\n%s", code, out, want)
		}
	})

	t.Run("a container started later", func(t *testing.T) {
		ipLate := webOn(t, b, bb, "late", "dnsnet")
		if got, code := look("client", "late"); code != 0 || got != ipLate {
			t.Errorf("late: exit %d, %q, want %s", code, got, ipLate)
		}
		if got, code := look("late", "client"); code != 0 || got == "" {
			t.Errorf("the late one finds the client: exit %d, %q", code, got)
		}
	})

	t.Run("after a restart", func(t *testing.T) {
		b.ok("restart", "-t", "1", "db")
		got, code := look("client", "db")
		if code != 0 || got != ipDB {
			t.Fatalf("after restart: exit %d, %q, want %s", code, got, ipDB)
		}
		if out, _, code := b.run("exec", "client", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://db/ && exit 0; sleep 0.2; done; exit 1"); code != 0 || out != "hello-db\n" {
			t.Errorf("db after restart: exit %d %q", code, out)
		}
		// The restarted one's own server answers too (a new namespace).
		if got, code := look("db", "client"); code != 0 || got == "" {
			t.Errorf("from the restarted container: exit %d, %q", code, got)
		}
	})

	t.Run("reverse", func(t *testing.T) {
		out, _, code := b.run("exec", "client", "nslookup", ipDB)
		if code != 0 || !strings.Contains(out, "db.dnsnet") {
			t.Errorf("nslookup %s: exit %d:\n%s", ipDB, code, out)
		}
	})

	t.Run("connect and disconnect a running container", func(t *testing.T) {
		ipFar := webOn(t, b, bb, "far", "dnsother")
		if got, code := look("client", "far"); code == 0 {
			t.Fatalf("far resolved before connect: %q", got)
		}
		b.ok("network", "connect", "dnsother", "client")
		if got, code := look("client", "far"); code != 0 || got != ipFar {
			t.Errorf("after connect: exit %d, %q, want %s", code, got, ipFar)
		}
		b.ok("network", "disconnect", "dnsother", "client")
		if got, code := look("client", "far"); code == 0 {
			t.Errorf("after disconnect: far still resolves to %q", got)
		}
		if got, code := look("client", "db"); code != 0 || got != ipDB {
			t.Errorf("after disconnect, db: exit %d, %q", code, got)
		}
	})

	t.Run("forwarded", func(t *testing.T) {
		// With --dns, the container's name server forwards there (its
		// own names still answered first).
		out, _, code := b.run("run", "--rm", "--network", "dnsnet", "--dns", gw, bb, "sh", "-c",
			"nslookup external.test 127.0.0.11 && nslookup client 127.0.0.11")
		if code != 0 || !strings.Contains(out, "192.0.2.7") {
			t.Errorf("external.test through the container's name server: exit %d:\n%s", code, out)
		}
		if !up.saw("external.test.") {
			t.Error("the upstream was not asked")
		}
	})

	t.Run("stopped, then removed: the name goes", func(t *testing.T) {
		b.ok("stop", "-t", "1", "late")
		if got, code := look("client", "late"); code == 0 {
			t.Errorf("a stopped container's name resolved: %q", got)
		}
		b.ok("rm", "-f", "db")
		if got, code := look("client", "db"); code == 0 {
			t.Errorf("a removed container's name resolved: %q", got)
		}
		if got, code := look("client", "database"); code == 0 {
			t.Errorf("a removed container's alias resolved: %q", got)
		}
	})

	t.Run("other networks and the default bridge have no such names", func(t *testing.T) {
		webOn(t, b, bb, "db2", "dnsnet", "--network-alias", "database2")
		for _, n := range []string{"dnsother", "bridge"} {
			out, _, code := b.run("run", "--rm", "--network", n, bb, "sh", "-c", resolve+"resolve db2 || resolve database2 || resolve client")
			if code == 0 {
				t.Errorf("a container on %s resolved a name of dnsnet: %q", n, out)
			}
		}
		out, _, _ := b.run("run", "--rm", bb, "cat", "/etc/resolv.conf")
		if strings.Contains(out, "127.0.0.11") {
			t.Errorf("resolv.conf on the default bridge names the embedded server:\n%s", out)
		}
	})
}
