// Package network gives containers their networks: Docker's default
// `bridge` network, user-defined bridge networks, the addresses (IPAM) of
// their containers, and the veth pair that puts a container on a bridge.
//
// What is where:
//
//   - Records: the store's networks and endpoints tables. A network's
//     config (subnet, gateway, bridge name, labels, options, internal) is
//     the JSON of Config. An endpoint row is a container's address on a
//     network, from create (or connect) until rm (or disconnect): the
//     endpoints row goes with the container (ON DELETE CASCADE), which
//     frees the address.
//   - IPAM: an address is chosen and recorded in one store transaction
//     (BEGIN IMMEDIATE: writers of every process take turns), the lowest
//     free one from .2 up; UNIQUE(network_id, ip) refuses a second holder
//     whatever happens. The network and broadcast addresses and the gateway
//     are never handed out. A container's MAC is 02:42 followed by its
//     address, as Docker makes it.
//   - On the host: one Linux bridge per network, named berth0 for the
//     default network of the default root (like docker0) and
//     berth<first 10 hex of the network ID> otherwise, with the gateway
//     address (.1 unless --gateway says otherwise); a veth pair per
//     container and network, whose host end bv<11 hex> is a port of the
//     bridge and whose other end is the container's eth0 (eth1... for
//     further networks). Every such link carries an alias ("berth <root
//     tag> net <network id> <root>" on a bridge, "berth <root tag> ep
//     <container id> <network id> <root>" on a veth) so that
//     reconciliation knows which root and which object it belongs to; the
//     root tag is a hash of the root directory, so several berth roots on
//     one host leave each other's live links alone, and links of a root
//     whose directory is gone (a test's) go at the next start of any root.
//     Rules: package firewall.
//   - Events: create, destroy, connect and disconnect, each in the
//     transaction of its change (events.go).
//   - Subnets: the default network takes the first /16 of 10.200.0.0 to
//     10.207.0.0 (then a /24 of the user pool) that overlaps no route and
//     no address of the host and no other berth network (Docker's
//     172.17.0.0/16 and Podman's 10.88.0.0/16 are routes when they
//     exist), or WithDefaultSubnet's (berth --default-subnet), fixed when
//     the network is made. User networks without --subnet take the first
//     free /24 of 10.220.0.0/14; a --subnet that overlaps a route, an
//     address or another network is refused.
//   - Addresses live as long as the endpoint, from create to rm, so a
//     container keeps its address across restarts (Docker hands one out
//     at each start), and a network with any container on it, running or
//     not, cannot be removed.
//
// Locking: everything that creates or deletes bridges and rules (and
// chooses a subnet) holds an exclusive flock on /run/berth-network.lock,
// one lock for the whole host because bridges, routes and rules are the
// host's, shared by every berth root. The default network is made on
// first use, under that lock: its record, its bridge and its rules.
//
// Cleanup: the kernel deletes a veth pair when the container's network
// namespace goes (when its last process ends), in the background: berth
// does not delete it itself on that path, as deleting a veth waits for an
// RCU grace period (about 25 ms here), which every run --rm would pay.
// disconnect deletes the host end of a running container's veth; removing
// a network deletes its bridge and rules. Reconcile (at every engine start)
// deletes links of this root whose network or container no longer
// exists (and of roots that are gone); whenever bridges are set up or
// removed, rules that name a bridge that no longer exists go too
// (firewall.Sweep). The default bridge stays once made, as docker0
// does.
package network

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"

	"berth/engine/errdefs"
	"berth/engine/store"
)

// Names of Docker's predefined networks.
const (
	DefaultName = "bridge"
	HostName    = "host"
	NoneName    = "none"
)

// Config is what a network is made with (the JSON of store.Network.Config).
type Config struct {
	Subnet   netip.Prefix
	Gateway  netip.Addr
	Bridge   string
	Internal bool              `json:",omitempty"`
	Labels   map[string]string `json:",omitempty"`
	Options  map[string]string `json:",omitempty"`
}

// Network is a network as berth knows it.
type Network struct {
	ID      string
	Name    string
	Driver  string // "bridge", "host", "null"
	Created time.Time
	Config
}

// Predefined reports whether n is one of Docker's three networks, which
// cannot be removed.
func (n *Network) Predefined() bool {
	return n.Name == DefaultName || n.Name == HostName || n.Name == NoneName
}

