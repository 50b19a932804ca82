package container

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"berth/engine/events"
	"berth/engine/network"
	"berth/engine/store"
)

// Every container event names the container and its image as the user
// gave it; a removed container leaves its networks (disconnect, with the
// network's name and driver) before its destroy, in one transaction.
func TestContainerEventsCarryImage(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	c := &Container{ID: strings.Repeat("c7", 32), Name: "evc", Created: time.Now(),
		Config: Config{Image: "alpine:3.20", NetworkMode: "evnet"}, State: State{Status: Created}}
	putContainer(t, s, c)
	netID := strings.Repeat("4e", 32)
	cfg, _ := json.Marshal(network.Config{})
	if err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.PutNetwork(store.Network{ID: netID, Name: "evnet", Driver: "bridge", Created: time.Now(), Config: cfg}); err != nil {
			return err
		}
		return tx.PutEndpoint(store.Endpoint{ContainerID: c.ID, NetworkID: netID, IP: "10.9.0.2", MAC: "02:42:0a:09:00:02"})
	}); err != nil {
		t.Fatal(err)
	}
	last, err := s.db.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.mutate(ctx, c.ID, func(c *Container) (*events.Event, error) {
		c.State.Status = Exited
		return &events.Event{Action: "die", Attributes: map[string]string{"exitCode": "3"}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, c.ID, RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.db.EventsSince(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	want := []events.Event{
		{Type: events.TypeContainer, Action: "die", Actor: c.ID, Attributes: map[string]string{"exitCode": "3", "name": "evc", "image": "alpine:3.20"}},
		{Type: events.TypeNetwork, Action: "disconnect", Actor: netID, Attributes: map[string]string{"container": c.ID, "name": "evnet", "type": "bridge"}},
		{Type: events.TypeContainer, Action: "destroy", Actor: c.ID, Attributes: map[string]string{"name": "evc", "image": "alpine:3.20"}},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, w := range want {
		got := evs[i]
		if got.Type != w.Type || got.Action != w.Action || got.Actor != w.Actor || !reflect.DeepEqual(got.Attributes, w.Attributes) {
			t.Errorf("event %d: %s %s %s %v, want %s %s %s %v", i, got.Type, got.Action, got.Actor, got.Attributes, w.Type, w.Action, w.Actor, w.Attributes)
		}
	}
	if err := s.db.View(ctx, func(tx *store.Tx) error {
		eps, err := tx.NetworkEndpoints(netID)
		if err == nil && len(eps) != 0 {
			t.Errorf("endpoints left after removal: %v", eps)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
