package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/engine/errdefs"
	"berth/engine/events"
)

// eventsCmd prints the changes made to this root, by any berth process, as
// `docker events` does, until interrupted.
func (a *app) eventsCmd() *cobra.Command {
	var filters []string
	cmd := &cobra.Command{
		Use:   "events [--filter type=container|image]",
		Short: "Print changes to containers and images as they happen",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			want := map[string]bool{}
			for _, f := range filters {
				k, v, ok := strings.Cut(f, "=")
				if !ok || k != "type" {
					return errdefs.InvalidArgument("unsupported filter %q: use type=container or type=image", f)
				}
				want[v] = true
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			for ev := range eng.Events(cmd.Context()) {
				if len(want) > 0 && !want[string(ev.Type)] {
					continue
				}
				fmt.Fprintln(a.out, eventLine(ev))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "only events of a type: type=container or type=image")
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