// Endpoint is a container on a network.
type Endpoint struct {
	ContainerID string
	Network     *Network
	IP          netip.Addr
	MAC         string
	Aliases     []string
}

// ID is the endpoint's ID as inspect shows it (Docker's EndpointID: 64 hex).
func (e Endpoint) ID() string {
	h := sha256.Sum256([]byte(e.ContainerID + "/" + e.Network.ID))
	return hex.EncodeToString(h[:])
}

// Request is what a container asks of a network it joins.
type Request struct {
	Network string   // name or ID
	Aliases []string // more names on the network (--network-alias)
	IP      string   // a given address (--ip), else the IPAM's choice
	MAC     string   // a given MAC (--mac-address), else 02:42:<ip>
}

// CreateOptions are berth network create's.
type CreateOptions struct {
	Name     string
	Subnet   string // CIDR; chosen when empty
	Gateway  string // first address of the subnet when empty
	Internal bool
	Labels   map[string]string
	Options  map[string]string
}

// Manager manages the networks of one berth root.
type Manager struct {
	db            *store.Store
	tag           string // the root's tag in link aliases
	root          string // the root directory, also in link aliases
	defaultBridge string
	defaultSubnet netip.Prefix
	lockPath      string
}

// Option configures New.
type Option func(*Manager)

// WithDefaultBridge names the default network's bridge (berth0 for the
// default root; else berth<ID>).
func WithDefaultBridge(name string) Option { return func(m *Manager) { m.defaultBridge = name } }

// WithDefaultSubnet fixes the default network's subnet, used when that
// network is made (on first use); invalid or empty means choose one.
func WithDefaultSubnet(p netip.Prefix) Option { return func(m *Manager) { m.defaultSubnet = p } }

// New builds the manager of the root whose directory is root.
func New(db *store.Store, root string, opts ...Option) *Manager {
	h := sha256.Sum256([]byte(root))
	m := &Manager{db: db, tag: hex.EncodeToString(h[:4]), root: root, lockPath: "/run/berth-network.lock"}
	for _, o := range opts {
		o(m)
	}
	return m
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func decode(rec store.Network) (*Network, error) {
	n := &Network{ID: rec.ID, Name: rec.Name, Driver: rec.Driver, Created: rec.Created}
	if err := json.Unmarshal(rec.Config, &n.Config); err != nil {
		return nil, errdefs.DataCorrupt("network %s: stored config is not valid: %v", rec.Name, err)
	}
	return n, nil
}

func encode(n *Network) store.Network {
	cfg, _ := json.Marshal(n.Config)
	return store.Network{ID: n.ID, Name: n.Name, Driver: n.Driver, Created: n.Created, Config: cfg}
}

// predefined are host and none: they have no record, only fixed IDs.
func (m *Manager) predefined(name string) *Network {
	h := sha256.Sum256([]byte(m.tag + "/" + name))
	driver := "host"
	if name == NoneName {
		driver = "null"
	}
	return &Network{ID: hex.EncodeToString(h[:]), Name: name, Driver: driver}
}

// find resolves a name, a full ID or a unique ID prefix.
func (m *Manager) find(tx *store.Tx, ref string) (*Network, error) {
	if ref == HostName || ref == NoneName {
		return m.predefined(ref), nil
	}
	if rec, err := tx.NetworkByName(ref); err == nil {
		return decode(rec)
	} else if !errdefs.IsNotFound(err) {
		return nil, err
	}
	all, err := tx.Networks()
	if err != nil {
		return nil, err
	}
	var hits []store.Network
	for _, rec := range all {
		if rec.ID == ref {
			return decode(rec)
		}
		if len(ref) >= 1 && strings.HasPrefix(rec.ID, ref) {
			hits = append(hits, rec)
		}
	}
	for _, name := range []string{HostName, NoneName} {
		if p := m.predefined(name); strings.HasPrefix(p.ID, ref) && len(ref) >= 1 {
			hits = append(hits, store.Network{ID: p.ID, Name: name})
		}
	}
	switch len(hits) {
	case 0:
		return nil, errdefs.NotFound("network %s not found: see berth network ls, or create it with berth network create %s", ref, ref)
	case 1:
		if hits[0].Name == HostName || hits[0].Name == NoneName {
			return m.predefined(hits[0].Name), nil
		}
		return decode(hits[0])
	}
	return nil, errdefs.InvalidArgument("network %s is ambiguous (%d networks have IDs starting so): give more of the ID, or the name", ref, len(hits))
}

// Get returns a network by name, ID or ID prefix.
func (m *Manager) Get(ctx context.Context, ref string) (*Network, error) {
	if ref == DefaultName {
		if err := m.EnsureDefault(ctx); err != nil {
			return nil, err
		}
	}
	var n *Network
	err := m.db.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = m.find(tx, ref)
		return err
	})
	return n, err
}

