package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/engine/network/firewall"
	"berth/engine/store"
)

// Attachment is what to configure for one network of a container when its
// process starts: the monitor calls Configure with these between
// libcontainer's Start and Exec (see monitor.Bundle.Network).
type Attachment struct {
	Network  string       // the network's name (for messages)
	Bridge   string       // the bridge the host end joins
	HostVeth string       // name of the host end
	Alias    string       // alias of the host end (reconciliation)
	IfName   string       // eth0, eth1, ... in the container
	Address  netip.Prefix // the container's address and the subnet's length
	Gateway  netip.Addr
	MAC      string
	Default  bool // the default route goes through this network
}

// aliasRoot is the root directory named in a link alias of berth's.
func aliasRoot(alias string) (string, bool) {
	f := strings.SplitN(alias, " ", 6)
	switch {
	case len(f) >= 5 && f[0] == "berth" && f[2] == "net":
		return strings.Join(f[4:], " "), true
	case len(f) == 6 && f[0] == "berth" && f[2] == "ep":
		return f[5], true
	}
	return "", false
}

// hostPrefixes are the host's IPv4 routes and addresses (default routes
// aside), which a new subnet must not overlap.
func hostPrefixes() ([]taken, error) {
	routes, err := netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("list the host's routes: %w", err)
	}
	var out []taken
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		p, ok := netipPrefix(r.Dst)
		if !ok || p.Bits() == 0 {
			continue
		}
		what := "a route of the host"
		if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
			what = "the host's route via " + l.Attrs().Name
		}
		out = append(out, taken{p.Masked(), what})
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list the host's addresses: %w", err)
	}
	for _, a := range addrs {
		if p, ok := netipPrefix(a.IPNet); ok && !p.Addr().IsLoopback() {
			out = append(out, taken{p.Masked(), "an address of the host"})
		}
	}
	return out, nil
}

func netipPrefix(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP.To4())
	if !ok {
		return netip.Prefix{}, false
	}
	bits, _ := n.Mask.Size()
	return netip.PrefixFrom(a, bits), true
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), 32)}
}

// hostLock takes the host-wide lock on bridges and rules.
func (m *Manager) hostLock(ctx context.Context) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(m.lockPath), 0o755); err != nil {
		return nil, errdefs.FromIO(err, m.lockPath)
	}
	f, err := os.OpenFile(m.lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, errdefs.FromIO(err, m.lockPath)
	}
	for {
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err == nil {
			return func() { f.Close() }, nil
		} else if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", m.lockPath, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, errdefs.Canceled("stopped waiting for the network lock %s: %v", m.lockPath, context.Cause(ctx))
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (n *Network) firewall() firewall.Bridge {
	return firewall.Bridge{Name: n.Bridge, Subnet: n.Subnet, Internal: n.Internal}
}

// setupBridge makes n's bridge (with the gateway address, up) and its
// rules. The caller holds the host lock.
func (m *Manager) setupBridge(n *Network) error {
	if _, err := m.ensureBridgeLink(n); err != nil {
		return err
	}
	if err := firewall.EnsureBridge(n.firewall()); err != nil {
		return fmt.Errorf("network %s: %w", n.Name, err)
	}
	firewall.Sweep(linkExists) // best effort: leftovers of bridges gone without their rules
	return nil
}

func linkExists(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

// ensureBridgeLink makes the bridge device if it is missing; it reports
// whether it did.
func (m *Manager) ensureBridgeLink(n *Network) (bool, error) {
	if l, err := netlink.LinkByName(n.Bridge); err == nil {
		if l.Type() != "bridge" {
			return false, errdefs.Conflict("network %s: the host has a %s device named %s: remove it (ip link del %s)", n.Name, l.Type(), n.Bridge, n.Bridge)
		}
		if l.Attrs().Flags&net.FlagUp == 0 {
			netlink.LinkSetUp(l)
		}
		return false, nil
	}
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge, Flags: net.FlagUp}}
	if err := netlink.LinkAdd(br); err != nil {
		if errors.Is(err, unix.EEXIST) {
			return false, nil
		}
		return false, fmt.Errorf("network %s: create bridge %s: %w", n.Name, n.Bridge, err)
	}
	// The kernel ignores an alias given at creation: set it now.
	l, err := netlink.LinkByName(n.Bridge)
	if err == nil {
		err = netlink.LinkSetAlias(l, m.bridgeAlias(n))
	}
	if err == nil {
		err = netlink.AddrAdd(l, &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(n.Gateway, n.Subnet.Bits()))})
		if err == nil || errors.Is(err, unix.EEXIST) {
			err = netlink.LinkSetUp(l)
		}
	}
	if err != nil {
		netlink.LinkDel(br)
		return false, fmt.Errorf("network %s: set up bridge %s: %w", n.Name, n.Bridge, err)
	}
	return true, nil
}

