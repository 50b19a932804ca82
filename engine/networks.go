package engine

import (
	"context"
	"path/filepath"

	"berth/engine/network"
)

// networkOptions: the default root's default bridge is berth0 (as
// Docker's docker0); other roots' get a name of their own, so that roots
// side by side (tests) do not share a bridge.
func networkOptions(root string, o options) []network.Option {
	var opts []network.Option
	if filepath.Clean(root) == DefaultRoot {
		opts = append(opts, network.WithDefaultBridge("berth0"))
	}
	if o.defaultSubnet.IsValid() {
		opts = append(opts, network.WithDefaultSubnet(o.defaultSubnet))
	}
	return opts
}

// CreateNetwork makes a user-defined bridge network.
func (e *Engine) CreateNetwork(ctx context.Context, o network.CreateOptions) (*network.Network, error) {
	return e.networks.Create(ctx, o)
}

// Network returns a network by name, ID or ID prefix.
func (e *Engine) Network(ctx context.Context, ref string) (*network.Network, error) {
	return e.networks.Get(ctx, ref)
}

// ListNetworks lists bridge, host, none and the user's networks.
func (e *Engine) ListNetworks(ctx context.Context) ([]*network.Network, error) {
	return e.networks.List(ctx)
}

// NetworkEndpoints lists the containers on a network.
func (e *Engine) NetworkEndpoints(ctx context.Context, n *network.Network) ([]network.Endpoint, error) {
	return e.networks.Endpoints(ctx, n)
}

// RemoveNetwork deletes a user network that no container is on.
func (e *Engine) RemoveNetwork(ctx context.Context, ref string) (*network.Network, error) {
	return e.networks.Remove(ctx, ref)
}

// PruneNetworks removes the user networks no container is on and returns
// their names.
func (e *Engine) PruneNetworks(ctx context.Context) ([]string, error) {
	return e.networks.Prune(ctx)
}

// ConnectNetwork puts a container on a network (a running one at once).
func (e *Engine) ConnectNetwork(ctx context.Context, container string, r network.Request) error {
	return e.containers.Connect(ctx, container, r)
}

// DisconnectNetwork takes a container off a network.
func (e *Engine) DisconnectNetwork(ctx context.Context, netRef, container string) error {
	return e.containers.Disconnect(ctx, netRef, container)
}

// InspectNetwork describes a network as docker network inspect does.
func (e *Engine) InspectNetwork(ctx context.Context, ref string) (*network.Inspect, error) {
	n, err := e.networks.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	eps, err := e.networks.Endpoints(ctx, n)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, ep := range eps {
		if c, err := e.containers.Get(ctx, ep.ContainerID); err == nil {
			names[ep.ContainerID] = c.Name
		}
	}
	return network.InspectOf(n, eps, names), nil
}
