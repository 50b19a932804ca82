package network

import (
	"errors"
	"net/netip"
	"testing"

	"berth/engine/errdefs"
)

func TestPickSubnet(t *testing.T) {
	pool := netip.MustParsePrefix("10.200.0.0/12")
	cases := []struct {
		name  string
		taken []string
		want  string
	}{
		{"empty host", nil, "10.200.0.0/16"},
		{"first taken by a /24 inside", []string{"10.200.5.0/24"}, "10.201.0.0/16"},
		{"a wide route covers two", []string{"10.200.0.0/15"}, "10.202.0.0/16"},
		{"docker and podman elsewhere", []string{"172.17.0.0/16", "10.88.0.0/16"}, "10.200.0.0/16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var tk []taken
			for _, p := range tc.taken {
				tk = append(tk, taken{netip.MustParsePrefix(p), "x"})
			}
			got, err := pickSubnet(pool, 16, tk)
			if err != nil || got.String() != tc.want {
				t.Errorf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
	all := []taken{{netip.MustParsePrefix("10.192.0.0/12"), "everything"}}
	if _, err := pickSubnet(pool, 16, all); !errdefs.IsResourceExhausted(err) {
		t.Errorf("full pool: %v", err)
	}
}

func TestCheckFree(t *testing.T) {
	tk := []taken{{netip.MustParsePrefix("192.0.2.0/24"), "the host's route via eth0"}}
	err := checkFree(netip.MustParsePrefix("192.0.0.0/16"), tk)
	if !errdefs.IsConflict(err) || err.Error() != "subnet 192.0.0.0/16 overlaps the host's route via eth0 (192.0.2.0/24): choose another --subnet" {
		t.Errorf("got %v", err)
	}
	if err := checkFree(netip.MustParsePrefix("192.0.3.0/24"), tk); err != nil {
		t.Errorf("disjoint: %v", err)
	}
}

func TestAddresses(t *testing.T) {
	n := &Network{Name: "n", Config: Config{Subnet: netip.MustParsePrefix("10.9.0.0/29"), Gateway: netip.MustParseAddr("10.9.0.1")}}
	used := map[netip.Addr]bool{}
	var got []string
	for {
		a, err := freeIP(n, used)
		if err != nil {
			if !errdefs.IsResourceExhausted(err) {
				t.Fatal(err)
			}
			break
		}
		used[a] = true
		got = append(got, a.String())
	}
	// .0 network, .1 gateway, .7 broadcast are never handed out.
	if want := "[10.9.0.2 10.9.0.3 10.9.0.4 10.9.0.5 10.9.0.6]"; fmtList(got) != want {
		t.Errorf("handed out %v, want %s", got, want)
	}
	for _, tc := range []struct {
		ip    string
		class error
	}{
		{"10.9.0.0", errdefs.ErrInvalidArgument},
		{"10.9.0.1", errdefs.ErrInvalidArgument},
		{"10.9.0.7", errdefs.ErrInvalidArgument},
		{"10.9.1.2", errdefs.ErrInvalidArgument},
		{"nonsense", errdefs.ErrInvalidArgument},
		{"10.9.0.3", errdefs.ErrConflict},
	} {
		if _, err := checkIP(n, tc.ip, used); err == nil || !errors.Is(err, tc.class) {
			t.Errorf("--ip %s: %v, want %v", tc.ip, err, tc.class)
		}
	}
	delete(used, netip.MustParseAddr("10.9.0.3"))
	if a, err := checkIP(n, "10.9.0.3", used); err != nil || a.String() != "10.9.0.3" {
		t.Errorf("freed address: %v %v", a, err)
	}
	if b := broadcast(netip.MustParsePrefix("10.9.0.0/29")); b.String() != "10.9.0.7" {
		t.Errorf("broadcast %v", b)
	}
	if m := macOf(netip.MustParseAddr("172.17.0.2")); m != "02:42:ac:11:00:02" {
		t.Errorf("MAC %s, want Docker's 02:42:ac:11:00:02", m)
	}
}

func TestGateway(t *testing.T) {
	p := netip.MustParsePrefix("10.9.0.0/24")
	if g, err := gateway(p, ""); err != nil || g.String() != "10.9.0.1" {
		t.Errorf("default gateway %v %v", g, err)
	}
	if g, err := gateway(p, "10.9.0.254"); err != nil || g.String() != "10.9.0.254" {
		t.Errorf("given gateway %v %v", g, err)
	}
	for _, bad := range []string{"10.9.1.1", "10.9.0.0", "10.9.0.255", "x"} {
		if _, err := gateway(p, bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("gateway %s: %v", bad, err)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
