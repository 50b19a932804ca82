// Published ports (this file) are kernel DNAT rules written with
// iptables-restore, so they go where Docker's and Podman's rules are (the
// iptables tables, whichever backend iptables uses) and work while no
// berth process but a container's monitor runs. berth's chains, created on
// first use and removed with the last rule in them:
//
//	raw    BERTH-PORTS       <- PREROUTING: drop packets for 127.0.0.0/8 that arrive
//	                            on a bridge (route_localnet must not open the host's
//	                            loopback services to containers)
//	nat    BERTH-PORTS       <- PREROUTING and OUTPUT, for local destinations: DNAT
//	                            host port -> container address and port
//	nat    BERTH-PORTS-POST  <- POSTROUTING: masquerade what 127.0.0.1 sends to a
//	                            container (and a container's own hairpin)
//	filter BERTH-PORTS       <- inserted first in FORWARD: accept forwarded traffic to
//	                            and from published ports, also under Docker's
//	                            FORWARD policy DROP
//
// Every rule of a container carries the comment "berth-ports:<root>:<container
// id>" (root: a tag of the berth root, so that several roots on one host
// leave each other's rules alone), which is how RemovePorts finds them,
// also after the monitor that added them was killed. Changes are made under an flock of /run/berth-firewall.lock
// (iptables-restore --noflush flushes a chain it is told to declare, so two
// processes must not both create the chains).
//
// Connections to 127.0.0.1:<host port> need route_localnet=1 on the bridge
// (set by AddPorts): the kernel routes a loopback source out of a
// non-loopback interface only then; the source is masqueraded to the
// bridge's address so the container can answer.

package firewall

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// Forward is one published port: HostPort (on HostIP, or on every local
// address when HostIP is invalid) forwarded to ContainerIP:ContainerPort.
type Forward struct {
	Proto         string // "tcp" or "udp"
	HostIP        netip.Addr
	HostPort      uint16
	ContainerIP   netip.Addr
	ContainerPort uint16
}

// Ports are the published ports of one container.
type Ports struct {
	Root     string // a tag of the berth root (no spaces, quotes or colons)
	Owner    string // the container's ID
	Bridge   string // the host bridge its address is on
	Forwards []Forward
}

const (
	portChain     = "BERTH-PORTS"
	portPostChain = "BERTH-PORTS-POST"
	portComment   = "berth-ports:"
	portLockPath  = "/run/berth-firewall.lock"
)

// portJumps are the rules that lead into berth's chains, as iptables-save
// prints them, by table.
var portJumps = []struct{ table, rule string }{
	{"raw", "-A PREROUTING -j " + portChain},
	{"nat", "-A PREROUTING -m addrtype --dst-type LOCAL -j " + portChain},
	{"nat", "-A OUTPUT -m addrtype --dst-type LOCAL -j " + portChain},
	{"nat", "-A POSTROUTING -j " + portPostChain},
	{"filter", "-A FORWARD -j " + portChain},
}

// portChains are berth's chains, by table.
var portChains = []struct{ table, chain string }{
	{"raw", portChain}, {"nat", portChain}, {"nat", portPostChain}, {"filter", portChain},
}

