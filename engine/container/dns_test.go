package container

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"berth/engine/events"
	"berth/engine/network/dns"
	"berth/engine/store"
)

// dnsFixture: networks bridge (the default), appnet and othernet; the
// asker on bridge and appnet; db (alias database) and a stopped container
// on appnet; web on bridge only; other on othernet.
type dnsFixture struct {
	s                                    *Service
	asker, db, stopped, web, other, bare *Container
}

func newDNSFixture(t testing.TB) *dnsFixture {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "root", "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := NewService(db, nil, filepath.Join(dir, "root"), filepath.Join(dir, "run"), "")
	id := func(c byte) string { return strings.Repeat(string(c), 64) }
	mk := func(idc byte, name, mode string, st Status) *Container {
		return &Container{ID: id(idc), Name: name, Created: time.Now(), Config: Config{NetworkMode: mode, DNS: []string{"10.9.9.9"}}, State: State{Status: st}}
	}
	f := &dnsFixture{s: s,
		asker:   mk('a', "asker", "appnet", Running),
		db:      mk('b', "db", "appnet", Running),
		stopped: mk('c', "stopped", "appnet", Exited),
		web:     mk('d', "web", "bridge", Running),
		other:   mk('e', "other", "othernet", Running),
		bare:    mk('f', "bare", "none", Running),
	}
	err = s.db.Update(context.Background(), func(tx *store.Tx) error {
		for _, n := range []store.Network{{ID: id('1'), Name: "bridge"}, {ID: id('2'), Name: "appnet"}, {ID: id('3'), Name: "othernet"}} {
			n.Driver, n.Config, n.Created = "bridge", []byte("{}"), time.Now()
			if err := tx.PutNetwork(n); err != nil {
				return err
			}
		}
		for _, c := range []*Container{f.asker, f.db, f.stopped, f.web, f.other, f.bare} {
			if err := putRecord(tx, c); err != nil {
				return err
			}
		}
		for _, e := range []store.Endpoint{
			{ContainerID: f.asker.ID, NetworkID: id('1'), IP: "10.210.0.2"},
			{ContainerID: f.asker.ID, NetworkID: id('2'), IP: "10.220.0.2"},
			{ContainerID: f.db.ID, NetworkID: id('2'), IP: "10.220.0.3", Aliases: []string{"database"}},
			{ContainerID: f.stopped.ID, NetworkID: id('2'), IP: "10.220.0.5"},
			{ContainerID: f.web.ID, NetworkID: id('1'), IP: "10.210.0.4"},
			{ContainerID: f.other.ID, NetworkID: id('3'), IP: "10.220.1.2"},
		} {
			if err := tx.PutEndpoint(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func putRecord(tx *store.Tx, c *Container) error {
	cfg, err := json.Marshal(c.Config)
	if err != nil {
		return err
	}
	st, err := json.Marshal(c.State)
	if err != nil {
		return err
	}
	return tx.PutContainer(store.Container{ID: c.ID, Name: c.Name, ImageID: "sha256:x", Created: c.Created, Config: cfg, State: st})
}

func (f *dnsFixture) setStatus(t testing.TB, c *Container, st Status) {
	t.Helper()
	if _, err := f.s.mutate(context.Background(), c.ID, func(c *Container) (*events.Event, error) {
		c.State.Status = st
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestLookupName(t *testing.T) {
	f := newDNSFixture(t)
	rec := &recorder{s: f.s, id: f.asker.ID}
	var _ dns.Names = rec // what the monitor asks of its recorder
	ctx := context.Background()
	tests := []struct {
		name string
		want []string // nil: not a container name (forwarded)
	}{
		{"db", []string{"10.220.0.3"}},
		{"database", []string{"10.220.0.3"}},
		{"db.appnet", []string{"10.220.0.3"}},
		{"database.appnet", []string{"10.220.0.3"}},
		{strings.Repeat("b", 12), []string{"10.220.0.3"}},
		{"asker", []string{"10.220.0.2"}}, // itself, not on the default bridge
		{"db.othernet", nil},
		{"db.bridge", nil},
		{"stopped", nil},
		{"web", nil}, // the default bridge has no names
		{"other", nil},
		{"bare", nil},
		{"example.com", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addrs, ok, err := rec.LookupName(ctx, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range addrs {
				got = append(got, a.String())
			}
			if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
				t.Errorf("got %v %v, want %v", got, ok, tc.want)
			}
		})
	}

	t.Run("stopped, started again, removed", func(t *testing.T) {
		f.setStatus(t, f.db, Exited)
		if _, ok, _ := rec.LookupName(ctx, "db"); ok {
			t.Error("an exited container's name answered")
		}
		f.setStatus(t, f.db, Restarting)
		if _, ok, _ := rec.LookupName(ctx, "db"); ok {
			t.Error("a restarting container's name answered")
		}
		f.setStatus(t, f.db, Running)
		if _, ok, _ := rec.LookupName(ctx, "database"); !ok {
			t.Error("a running container's alias did not answer")
		}
		f.setStatus(t, f.db, Paused)
		if _, ok, _ := rec.LookupName(ctx, "db"); !ok {
			t.Error("a paused container's name did not answer (it keeps its address)")
		}
		if err := f.s.db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteContainer(f.db.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := rec.LookupName(ctx, "db"); ok {
			t.Error("a removed container's name answered")
		}
	})

	t.Run("reverse", func(t *testing.T) {
		names, ok, err := rec.LookupAddr(ctx, netip.MustParseAddr("10.220.0.2"))
		if err != nil || !ok || !slices.Equal(names, []string{"asker.appnet"}) {
			t.Errorf("10.220.0.2: %v %v %v", names, ok, err)
		}
		for _, a := range []string{"10.210.0.4", "10.220.1.2", "10.220.0.5"} {
			if names, ok, _ := rec.LookupAddr(ctx, netip.MustParseAddr(a)); ok {
				t.Errorf("%s answered %v", a, names)
			}
		}
	})
}

func TestResolverConfig(t *testing.T) {
	f := newDNSFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		c    *Container
		want bool
	}{{f.asker, true}, {f.db, true}, {f.web, false}, {f.bare, false}} {
		b, err := f.s.resolver(ctx, tc.c)
		if err != nil {
			t.Fatal(err)
		}
		if (b != nil) != tc.want {
			t.Errorf("%s: name server %v, want %v", tc.c.Name, b != nil, tc.want)
		}
		if b != nil && !slices.Equal(b.Upstreams, []string{"10.9.9.9"}) {
			t.Errorf("%s: upstreams %v, want --dns's", tc.c.Name, b.Upstreams)
		}
	}
}

func TestResolverUpstreams(t *testing.T) {
	dir := t.TempDir()
	defer func(p, q string) { hostResolvPath, hostResolvedPath = p, q }(hostResolvPath, hostResolvedPath)
	hostResolvPath, hostResolvedPath = filepath.Join(dir, "resolv.conf"), filepath.Join(dir, "resolved.conf")
	for _, tc := range []struct {
		host, resolved string
		want           []string
	}{
		{"search lan\nnameserver 127.0.0.1\nnameserver 10.1.2.3\nnameserver fd00::53\n", "", []string{"10.1.2.3", "fd00::53"}},
		{"nameserver 127.0.0.53\n", "nameserver 192.0.2.53\n", []string{"192.0.2.53"}},
		{"nameserver 127.0.0.1\n", "", []string{"8.8.8.8", "8.8.4.4"}},
	} {
		os.WriteFile(hostResolvPath, []byte(tc.host), 0o644)
		os.Remove(hostResolvedPath)
		if tc.resolved != "" {
			os.WriteFile(hostResolvedPath, []byte(tc.resolved), 0o644)
		}
		got, err := resolverUpstreams(&Container{})
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("host %q: %v %v, want %v", tc.host, got, err, tc.want)
		}
	}
}

// BenchmarkResolverQuery is one query for a container name, answered from
// a real store, through the name server's handler (no sockets).
func BenchmarkResolverQuery(b *testing.B) {
	f := newDNSFixture(b)
	h := dns.NewHandler(context.Background(), dns.Config{Names: &recorder{s: f.s, id: f.asker.ID}})
	for _, name := range []string{"db.", "database.", "db.appnet."} {
		b.Run(name, func(b *testing.B) {
			q := new(mdns.Msg)
			q.SetQuestion(name, mdns.TypeA)
			w := &discardWriter{}
			for b.Loop() {
				h.ServeDNS(w, q)
				if w.last == nil || len(w.last.Answer) != 1 {
					b.Fatalf("answer %v", w.last)
				}
			}
		})
	}
}

type discardWriter struct{ last *mdns.Msg }

func (w *discardWriter) LocalAddr() net.Addr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 11), Port: 53}
}
func (w *discardWriter) RemoteAddr() net.Addr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5353}
}
func (w *discardWriter) WriteMsg(m *mdns.Msg) error {
	w.last = m
	_, err := m.Pack()
	return err
}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) Close() error                { return nil }
func (w *discardWriter) TsigStatus() error           { return nil }
func (w *discardWriter) TsigTimersOnly(bool)         {}
func (w *discardWriter) Hijack()                     {}