// teardownBridge deletes n's bridge and rules; what is gone already is
// no error. The caller holds the host lock.
func (m *Manager) teardownBridge(n *Network) error {
	var errs []error
	if l, err := netlink.LinkByName(n.Bridge); err == nil && l.Attrs().Alias == m.bridgeAlias(n) {
		if err := netlink.LinkDel(l); err != nil {
			errs = append(errs, fmt.Errorf("network %s: delete bridge %s: %w", n.Name, n.Bridge, err))
		}
	}
	if err := firewall.RemoveBridge(n.firewall()); err != nil {
		errs = append(errs, fmt.Errorf("network %s: %w", n.Name, err))
	}
	firewall.Sweep(linkExists) // best effort, as in setupBridge
	return errors.Join(errs...)
}

// Attachments is what a container's start configures: its networks in the
// order it joined them, the first one carrying the default route. The
// bridges are made again if they are gone (after a reboot).
func (m *Manager) Attachments(ctx context.Context, containerID string) ([]Attachment, error) {
	var eps []Endpoint
	if err := m.db.View(ctx, func(tx *store.Tx) error {
		var err error
		eps, err = m.ContainerEndpoints(tx, containerID)
		return err
	}); err != nil {
		return nil, err
	}
	out := make([]Attachment, 0, len(eps))
	for i, e := range eps {
		if err := m.ensureUp(ctx, e.Network); err != nil {
			return nil, err
		}
		out = append(out, m.attachment(e, fmt.Sprintf("eth%d", i), i == 0))
	}
	return out, nil
}

func (m *Manager) attachment(e Endpoint, ifname string, dflt bool) Attachment {
	n := e.Network
	return Attachment{Network: n.Name, Bridge: n.Bridge, HostVeth: hostVeth(e.ContainerID, n.ID),
		Alias: m.vethAlias(e.ContainerID, n.ID), IfName: ifname,
		Address: netip.PrefixFrom(e.IP, n.Subnet.Bits()), Gateway: n.Gateway, MAC: e.MAC, Default: dflt && !n.Internal}
}

// ensureUp makes n's bridge and rules again when the bridge is missing
// (the common case, a bridge that is there, costs one netlink query).
func (m *Manager) ensureUp(ctx context.Context, n *Network) error {
	if _, err := netlink.LinkByName(n.Bridge); err == nil {
		return nil
	}
	unlock, err := m.hostLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return m.setupBridge(n)
}

// Configure puts the process pid (a container's init, held before it
// executes) on its networks: loopback up, then per attachment a veth pair
// whose host end joins the bridge and whose other end, made directly in
// the container's network namespace, gets the MAC, the address and, for
// the default one, the default route.
func Configure(pid int, atts []Attachment) error {
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Errorf("network namespace of pid %d: %w", pid, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("network namespace of pid %d: %w", pid, err)
	}
	defer h.Close()
	if lo, err := h.LinkByName("lo"); err == nil {
		if err := h.LinkSetUp(lo); err != nil {
			return fmt.Errorf("loopback up: %w", err)
		}
	}
	for _, a := range atts {
		if err := configureOne(h, ns, a); err != nil {
			return fmt.Errorf("network %s: %w", a.Network, err)
		}
	}
	return nil
}

func configureOne(h *netlink.Handle, ns netns.NsHandle, a Attachment) error {
	br, err := netlink.LinkByName(a.Bridge)
	if err != nil {
		return fmt.Errorf("bridge %s is gone: %w", a.Bridge, err)
	}
	if old, err := netlink.LinkByName(a.HostVeth); err == nil {
		netlink.LinkDel(old) // left by a run whose monitor was killed
	}
	mac, err := net.ParseMAC(a.MAC)
	if err != nil {
		return fmt.Errorf("MAC address %q: %w", a.MAC, err)
	}
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: a.HostVeth, MasterIndex: br.Attrs().Index, Flags: net.FlagUp},
		PeerName:         a.IfName,
		PeerNamespace:    netlink.NsFd(int(ns)),
		PeerHardwareAddr: mac,
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", a.HostVeth, err)
	}
	err = netlink.LinkSetAlias(veth, a.Alias) // not taken at creation
	var in netlink.Link
	if err == nil {
		in, err = h.LinkByName(a.IfName)
	}
	if err == nil {
		err = h.AddrAdd(in, &netlink.Addr{IPNet: ipNet(a.Address)})
	}
	if err == nil {
		err = h.LinkSetUp(in)
	}
	if err == nil && a.Default {
		err = h.RouteAdd(&netlink.Route{LinkIndex: in.Attrs().Index, Gw: a.Gateway.AsSlice()})
	}
	if err != nil {
		netlink.LinkDel(veth)
		return fmt.Errorf("configure %s: %w", a.IfName, err)
	}
	return nil
}

