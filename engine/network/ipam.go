package network

import (
	"fmt"
	"net/netip"

	"berth/engine/errdefs"
	"berth/engine/store"
)

// Where subnets are chosen from (see the package comment).
var (
	defaultPool = netip.MustParsePrefix("10.200.0.0/12") // /16s from 10.200 to the pool's end, 10.207
	userPool    = netip.MustParsePrefix("10.220.0.0/14") // 10.220-10.223: /24s
)

// taken is a subnet that a new one must not overlap, and what holds it.
type taken struct {
	prefix netip.Prefix
	what   string
}

// takenSubnets are the subnets of berth's networks and the host's routes
// and addresses.
func (m *Manager) takenSubnets(tx *store.Tx) ([]taken, error) {
	all, err := tx.Networks()
	if err != nil {
		return nil, err
	}
	var out []taken
	for _, rec := range all {
		n, err := decode(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, taken{n.Subnet, "network " + n.Name})
	}
	host, err := hostPrefixes()
	if err != nil {
		return nil, err
	}
	return append(out, host...), nil
}

// checkFree refuses a subnet that overlaps one taken.
func checkFree(p netip.Prefix, t []taken) error {
	for _, x := range t {
		if x.prefix.IsValid() && x.prefix.Overlaps(p) {
			return errdefs.Conflict("subnet %s overlaps %s (%s): choose another --subnet", p, x.what, x.prefix)
		}
	}
	return nil
}

// pickSubnet is the first /bits of pool, from its start, that overlaps
// nothing taken.
func pickSubnet(pool netip.Prefix, bits int, t []taken) (netip.Prefix, error) {
	step := uint32(1) << (32 - bits)
	start := u32(pool.Addr())
	end := u32(pool.Masked().Addr()) + uint32(1)<<(32-pool.Bits())
	for a := start; a+step <= end && a >= start; a += step {
		p := netip.PrefixFrom(addr(a), bits)
		if checkFree(p, t) == nil {
			return p, nil
		}
	}
	return netip.Prefix{}, errdefs.ResourceExhausted("no free subnet left in %s: remove unused networks (berth network prune), or give --subnet", pool)
}

// gateway is the network's gateway: given, or the subnet's first address.
func gateway(p netip.Prefix, given string) (netip.Addr, error) {
	if given == "" {
		return p.Addr().Next(), nil
	}
	g, err := netip.ParseAddr(given)
	if err != nil || !g.Is4() {
		return g, errdefs.InvalidArgument("invalid gateway %q: give an IPv4 address of the subnet %s", given, p)
	}
	if !p.Contains(g) || g == p.Addr() || g == broadcast(p) {
		return g, errdefs.InvalidArgument("gateway %s is not a usable address of the subnet %s: give one inside it", g, p)
	}
	return g, nil
}

// usable reports whether a may be handed out on n: inside the subnet, not
// its network, broadcast or gateway address.
func usable(n *Network, a netip.Addr) bool {
	return n.Subnet.Contains(a) && a != n.Subnet.Addr() && a != broadcast(n.Subnet) && a != n.Gateway
}

// checkIP checks a requested address (--ip).
func checkIP(n *Network, s string, used map[netip.Addr]bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return a, errdefs.InvalidArgument("invalid --ip %q: give an IPv4 address of network %s (%s)", s, n.Name, n.Subnet)
	}
	if !usable(n, a) {
		return a, errdefs.InvalidArgument("address %s is not usable on network %s (%s, gateway %s): give another --ip", a, n.Name, n.Subnet, n.Gateway)
	}
	if used[a] {
		return a, errdefs.Conflict("address %s is already in use on network %s: give another --ip, or leave it out", a, n.Name)
	}
	return a, nil
}

// freeIP is the lowest usable address of n not in used.
func freeIP(n *Network, used map[netip.Addr]bool) (netip.Addr, error) {
	for a := n.Subnet.Addr().Next(); n.Subnet.Contains(a); a = a.Next() {
		if usable(n, a) && !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, errdefs.ResourceExhausted("no free address left on network %s (%s): remove containers from it, or use a network with a larger subnet", n.Name, n.Subnet)
}

func broadcast(p netip.Prefix) netip.Addr {
	return addr(u32(p.Masked().Addr()) | (uint32(1)<<(32-p.Bits()) - 1))
}

// macOf is Docker's MAC for an address: 02:42 then the address's bytes.
func macOf(a netip.Addr) string {
	b := a.As4()
	return fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3])
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
