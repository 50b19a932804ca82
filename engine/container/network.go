package container

import (
	"context"
	"net/netip"
	"strings"

	"berth/engine/errdefs"
	"berth/engine/network"
	"berth/engine/store"
)

// Networks is what the container service needs of the network manager
// (network.Manager).
type Networks interface {
	EnsureDefault(ctx context.Context) error
	Allocate(tx *store.Tx, containerID string, r network.Request) (network.Endpoint, error)
	ContainerEndpoints(tx *store.Tx, containerID string) ([]network.Endpoint, error)
	Attachments(ctx context.Context, containerID string) ([]network.Attachment, error)
	Connect(ctx context.Context, containerID string, pid int, r network.Request) (network.Endpoint, error)
	Disconnect(tx *store.Tx, containerID, ref string) (*network.Network, error)
	Unplug(containerID string, n *network.Network)
}

// SetNetworks gives the service its network manager; without one, only
// --network none and host work.
func (s *Service) SetNetworks(n Networks) { s.nets = n }

// HostGateway in --add-host NAME:host-gateway stands for the gateway of the
// container's network, the host's address there (as in Docker).
const HostGateway = "host-gateway"

// ResolverAddress is where a container on a user network finds its DNS
// server (the network package's embedded resolver, as Docker's 127.0.0.11).
const ResolverAddress = "127.0.0.11"

// networked reports whether c joins a bridge network (not none or host).
func networked(c *Container) bool { return networkedMode(c.Config.NetworkMode) }

// checkNetworkOptions refuses network settings that mean nothing for c's
// network mode, as Docker does.
func checkNetworkOptions(cfg *Config) error {
	m := cfg.NetworkMode
	if strings.HasPrefix(m, "container:") {
		return errdefs.InvalidArgument("--network %s is not supported: use bridge, host, none or a network's name", m)
	}
	if !networkedMode(m) && (cfg.IPAddress != "" || len(cfg.NetworkAliases) > 0 || cfg.MacAddress != "") {
		return errdefs.InvalidArgument("--ip, --network-alias and --mac-address need a bridge network: --network %s has no address", m)
	}
	if m == network.DefaultName && (cfg.IPAddress != "" || len(cfg.NetworkAliases) > 0) {
		return errdefs.InvalidArgument("--ip and --network-alias are supported on user-defined networks only: create one with berth network create, and run with --network NAME")
	}
	if m == network.HostName && len(cfg.DNS) > 0 {
		return errdefs.InvalidArgument("--dns cannot be used with --network host: the container uses the host's resolv.conf")
	}
	for _, h := range cfg.ExtraHosts {
		name, ip, ok := strings.Cut(h, ":")
		if ip == HostGateway && ok && name != "" && networkedMode(m) {
			continue
		}
		if _, err := netip.ParseAddr(ip); !ok || name == "" || err != nil {
			return errdefs.InvalidArgument("invalid --add-host %q: use NAME:ADDRESS, e.g. db:10.0.0.5, or NAME:host-gateway on a bridge network", h)
		}
	}
	for _, d := range cfg.DNS {
		if _, err := netip.ParseAddr(d); err != nil {
			return errdefs.InvalidArgument("invalid --dns %q: give a nameserver's IP address", d)
		}
	}
	return nil
}

func networkedMode(m string) bool { return m != "" && m != network.NoneName && m != network.HostName }

// prepareNetwork runs before a networked container is recorded: the
// default network is made on first use.
func (s *Service) prepareNetwork(ctx context.Context, c *Container) error {
	if !networked(c) {
		return nil
	}
	if s.nets == nil {
		return errdefs.Unavailable("network %s: this engine has no network manager: use --network none or host", c.Config.NetworkMode)
	}
	if c.Config.NetworkMode == network.DefaultName {
		return s.nets.EnsureDefault(ctx)
	}
	return nil
}

// allocateNetwork records c's endpoint on its network, in the transaction
// that records c.
func (s *Service) allocateNetwork(tx *store.Tx, c *Container) (*network.Endpoint, error) {
	if !networked(c) {
		return nil, nil
	}
	ep, err := s.nets.Allocate(tx, c.ID, network.Request{Network: c.Config.NetworkMode,
		Aliases: c.Config.NetworkAliases, IP: c.Config.IPAddress, MAC: c.Config.MacAddress})
	if err != nil {
		return nil, err
	}
	return &ep, nil
}

// writeNetworkFiles writes c's /etc files for its endpoints: a hosts line
// per address; on a user network, the embedded resolver in resolv.conf
// (as Docker: --dns servers become its upstreams, see resolver).
func (s *Service) writeNetworkFiles(c *Container, eps []network.Endpoint) error {
	en := EtcNet{Nameservers: c.Config.DNS}
	for _, h := range c.Config.ExtraHosts {
		if name, ip, _ := strings.Cut(h, ":"); ip == HostGateway && len(eps) > 0 {
			h = name + ":" + eps[0].Network.Gateway.String()
		}
		en.ExtraHosts = append(en.ExtraHosts, h)
	}
	user := false
	for _, e := range eps {
		en.Addresses = append(en.Addresses, e.IP.String())
		user = user || e.Network.Name != network.DefaultName
	}
	if user {
		en.Nameservers, en.Options = []string{ResolverAddress}, []string{"ndots:0"}
	}
	_, err := WriteEtcFilesNet(s.dir(c.ID), c, c.Config.NetworkMode, en)
	return err
}

