package cli

import (
	"net/netip"
	"reflect"
	"testing"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/network/portmap"
)

func TestPortLines(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	pub := []portmap.Published{
		{Port: portmap.Port{Number: 80, Proto: "tcp"}, HostIP: lo, HostPort: 9090},
		{Port: portmap.Port{Number: 80, Proto: "tcp"}, HostPort: 8080},
		{Port: portmap.Port{Number: 53, Proto: "udp"}, HostPort: 5353},
		{Port: portmap.Port{Number: 53, Proto: "tcp"}, HostPort: 5353},
	}
	want := []string{"53/tcp -> 0.0.0.0:5353", "53/udp -> 0.0.0.0:5353", "80/tcp -> 0.0.0.0:8080", "80/tcp -> 127.0.0.1:9090"}
	if got := portLines(pub, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("all: %q", got)
	}
	p80 := portmap.Port{Number: 80, Proto: "tcp"}
	if got := portLines(pub, &p80); !reflect.DeepEqual(got, []string{"0.0.0.0:8080", "127.0.0.1:9090"}) {
		t.Errorf("80/tcp: %q", got)
	}
	p81 := portmap.Port{Number: 81, Proto: "tcp"}
	if got := portLines(pub, &p81); len(got) != 0 {
		t.Errorf("81/tcp: %q", got)
	}
}

func TestPortOptions(t *testing.T) {
	var o container.CreateOptions
	if err := portOptions(&o, []string{"8080:80", "53/udp"}, []string{"7000-7001"}); err != nil {
		t.Fatal(err)
	}
	if len(o.PortBindings) != 2 || len(o.Expose) != 2 {
		t.Errorf("%+v %+v", o.PortBindings, o.Expose)
	}
	for _, bad := range [][2][]string{{{"99999:80"}, nil}, {nil, {"x"}}} {
		var o container.CreateOptions
		if err := portOptions(&o, bad[0], bad[1]); !errdefs.IsInvalidArgument(err) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
