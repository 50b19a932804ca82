package portmap

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"berth/engine/errdefs"
)

func TestParse(t *testing.T) {
	tcp := func(n uint16) Port { return Port{n, "tcp"} }
	tests := []struct {
		spec string
		want Bindings
	}{
		{"80", Bindings{tcp(80): {{}}}},
		{"8080:80", Bindings{tcp(80): {{HostPort: "8080"}}}},
		{"8080:80/tcp", Bindings{tcp(80): {{HostPort: "8080"}}}},
		{"5353:53/udp", Bindings{{53, "udp"}: {{HostPort: "5353"}}}},
		{"5353:53/UDP", Bindings{{53, "udp"}: {{HostPort: "5353"}}}},
		{"127.0.0.1:8080:80", Bindings{tcp(80): {{HostIP: "127.0.0.1", HostPort: "8080"}}}},
		{"127.0.0.1::80", Bindings{tcp(80): {{HostIP: "127.0.0.1"}}}},
		{"0.0.0.0:0:80", Bindings{tcp(80): {{HostIP: "0.0.0.0"}}}},
		{"[::ffff:127.0.0.1]:8080:80", Bindings{tcp(80): {{HostIP: "127.0.0.1", HostPort: "8080"}}}},
		{"8000-8002:80-82", Bindings{tcp(80): {{HostPort: "8000"}}, tcp(81): {{HostPort: "8001"}}, tcp(82): {{HostPort: "8002"}}}},
		{"8000-8010:80", Bindings{tcp(80): {{HostPort: "8000-8010"}}}},
		{"80-81", Bindings{tcp(80): {{}}, tcp(81): {{}}}},
		{"65535:65535", Bindings{tcp(65535): {{HostPort: "65535"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			got := Bindings{}
			if err := Parse(got, tc.spec); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, says string }{
		{"99999:80", `host port "99999" is out of range`},
		{"8080:70000", `container port "70000" is out of range`},
		{"8080:0", "container port 0"},
		{"8080:80/sctp", "not sctp"},
		{"8080:80/icmp", `unknown protocol "icmp"`},
		{"8080:http", `container port "http" is not a port number`},
		{"abc:8080:80", `"abc" is not an IP address`},
		{"[::1]:8080:80", "IPv6 host addresses are not supported"},
		{"[::1:8080:80", "brackets"},
		{"1.2.3.4:1:2:3", "use [ip:][hostPort:]containerPort"},
		{"8080:", "no container port"},
		{"", "no container port"},
		{"8000-8001:80-82", "ranges of different sizes"},
		{"8010-8000:80", "ends before it starts"},
		{"0-10:80", "starts at 0"},
		{"8080:-80", "not a port number"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			bs := Bindings{}
			err := Parse(bs, tc.spec)
			if err == nil {
				t.Fatalf("accepted: %v", bs)
			}
			if !errdefs.IsInvalidArgument(err) {
				t.Errorf("class: %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.says) || strings.Contains(msg, "\n") || !strings.Contains(msg, `"`+tc.spec+`"`) {
				t.Errorf("message %q: want one line naming %q and saying %q", msg, tc.spec, tc.says)
			}
			if len(bs) != 0 {
				t.Errorf("added %v", bs)
			}
		})
	}
}

func TestParsePortAndExpose(t *testing.T) {
	if p, err := ParsePort("53/udp"); err != nil || p != (Port{53, "udp"}) {
		t.Fatalf("%v %v", p, err)
	}
	if p, err := ParsePort("80"); err != nil || p != (Port{80, "tcp"}) {
		t.Fatalf("%v %v", p, err)
	}
	for _, bad := range []string{"0", "65536", "x/tcp", "80/ip", ""} {
		if _, err := ParsePort(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("ParsePort(%q): %v", bad, err)
		}
	}
	ps, err := ParseExpose("7000-7002/udp")
	if err != nil || !reflect.DeepEqual(ps, []Port{{7000, "udp"}, {7001, "udp"}, {7002, "udp"}}) {
		t.Fatalf("%v %v", ps, err)
	}
	if _, err := ParseExpose("0-3"); err == nil {
		t.Error("expose 0 accepted")
	}
}

// The JSON shapes are Docker's: keys "80/tcp", HostIp and HostPort strings.
func TestJSONShape(t *testing.T) {
	bs := Bindings{}
	if err := Parse(bs, "127.0.0.1:8080:80"); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(bs)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]}`; string(raw) != want {
		t.Fatalf("%s, want %s", raw, want)
	}
	var back Bindings
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, bs) {
		t.Fatalf("%v %v", back, err)
	}
}

func TestRequests(t *testing.T) {
	bs := Bindings{}
	for _, s := range []string{"127.0.0.1:8080:80", "0.0.0.0::81", "9000-9005:82"} {
		if err := Parse(bs, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Requests(bs, []Port{{443, "tcp"}, {80, "tcp"}, {53, "udp"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{
		{Port: Port{80, "tcp"}, HostIP: netip.MustParseAddr("127.0.0.1"), HostLo: 8080, HostHi: 8080},
		{Port: Port{81, "tcp"}},
		{Port: Port{82, "tcp"}, HostLo: 9000, HostHi: 9005},
		{Port: Port{53, "udp"}},
		{Port: Port{443, "tcp"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got, _ := Requests(bs, []Port{{443, "tcp"}}, false); len(got) != 3 {
		t.Fatalf("without -P: %+v", got)
	}
	if _, err := Requests(Bindings{{80, "tcp"}: {{HostPort: "99999"}}}, nil, false); !errdefs.IsInvalidArgument(err) {
		t.Fatalf("bad stored binding: %v", err)
	}
}

// Docker's PORTS column, as docker/cli's DisplayablePorts writes it.
func TestDisplay(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		name    string
		pub     []Published
		exposed []Port
		want    string
	}{
		{"none", nil, nil, ""},
		{"one", []Published{{Port: Port{80, "tcp"}, HostPort: 8080}}, []Port{{80, "tcp"}}, "0.0.0.0:8080->80/tcp"},
		{"same number", []Published{{Port: Port{80, "tcp"}, HostPort: 80}}, nil, "0.0.0.0:80->80/tcp"},
		{"same numbers fold", []Published{{Port: Port{81, "tcp"}, HostPort: 81}, {Port: Port{80, "tcp"}, HostPort: 80}, {Port: Port{82, "tcp"}, HostPort: 82}}, nil, "0.0.0.0:80-82->80-82/tcp"},
		{"other numbers do not", []Published{{Port: Port{81, "tcp"}, HostPort: 8001}, {Port: Port{80, "tcp"}, HostPort: 8000}}, nil, "0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/tcp"},
		{"address and udp", []Published{{Port: Port{80, "tcp"}, HostIP: lo, HostPort: 18181}, {Port: Port{53, "udp"}, HostPort: 5353}}, nil, "0.0.0.0:5353->53/udp, 127.0.0.1:18181->80/tcp"},
		{"exposed only (a finished run goes first, as in Docker)", nil, []Port{{443, "tcp"}, {80, "tcp"}, {81, "tcp"}, {53, "udp"}}, "80-81/tcp, 53/udp, 443/tcp"},
		{"exposed first", []Published{{Port: Port{80, "tcp"}, HostPort: 32768}}, []Port{{80, "tcp"}, {443, "tcp"}}, "443/tcp, 0.0.0.0:32768->80/tcp"},
		{"a gap ends a run", nil, []Port{{80, "tcp"}, {81, "tcp"}, {83, "tcp"}}, "80-81/tcp, 83/tcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Display(tc.pub, tc.exposed); got != tc.want {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
}
