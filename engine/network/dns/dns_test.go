package dns

import (
	"net/netip"
	"slices"
	"testing"
)

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for not an address
	}{
		{"2.0.90.10.in-addr.arpa", "10.90.0.2"},
		{"0.0.0.0.in-addr.arpa", "0.0.0.0"},
		{"90.10.in-addr.arpa", ""},
		{"300.0.90.10.in-addr.arpa", ""},
		{"x.0.90.10.in-addr.arpa", ""},
		{"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", "fd00::5"},
		{"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa", "4321:0:1:2:3:4:567:89ab"},
		{"5.0.0.ip6.arpa", ""},
		{"g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", ""},
		{"db", ""},
		{"example.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := reverseAddr(tc.name)
			if tc.want == "" {
				if ok {
					t.Errorf("read %v, want no address", a)
				}
				return
			}
			if !ok || a != netip.MustParseAddr(tc.want) {
				t.Errorf("got %v %v, want %s", a, ok, tc.want)
			}
		})
	}
}

func TestUpstreams(t *testing.T) {
	got := Upstreams([]string{"10.0.0.1", "10.0.0.2:5353", "fe80::1%eth0", "[::1]:53", "2001:db8::1", "bogus", "", "host.example:53"})
	want := []string{"10.0.0.1:53", "10.0.0.2:5353", "[fe80::1%eth0]:53", "[::1]:53", "[2001:db8::1]:53"}
	if !slices.Equal(got, want) {
		t.Errorf("Upstreams = %q, want %q", got, want)
	}
}
