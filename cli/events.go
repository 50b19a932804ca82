package cli

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine/errdefs"
	"berth/engine/events"
)

// eventsCmd prints the changes made to this root, by any berth process, as
// `docker events` does: from now (or --since) until interrupted (or
// --until), filtered, in docker's line format or through --format.
func (a *app) eventsCmd() *cobra.Command {
	var filters []string
	var since, until, tmpl string
	cmd := &cobra.Command{
		Use:   "events [--since TIME] [--until TIME] [--filter KEY=VALUE] [--format TEMPLATE]",
		Short: "Print changes to containers, images, networks and volumes as they happen",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := parseEventFilters(filters)
			if err != nil {
				return err
			}
			var o events.Options
			now := time.Now()
			if since != "" {
				if o.Since, err = parseTimeFlag("since", since, now); err != nil {
					return err
				}
			}
			if until != "" {
				if o.Until, err = parseTimeFlag("until", until, now); err != nil {
					return err
				}
			}
			var write func(io.Writer, any) error
			if tmpl != "" { // parsed once; a bad one fails now, not at the first event
				if write, err = format.Stream(tmpl); err != nil {
					return fmt.Errorf("berth events --format: %w", err)
				}
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			for ev := range eng.Events(cmd.Context(), o) {
				if !f.match(ev) {
					continue
				}
				if write == nil {
					fmt.Fprintln(a.out, eventLine(ev))
				} else if err := write(a.out, format.NewEvent(ev)); err != nil {
					return err
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&filters, "filter", "f", nil, "only some events: type=, event=, container=, image=, network=, volume=, label=KEY[=VALUE]")
	fl.StringVar(&since, "since", "", "also the stored events since a time (RFC 3339, a date, Unix seconds) or a duration ago (10m)")
	fl.StringVar(&until, "until", "", "stop after the events up to a time (as --since)")
	fl.StringVar(&tmpl, "format", "", "json, or a Go template of docker's event message ({{.Action}} {{.Actor.ID}})")
	return cmd
}

// eventLine is docker's format: time, type, action, actor, (attributes).
func eventLine(ev events.Event) string {
	keys := make([]string, 0, len(ev.Attributes))
	for k := range ev.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]string, len(keys))
	for i, k := range keys {
		attrs[i] = k + "=" + ev.Attributes[k]
	}
	line := fmt.Sprintf("%s %s %s %s", ev.Time.UTC().Format(time.RFC3339Nano), ev.Type, ev.Action, ev.Actor)
	if len(attrs) > 0 {
		line += " (" + strings.Join(attrs, ", ") + ")"
	}
	return line
}

// eventFilter is the --filter values by key: an event passes when, for
// every key, one of its values matches (docker's rule).
type eventFilter map[string][]string

// eventFilterKeys are the keys berth knows, as docker names them.
var eventFilterKeys = []string{"type", "event", "container", "image", "network", "volume", "label"}

func parseEventFilters(args []string) (eventFilter, error) {
	f := eventFilter{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || v == "" {
			return nil, errdefs.InvalidArgument("invalid filter %q: use KEY=VALUE, e.g. type=container", a)
		}
		if !slices.Contains(eventFilterKeys, k) {
			return nil, errdefs.InvalidArgument("unsupported filter %q: use %s", k, strings.Join(eventFilterKeys, ", "))
		}
		if k == "type" && !slices.Contains([]events.Type{events.TypeContainer, events.TypeImage, events.TypeNetwork, events.TypeVolume}, events.Type(v)) {
			return nil, errdefs.InvalidArgument("unsupported event type %q: use container, image, network or volume", v)
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

func (f eventFilter) match(ev events.Event) bool {
	for k, vals := range f {
		if !slices.ContainsFunc(vals, func(v string) bool { return matchEvent(k, v, ev) }) {
			return false
		}
	}
	return true
}

// matchEvent is one filter value against an event: objects by ID prefix
// or name; an image also by its name without the tag, and as the image of
// a container event; a container also in a network's connect and
// disconnect; a label among the attributes.
func matchEvent(key, v string, ev events.Event) bool {
	at := ev.Attributes
	isID := func(id string) bool {
		return strings.HasPrefix(strings.TrimPrefix(id, "sha256:"), strings.TrimPrefix(v, "sha256:"))
	}
	switch key {
	case "type":
		return string(ev.Type) == v
	case "event":
		return ev.Action == v
	case "container":
		switch ev.Type {
		case events.TypeContainer:
			return isID(ev.Actor) || at["name"] == v
		case events.TypeNetwork:
			return at["container"] != "" && isID(at["container"])
		}
	case "image":
		switch ev.Type {
		case events.TypeImage:
			name, _, _ := strings.Cut(at["name"], ":")
			return isID(ev.Actor) || at["name"] == v || (name == v && !strings.Contains(v, ":"))
		case events.TypeContainer:
			return at["image"] == v
		}
	case "network":
		return ev.Type == events.TypeNetwork && (isID(ev.Actor) || at["name"] == v)
	case "volume":
		return ev.Type == events.TypeVolume && ev.Actor == v
	case "label":
		k, want, hasValue := strings.Cut(v, "=")
		got, ok := at[k]
		return ok && (!hasValue || got == want)
	}
	return false
}