// List lists every network: bridge (made now if missing), host, none,
// then the user's, oldest first.
func (m *Manager) List(ctx context.Context) ([]*Network, error) {
	if err := m.EnsureDefault(ctx); err != nil {
		return nil, err
	}
	var out []*Network
	err := m.db.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Networks()
		if err != nil {
			return err
		}
		for _, rec := range all {
			n, err := decode(rec)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out = append(out, m.predefined(HostName), m.predefined(NoneName))
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out, nil
}

func rank(n *Network) int {
	switch n.Name {
	case DefaultName:
		return 0
	case HostName:
		return 1
	case NoneName:
		return 2
	}
	return 3
}

// Endpoints lists the containers on a network.
func (m *Manager) Endpoints(ctx context.Context, n *Network) ([]Endpoint, error) {
	var out []Endpoint
	err := m.db.View(ctx, func(tx *store.Tx) error {
		eps, err := tx.NetworkEndpoints(n.ID)
		if err != nil {
			return err
		}
		for _, e := range eps {
			out = append(out, endpoint(e, n))
		}
		return nil
	})
	return out, err
}

func endpoint(e store.Endpoint, n *Network) Endpoint {
	ip, _ := netip.ParseAddr(e.IP)
	return Endpoint{ContainerID: e.ContainerID, Network: n, IP: ip, MAC: e.MAC, Aliases: e.Aliases}
}

// ContainerEndpoints lists the networks a container is on, in the order
// it joined them, read in the caller's transaction.
func (m *Manager) ContainerEndpoints(tx *store.Tx, containerID string) ([]Endpoint, error) {
	return containerEndpoints(tx, containerID)
}

// containerEndpoints is ContainerEndpoints, which needs no manager: one
// endpoint a network.
func containerEndpoints(tx *store.Tx, containerID string) ([]Endpoint, error) {
	eps, err := tx.ContainerEndpoints(containerID)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, 0, len(eps))
	for _, e := range eps {
		rec, err := tx.Network(e.NetworkID)
		if err != nil {
			return nil, err
		}
		n, err := decode(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, endpoint(e, n))
	}
	return out, nil
}

// Create makes a user network: its record, its bridge and its rules.
func (m *Manager) Create(ctx context.Context, o CreateOptions) (*Network, error) {
	switch {
	case o.Name == DefaultName || o.Name == HostName || o.Name == NoneName:
		return nil, errdefs.Conflict("network %s is a pre-defined network and cannot be created: choose another name", o.Name)
	case !validName.MatchString(o.Name):
		return nil, errdefs.InvalidArgument("invalid network name %q: use letters, digits, '_', '.' and '-', starting with a letter or digit", o.Name)
	}
	var subnet netip.Prefix
	if o.Subnet != "" {
		p, err := netip.ParsePrefix(o.Subnet)
		if err != nil || !p.Addr().Is4() {
			return nil, errdefs.InvalidArgument("invalid subnet %q: give an IPv4 CIDR such as 10.90.0.0/24", o.Subnet)
		}
		if p.Bits() > 30 {
			return nil, errdefs.InvalidArgument("subnet %s is too small: give a prefix of /30 or shorter", p)
		}
		subnet = p.Masked()
	} else if o.Gateway != "" {
		return nil, errdefs.InvalidArgument("--gateway %s needs --subnet: give the subnet it belongs to", o.Gateway)
	}
	unlock, err := m.hostLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	n := &Network{ID: newID(), Name: o.Name, Driver: "bridge", Created: time.Now(),
		Config: Config{Internal: o.Internal, Labels: o.Labels, Options: o.Options}}
	n.Bridge = bridgeName(n.ID)
	err = m.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.NetworkByName(o.Name); err == nil {
			return errdefs.AlreadyExists("network with name %s already exists: choose another name, or remove it with berth network rm %s", o.Name, o.Name)
		}
		taken, err := m.takenSubnets(tx)
		if err != nil {
			return err
		}
		if subnet.IsValid() {
			if err := checkFree(subnet, taken); err != nil {
				return err
			}
			n.Subnet = subnet
		} else if n.Subnet, err = pickSubnet(userPool, 24, taken); err != nil {
			return err
		}
		if n.Gateway, err = gateway(n.Subnet, o.Gateway); err != nil {
			return err
		}
		if err := tx.PutNetwork(encode(n)); err != nil {
			return err
		}
		return networkEvent(tx, n, ActionCreate)
	})
	if err != nil {
		return nil, err
	}
	if err := m.setupBridge(n); err != nil {
		m.teardownBridge(n)
		m.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			if err := tx.DeleteNetwork(n.ID); err != nil {
				return err
			}
			return networkEvent(tx, n, ActionDestroy) // its create was seen
		})
		return nil, err
	}
	return n, nil
}

