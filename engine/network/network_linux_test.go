package network

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"berth/engine/errdefs"
	"berth/engine/network/firewall"
	"berth/engine/store"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
}

// testManager is a manager on a fresh store in a temp root; every network
// it made is removed at the end.
func testManager(t *testing.T) (*Manager, *store.Store, string) {
	t.Helper()
	requireRoot(t)
	root := t.TempDir()
	db, err := store.Open(filepath.Join(root, "db"))
	if err != nil {
		t.Fatal(err)
	}
	m := New(db, root)
	t.Cleanup(func() {
		ctx := context.Background()
		list, _ := m.List(ctx)
		for _, n := range list {
			if n.Driver == "bridge" {
				db.Update(ctx, func(tx *store.Tx) error { tx.DeleteNetwork(n.ID); return nil })
				m.teardownBridge(n)
			}
		}
		db.Close()
	})
	return m, db, root
}

// subnet is a /24 of 10.242.0.0/16 that no route of the host overlaps.
func subnet(t *testing.T, i int) string {
	t.Helper()
	tk, err := hostPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 255; k++ {
		p := netip.MustParsePrefix(fmt.Sprintf("10.242.%d.0/24", (os.Getpid()+i*37+k)%250+1))
		if checkFree(p, tk) == nil {
			return p.String()
		}
	}
	t.Fatal("no free subnet")
	return ""
}

// addContainer records a container row so that endpoints can refer to it.
func addContainer(t *testing.T, db *store.Store, id string) {
	t.Helper()
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.PutContainer(store.Container{ID: id, Name: "c" + id[56:], ImageID: "sha256:x", Config: []byte("{}"), State: []byte("{}")})
	}); err != nil {
		t.Fatal(err)
	}
}

func TestCreateRemoveBridgeAndRules(t *testing.T) {
	m, db, _ := testManager(t)
	ctx := context.Background()
	s := subnet(t, 1)
	n, err := m.Create(ctx, CreateOptions{Name: "t1", Subnet: s})
	if err != nil {
		t.Fatal(err)
	}
	l, err := netlink.LinkByName(n.Bridge)
	if err != nil || l.Type() != "bridge" || l.Attrs().Alias != m.bridgeAlias(n) {
		t.Fatalf("bridge %s: %v %v", n.Bridge, l, err)
	}
	addrs, _ := netlink.AddrList(l, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != strings.TrimSuffix(s, "0/24")+"1/24" {
		t.Errorf("bridge addresses %v", addrs)
	}
	rules, _ := firewall.Rules()
	lines := 0
	for _, line := range strings.Split(rules, "\n") {
		if strings.Contains(line, " "+n.Bridge+" ") || strings.HasSuffix(line, " "+n.Bridge) {
			lines++
		}
	}
	if lines != 5 {
		t.Errorf("want 5 rules for %s:\n%s", n.Bridge, rules)
	}
	// Overlap with it, and with itself by name.
	if _, err := m.Create(ctx, CreateOptions{Name: "t2", Subnet: s}); !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "overlaps network t1") {
		t.Errorf("overlap: %v", err)
	}
	if _, err := m.Create(ctx, CreateOptions{Name: "t1"}); !errdefs.IsAlreadyExists(err) {
		t.Errorf("same name: %v", err)
	}
	// In use: Conflict naming the container.
	id := strings.Repeat("ab", 32)
	addContainer(t, db, id)
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := m.Allocate(tx, id, Request{Network: "t1"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Remove(ctx, "t1"); !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "c"+id[56:]) {
		t.Errorf("remove in use: %v", err)
	}
	db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteContainer(id) })
	if _, err := m.Remove(ctx, n.ID[:8]); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName(n.Bridge); err == nil {
		t.Errorf("bridge %s left", n.Bridge)
	}
	if rules, _ := firewall.Rules(); strings.Contains(rules, n.Bridge) {
		t.Errorf("rules left:\n%s", rules)
	}
}

