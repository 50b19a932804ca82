package container

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"

	"berth/engine/monitor"
	"berth/engine/network"
	"berth/engine/store"
)

// The container name server (package dns) runs in each monitor of a
// container on a user network; this is the engine's side of it: whether a
// container gets one, where it forwards, and the names it answers, read
// from the store on every query.

// resolver is the name server c's monitor runs: nil unless c is on a
// user network (Docker's default bridge has no names, and resolv.conf
// points at the server only on user networks).
func (s *Service) resolver(ctx context.Context, c *Container) (*monitor.DNS, error) {
	if !networked(c) {
		return nil, nil
	}
	user := false
	err := s.db.View(ctx, func(tx *store.Tx) error {
		eps, err := tx.ContainerEndpoints(c.ID)
		if err != nil {
			return err
		}
		for _, e := range eps {
			n, err := tx.Network(e.NetworkID)
			if err != nil {
				return err
			}
			if n.Name != network.DefaultName {
				user = true
				return nil
			}
		}
		return nil
	})
	if err != nil || !user {
		return nil, err
	}
	up, err := resolverUpstreams(c)
	if err != nil {
		return nil, err
	}
	return &monitor.DNS{Upstreams: up}, nil
}

// resolverUpstreams are the resolvers c's name server forwards to: --dns,
// or the host's as a container's resolv.conf would list them (the host's
// minus loopback ones, systemd-resolved's upstreams behind its stub,
// Google's when none remain).
func resolverUpstreams(c *Container) ([]string, error) {
	if len(c.Config.DNS) > 0 {
		return c.Config.DNS, nil
	}
	b, err := resolvConf(false)
	if err != nil {
		return nil, err
	}
	return nameservers(b), nil
}

// LookupName answers the container's name server (dns.Names): the
// addresses of the running containers called name on the user networks
// the container is on, by name, short ID or network alias; "name.network"
// looks on that network only, as Docker's embedded server does.
func (r *recorder) LookupName(ctx context.Context, name string) ([]netip.Addr, bool, error) {
	return r.s.lookupName(ctx, r.id, name)
}

// LookupAddr answers reverse queries: "name.network" of the running
// container with address addr on a user network of the container's.
func (r *recorder) LookupAddr(ctx context.Context, addr netip.Addr) ([]string, bool, error) {
	return r.s.lookupAddr(ctx, r.id, addr)
}

func (s *Service) lookupName(ctx context.Context, id, name string) ([]netip.Addr, bool, error) {
	peers, err := s.peers(ctx, store.PeerQuery{Of: id, Name: name, Except: network.DefaultName})
	if err == nil && len(peers) == 0 {
		if host, netName, ok := cutLast(name, "."); ok {
			peers, err = s.peers(ctx, store.PeerQuery{Of: id, Name: host, Network: netName, Except: network.DefaultName})
		}
	}
	if err != nil || len(peers) == 0 {
		return nil, false, err
	}
	var out []netip.Addr
	for _, p := range peers {
		if a, err := netip.ParseAddr(p.IP); err == nil && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, len(out) > 0, nil
}

func (s *Service) lookupAddr(ctx context.Context, id string, addr netip.Addr) ([]string, bool, error) {
	peers, err := s.peers(ctx, store.PeerQuery{Of: id, Addr: addr.String(), Except: network.DefaultName})
	if err != nil || len(peers) == 0 {
		return nil, false, err
	}
	var out []string
	for _, p := range peers {
		out = append(out, p.Name+"."+p.Network)
	}
	return out, true, nil
}

// peers are the store's peers whose container runs: a stopped, restarting
// or removed container has no name.
func (s *Service) peers(ctx context.Context, q store.PeerQuery) ([]store.Peer, error) {
	var out []store.Peer
	err := s.db.View(ctx, func(tx *store.Tx) error {
		peers, err := tx.Peers(q)
		if err != nil {
			return err
		}
		for _, p := range peers {
			var st struct{ Status Status }
			if json.Unmarshal(p.State, &st) == nil && st.Status.Active() {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i <= 0 || i == len(s)-1 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
