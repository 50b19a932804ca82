package container

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"

	"berth/engine/errdefs"
	"berth/engine/network"
	"berth/engine/network/firewall"
	"berth/engine/network/portmap"
)

// Published ports (-p, -P, --expose).
//
// A container's config keeps its bindings as given (Docker's
// HostConfig.PortBindings: "8080", "" for any free port, "8000-8010"),
// whether to publish every exposed port, and the ports it exposes (the
// image's, --expose's and the published ones, as Docker counts them). Each
// start chooses the host ports (a bind that fails says the port is taken,
// before any monitor is spawned), records them in State.Ports, and hands
// them to the monitor, which binds them again and keeps them bound while
// the container lives (so nothing else takes them), and adds the DNAT
// rules (package firewall). The monitor removes the rules when it ends;
// cleanupRuntime removes what a killed monitor left, guided by a marker
// file <run>/ports/<id> written before the rules are added.

// portsConfig fills the ports of c from o and the image's exposed ports.
func portsConfig(c *Config, o CreateOptions, imageExposed map[string]struct{}) error {
	seen := map[portmap.Port]bool{}
	expose := func(p portmap.Port) {
		if !seen[p] {
			seen[p] = true
			c.ExposedPorts = append(c.ExposedPorts, p)
		}
	}
	for k := range imageExposed {
		if p, err := portmap.ParsePort(k); err == nil {
			expose(p)
		}
	}
	for _, p := range o.Expose {
		expose(p)
	}
	if len(o.PortBindings) > 0 {
		c.PortBindings = portmap.Bindings{}
		for p, bs := range o.PortBindings {
			c.PortBindings[p] = append([]portmap.Binding{}, bs...)
			expose(p)
		}
	}
	portmap.SortPorts(c.ExposedPorts)
	c.PublishAll = o.PublishAll
	if _, err := portmap.Requests(c.PortBindings, c.ExposedPorts, c.PublishAll); err != nil {
		return err
	}
	if (len(c.PortBindings) > 0 || c.PublishAll) && c.NetworkMode == network.NoneName {
		return errdefs.InvalidArgument("published ports need a network: --network none has none; drop -p/-P or use the default bridge")
	}
	return nil
}

// publishes reports whether c publishes ports (on its network).
func publishes(c *Container) bool {
	return (len(c.Config.PortBindings) > 0 || c.Config.PublishAll) && networked(c)
}

// portRoot is the tag of this root in the rules' comments.
func (s *Service) portRoot() string {
	h := sha256.Sum256([]byte(s.root))
	return hex.EncodeToString(h[:4])
}

func (s *Service) portMarker(id string) string { return filepath.Join(s.runRoot, "ports", id) }

// publishPorts chooses the host ports of c's next run on the network of
// atts that carries its default route, and marks c as having rules. A
// host port that is taken is a Conflict naming it.
func (s *Service) publishPorts(c *Container, atts []network.Attachment) (*firewall.Ports, error) {
	if !publishes(c) {
		return nil, nil
	}
	reqs, err := portmap.Requests(c.Config.PortBindings, c.Config.ExposedPorts, c.Config.PublishAll)
	if err != nil || len(reqs) == 0 {
		return nil, err
	}
	var at *network.Attachment
	for i := range atts {
		if atts[i].Default || at == nil {
			at = &atts[i]
		}
	}
	if at == nil {
		return nil, errdefs.InvalidArgument("container %s publishes ports but has no address on a bridge network", c.Name)
	}
	p := &firewall.Ports{Root: s.portRoot(), Owner: c.ID, Bridge: at.Bridge}
	var held []func()
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	for _, r := range reqs {
		port, release, err := choosePort(r)
		if err != nil {
			return nil, err
		}
		held = append(held, release) // so that two requests get two ports
		p.Forwards = append(p.Forwards, firewall.Forward{Proto: r.Port.Proto, HostIP: r.HostIP, HostPort: port,
			ContainerIP: at.Address.Addr(), ContainerPort: r.Port.Number})
	}
	if err := os.MkdirAll(filepath.Dir(s.portMarker(c.ID)), 0o700); err != nil {
		return nil, errdefs.FromIO(err, "container "+c.Name)
	}
	if err := os.WriteFile(s.portMarker(c.ID), nil, 0o600); err != nil {
		return nil, errdefs.FromIO(err, "container "+c.Name)
	}
	return p, nil
}