// Unconfigure deletes the host ends of attachments (the kernel deletes the
// container's ends with them). Links already gone are no error.
func Unconfigure(atts []Attachment) {
	for _, a := range atts {
		if l, err := netlink.LinkByName(a.HostVeth); err == nil && l.Attrs().Alias == a.Alias {
			netlink.LinkDel(l)
		}
	}
}

// Connect puts a container on a network: the endpoint is recorded, and,
// if the container runs (pid > 0), a new interface is plugged into it at
// once. ifIndex is the number of networks it was on already.
func (m *Manager) Connect(ctx context.Context, containerID string, pid int, r Request) (Endpoint, error) {
	if r.Network == DefaultName {
		if err := m.EnsureDefault(ctx); err != nil {
			return Endpoint{}, err
		}
	}
	var ep Endpoint
	var before int
	err := m.db.Update(ctx, func(tx *store.Tx) error {
		eps, err := tx.ContainerEndpoints(containerID)
		if err != nil {
			return err
		}
		before = len(eps)
		ep, err = m.Allocate(tx, containerID, r)
		return err
	})
	if err != nil || pid <= 0 {
		return ep, err
	}
	if err := m.ensureUp(ctx, ep.Network); err != nil {
		return ep, err
	}
	a := m.attachment(ep, freeIfName(pid, before), before == 0)
	if err := Configure(pid, []Attachment{a}); err != nil {
		m.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			if err := tx.DeleteEndpoint(containerID, ep.Network.ID); err != nil {
				return err
			}
			return endpointEvent(tx, ep.Network, ActionDisconnect, containerID) // its connect was seen
		})
		return ep, err
	}
	return ep, nil
}

// freeIfName is the first ethN not present in pid's network namespace.
func freeIfName(pid, from int) string {
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Sprintf("eth%d", from)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Sprintf("eth%d", from)
	}
	defer h.Close()
	for i := from; ; i++ {
		if _, err := h.LinkByName(fmt.Sprintf("eth%d", i)); err != nil {
			return fmt.Sprintf("eth%d", i)
		}
	}
}

// Unplug deletes a container's veth on one network (after Disconnect).
func (m *Manager) Unplug(containerID string, n *Network) {
	Unconfigure([]Attachment{{HostVeth: hostVeth(containerID, n.ID), Alias: m.vethAlias(containerID, n.ID)}})
}

// Reconcile deletes the links (and rules) of this root that a killed
// process left: bridges of networks that no longer exist, veths of
// containers that no longer exist or networks they left.
func (m *Manager) Reconcile(ctx context.Context) error {
	links, err := netlink.LinkList()
	if err != nil {
		return nil // no netlink, nothing of ours either
	}
	prefix := "berth " + m.tag + " "
	var ours, stale []netlink.Link
	for _, l := range links {
		alias := l.Attrs().Alias
		if strings.HasPrefix(alias, prefix) {
			ours = append(ours, l)
		} else if root, ok := aliasRoot(alias); ok && root != "" {
			if _, err := os.Stat(filepath.Join(root, "db")); errors.Is(err, os.ErrNotExist) {
				stale = append(stale, l) // its root is gone
			}
		}
	}
	if len(ours) == 0 && len(stale) == 0 {
		return nil
	}
	nets := map[string]bool{}
	eps := map[string]bool{}
	if err := m.db.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Networks()
		if err != nil {
			return err
		}
		for _, n := range all {
			nets[n.ID] = true
			list, err := tx.NetworkEndpoints(n.ID)
			if err != nil {
				return err
			}
			for _, e := range list {
				eps[e.ContainerID+" "+e.NetworkID] = true
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, l := range ours {
		f := strings.Fields(strings.TrimPrefix(l.Attrs().Alias, prefix))
		switch {
		case len(f) >= 2 && f[0] == "net" && !nets[f[1]]:
			stale = append(stale, l)
		case len(f) >= 3 && f[0] == "ep" && !eps[f[1]+" "+f[2]]:
			stale = append(stale, l)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	unlock, err := m.hostLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	for _, l := range stale {
		netlink.LinkDel(l)
	}
	return firewall.Sweep(linkExists)
}
