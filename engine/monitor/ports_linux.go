package monitor

import (
	"context"

	"github.com/vishvananda/netlink"

	"berth/engine/network/firewall"
)

// publish holds the host ports of the container's published ports (bound
// here for as long as the run lasts, so that no other process or
// container takes them) and adds their forwarding rules; start calls it
// before each run, endRun undoes it when the run ends, before its exit is
// recorded, so that a stopped container's ports are free at once. A port
// that is taken fails the start with exit code 125.
func (m *monitor) publish() *startError {
	p := m.b.Ports
	if p == nil || len(p.Forwards) == 0 || len(m.portHolds) > 0 {
		return nil
	}
	for _, f := range p.Forwards {
		_, release, err := firewall.ReservePort(f.Proto, f.HostIP, f.HostPort)
		if err != nil {
			m.unpublish()
			return &startError{125, oneLine(err.Error())}
		}
		m.portHolds = append(m.portHolds, release)
	}
	m.reapMu.Lock() // the reaper would take iptables' exit before exec does
	err := firewall.AddPorts(context.Background(), *p)
	m.reapMu.Unlock()
	if err != nil {
		m.unpublish()
		return &startError{125, oneLine(err.Error())}
	}
	return nil
}

// unpublish removes the rules and lets the host ports go; it does nothing
// when publish held nothing.
func (m *monitor) unpublish() {
	if len(m.portHolds) == 0 {
		return
	}
	p := m.b.Ports
	m.reapMu.Lock()
	firewall.RemovePorts(context.Background(), p.Root, p.Owner)
	m.reapMu.Unlock()
	for _, release := range m.portHolds {
		release()
	}
	m.portHolds = nil
}

// hairpin lets the container's bridge port send frames back where they
// came from, so that the container reaches its own published ports through
// the host's address: with br_netfilter loaded the DNAT happens on the
// bridge, which then hands the frame back to the port it arrived on (as
// Docker does without its userland proxy). Best effort: without it only
// that case fails.
func (m *monitor) hairpin() {
	p := m.b.Ports
	if p == nil || len(p.Forwards) == 0 {
		return
	}
	for _, a := range m.b.Network {
		if a.Bridge != p.Bridge {
			continue
		}
		if l, err := netlink.LinkByName(a.HostVeth); err == nil {
			netlink.LinkSetHairpin(l, true)
		}
	}
}
