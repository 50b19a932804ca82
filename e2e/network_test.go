package e2e

import (
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"berth/engine/network/firewall"
)

// withNetworks is withBusybox whose cleanup also removes every container
// and user network and then checks that no link of this root is left but
// the default bridge, and that no rule names a bridge that is gone.
func withNetworks(t *testing.T) (*berth, string) {
	t.Helper()
	b, bb := withBusybox(t)
	t.Cleanup(func() {
		if ids := strings.Fields(b.ok("ps", "-aq", "--no-trunc")); len(ids) > 0 {
			b.ok(append([]string{"rm", "-f"}, ids...)...)
		}
		b.ok("network", "prune", "-f")
		// The kernel deletes a container's veth when its namespace goes, in
		// the background.
		var links []netlink.Link
		eventually(t, 3*time.Second, "the veths of removed containers to go", func() bool {
			links = rootLinks(t, b)
			for _, l := range links {
				if l.Type() != "bridge" {
					return false
				}
			}
			return true
		})
		var bridges []string
		for _, l := range links {
			if l.Type() != "bridge" {
				t.Errorf("link %s (%s) left behind", l.Attrs().Name, l.Attrs().Alias)
				continue
			}
			bridges = append(bridges, l.Attrs().Name)
		}
		if len(bridges) > 1 {
			t.Errorf("bridges left behind: %v (only the default one stays)", bridges)
		}
		// The default bridge goes with the test's root: delete it as the
		// next engine's reconciliation would, and check that works.
		for _, l := range links {
			netlink.LinkDel(l)
		}
		firewall.Sweep(func(dev string) bool { _, err := netlink.LinkByName(dev); return err == nil })
		if rules, _ := firewall.Rules(); len(links) > 0 && strings.Contains(rules, " "+links[0].Attrs().Name+" ") {
			t.Errorf("rules of %s left:\n%s", links[0].Attrs().Name, rules)
		}
	})
	return b, bb
}

// rootLinks are the links whose alias names b's root.
func rootLinks(t *testing.T, b *berth) []netlink.Link {
	t.Helper()
	all, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var out []netlink.Link
	for _, l := range all {
		if a := l.Attrs().Alias; strings.HasPrefix(a, "berth ") && strings.HasSuffix(a, " "+b.root) {
			out = append(out, l)
		}
	}
	return out
}

// testSubnet is a /24 of 10.241.0.0/16 no route of the host overlaps.
func testSubnet(t *testing.T) string {
	t.Helper()
	for try := 0; try < 50; try++ {
		p := fmt.Sprintf("10.241.%d.0/24", rand.Intn(250)+1)
		_, n, _ := net.ParseCIDR(p)
		routes, _ := netlink.RouteList(nil, netlink.FAMILY_V4)
		free := true
		for _, r := range routes {
			if r.Dst != nil && !isDefault(r.Dst) && (r.Dst.Contains(n.IP) || n.Contains(r.Dst.IP)) {
				free = false
			}
		}
		if free {
			return p
		}
	}
	t.Fatal("no free test subnet")
	return ""
}

const serve = "mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www"

// webOn starts a web server container and returns its address on net.
func webOn(t *testing.T, b *berth, bb, name, net string, extra ...string) string {
	t.Helper()
	args := append([]string{"run", "-d", "--name", name, "--hostname", name, "--network", net}, extra...)
	b.ok(append(args, bb, "sh", "-c", serve)...)
	return b.inspect(name, "{{(index .NetworkSettings.Networks \""+net+"\").IPAddress}}")
}

// get is a shell command that prints the body of http://ADDR/ (busybox
// nc: the static busybox's wget crashes in glibc's resolver).
func get(addr string) string {
	host, port, ok := strings.Cut(addr, ":")
	if !ok {
		port = "80"
	}
	return fmt.Sprintf(`printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 %s %s | sed '1,/^\r*$/d' | grep .`, host, port)
}

