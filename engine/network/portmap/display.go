package portmap

import (
	"sort"
	"strconv"
	"strings"
)

// Display is Docker's PORTS column: published ports as
// "0.0.0.0:8080->80/tcp", runs of consecutive ports folded into ranges
// ("0.0.0.0:8000-8002->80-82/tcp"), then exposed ports that are not
// published ("443/tcp"), all joined with ", ".
func Display(pub []Published, exposed []Port) string {
	ps := append([]Published{}, pub...)
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.HostIPString() != b.HostIPString() {
			return a.HostIPString() < b.HostIPString()
		}
		if a.Port.Proto != b.Port.Proto {
			return a.Port.Proto < b.Port.Proto
		}
		if a.Port.Number != b.Port.Number {
			return a.Port.Number < b.Port.Number
		}
		return a.HostPort < b.HostPort
	})
	var parts []string
	seen := map[Port]bool{}
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].HostIPString() == ps[i].HostIPString() && ps[j].Port.Proto == ps[i].Port.Proto &&
			int(ps[j].Port.Number) == int(ps[j-1].Port.Number)+1 && int(ps[j].HostPort) == int(ps[j-1].HostPort)+1 {
			j++
		}
		first, last := ps[i], ps[j-1]
		for _, p := range ps[i:j] {
			seen[p.Port] = true
		}
		parts = append(parts, first.HostIPString()+":"+span(first.HostPort, last.HostPort)+"->"+span(first.Port.Number, last.Port.Number)+"/"+first.Port.Proto)
		i = j
	}
	var rest []Port
	for _, p := range exposed {
		if !seen[p] {
			rest = append(rest, p)
		}
	}
	SortPorts(rest)
	for i := 0; i < len(rest); {
		j := i + 1
		for j < len(rest) && rest[j].Proto == rest[i].Proto && rest[j].Number == rest[j-1].Number+1 {
			j++
		}
		parts = append(parts, span(rest[i].Number, rest[j-1].Number)+"/"+rest[i].Proto)
		i = j
	}
	return strings.Join(parts, ", ")
}

func span(lo, hi uint16) string {
	if lo == hi {
		return strconv.Itoa(int(lo))
	}
	return strconv.Itoa(int(lo)) + "-" + strconv.Itoa(int(hi))
}
