package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"berth/cli/format"
	"berth/engine/events"
)

func TestParseTimeFlag(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"10m", now.Add(-10 * time.Minute)},
		{"1h30m", now.Add(-90 * time.Minute)},
		{"2026-12-01T10:00:00Z", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-12-01T10:00:00.5+01:00", time.Date(2026, 12, 1, 9, 0, 0, 500_000_000, time.UTC)},
		{"2026-11-30", time.Date(2026, 11, 30, 0, 0, 0, 0, time.Local)},
		{"2026-11-30T08:15:00", time.Date(2026, 11, 30, 8, 15, 0, 0, time.Local)},
		{"1764590400", time.Unix(1764590400, 0)},
		{"1764590400.25", time.Unix(1764590400, 250_000_000)},
	} {
		got, err := parseTimeFlag("since", tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"yesterday", "12:00", "1764590400.x", ""} {
		if _, err := parseTimeFlag("until", bad, now); err == nil || !strings.Contains(err.Error(), "--until") {
			t.Errorf("%q: %v, want an error naming --until", bad, err)
		}
	}
}

func TestEventFilters(t *testing.T) {
	ctr := events.Event{Type: events.TypeContainer, Action: "start", Actor: "f1f1f1f1f1f1aaaa",
		Attributes: map[string]string{"name": "web", "image": "nginx:1.27", "com.example.tier": "front"}}
	img := events.Event{Type: events.TypeImage, Action: "pull", Actor: "sha256:a1a1a1a1", Attributes: map[string]string{"name": "nginx:1.27"}}
	net := events.Event{Type: events.TypeNetwork, Action: "connect", Actor: "n9n9n9n9",
		Attributes: map[string]string{"name": "appnet", "container": "f1f1f1f1f1f1aaaa", "type": "bridge"}}
	vol := events.Event{Type: events.TypeVolume, Action: "create", Actor: "data", Attributes: map[string]string{"driver": "local"}}
	all := []events.Event{ctr, img, net, vol}
	for _, tc := range []struct {
		filters []string
		want    string // the actions that pass
	}{
		{nil, "start pull connect create"},
		{[]string{"type=container"}, "start"},
		{[]string{"type=container", "type=volume"}, "start create"},
		{[]string{"event=pull"}, "pull"},
		{[]string{"container=web"}, "start"},
		{[]string{"container=f1f1"}, "start connect"},
		{[]string{"image=nginx:1.27"}, "start pull"},
		{[]string{"image=nginx"}, "pull"},
		{[]string{"image=a1a1"}, "pull"},
		{[]string{"network=appnet"}, "connect"},
		{[]string{"volume=data"}, "create"},
		{[]string{"label=com.example.tier"}, "start"},
		{[]string{"label=com.example.tier=back"}, ""},
		{[]string{"type=container", "event=stop"}, ""},
	} {
		f, err := parseEventFilters(tc.filters)
		if err != nil {
			t.Fatalf("%v: %v", tc.filters, err)
		}
		var got []string
		for _, ev := range all {
			if f.match(ev) {
				got = append(got, ev.Action)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%v: %v, want %q", tc.filters, got, tc.want)
		}
	}
	for _, bad := range []string{"type", "type=daemon", "colour=red", "event="} {
		if _, err := parseEventFilters([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The event message of --format has docker's fields and JSON names.
func TestEventFormat(t *testing.T) {
	at := time.Unix(1764590400, 123)
	ev := events.Event{ID: 9, Time: at, Type: events.TypeContainer, Action: "die", Actor: "f1",
		Attributes: map[string]string{"name": "web", "image": "nginx", "exitCode": "3"}}
	var out bytes.Buffer
	write, err := format.Stream("{{.Status}} {{.ID}} {{.From}} {{.Action}} {{.Actor.Attributes.exitCode}} {{.TimeNano}}")
	if err != nil {
		t.Fatal(err)
	}
	if err := write(&out, format.NewEvent(ev)); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "die f1 nginx die 3 1764590400000000123\n" {
		t.Errorf("template: %q", got)
	}
	out.Reset()
	if write, err = format.Stream("json"); err != nil {
		t.Fatal(err)
	}
	if err := write(&out, format.NewEvent(ev)); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"status", "id", "from", "Type", "Action", "Actor", "scope", "time", "timeNano"} {
		if _, ok := m[k]; !ok {
			t.Errorf("json lacks %q: %s", k, out.String())
		}
	}
	for _, bad := range []string{"table {{.Action}}", "{{.Action"} {
		if _, err := format.Stream(bad); err == nil {
			t.Errorf("--format %q: no error", bad)
		}
	}
}
