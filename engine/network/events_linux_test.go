package network

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"berth/engine/events"
	"berth/engine/store"
)

// eventsAfter is what the store recorded after the event ID after, and
// the newest ID.
func eventsAfter(t *testing.T, db *store.Store, after int64) ([]events.Event, int64) {
	t.Helper()
	evs, err := db.EventsSince(context.Background(), after)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) > 0 {
		after = evs[len(evs)-1].ID
	}
	return evs, after
}

type wantEvent struct {
	action string
	actor  string
	attrs  map[string]string
}

func checkEvents(t *testing.T, step string, got []events.Event, want ...wantEvent) {
	t.Helper()
	if len(got) != len(want) {
		var lines []string
		for _, ev := range got {
			lines = append(lines, fmt.Sprintf("%s %s %s %v", ev.Type, ev.Action, ev.Actor, ev.Attributes))
		}
		t.Fatalf("%s: %d events, want %d:\n%s", step, len(got), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		ev := got[i]
		if ev.Type != events.TypeNetwork || ev.Action != w.action || ev.Actor != w.actor || !reflect.DeepEqual(ev.Attributes, w.attrs) {
			t.Errorf("%s: event %d is %s %s %s %v, want network %s %s %v", step, i, ev.Type, ev.Action, ev.Actor, ev.Attributes, w.action, w.actor, w.attrs)
		}
	}
}

// Every change of a network, or of a container's place on one, is an event
// recorded with the change, with Docker's actions and attributes; the
// default network's making and refused changes are none.
func TestNetworkEvents(t *testing.T) {
	m, db, _ := testManager(t)
	ctx := context.Background()
	_, last := eventsAfter(t, db, 0)

	if err := m.EnsureDefault(ctx); err != nil {
		t.Fatal(err)
	}
	evs, last := eventsAfter(t, db, last)
	checkEvents(t, "default network made", evs)

	n, err := m.Create(ctx, CreateOptions{Name: "evnet", Subnet: subnet(t, 6)})
	if err != nil {
		t.Fatal(err)
	}
	netAttrs := map[string]string{"name": "evnet", "type": "bridge"}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "create", evs, wantEvent{"create", n.ID, netAttrs})

	id := strings.Repeat("e1", 32)
	addContainer(t, db, id)
	epAttrs := map[string]string{"container": id, "name": "evnet", "type": "bridge"}
	if _, err := m.Connect(ctx, id, 0, Request{Network: "evnet"}); err != nil {
		t.Fatal(err)
	}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "connect", evs, wantEvent{"connect", n.ID, epAttrs})

	// Refused: already connected, and removing a network in use.
	if _, err := m.Connect(ctx, id, 0, Request{Network: n.ID[:12]}); err == nil {
		t.Fatal("a second connect to the same network was taken")
	}
	if _, err := m.Remove(ctx, "evnet"); err == nil {
		t.Fatal("a network in use was removed")
	}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "refused changes", evs)

	if err := db.Update(ctx, func(tx *store.Tx) error { _, err := m.Disconnect(tx, id, "evnet"); return err }); err != nil {
		t.Fatal(err)
	}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "disconnect", evs, wantEvent{"disconnect", n.ID, epAttrs})

	// A container removed leaves each of its networks, in the transaction
	// that removes it.
	if err := db.Update(ctx, func(tx *store.Tx) error {
		for _, net := range []string{"evnet", DefaultName} {
			if _, err := m.Allocate(tx, id, Request{Network: net}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	dflt, err := m.Get(ctx, DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	dfltAttrs := map[string]string{"container": id, "name": DefaultName, "type": "bridge"}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "allocate on two networks", evs, wantEvent{"connect", n.ID, epAttrs}, wantEvent{"connect", dflt.ID, dfltAttrs})
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := Release(tx, id); err != nil {
			return err
		}
		return tx.DeleteContainer(id)
	}); err != nil {
		t.Fatal(err)
	}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "release", evs, wantEvent{"disconnect", n.ID, epAttrs}, wantEvent{"disconnect", dflt.ID, dfltAttrs})
	if eps, err := m.Endpoints(ctx, n); err != nil || len(eps) != 0 {
		t.Errorf("endpoints left after Release: %v %v", eps, err)
	}

	if _, err := m.Remove(ctx, n.ID[:12]); err != nil {
		t.Fatal(err)
	}
	evs, last = eventsAfter(t, db, last)
	checkEvents(t, "remove", evs, wantEvent{"destroy", n.ID, netAttrs})

	// Prune removes unused networks with a destroy each.
	p, err := m.Create(ctx, CreateOptions{Name: "evprune", Subnet: subnet(t, 7)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	pruneAttrs := map[string]string{"name": "evprune", "type": "bridge"}
	evs, _ = eventsAfter(t, db, last)
	checkEvents(t, "create and prune", evs, wantEvent{"create", p.ID, pruneAttrs}, wantEvent{"destroy", p.ID, pruneAttrs})
}