// fetch gets http://addr/ from a new container on net and returns the
// body and the exit code.
func fetch(b *berth, bb, net, addr string) (string, int) {
	out, _, code := b.run("run", "--rm", "--network", net, bb, "sh", "-c",
		"for i in 1 2 3 4 5 6 7 8 9 10; do "+get(addr)+" && exit 0; sleep 0.2; done; exit 1")
	return out, code
}

func TestNetworkDefaultBridge(t *testing.T) {
	b, bb := withNetworks(t)
	ip := webOn(t, b, bb, "web", "bridge")
	if ip == "" || !strings.HasPrefix(b.inspect("web", "{{.NetworkSettings.MacAddress}}"), "02:42:") {
		t.Fatalf("inspect: IPAddress %q, MAC %q", ip, b.inspect("web", "{{.NetworkSettings.MacAddress}}"))
	}
	if top := b.inspect("web", "{{.NetworkSettings.IPAddress}}"); top != ip {
		t.Errorf("top-level IPAddress %q, want %q", top, ip)
	}
	gw := b.inspect("web", "{{.NetworkSettings.Gateway}}")
	if !strings.HasSuffix(gw, ".1") {
		t.Errorf("gateway %q", gw)
	}
	if out, code := fetch(b, bb, "bridge", ip); code != 0 || out != "hello-web\n" {
		t.Fatalf("container to container on the default bridge: exit %d, %q", code, out)
	}
	if out := b.ok("ps", "--format", "{{.Networks}}"); strings.TrimSpace(out) != "bridge" {
		t.Errorf("ps Networks: %q", out)
	}
	// /etc/hosts has the container's address and --add-host's lines.
	hosts := b.ok("run", "--rm", "--add-host", "db:10.1.2.3", "--add-host", "host.docker.internal:host-gateway", bb, "cat", "/etc/hosts")
	if !strings.Contains(hosts, "10.1.2.3\tdb\n") || !strings.Contains(hosts, gw+"\thost.docker.internal\n") {
		t.Errorf("--add-host lines missing:\n%s", hosts)
	}
	hosts = b.ok("exec", "web", "cat", "/etc/hosts")
	if !strings.Contains(hosts, ip+"\tweb") {
		t.Errorf("/etc/hosts has no line for %s web:\n%s", ip, hosts)
	}
	if out := b.ok("run", "--rm", bb, "ip", "route"); !strings.Contains(out, "default via "+gw) {
		t.Errorf("no default route via %s:\n%s", gw, out)
	}
	// Outbound: a server on the host's own (non-loopback) address, through NAT.
	host := hostAddress(t)
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "from %s\n", strings.Split(r.RemoteAddr, ":")[0])
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	out, code := fetch(b, bb, "bridge", ln.Addr().String())
	if code != 0 || !strings.HasPrefix(out, "from ") {
		t.Fatalf("container to the host's address %s: exit %d, %q", ln.Addr(), code, out)
	}
}

// hostAddress is an IPv4 address of the host that is not loopback and not
// on a berth, docker or podman bridge.
func hostAddress(t *testing.T) string {
	t.Helper()
	links, _ := netlink.LinkList()
	for _, l := range links {
		if l.Type() == "bridge" || l.Type() == "veth" || l.Attrs().Flags&net.FlagLoopback != 0 || l.Attrs().Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := netlink.AddrList(l, netlink.FAMILY_V4)
		if len(addrs) > 0 {
			return addrs[0].IP.String()
		}
	}
	t.Fatal("the host has no non-loopback IPv4 address")
	return ""
}