// EnsureDefault makes the default network if it does not exist yet. Like
// Docker's predefined networks, made at the daemon's start, it is not
// announced: its making records no create event.
func (m *Manager) EnsureDefault(ctx context.Context) error {
	exists := false
	if err := m.db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.NetworkByName(DefaultName)
		exists = err == nil
		if errdefs.IsNotFound(err) {
			return nil
		}
		return err
	}); err != nil || exists {
		return err
	}
	unlock, err := m.hostLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	var n *Network
	err = m.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.NetworkByName(DefaultName); err == nil {
			return nil // made meanwhile
		}
		taken, err := m.takenSubnets(tx)
		if err != nil {
			return err
		}
		n = &Network{ID: newID(), Name: DefaultName, Driver: "bridge", Created: time.Now(),
			Config: Config{Options: map[string]string{"com.docker.network.bridge.default_bridge": "true"}}}
		n.Bridge = m.defaultBridge
		if n.Bridge == "" {
			n.Bridge = bridgeName(n.ID)
		}
		if m.defaultSubnet.IsValid() {
			n.Subnet = m.defaultSubnet.Masked()
			if err := checkFree(n.Subnet, taken); err != nil {
				return errdefs.Wrap(errdefs.ErrConflict, err, "the default network's subnet: %v: choose another default subnet", err)
			}
		} else if n.Subnet, err = pickSubnet(defaultPool, 16, taken); err != nil {
			if n.Subnet, err = pickSubnet(userPool, 24, taken); err != nil {
				return err
			}
		}
		if n.Gateway, err = gateway(n.Subnet, ""); err != nil {
			return err
		}
		n.Options["com.docker.network.bridge.name"] = n.Bridge
		return tx.PutNetwork(encode(n))
	})
	if err != nil || n == nil {
		return err
	}
	if err := m.setupBridge(n); err != nil {
		// Half a network would run containers without forwarding: none at
		// all, and the next run tries again.
		m.teardownBridge(n)
		m.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.DeleteNetwork(n.ID) })
		return fmt.Errorf("%w (or run with --network none)", err)
	}
	return nil
}

// Remove deletes a user network, its bridge and its rules. One with
// containers on it is a Conflict that names them.
func (m *Manager) Remove(ctx context.Context, ref string) (*Network, error) {
	if ref == DefaultName || ref == HostName || ref == NoneName {
		return nil, errdefs.Conflict("%s is a pre-defined network and cannot be removed", ref)
	}
	unlock, err := m.hostLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var n *Network
	err = m.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = m.find(tx, ref); err != nil {
			return err
		}
		if n.Predefined() {
			return errdefs.Conflict("%s is a pre-defined network and cannot be removed", n.Name)
		}
		eps, err := tx.NetworkEndpoints(n.ID)
		if err != nil {
			return err
		}
		if len(eps) > 0 {
			var names []string
			for _, e := range eps {
				if c, err := tx.Container(e.ContainerID); err == nil {
					names = append(names, c.Name)
				}
			}
			return errdefs.Conflict("network %s has active endpoints (%s): remove or disconnect them first (berth network disconnect %s CONTAINER)", n.Name, strings.Join(names, ", "), n.Name)
		}
		if err := tx.DeleteNetwork(n.ID); err != nil {
			return err
		}
		return networkEvent(tx, n, ActionDestroy)
	})
	if err != nil {
		return nil, err
	}
	return n, m.teardownBridge(n)
}

