package format

import (
	"berth/engine/events"
)

// Event is an event as docker's API gives it (events.Message): the row of
// `events --format`, {{json .}} included. Status, ID and From are docker's
// older fields, which it still fills for containers and images.
type Event struct {
	Status   string `json:"status,omitempty"`
	ID       string `json:"id,omitempty"`
	From     string `json:"from,omitempty"`
	Type     string
	Action   string
	Actor    EventActor
	Scope    string `json:"scope"`
	Time     int64  `json:"time"`
	TimeNano int64  `json:"timeNano"`
}

// EventActor is the object of an event: its ID and attributes.
type EventActor struct {
	ID         string
	Attributes map[string]string
}

// NewEvent is ev as docker's API gives it.
func NewEvent(ev events.Event) *Event {
	e := &Event{Type: string(ev.Type), Action: ev.Action, Scope: "local",
		Actor: EventActor{ID: ev.Actor, Attributes: ev.Attributes},
		Time:  ev.Time.Unix(), TimeNano: ev.Time.UnixNano()}
	if e.Actor.Attributes == nil {
		e.Actor.Attributes = map[string]string{}
	}
	switch ev.Type {
	case events.TypeContainer:
		e.Status, e.ID, e.From = ev.Action, ev.Actor, ev.Attributes["image"]
	case events.TypeImage:
		e.Status, e.ID = ev.Action, ev.Actor
	}
	return e
}