// AddPorts adds the rules of p (after removing any of p.Owner's that are
// left) and turns on what forwarding needs: route_localnet on the bridge,
// IPv4 forwarding.
func AddPorts(ctx context.Context, p Ports) error {
	if len(p.Forwards) == 0 {
		return nil
	}
	if !tagOK(p.Root) || !tagOK(p.Owner) {
		return errdefs.InvalidArgument("published ports: bad root %q or owner %q", p.Root, p.Owner)
	}
	for _, f := range p.Forwards {
		if (f.Proto != "tcp" && f.Proto != "udp") || f.HostPort == 0 || f.ContainerPort == 0 || !f.ContainerIP.Is4() {
			return errdefs.InvalidArgument("published port %+v: need tcp or udp, both ports and the container's IPv4 address", f)
		}
	}
	for _, knob := range []string{"/proc/sys/net/ipv4/conf/" + p.Bridge + "/route_localnet", "/proc/sys/net/ipv4/ip_forward"} {
		if err := setSysctl(knob); err != nil {
			return fmt.Errorf("published ports of %s: %w", short(p.Owner), err)
		}
	}
	unlock, err := lockPorts()
	if err != nil {
		return err
	}
	defer unlock()
	saved, err := iptablesSave(ctx)
	if err != nil {
		return err
	}
	script := map[string][]string{}
	stale(saved, p.Root, p.Owner, script)
	for _, c := range portChains {
		if !saved.hasChain(c.table, c.chain) {
			script[c.table] = append(script[c.table], "-N "+c.chain)
		}
	}
	for _, j := range portJumps {
		if !saved.has(j.table, j.rule) {
			if j.table == "filter" {
				script[j.table] = append(script[j.table], "-I FORWARD 1 -j "+portChain)
			} else {
				script[j.table] = append(script[j.table], j.rule)
			}
		}
	}
	mark := fmt.Sprintf(`-m comment --comment "%s%s:%s"`, portComment, p.Root, p.Owner)
	script["raw"] = append(script["raw"], fmt.Sprintf("-A %s -d 127.0.0.0/8 -i %s %s -j DROP", portChain, p.Bridge, mark))
	for _, f := range p.Forwards {
		dst := ""
		if f.HostIP.IsValid() {
			dst = "-d " + f.HostIP.String() + "/32 "
		}
		cip, cport := f.ContainerIP.String(), strconv.Itoa(int(f.ContainerPort))
		script["nat"] = append(script["nat"],
			fmt.Sprintf("-A %s %s-p %s -m %s --dport %d %s -j DNAT --to-destination %s:%s", portChain, dst, f.Proto, f.Proto, f.HostPort, mark, cip, cport),
			fmt.Sprintf("-A %s -s 127.0.0.0/8 -d %s/32 -o %s -p %s -m %s --dport %s %s -j MASQUERADE", portPostChain, cip, p.Bridge, f.Proto, f.Proto, cport, mark),
			fmt.Sprintf("-A %s -s %s/32 -d %s/32 -p %s -m %s --dport %s %s -j MASQUERADE", portPostChain, cip, cip, f.Proto, f.Proto, cport, mark))
		script["filter"] = append(script["filter"],
			fmt.Sprintf("-A %s -d %s/32 -o %s -p %s -m %s --dport %s %s -j ACCEPT", portChain, cip, p.Bridge, f.Proto, f.Proto, cport, mark),
			fmt.Sprintf("-A %s -s %s/32 -i %s -p %s -m %s --sport %s %s -j ACCEPT", portChain, cip, p.Bridge, f.Proto, f.Proto, cport, mark))
	}
	if err := iptablesRestore(ctx, script); err != nil {
		return fmt.Errorf("published ports of %s: %w", short(p.Owner), err)
	}
	return nil
}

// RemovePorts removes every rule of the container owner of root; with the
// last published port of all gone, berth's chains go too.
func RemovePorts(ctx context.Context, root, owner string) error {
	return removePorts(ctx, root, func(o string) bool { return o == owner })
}

// RemovePortsExcept removes the rules of every container of root for which
// keep says false: the start-up reconciliation passes the containers that
// exist.
func RemovePortsExcept(ctx context.Context, root string, keep func(owner string) bool) error {
	return removePorts(ctx, root, func(o string) bool { return !keep(o) })
}