func TestNetworkUserNetworksAndIsolation(t *testing.T) {
	b, bb := withNetworks(t)
	sa, sb := testSubnet(t), testSubnet(t)
	if sa == sb {
		sb = testSubnet(t)
	}
	b.ok("network", "create", "--subnet", sa, "--label", "team=a", "neta")
	b.ok("network", "create", "--subnet", sb, "netb")
	ipA := webOn(t, b, bb, "wa", "neta", "--ip", strings.TrimSuffix(sa, "0/24")+"77", "--network-alias", "webalias")
	if ipA != strings.TrimSuffix(sa, "0/24")+"77" {
		t.Fatalf("--ip: got %s", ipA)
	}
	if out, code := fetch(b, bb, "neta", ipA); code != 0 || out != "hello-wa\n" {
		t.Fatalf("container to container on a user network: exit %d, %q", code, out)
	}
	if out, _, code := b.run("run", "--rm", "--network", "netb", bb, "sh", "-c", get(ipA)); code == 0 {
		t.Fatalf("a container of netb reached %s on neta: %q", ipA, out)
	}
	// inspect of the network: Docker's fields.
	if got := b.ok("network", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{(index .IPAM.Config 0).Subnet}} {{.Labels.team}}", "neta"); got != "neta bridge local "+sa+" a\n" {
		t.Errorf("network inspect: %q", got)
	}
	id := b.inspect("wa", "{{.Id}}")
	if got := b.ok("network", "inspect", "--format", "{{(index .Containers \""+id+"\").Name}} {{(index .Containers \""+id+"\").IPv4Address}}", "neta"); got != "wa "+ipA+"/24\n" {
		t.Errorf("network inspect Containers: %q", got)
	}
	if got := b.inspect("wa", "{{(index .NetworkSettings.Networks \"neta\").Aliases}}"); !strings.Contains(got, "webalias") {
		t.Errorf("Aliases: %q", got)
	}
	ls := b.ok("network", "ls", "--format", "{{.Name}}")
	if ls != "bridge\nhost\nnone\nneta\nnetb\n" {
		t.Errorf("network ls: %q", ls)
	}
	if q := strings.Fields(b.ok("network", "ls", "-q")); len(q) != 5 || len(q[0]) != 12 {
		t.Errorf("network ls -q: %q", q)
	}
	if f := b.ok("network", "ls", "-f", "label=team=a", "-f", "type=custom", "--format", "{{.Name}} {{.Driver}} {{.Labels}}"); f != "neta bridge team=a\n" {
		t.Errorf("network ls -f: %q", f)
	}
	if table := b.ok("network", "ls", "-f", "name=netb"); !strings.HasPrefix(table, "NETWORK ID     NAME      DRIVER    SCOPE\n") || !strings.Contains(table, " netb      bridge    local\n") {
		t.Errorf("network ls table:\n%s", table)
	}
	// In use: one line naming the container, exit 1 as docker.
	out, errOut, code := b.run("network", "rm", "neta")
	if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "wa") {
		t.Errorf("network rm in use: exit %d %q %q", code, out, errOut)
	}
	// connect a running container to netb: it reaches netb's servers at once.
	ipB := webOn(t, b, bb, "wb", "netb", "--mac-address", "02:42:aa:bb:cc:dd")
	if mac := b.ok("exec", "wb", "cat", "/sys/class/net/eth0/address"); mac != "02:42:aa:bb:cc:dd\n" {
		t.Errorf("--mac-address: eth0 has %q", mac)
	}
	b.ok("network", "connect", "netb", "wa")
	if ps := b.ok("ps", "--format", "{{.Names}} {{.Networks}}"); !strings.Contains(ps, "wa neta,netb\n") {
		t.Errorf("ps Networks after connect:\n%s", ps)
	}
	if out, _, code := b.run("exec", "wa", "sh", "-c", get(ipB)); code != 0 || out != "hello-wb\n" {
		t.Fatalf("after connect: exit %d %q", code, out)
	}
	b.ok("network", "disconnect", "netb", "wa")
	if _, _, code := b.run("exec", "wa", "sh", "-c", get(ipB)); code == 0 {
		t.Fatal("still reaches netb after disconnect")
	}
}