// networkAttachments is what the monitor configures when c starts.
func (s *Service) networkAttachments(ctx context.Context, c *Container) ([]network.Attachment, error) {
	if !networked(c) || s.nets == nil {
		return nil, nil
	}
	return s.nets.Attachments(ctx, c.ID)
}

// endpoints lists c's endpoints (none without a network manager).
func (s *Service) endpoints(ctx context.Context, c *Container) ([]network.Endpoint, error) {
	if s.nets == nil {
		return nil, nil
	}
	var eps []network.Endpoint
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		eps, err = s.nets.ContainerEndpoints(tx, c.ID)
		return err
	})
	return eps, err
}

// Connect puts a container on a network (berth network connect); a
// running one gets a new interface at once.
func (s *Service) Connect(ctx context.Context, ref string, r network.Request) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if !networked(c) {
		return errdefs.Conflict("container %s uses --network %s: it cannot be connected to other networks", c.Name, c.Config.NetworkMode)
	}
	if s.nets == nil {
		return errdefs.Unavailable("this engine has no network manager")
	}
	unlock, err := s.lock(ctx, c.ID)
	if err != nil {
		return err
	}
	defer unlock()
	if c, err = s.Get(ctx, c.ID); err != nil {
		return err
	}
	pid := 0
	if c.State.Status.Active() {
		pid = c.State.Pid
	}
	if _, err := s.nets.Connect(ctx, c.ID, pid, r); err != nil {
		return err
	}
	eps, err := s.endpoints(ctx, c)
	if err != nil {
		return err
	}
	return s.writeNetworkFiles(c, eps)
}

// Disconnect takes a container off a network (berth network disconnect);
// a running one loses that interface at once.
func (s *Service) Disconnect(ctx context.Context, netRef, ref string) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if s.nets == nil {
		return errdefs.Unavailable("this engine has no network manager")
	}
	unlock, err := s.lock(ctx, c.ID)
	if err != nil {
		return err
	}
	defer unlock()
	var n *network.Network
	if err := s.db.Update(ctx, func(tx *store.Tx) error {
		n, err = s.nets.Disconnect(tx, c.ID, netRef)
		return err
	}); err != nil {
		return err
	}
	s.nets.Unplug(c.ID, n)
	eps, err := s.endpoints(ctx, c)
	if err != nil {
		return err
	}
	return s.writeNetworkFiles(c, eps)
}

// fillNetwork adds c's endpoints to its NetworkSettings, with Docker's
// field names; the default bridge's endpoint also fills the top-level
// fields, as Docker does.
func fillNetwork(n *InspectNetwork, c *Container, eps []network.Endpoint) {
	if len(eps) == 0 {
		return
	}
	delete(n.Networks, c.Config.NetworkMode)
	for _, e := range eps {
		aliases := append([]string{}, e.Aliases...)
		if e.Network.Name != network.DefaultName {
			aliases = append(aliases, c.ID[:12])
		}
		ie := &InspectEndpoint{
			Aliases: aliases, NetworkID: e.Network.ID, EndpointID: e.ID(),
			Gateway: e.Network.Gateway.String(), IPAddress: e.IP.String(), IPPrefixLen: e.Network.Subnet.Bits(),
			MacAddress: e.MAC, DriverOpts: nil,
		}
		if e.Network.Name == network.DefaultName {
			ie.Aliases = nil
			n.Bridge = e.Network.Bridge
			n.EndpointID, n.Gateway, n.IPAddress, n.IPPrefixLen, n.MacAddress = ie.EndpointID, ie.Gateway, ie.IPAddress, ie.IPPrefixLen, ie.MacAddress
		}
		if c.Config.IPAddress != "" && e.Network.Name == c.Config.NetworkMode {
			ie.IPAMConfig = &InspectIPAMConfig{IPv4Address: c.Config.IPAddress}
		}
		n.Networks[e.Network.Name] = ie
	}
}

// listNetworks gives the rows of containers on bridge networks the names
// of all their networks, comma-separated as Docker's NETWORKS column.
func (s *Service) listNetworks(ctx context.Context, rows []Summary) error {
	var names map[string][]string
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		names, err = tx.EndpointNetworkNames()
		return err
	}); err != nil {
		return err
	}
	for i := range rows {
		if n := names[rows[i].ID]; len(n) > 0 {
			rows[i].NetworkMode = strings.Join(n, ",")
		}
	}
	return nil
}