// PortOwners lists the containers of root that have published-port rules.
func PortOwners(ctx context.Context, root string) ([]string, error) {
	saved, err := iptablesSave(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, lines := range saved {
		for _, l := range lines {
			if r, o := ownerOf(l); r == root && o != "" && !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	return out, nil
}

func removePorts(ctx context.Context, root string, drop func(owner string) bool) error {
	unlock, err := lockPorts()
	if err != nil {
		return err
	}
	defer unlock()
	saved, err := iptablesSave(ctx)
	if err != nil {
		return err
	}
	script := map[string][]string{}
	left := false
	for table, lines := range saved {
		for _, l := range lines {
			if r, o := ownerOf(l); o != "" {
				if r == root && drop(o) {
					script[table] = append(script[table], "-D"+strings.TrimPrefix(l, "-A"))
				} else {
					left = true
				}
			}
		}
	}
	if !left { // nothing of berth's is published: take the chains away too
		for _, j := range portJumps {
			if saved.has(j.table, j.rule) {
				script[j.table] = append(script[j.table], "-D"+strings.TrimPrefix(j.rule, "-A"))
			}
		}
		for _, c := range portChains {
			if saved.hasChain(c.table, c.chain) {
				script[c.table] = append(script[c.table], "-F "+c.chain, "-X "+c.chain)
			}
		}
	}
	if len(script) == 0 {
		return nil
	}
	if err := iptablesRestore(ctx, script); err != nil {
		return fmt.Errorf("removing published ports: %w", err)
	}
	return nil
}

// stale adds to script the deletion of owner's rules that are there.
func stale(saved savedRules, root, owner string, script map[string][]string) {
	for table, lines := range saved {
		for _, l := range lines {
			if r, o := ownerOf(l); r == root && o == owner {
				script[table] = append(script[table], "-D"+strings.TrimPrefix(l, "-A"))
			}
		}
	}
}

// ownerOf is the root and container a saved rule line belongs to, "" if
// none.
func ownerOf(line string) (root, owner string) {
	i := strings.Index(line, `--comment "`+portComment)
	if i < 0 || !strings.HasPrefix(line, "-A ") {
		return "", ""
	}
	rest := line[i+len(`--comment "`+portComment):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return "", ""
	}
	root, owner, _ = strings.Cut(rest[:j], ":")
	return root, owner
}

// tagOK: a root tag or owner that can sit in a rule's comment.
func tagOK(s string) bool {
	return s != "" && len(s) <= 100 && !strings.ContainsAny(s, " \"\n\t:'\\")
}

// savedRules are iptables-save's lines by table: chain declarations
// (":NAME ...") and rules ("-A ...").
type savedRules map[string][]string

func (s savedRules) has(table, rule string) bool {
	for _, l := range s[table] {
		if l == rule {
			return true
		}
	}
	return false
}

func (s savedRules) hasChain(table, chain string) bool {
	for _, l := range s[table] {
		if strings.HasPrefix(l, ":"+chain+" ") {
			return true
		}
	}
	return false
}

func iptablesSave(ctx context.Context) (savedRules, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "iptables-save")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, iptablesError("iptables-save", err, errb.String())
	}
	saved := savedRules{}
	table := ""
	for _, l := range strings.Split(out.String(), "\n") {
		switch {
		case strings.HasPrefix(l, "*"):
			table = l[1:]
		case strings.HasPrefix(l, ":"), strings.HasPrefix(l, "-A "):
			saved[table] = append(saved[table], l)
		}
	}
	return saved, nil
}

// iptablesRestore applies the commands of each table in one transaction per
// table, leaving every other rule alone.
func iptablesRestore(ctx context.Context, script map[string][]string) error {
	var in bytes.Buffer
	for _, table := range []string{"raw", "nat", "filter"} {
		if len(script[table]) == 0 {
			continue
		}
		fmt.Fprintf(&in, "*%s\n%s\nCOMMIT\n", table, strings.Join(script[table], "\n"))
	}
	var errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "iptables-restore", "--noflush", "--wait", "10")
	cmd.Stdin, cmd.Stderr = &in, &errb
	if err := cmd.Run(); err != nil {
		return iptablesError("iptables-restore", err, errb.String())
	}
	return nil
}

func iptablesError(tool string, err error, stderr string) error {
	if ee, ok := err.(*exec.Error); ok && ee.Err == exec.ErrNotFound {
		return errdefs.Unavailable("%s is not installed: published ports need iptables (apt-get install iptables)", tool)
	}
	msg := strings.Join(strings.Fields(stderr), " ")
	if msg == "" {
		msg = err.Error()
	}
	return errdefs.Unavailable("%s: %s", tool, msg)
}

// lockPorts takes the flock that serialises berth's changes to its chains.
func lockPorts() (func(), error) {
	f, err := os.OpenFile(portLockPath, os.O_CREATE|os.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, errdefs.FromIO(err, portLockPath)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", portLockPath, err)
	}
	return func() { f.Close() }, nil
}

// setSysctl writes 1 to a /proc/sys knob that is not 1 already.
func setSysctl(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if strings.TrimSpace(string(b)) == "1" {
		return nil
	}
	if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
		return fmt.Errorf("set %s: %w", path, err)
	}
	return nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