func TestNetworkBadInput(t *testing.T) {
	b, bb := withNetworks(t)
	s := testSubnet(t)
	b.ok("network", "create", "--subnet", s, "n1")
	cases := []struct {
		want string
		code int
		args []string
	}{
		{"overlaps network n1", 1, []string{"network", "create", "--subnet", s, "n2"}},
		{"overlaps the host's route", 1, []string{"network", "create", "--subnet", hostRoute(t), "n3"}},
		{"already exists", 1, []string{"network", "create", "n1"}},
		{"invalid subnet", 1, []string{"network", "create", "--subnet", "10.1.2.3", "n4"}},
		{"not usable on network n1", 125, []string{"run", "--rm", "--network", "n1", "--ip", "10.9.9.9", bb, "true"}},
		{"not usable on network n1", 125, []string{"run", "--rm", "--network", "n1", "--ip", strings.TrimSuffix(s, "0/24") + "1", bb, "true"}},
		{"user-defined networks only", 125, []string{"run", "--rm", "--ip", "10.1.1.1", bb, "true"}},
		{"network nosuch not found", 125, []string{"run", "--rm", "--network", "nosuch", bb, "true"}},
		{"pre-defined network", 1, []string{"network", "rm", "bridge"}},
	}
	for _, tc := range cases {
		_, errOut, code := b.run(tc.args...)
		errOut = strings.TrimSpace(errOut)
		if code != tc.code || strings.Contains(errOut, "\n") || !strings.Contains(errOut, tc.want) {
			t.Errorf("berth %s: exit %d (want %d), %q (want one line with %q)", strings.Join(tc.args, " "), code, tc.code, errOut, tc.want)
		}
	}
	// Without --subnet: a free /24 of 10.220.0.0/14, gateway .1.
	b.ok("network", "create", "auto")
	auto := b.ok("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}", "auto")
	if f := strings.Fields(auto); len(f) != 2 || !strings.HasPrefix(f[0], "10.22") || !strings.HasSuffix(f[0], ".0/24") || f[1] != strings.TrimSuffix(f[0], "0/24")+"1" {
		t.Errorf("chosen subnet: %q", auto)
	}
	ip := strings.TrimSuffix(s, "0/24") + "50"
	b.ok("create", "--name", "c1", "--network", "n1", "--ip", ip, bb, "true")
	_, errOut, code := b.run("run", "--rm", "--network", "n1", "--ip", ip, bb, "true")
	if code != 125 || !strings.Contains(errOut, "already in use") {
		t.Errorf("--ip taken: exit %d %q", code, errOut)
	}
	if n := len(strings.Fields(b.ok("ps", "-aq"))); n != 1 {
		t.Errorf("failed runs left containers: %d", n)
	}
	// The address is free again once its container is gone.
	b.ok("rm", "c1")
	b.ok("create", "--name", "c2", "--network", "n1", "--ip", ip, bb, "true")
}

func isDefault(n *net.IPNet) bool {
	ones, _ := n.Mask.Size()
	return ones == 0
}

// hostRoute is the subnet of a route of the host that is not berth's.
func hostRoute(t *testing.T) string {
	t.Helper()
	routes, _ := netlink.RouteList(nil, netlink.FAMILY_V4)
	for _, r := range routes {
		if r.Dst == nil || isDefault(r.Dst) {
			continue
		}
		l, err := netlink.LinkByIndex(r.LinkIndex)
		if err == nil && !strings.HasPrefix(l.Attrs().Name, "berth") && l.Attrs().Flags&net.FlagLoopback == 0 {
			return r.Dst.String()
		}
	}
	t.Fatal("the host has no route to collide with")
	return ""
}

func TestNetworkParallelRuns(t *testing.T) {
	b, bb := withNetworks(t)
	s := testSubnet(t)
	b.ok("network", "create", "--subnet", s, "par")
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(berthBin, "run", "-d", "--name", fmt.Sprintf("p%d", i), "--hostname", fmt.Sprintf("p%d", i), "--network", "par", bb, "sh", "-c", serve)
			cmd.Env = b.env()
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Sprintf("run p%d: %v: %s", i, err, out)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		return
	}
	seen := map[string]string{}
	var script strings.Builder
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("p%d", i)
		ip := b.inspect(name, "{{.NetworkSettings.Networks.par.IPAddress}}")
		if other, dup := seen[ip]; dup || ip == "" {
			t.Fatalf("%s and %s both have address %q", name, other, ip)
		}
		seen[ip] = name
		fmt.Fprintf(&script, "for t in 1 2 3 4 5 6 7 8 9 10; do %s && break; sleep 0.3; done; ", get(ip))
	}
	out, _, _ := b.run("run", "--rm", "--network", "par", bb, "sh", "-c", script.String())
	for i := 0; i < n; i++ {
		if !strings.Contains(out, fmt.Sprintf("hello-p%d\n", i)) {
			t.Errorf("p%d did not answer", i)
		}
	}
}

