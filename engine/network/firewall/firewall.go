// Package firewall holds berth's packet-filter rules: forwarding and
// isolation of its bridges, masquerading of their outbound traffic, and
// (in ports*.go) the DNAT of published ports.
//
// Rules go through the iptables command (iptables -w, which waits for the
// xtables lock other tools hold), not a netlink nftables library: Docker
// and Podman's netavark write their rules with iptables too, so berth's
// land in the same tables and chains whatever backend the host's iptables
// uses (nf_tables here, legacy elsewhere). An accept in a separate nftables
// table would not help: Docker's FORWARD policy DROP in the iptables
// filter table drops the packet anyway. The commands run only when a
// bridge is set up or removed, never on a container's start.
//
// Layout: two chains of berth's own, each jumped to from the top of the
// built-in chain, so that they come before Docker's DROP policy:
//
//	filter BERTH-FORWARD  (from FORWARD), per bridge B:
//	    -i B -o B -j ACCEPT                         containers of one bridge
//	    -o B -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT
//	    -i B -o berth+ -j DROP                      isolation from other bridges
//	    -i B -j ACCEPT                              outbound
//	  and for an internal network instead:
//	    -i B -o B -j ACCEPT ; -i B -j DROP ; -o B -j DROP
//	nat BERTH-POSTROUTING (from POSTROUTING), per bridge B with subnet S:
//	    -s S ! -o B -j MASQUERADE                   (not for internal ones)
//
// Every bridge of berth is named berth*, which is what the isolation rule
// matches. The chains stay (empty) once created, as Docker's DOCKER chains
// do. Callers serialize changes (the network package holds its host lock).
package firewall

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
)

// Chain names and the interface prefix of every berth bridge.
const (
	ForwardChain     = "BERTH-FORWARD"
	PostroutingChain = "BERTH-POSTROUTING"
	BridgePrefix     = "berth"
)

// Bridge is what the rules of one bridge depend on.
type Bridge struct {
	Name     string       // the bridge device
	Subnet   netip.Prefix // its containers' subnet
	Internal bool         // no traffic in or out of the bridge
}

type rule struct {
	table, chain string
	spec         []string
}

func (b Bridge) rules() []rule {
	fw := func(spec ...string) rule { return rule{"filter", ForwardChain, spec} }
	if b.Internal {
		return []rule{
			fw("-i", b.Name, "-o", b.Name, "-j", "ACCEPT"),
			fw("-i", b.Name, "-j", "DROP"),
			fw("-o", b.Name, "-j", "DROP"),
		}
	}
	return []rule{
		fw("-i", b.Name, "-o", b.Name, "-j", "ACCEPT"),
		fw("-o", b.Name, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "ACCEPT"),
		fw("-i", b.Name, "-o", BridgePrefix+"+", "-j", "DROP"),
		fw("-i", b.Name, "-j", "ACCEPT"),
		{"nat", PostroutingChain, []string{"-s", b.Subnet.Masked().String(), "!", "-o", b.Name, "-j", "MASQUERADE"}},
	}
}

// EnsureBridge installs the rules of b (those missing), berth's chains
// and their jumps, and turns on IPv4 forwarding.
func EnsureBridge(b Bridge) error {
	if err := ensureChains(); err != nil {
		return err
	}
	for _, r := range b.rules() {
		if exists(r) {
			continue
		}
		if err := run(append([]string{"-t", r.table, "-A", r.chain}, r.spec...)...); err != nil {
			return err
		}
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1\n"), 0o644); err != nil {
		return fmt.Errorf("turn on IPv4 forwarding: %w", err)
	}
	return nil
}

// RemoveBridge deletes the rules of b; rules already gone are no error.
func RemoveBridge(b Bridge) error {
	var first error
	for _, r := range b.rules() {
		for exists(r) {
			if err := run(append([]string{"-t", r.table, "-D", r.chain}, r.spec...)...); err != nil && exists(r) {
				if first == nil {
					first = err
				}
				break
			}
		}
	}
	return first
}

// Sweep deletes the rules of berth's chains that name a bridge for which
// linkExists reports false: rules of bridges that went without their rules (a
// bridge deleted by hand, a process killed half-way through a removal).
// It costs two iptables listings, so it runs where rules change anyway
// (a bridge set up or removed), not at every start.
func Sweep(linkExists func(dev string) bool) error {
	var first error
	for _, tc := range [][2]string{{"filter", ForwardChain}, {"nat", PostroutingChain}} {
		out, err := output("-t", tc[0], "-S", tc[1])
		if err != nil {
			continue
		}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 3 || f[0] != "-A" {
				continue
			}
			for i := 0; i+1 < len(f); i++ {
				dev := f[i+1]
				if (f[i] == "-i" || f[i] == "-o") && strings.HasPrefix(dev, BridgePrefix) && !strings.HasSuffix(dev, "+") && !linkExists(dev) {
					// Another berth sweeping or removing the same bridge may
					// have deleted the rule first: only a rule still there
					// is an error.
					r := rule{table: tc[0], chain: f[1], spec: f[2:]}
					if err := run(append([]string{"-t", tc[0], "-D"}, f[1:]...)...); err != nil && exists(r) && first == nil {
						first = err
					}
					break
				}
			}
		}
	}
	return first
}

// Rules lists berth's rules (iptables -S of its chains), for tests and
// diagnostics.
func Rules() (string, error) {
	var b strings.Builder
	for _, tc := range [][2]string{{"filter", ForwardChain}, {"nat", PostroutingChain}} {
		out, err := output("-t", tc[0], "-S", tc[1])
		if err != nil {
			continue
		}
		b.WriteString(out)
	}
	return b.String(), nil
}

// ensureChains creates berth's chains and puts a jump to each at the top
// of its built-in chain, unless there is one already.
func ensureChains() error {
	for _, c := range []struct{ table, chain, from string }{
		{"filter", ForwardChain, "FORWARD"},
		{"nat", PostroutingChain, "POSTROUTING"},
	} {
		if run("-t", c.table, "-S", c.chain) != nil {
			if err := run("-t", c.table, "-N", c.chain); err != nil && run("-t", c.table, "-S", c.chain) != nil {
				return err
			}
		}
		jump := rule{c.table, c.from, []string{"-j", c.chain}}
		if !exists(jump) {
			if err := run("-t", c.table, "-I", c.from, "1", "-j", c.chain); err != nil {
				return err
			}
		}
	}
	return nil
}

func exists(r rule) bool {
	return run(append([]string{"-t", r.table, "-C", r.chain}, r.spec...)...) == nil
}

// run runs iptables -w with args.
func run(args ...string) error {
	_, err := output(args...)
	return err
}

func output(args ...string) (string, error) {
	cmd := exec.Command("iptables", append([]string{"-w"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return "", fmt.Errorf("iptables is needed for bridge networks: install it (apt-get install iptables): %w", err)
		}
		return "", fmt.Errorf("iptables %s: %s", strings.Join(args, " "), strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