// TestAllocateConcurrently: goroutines with a store connection each (as
// processes have) never get one address twice.
func TestAllocateConcurrently(t *testing.T) {
	m, db, root := testManager(t)
	ctx := context.Background()
	if _, err := m.Create(ctx, CreateOptions{Name: "par", Subnet: subnet(t, 2)}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", i+1)
		addContainer(t, db, ids[i])
	}
	var wg sync.WaitGroup
	got := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			db2, err := store.Open(filepath.Join(root, "db"))
			if err != nil {
				errs[i] = err
				return
			}
			defer db2.Close()
			m2 := New(db2, root)
			errs[i] = db2.Update(ctx, func(tx *store.Tx) error {
				ep, err := m2.Allocate(tx, ids[i], Request{Network: "par"})
				got[i] = ep.IP.String()
				return err
			})
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, ip := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[ip] {
			t.Fatalf("address %s handed out twice", ip)
		}
		seen[ip] = true
	}
	// Removing a container frees its address (the endpoint cascades).
	db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteContainer(ids[0]) })
	addContainer(t, db, strings.Repeat("f", 64))
	db.Update(ctx, func(tx *store.Tx) error {
		ep, err := m.Allocate(tx, strings.Repeat("f", 64), Request{Network: "par"})
		if err == nil && ep.IP.String() != got[0] && !seen[ep.IP.String()] {
			return nil
		}
		if err == nil && ep.IP.String() == got[0] {
			return nil
		}
		t.Errorf("after a removal: %v %v", ep.IP, err)
		return nil
	})
	for _, id := range ids[1:] {
		db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteContainer(id) })
	}
	db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteContainer(strings.Repeat("f", 64)) })
}

// TestConfigureAndReconcile plugs a process in a network namespace of its
// own into a bridge, checks its interface, then removes the network's
// record behind the manager's back and lets Reconcile clean up.
func TestConfigureAndReconcile(t *testing.T) {
	m, db, _ := testManager(t)
	ctx := context.Background()
	n, err := m.Create(ctx, CreateOptions{Name: "cfg", Subnet: subnet(t, 3)})
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("cd", 32)
	addContainer(t, db, id)
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := m.Allocate(tx, id, Request{Network: "cfg", IP: strings.TrimSuffix(n.Subnet.String(), "0/24") + "9"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	atts, err := m.Attachments(ctx, id)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments %v %v", atts, err)
	}
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if err := Configure(cmd.Process.Pid, atts); err != nil {
		t.Fatal(err)
	}
	ns, _ := netns.GetFromPid(cmd.Process.Pid)
	defer ns.Close()
	h, _ := netlink.NewHandleAt(ns)
	defer h.Close()
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	addrs, _ := h.AddrList(eth0, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IP.String() != atts[0].Address.Addr().String() || eth0.Attrs().HardwareAddr.String() != atts[0].MAC {
		t.Errorf("eth0: %v %v", addrs, eth0.Attrs().HardwareAddr)
	}
	routes, _ := h.RouteList(eth0, netlink.FAMILY_V4)
	hasDefault := false
	for _, r := range routes {
		isDefault := r.Dst == nil || r.Dst.String() == "0.0.0.0/0"
		hasDefault = hasDefault || (isDefault && r.Gw.String() == n.Gateway.String())
	}
	if !hasDefault {
		t.Errorf("no default route via %s: %v", n.Gateway, routes)
	}
	host, err := netlink.LinkByName(atts[0].HostVeth)
	if err != nil || host.Attrs().MasterIndex == 0 {
		t.Fatalf("host end %s: %v", atts[0].HostVeth, err)
	}
	// A killed process left the records gone but the links there.
	db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteContainer(id); err != nil {
			return err
		}
		return tx.DeleteNetwork(n.ID)
	})
	if err := m.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{n.Bridge, atts[0].HostVeth} {
		if _, err := netlink.LinkByName(name); err == nil {
			t.Errorf("%s left after Reconcile", name)
		}
	}
	if rules, _ := firewall.Rules(); strings.Contains(rules, n.Bridge) {
		t.Errorf("rules of %s left:\n%s", n.Bridge, rules)
	}
}

// TestSweep: rules of a bridge deleted without them go at the next sweep;
// those of live bridges stay.
func TestSweep(t *testing.T) {
	m, _, _ := testManager(t)
	ctx := context.Background()
	gone, err := m.Create(ctx, CreateOptions{Name: "gone", Subnet: subnet(t, 4)})
	if err != nil {
		t.Fatal(err)
	}
	live, err := m.Create(ctx, CreateOptions{Name: "live", Subnet: subnet(t, 5)})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := netlink.LinkByName(gone.Bridge)
	if err := netlink.LinkDel(l); err != nil {
		t.Fatal(err)
	}
	if err := firewall.Sweep(linkExists); err != nil {
		t.Fatal(err)
	}
	rules, _ := firewall.Rules()
	if strings.Contains(rules, gone.Bridge) || strings.Count(rules, "-i "+live.Bridge+" ") != 3 {
		t.Errorf("after the sweep:\n%s", rules)
	}
}