func TestNetworkCleanupAndReconcile(t *testing.T) {
	b, bb := withNetworks(t)
	s := testSubnet(t)
	b.ok("network", "create", "--subnet", s, "gone")
	b.ok("run", "-d", "--name", "gonebox", "--network", "gone", bb, "sleep", "60")
	var bridge string
	for _, l := range rootLinks(t, b) {
		if l.Type() == "bridge" && strings.Contains(l.Attrs().Alias, " net ") {
			if id := b.ok("network", "inspect", "--format", "{{.Id}}", "gone"); strings.Contains(l.Attrs().Alias, strings.TrimSpace(id)) {
				bridge = l.Attrs().Name
			}
		}
	}
	if bridge == "" {
		t.Fatal("no bridge for network gone")
	}
	rules, _ := exec.Command("iptables", "-w", "-S", "BERTH-FORWARD").Output()
	if !strings.Contains(string(rules), bridge) {
		t.Fatalf("no forwarding rules for %s:\n%s", bridge, rules)
	}
	b.ok("rm", "-f", "gonebox")
	eventually(t, 3*time.Second, "the container's veth to go", func() bool {
		for _, l := range rootLinks(t, b) {
			if l.Type() == "veth" {
				return false
			}
		}
		return true
	})
	b.ok("network", "rm", "gone")
	if _, err := netlink.LinkByName(bridge); err == nil {
		t.Errorf("bridge %s left after network rm", bridge)
	}
	rules, _ = exec.Command("iptables", "-w", "-S", "BERTH-FORWARD").Output()
	nat, _ := exec.Command("iptables", "-w", "-t", "nat", "-S", "BERTH-POSTROUTING").Output()
	if strings.Contains(string(rules)+string(nat), bridge) {
		t.Errorf("rules of %s left:\n%s%s", bridge, rules, nat)
	}
	for _, l := range rootLinks(t, b) {
		if l.Type() != "bridge" {
			t.Errorf("link %s left", l.Attrs().Name)
		}
	}
}

