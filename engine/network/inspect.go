package network

import (
	"net/netip"
	"time"
)

// Inspect is Docker's network inspect document.
type Inspect struct {
	Name       string                      `json:"Name"`
	ID         string                      `json:"Id"`
	Created    string                      `json:"Created"`
	Scope      string                      `json:"Scope"`
	Driver     string                      `json:"Driver"`
	EnableIPv6 bool                        `json:"EnableIPv6"`
	IPAM       InspectIPAM                 `json:"IPAM"`
	Internal   bool                        `json:"Internal"`
	Attachable bool                        `json:"Attachable"`
	Ingress    bool                        `json:"Ingress"`
	ConfigOnly bool                        `json:"ConfigOnly"`
	Containers map[string]InspectContainer `json:"Containers"`
	Options    map[string]string           `json:"Options"`
	Labels     map[string]string           `json:"Labels"`
}

// InspectIPAM is the network's address management.
type InspectIPAM struct {
	Driver  string              `json:"Driver"`
	Options map[string]string   `json:"Options"`
	Config  []InspectIPAMConfig `json:"Config"`
}

// InspectIPAMConfig is one subnet.
type InspectIPAMConfig struct {
	Subnet  string `json:"Subnet"`
	Gateway string `json:"Gateway"`
}

// InspectContainer is a container on the network.
type InspectContainer struct {
	Name        string `json:"Name"`
	EndpointID  string `json:"EndpointID"`
	MacAddress  string `json:"MacAddress"`
	IPv4Address string `json:"IPv4Address"`
	IPv6Address string `json:"IPv6Address"`
}

// InspectOf is n's document; names maps container IDs to names.
func InspectOf(n *Network, eps []Endpoint, names map[string]string) *Inspect {
	in := &Inspect{Name: n.Name, ID: n.ID, Created: created(n.Created), Scope: "local", Driver: n.Driver,
		IPAM:     InspectIPAM{Driver: "default", Options: map[string]string{}, Config: []InspectIPAMConfig{}},
		Internal: n.Internal, Attachable: false,
		Containers: map[string]InspectContainer{}, Options: map[string]string{}, Labels: map[string]string{}}
	if n.Subnet.IsValid() {
		in.IPAM.Config = append(in.IPAM.Config, InspectIPAMConfig{Subnet: n.Subnet.String(), Gateway: n.Gateway.String()})
	}
	for k, v := range n.Options {
		in.Options[k] = v
	}
	for k, v := range n.Labels {
		in.Labels[k] = v
	}
	for _, e := range eps {
		in.Containers[e.ContainerID] = InspectContainer{Name: names[e.ContainerID], EndpointID: e.ID(),
			MacAddress: e.MAC, IPv4Address: netip.PrefixFrom(e.IP, n.Subnet.Bits()).String()}
	}
	return in
}

func created(t time.Time) string {
	if t.IsZero() {
		return time.Unix(0, 0).UTC().Format(time.RFC3339Nano)
	}
	return t.Format(time.RFC3339Nano)
}