// choosePort finds a free host port for r: its one port, the first free
// one of its range, or one the kernel picks from its ephemeral range (as
// Docker's, 32768-60999 by default). The port stays bound until release.
func choosePort(r portmap.Request) (uint16, func(), error) {
	lo, hi := r.HostLo, r.HostHi
	var err error
	for port := int(lo); port <= int(hi); port++ {
		var got uint16
		var release func()
		if got, release, err = firewall.ReservePort(r.Port.Proto, r.HostIP, uint16(port)); err == nil {
			return got, release, nil
		}
		if !errdefs.IsConflict(err) {
			return 0, nil, err
		}
	}
	return 0, nil, err
}

// published are the host ports of a run in the order chosen.
func published(p *firewall.Ports) []portmap.Published {
	if p == nil {
		return nil
	}
	out := make([]portmap.Published, 0, len(p.Forwards))
	for _, f := range p.Forwards {
		out = append(out, portmap.Published{Port: portmap.Port{Number: f.ContainerPort, Proto: f.Proto}, HostIP: f.HostIP, HostPort: f.HostPort})
	}
	return out
}

// unpublish removes the rules of container id if it may have any (its
// marker is there): what a killed monitor left.
func (s *Service) unpublish(id string) {
	marker := s.portMarker(id)
	if _, err := os.Stat(marker); err != nil {
		return
	}
	if firewall.RemovePorts(context.Background(), s.portRoot(), id) == nil {
		os.Remove(marker)
	}
}

// reconcilePorts removes the rules of containers of this root that are
// gone (known lists those that exist).
func (s *Service) reconcilePorts(known map[string]bool) {
	ents, _ := os.ReadDir(filepath.Join(s.runRoot, "ports"))
	for _, e := range ents {
		if !known[e.Name()] {
			s.unpublish(e.Name())
		}
	}
}

// Ports are a container's published ports while it runs (none otherwise),
// as `berth port` and ps's PORTS show them.
func (c *Container) Ports() []portmap.Published {
	if !c.State.Status.Active() {
		return nil
	}
	return c.State.Ports
}

// inspectPortBindings is HostConfig.PortBindings: the bindings as given.
func inspectPortBindings(cfg Config) map[string][]InspectPortBinding {
	out := map[string][]InspectPortBinding{}
	for p, bs := range cfg.PortBindings {
		for _, b := range bs {
			out[p.String()] = append(out[p.String()], InspectPortBinding{HostIP: b.HostIP, HostPort: b.HostPort})
		}
	}
	return out
}

// inspectPorts is NetworkSettings.Ports: every exposed port, with the host
// ports it is published on while the container runs (null otherwise), as
// Docker shows it.
func inspectPorts(c *Container) map[string][]InspectPortBinding {
	out := map[string][]InspectPortBinding{}
	if !c.State.Status.Active() {
		return out
	}
	for _, p := range c.Config.ExposedPorts {
		out[p.String()] = nil
	}
	for _, p := range c.Ports() {
		k := p.Port.String()
		out[k] = append(out[k], InspectPortBinding{HostIP: p.HostIPString(), HostPort: strconv.Itoa(int(p.HostPort))})
	}
	return out
}

// exposedPorts is Config.ExposedPorts in Docker's shape (nil when none).
func exposedPorts(cfg Config) map[string]struct{} {
	if len(cfg.ExposedPorts) == 0 {
		return nil
	}
	out := map[string]struct{}{}
	for _, p := range cfg.ExposedPorts {
		out[p.String()] = struct{}{}
	}
	return out
}

// portsColumn is ps's PORTS: while the container runs, its published
// ports and its other exposed ports, as Docker prints them.
func portsColumn(c *Container) string {
	if !c.State.Status.Active() {
		return ""
	}
	return portmap.Display(c.Ports(), c.Config.ExposedPorts)
}