// TestNetworkForwardingUnderDockerPolicy: a container reaches a server
// beyond the host (a network namespace behind a veth, which has no route
// back to the container's subnet, so the answer comes only if berth
// masquerades) while the FORWARD policy is DROP, as Docker sets it.
func TestNetworkForwardingUnderDockerPolicy(t *testing.T) {
	b, bb := withNetworks(t)
	sh := func(cmd string) string {
		t.Helper()
		out, err := exec.Command("sh", "-c", cmd).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		return string(out)
	}
	id := fmt.Sprintf("%d", rand.Intn(100000))
	ns, hostEnd := "berthext"+id, "bxh"+id
	third := rand.Intn(250) + 1
	hostIP, extIP := fmt.Sprintf("10.243.%d.1", third), fmt.Sprintf("10.243.%d.2", third)
	sh("ip netns add " + ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	sh(fmt.Sprintf("ip link add %s type veth peer name eth0 netns %s && ip addr add %s/30 dev %s && ip link set %s up", hostEnd, ns, hostIP, hostEnd, hostEnd))
	t.Cleanup(func() { exec.Command("ip", "link", "del", hostEnd).Run() })
	www := t.TempDir()
	sh(fmt.Sprintf("echo beyond > %s/index.html && ip netns exec %s sh -c 'ip addr add %s/30 dev eth0 && ip link set eth0 up && ip link set lo up'", www, ns, extIP))
	srv := exec.Command("ip", "netns", "exec", ns, "busybox", "httpd", "-f", "-p", "8080", "-h", www)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	policy := "ACCEPT"
	if strings.Contains(sh("iptables -w -S FORWARD"), "-P FORWARD DROP") {
		policy = "DROP"
	}
	sh("iptables -w -P FORWARD DROP")
	t.Cleanup(func() { exec.Command("iptables", "-w", "-P", "FORWARD", policy).Run() })
	s := testSubnet(t)
	b.ok("network", "create", "--subnet", s, "fwd")
	for _, net := range []string{"bridge", "fwd"} {
		if out, code := fetch(b, bb, net, extIP+":8080"); code != 0 || out != "beyond\n" {
			t.Errorf("--network %s to %s:8080 beyond the host, FORWARD policy DROP: exit %d, %q", net, extIP, code, out)
		}
	}
	// An internal network goes nowhere.
	b.ok("network", "create", "--internal", "--subnet", testSubnet(t), "closed")
	if out, _, code := b.run("run", "--rm", "--network", "closed", bb, "sh", "-c", get(extIP+":8080")); code == 0 {
		t.Errorf("an --internal network reached beyond the host: %q", out)
	}
}

func TestNetworkDefaultSubnet(t *testing.T) {
	b, bb := withNetworks(t)
	s := testSubnet(t)
	b.fails("invalid --default-subnet", "--default-subnet", "10.1.2.3", "network", "ls")
	out := b.ok("--default-subnet", s, "run", "--rm", bb, "ip", "-4", "addr", "show", "eth0")
	if want := "inet " + strings.TrimSuffix(s, "0/24") + "2/24"; !strings.Contains(out, want) {
		t.Errorf("--default-subnet %s: eth0 has no %s:\n%s", s, want, out)
	}
	// Made once: a later --default-subnet does not move it.
	if got := b.ok("--default-subnet", testSubnet(t), "network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "bridge"); got != s+"\n" {
		t.Errorf("default network subnet %q, want %s", got, s)
	}
}

// TestNetworkBridgeRecreated: a bridge that is gone (a reboot) is made
// again at the next start of a container on it.
func TestNetworkBridgeRecreated(t *testing.T) {
	b, bb := withNetworks(t)
	ip := webOn(t, b, bb, "web", "bridge")
	br := b.ok("network", "inspect", "-f", `{{index .Options "com.docker.network.bridge.name"}}`, "bridge")
	b.ok("stop", "-t", "0", "web")
	l, err := netlink.LinkByName(strings.TrimSpace(br))
	if err != nil {
		t.Fatalf("bridge %q: %v", br, err)
	}
	if err := netlink.LinkDel(l); err != nil {
		t.Fatal(err)
	}
	b.ok("start", "web")
	if out, code := fetch(b, bb, "bridge", ip); code != 0 || out != "hello-web\n" {
		t.Fatalf("after the bridge was made again: exit %d, %q", code, out)
	}
}

// TestNetworkWithoutIptables: with no iptables on the PATH, a run on the
// default bridge fails with one line that says what to install, and
// leaves no network behind; --network none still works.
func TestNetworkWithoutIptables(t *testing.T) {
	b, bb := withNetworks(t)
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(berthBin, args...)
		cmd.Env = append(b.env(), "PATH=/nonexistent")
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return out.String(), errOut.String(), code
	}
	_, errOut, code := run("run", "--rm", bb, "true")
	errOut = strings.TrimSpace(errOut)
	if code != 125 || strings.Contains(errOut, "\n") || !strings.Contains(errOut, "install it") || !strings.Contains(errOut, "--network none") {
		t.Errorf("run without iptables: exit %d, %q", code, errOut)
	}
	if links := rootLinks(t, b); len(links) != 0 {
		t.Errorf("links left: %v", links)
	}
	if out, errOut, code := run("run", "--rm", "--network", "none", bb, "echo", "ok"); code != 0 || out != "ok\n" {
		t.Errorf("--network none without iptables: exit %d %q %q", code, out, errOut)
	}
	if n := len(strings.Fields(b.ok("ps", "-aq"))); n != 0 {
		t.Errorf("%d containers left", n)
	}
}