// Prune removes every user network no container is on.
func (m *Manager) Prune(ctx context.Context) ([]string, error) {
	list, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range list {
		if n.Predefined() {
			continue
		}
		if _, err := m.Remove(ctx, n.ID); err != nil {
			if errdefs.IsConflict(err) || errdefs.IsNotFound(err) {
				continue
			}
			return removed, err
		}
		removed = append(removed, n.Name)
	}
	return removed, nil
}

// Allocate puts a container on a network in the caller's transaction:
// it resolves the network, chooses (or checks) the address and records
// the endpoint. The default network must exist (EnsureDefault); host and
// none are not networks one allocates on.
func (m *Manager) Allocate(tx *store.Tx, containerID string, r Request) (Endpoint, error) {
	n, err := m.find(tx, r.Network)
	if err != nil {
		return Endpoint{}, err
	}
	if n.Driver != "bridge" {
		return Endpoint{}, errdefs.InvalidArgument("container cannot be connected to network %s: it is not a bridge network", n.Name)
	}
	eps, err := tx.NetworkEndpoints(n.ID)
	if err != nil {
		return Endpoint{}, err
	}
	used := make(map[netip.Addr]bool, len(eps))
	for _, e := range eps {
		if e.ContainerID == containerID {
			return Endpoint{}, errdefs.Conflict("container %s is already connected to network %s", containerID[:12], n.Name)
		}
		if a, err := netip.ParseAddr(e.IP); err == nil {
			used[a] = true
		}
	}
	var ip netip.Addr
	if r.IP != "" {
		if ip, err = checkIP(n, r.IP, used); err != nil {
			return Endpoint{}, err
		}
	} else if ip, err = freeIP(n, used); err != nil {
		return Endpoint{}, err
	}
	mac := r.MAC
	if mac == "" {
		mac = macOf(ip)
	}
	aliases := append([]string{}, r.Aliases...)
	ep := Endpoint{ContainerID: containerID, Network: n, IP: ip, MAC: mac, Aliases: aliases}
	if err := tx.PutEndpoint(store.Endpoint{ContainerID: containerID, NetworkID: n.ID, IP: ip.String(), MAC: mac, Aliases: aliases}); err != nil {
		return Endpoint{}, err
	}
	return ep, endpointEvent(tx, n, ActionConnect, containerID)
}

// Disconnect takes a container off a network in the caller's transaction.
func (m *Manager) Disconnect(tx *store.Tx, containerID, ref string) (*Network, error) {
	n, err := m.find(tx, ref)
	if err != nil {
		return nil, err
	}
	if err := tx.DeleteEndpoint(containerID, n.ID); err != nil {
		if errdefs.IsNotFound(err) {
			return nil, errdefs.NotFound("container %s is not connected to network %s", containerID[:12], n.Name)
		}
		return nil, err
	}
	return n, endpointEvent(tx, n, ActionDisconnect, containerID)
}

// Release takes a container off every network it is on, in the caller's
// transaction, the one that removes the container: its addresses are free
// again and each network records a disconnect (the container's destroy
// comes after, as in Docker). It needs no manager, so that a monitor
// removing a --rm container records the same.
func Release(tx *store.Tx, containerID string) error {
	eps, err := containerEndpoints(tx, containerID)
	if err != nil {
		return err
	}
	for _, e := range eps {
		if err := tx.DeleteEndpoint(containerID, e.Network.ID); err != nil && !errdefs.IsNotFound(err) {
			return err
		}
		if err := endpointEvent(tx, e.Network, ActionDisconnect, containerID); err != nil {
			return err
		}
	}
	return nil
}

func bridgeName(id string) string { return "berth" + id[:10] }

// hostVeth is the name of the host end of a container's veth on a network.
func hostVeth(containerID, networkID string) string {
	h := sha256.Sum256([]byte(containerID + "/" + networkID))
	return "bv" + hex.EncodeToString(h[:])[:11]
}

func (m *Manager) bridgeAlias(n *Network) string {
	return fmt.Sprintf("berth %s net %s %s", m.tag, n.ID, m.root)
}

func (m *Manager) vethAlias(containerID, networkID string) string {
	return fmt.Sprintf("berth %s ep %s %s %s", m.tag, containerID, networkID, m.root)
}
