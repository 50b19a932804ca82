package network

import (
	"berth/engine/events"
	"berth/engine/store"
)

// Network events, as Docker names them. Each is recorded in the
// transaction of the change it reports:
//
//   - create, destroy: a user network made (Create) or removed (Remove,
//     Prune); the default network, made on first use, is not announced,
//     as Docker does not announce its predefined networks.
//   - connect, disconnect: a container's endpoint recorded (Allocate, at
//     create and at network connect) or deleted (Disconnect, and Release
//     when the container is removed). berth keeps an endpoint, and its
//     address, from create to rm, where Docker makes one at each start and
//     deletes it at each stop: the events follow berth's endpoints, so a
//     container is on a network from its connect to its disconnect, as
//     network inspect shows it.
//
// The actor is the network's ID; the attributes are its name and driver
// ("type"), and for connect and disconnect the container's ID.
const (
	ActionCreate     = "create"
	ActionDestroy    = "destroy"
	ActionConnect    = "connect"
	ActionDisconnect = "disconnect"
)

// networkEvent records a create or destroy of n in tx.
func networkEvent(tx *store.Tx, n *Network, action string) error {
	return tx.AddEvent(events.Event{Type: events.TypeNetwork, Action: action, Actor: n.ID,
		Attributes: map[string]string{"name": n.Name, "type": n.Driver}})
}

// endpointEvent records a connect or disconnect of a container to n in tx.
func endpointEvent(tx *store.Tx, n *Network, action, containerID string) error {
	return tx.AddEvent(events.Event{Type: events.TypeNetwork, Action: action, Actor: n.ID,
		Attributes: map[string]string{"container": containerID, "name": n.Name, "type": n.Driver}})
}
