package portmap

import (
	"sort"
	"strconv"
	"strings"
)

// Display is Docker's PORTS column (docker/cli's DisplayablePorts): the
// ports sorted by container port; exposed ports that are not published,
// and ports published on the same host port number, folded into runs
// ("443/tcp", "8000-8002/tcp", "0.0.0.0:80-81->80-81/tcp"), first; then
// every other published port on its own ("0.0.0.0:8080->80/tcp"),
// joined with ", ".
func Display(pub []Published, exposed []Port) string {
	type entry struct {
		ip     string // "" for exposed only
		public uint16
		port   Port
	}
	var es []entry
	seen := map[Port]bool{}
	for _, p := range pub {
		es = append(es, entry{p.HostIPString(), p.HostPort, p.Port})
		seen[p.Port] = true
	}
	for _, p := range exposed {
		if !seen[p] {
			es = append(es, entry{port: p})
		}
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		switch {
		case a.port.Number != b.port.Number:
			return a.port.Number < b.port.Number
		case a.ip != b.ip:
			return a.ip < b.ip
		case a.public != b.public:
			return a.public < b.public
		}
		return a.port.Proto < b.port.Proto
	})
	type run struct{ first, last uint16 }
	runs := map[string]*run{}
	var keys, out, mappings []string
	for _, e := range es {
		key := e.port.Proto
		if e.ip != "" {
			if e.public != e.port.Number {
				mappings = append(mappings, e.ip+":"+strconv.Itoa(int(e.public))+"->"+strconv.Itoa(int(e.port.Number))+"/"+e.port.Proto)
				continue
			}
			key = e.ip + "/" + e.port.Proto
		}
		r := runs[key]
		switch {
		case r == nil:
			runs[key] = &run{e.port.Number, e.port.Number}
			keys = append(keys, key)
		case e.port.Number == r.last+1:
			r.last = e.port.Number
		default:
			out = append(out, group(key, r.first, r.last))
			runs[key] = &run{e.port.Number, e.port.Number}
		}
	}
	for _, k := range keys {
		out = append(out, group(k, runs[k].first, runs[k].last))
	}
	return strings.Join(append(out, mappings...), ", ")
}

// group is one run: "443/tcp", "8000-8002/udp", "0.0.0.0:80-81->80-81/tcp".
func group(key string, first, last uint16) string {
	ip, proto, hasIP := strings.Cut(key, "/")
	if !hasIP {
		ip, proto = "", key
	}
	g := strconv.Itoa(int(first))
	if first != last {
		g += "-" + strconv.Itoa(int(last))
	}
	if ip != "" {
		g = ip + ":" + g + "->" + g
	}
	return g + "/" + proto
}
