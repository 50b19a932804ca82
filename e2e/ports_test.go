package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/vishvananda/netlink"

	"berth/internal/testimage"
)

// withPorts is withBusybox on the default bridge; its cleanup removes
// every container, then checks that no published-port rule of a container
// of this root is left, and deletes the root's bridge.
func withPorts(t *testing.T) (*berth, string, func(id string)) {
	t.Helper()
	b, bb := withBusybox(t)
	var tracked []string
	t.Cleanup(func() {
		// The default network's bridge, named while the root is there.
		bridge, _, _ := b.run("network", "inspect", "bridge", "--format", `{{index .Options "com.docker.network.bridge.name"}}`)
		ids := strings.Fields(b.ok("ps", "-aq", "--no-trunc"))
		if len(ids) > 0 {
			b.ok(append([]string{"rm", "-f"}, ids...)...)
		}
		if l, err := netlink.LinkByName(strings.TrimSpace(bridge)); err == nil && strings.HasPrefix(l.Attrs().Name, "berth") {
			netlink.LinkDel(l)
		}
		for _, id := range append(tracked, ids...) {
			if rules := portRules(t, id); rules != "" {
				t.Errorf("rules of %s left:\n%s", id[:12], rules)
			}
		}
		links, _ := netlink.LinkList()
		for _, l := range links {
			if a := l.Attrs().Alias; strings.HasPrefix(a, "berth ") && strings.HasSuffix(a, " "+b.root) {
				netlink.LinkDel(l)
			}
		}
	})
	return b, bb, func(id string) { tracked = append(tracked, strings.TrimSpace(id)) }
}

// portRules are the lines of iptables-save that name container id.
func portRules(t *testing.T, id string) string {
	t.Helper()
	out, err := exec.Command("iptables-save").Output()
	if err != nil {
		t.Fatalf("iptables-save: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, id) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// freeHostPort is a TCP port nothing listens on now.
func freeHostPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// hostOwnAddress is a non-loopback IPv4 address of this host (not a bridge's).
func hostOwnAddress(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || i.Flags&net.FlagUp == 0 || strings.HasPrefix(i.Name, "berth") || strings.HasPrefix(i.Name, "docker") {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	t.Fatal("no non-loopback IPv4 address on this host")
	return ""
}

// httpGet fetches http://addr/ and returns the body, retrying briefly while
// the server starts.
func httpGet(t *testing.T, addr string) (string, error) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var resp *http.Response
		if resp, err = client.Get("http://" + addr + "/"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return string(body), nil
		}
	}
	return "", err
}

// web is the command of a busybox web server on port 80 that answers "hello from NAME".
func web(name string) []string {
	return []string{"sh", "-c", "mkdir -p /www && echo hello from " + name + " > /www/index.html && exec httpd -f -p 80 -h /www"}
}

func TestPublishedPort(t *testing.T) {
	b, bb, track := withPorts(t)
	port := freeHostPort(t)
	id := strings.TrimSpace(b.ok(append([]string{"run", "-d", "--name", "web", "-p", fmt.Sprintf("%d:80", port), bb}, web("web")...)...))
	track(id)

	// From the host, on loopback and on its own address, while no berth
	// process runs (run -d has exited): only the monitor and the kernel.
	for _, host := range []string{"127.0.0.1", hostOwnAddress(t)} {
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		if body, err := httpGet(t, addr); err != nil || body != "hello from web\n" {
			t.Errorf("GET %s: %q %v", addr, body, err)
		}
	}

	// From another container on the bridge, through the host's address,
	// and from the container itself (hairpin). With nc: the static
	// busybox's wget crashes in glibc's resolver.
	fetch := fmt.Sprintf(`printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 %s %d | tail -n 1`, hostOwnAddress(t), port)
	if out, errOut, code := b.run("run", "--rm", bb, "sh", "-c", fetch); code != 0 || out != "hello from web\n" {
		t.Errorf("from another container: exit %d %q %s", code, out, errOut)
	}
	if out, errOut, code := b.run("exec", "web", "sh", "-c", fetch); code != 0 || out != "hello from web\n" {
		t.Errorf("from the container itself: exit %d %q %s", code, out, errOut)
	}

	// inspect, ps and port, in Docker's shapes.
	var in []struct {
		Config     struct{ ExposedPorts map[string]struct{} }
		HostConfig struct {
			PortBindings map[string][]map[string]string
		}
		NetworkSettings struct {
			Ports map[string][]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(b.ok("inspect", "web")), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	want := []map[string]string{{"HostIp": "0.0.0.0", "HostPort": strconv.Itoa(port)}}
	if got := in[0].NetworkSettings.Ports["80/tcp"]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("NetworkSettings.Ports: %v, want %v", in[0].NetworkSettings.Ports, want)
	}
	if got := in[0].HostConfig.PortBindings["80/tcp"]; fmt.Sprint(got) != fmt.Sprint([]map[string]string{{"HostIp": "", "HostPort": strconv.Itoa(port)}}) {
		t.Errorf("HostConfig.PortBindings: %v", in[0].HostConfig.PortBindings)
	}
	if _, ok := in[0].Config.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("Config.ExposedPorts: %v", in[0].Config.ExposedPorts)
	}
	if got, want := strings.TrimSpace(b.ok("ps", "--format", "{{.Ports}}")), fmt.Sprintf("0.0.0.0:%d->80/tcp", port); got != want {
		t.Errorf("ps PORTS: %q, want %q", got, want)
	}
	if got, want := b.ok("port", "web"), fmt.Sprintf("80/tcp -> 0.0.0.0:%d\n", port); got != want {
		t.Errorf("port web: %q, want %q", got, want)
	}
	if got, want := b.ok("port", "web", "80/tcp"), fmt.Sprintf("0.0.0.0:%d\n", port); got != want {
		t.Errorf("port web 80/tcp: %q, want %q", got, want)
	}
	b.fails("no public port 81/tcp published for web", "port", "web", "81")
	if r := portRules(t, portTag(b)+id); r == "" {
		t.Errorf("no rule carries %s", portTag(b)+id)
	}

	// A second container wanting the same host port fails at once, and
	// leaves nothing running and no rule.
	_, errOut, code := b.run(append([]string{"run", "-d", "--name", "web2", "-p", fmt.Sprintf("%d:80", port), bb}, web("web2")...)...)
	if code != 125 || strings.Count(strings.TrimSpace(errOut), "\n") > 0 || !strings.Contains(errOut, "already in use") {
		t.Errorf("second container on port %d: exit %d, %q", port, code, errOut)
	}
	if st := b.inspect("web2", "{{.State.Status}}"); st != "created" {
		t.Errorf("web2 is %s", st)
	}
	web2 := b.inspect("web2", "{{.Id}}")
	if r := portRules(t, web2); r != "" {
		t.Errorf("rules of the failed container:\n%s", r)
	}
	if body, err := httpGet(t, fmt.Sprintf("127.0.0.1:%d", port)); body != "hello from web\n" {
		t.Errorf("the first container lost its port: %q %v", body, err)
	}

	// Stopped: the port is released and the rules are gone; started
	// again, it is published again.
	b.ok("stop", "-t", "1", "web")
	if r := portRules(t, id); r != "" {
		t.Errorf("rules after stop:\n%s", r)
	}
	ln, err := net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		t.Errorf("port %d still held after stop: %v", port, err)
	} else {
		ln.Close()
	}
	if got := b.ok("port", "web"); got != "" {
		t.Errorf("port of a stopped container: %q", got)
	}
	b.ok("start", "web")
	if body, err := httpGet(t, fmt.Sprintf("127.0.0.1:%d", port)); body != "hello from web\n" {
		t.Errorf("after restart: %q %v", body, err)
	}
	b.ok("rm", "-f", "web")
	if r := portRules(t, id); r != "" {
		t.Errorf("rules after rm:\n%s", r)
	}
	if _, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
		t.Errorf("port %d still answers after rm", port)
	}
}

func TestPublishedPortTakenByHost(t *testing.T) {
	b, bb, track := withPorts(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, errOut, code := b.run(append([]string{"run", "-d", "--name", "taken", "-p", fmt.Sprintf("%d:80", port), bb}, web("taken")...)...)
	errOut = strings.TrimSpace(errOut)
	if code != 125 || strings.Contains(errOut, "\n") || !strings.Contains(errOut, fmt.Sprintf("host port 0.0.0.0:%d/tcp is already in use", port)) {
		t.Fatalf("exit %d, %q", code, errOut)
	}
	id := b.inspect("taken", "{{.Id}}")
	track(id)
	if st := b.inspect("taken", "{{.State.Status}}"); st != "created" {
		t.Errorf("status %s, want created", st)
	}
	if out, _ := exec.Command("pgrep", "-f", "monitor --root "+b.root).Output(); len(out) > 0 {
		t.Errorf("a monitor is left: %s", out)
	}
	if r := portRules(t, id); r != "" {
		t.Errorf("rules left:\n%s", r)
	}
	// The host's server still has its port.
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatalf("the host's listener lost its port: %v", err)
	}
	c.Close()
}

func TestPublishAll(t *testing.T) {
	b, _, track := withPorts(t)
	reg := testimage.NewRegistry(t)
	img := testimage.Image(t, v1.Config{
		Cmd:          web("exposed"),
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}},
		Env:          []string{"PATH=/bin"},
	}, testimage.Layer(t, testimage.BusyboxLayer(t)))
	testimage.Push(t, reg.Host, "exposed:latest", img)
	ref := reg.Host + "/exposed"
	b.ok("pull", "-q", ref)
	id := strings.TrimSpace(b.ok("run", "-d", "--name", "web", "-P", "--expose", "7000-7001", ref))
	track(id)
	lines := strings.Split(strings.TrimSpace(b.ok("port", "web")), "\n")
	if len(lines) != 4 {
		t.Fatalf("port web:\n%s", strings.Join(lines, "\n"))
	}
	lo, hi := ephemeralRange(t)
	var httpPort int
	for i, want := range []string{"53/udp", "80/tcp", "7000/tcp", "7001/tcp"} {
		var hostPort int
		if _, err := fmt.Sscanf(lines[i], want+" -> 0.0.0.0:%d", &hostPort); err != nil || hostPort < lo || hostPort > hi {
			t.Errorf("line %d: %q, want %s -> 0.0.0.0:<%d-%d>", i, lines[i], want, lo, hi)
		}
		if want == "80/tcp" {
			httpPort = hostPort
		}
	}
	if body, err := httpGet(t, fmt.Sprintf("127.0.0.1:%d", httpPort)); body != "hello from exposed\n" {
		t.Errorf("GET the -P port: %q %v", body, err)
	}
	if got := b.inspect("web", "{{json .Config.ExposedPorts}}"); got != `{"53/udp":{},"7000/tcp":{},"7001/tcp":{},"80/tcp":{}}` {
		t.Errorf("ExposedPorts %s", got)
	}
	if got := b.inspect("web", "{{.HostConfig.PublishAllPorts}}"); got != "true" {
		t.Errorf("PublishAllPorts %s", got)
	}
}

// ephemeralRange is the kernel's, from which -P takes ports (Docker's too).
func ephemeralRange(t *testing.T) (int, int) {
	out, err := exec.Command("cat", "/proc/sys/net/ipv4/ip_local_port_range").Output()
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi int
	fmt.Sscan(string(out), &lo, &hi)
	return lo, hi
}

func TestPortSyntaxErrors(t *testing.T) {
	b, bb, _ := withPorts(t)
	for _, tc := range []struct{ spec, says string }{
		{"99999:80", `host port "99999" is out of range`},
		{"8080:0", "container port 0"},
		{"8080:80/sctp", "not sctp"},
		{"8080:80/icmp", `unknown protocol "icmp"`},
		{"1.2.3:8080:80", `"1.2.3" is not an IP address`},
		{"8000-8001:80-82", "ranges of different sizes"},
		{"8080:", "no container port"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			_, errOut, code := b.run("run", "-d", "-p", tc.spec, bb, "true")
			errOut = strings.TrimSpace(errOut)
			if code != 125 || strings.Contains(errOut, "\n") || !strings.HasPrefix(errOut, "Error: ") || !strings.Contains(errOut, tc.says) {
				t.Errorf("exit %d: %q, want 125 and one line saying %q", code, errOut, tc.says)
			}
		})
	}
	_, errOut, code := b.run("run", "-d", "--network", "none", "-p", "80", bb, "true")
	if code != 125 || !strings.Contains(errOut, "published ports need a network") {
		t.Errorf("--network none -p: exit %d, %q", code, errOut)
	}
	b.fails("invalid port", "run", "--expose", "0", bb, "true")
	if out := b.ok("ps", "-aq"); out != "" {
		t.Errorf("containers were created:\n%s", out)
	}
}

// A monitor killed with SIGKILL cannot remove its rules: while the
// container's process lives they keep serving; once it is gone too, the
// next berth command records the exit and removes them.
func TestPortRulesOfAKilledMonitor(t *testing.T) {
	b, bb, track := withPorts(t)
	port := freeHostPort(t)
	id := strings.TrimSpace(b.ok(append([]string{"run", "-d", "--name", "web", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), bb}, web("web")...)...))
	track(id)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if body, err := httpGet(t, addr); body != "hello from web\n" {
		t.Fatalf("GET %s: %q %v", addr, body, err)
	}
	var in []struct{ State struct{ MonitorPid, Pid int } }
	json.Unmarshal([]byte(b.ok("inspect", "web")), &in)
	mon, pid := in[0].State.MonitorPid, in[0].State.Pid
	if mon == 0 || pid == 0 {
		t.Fatalf("monitor %d, pid %d", mon, pid)
	}
	syscall.Kill(mon, syscall.SIGKILL)
	eventually(t, 5*time.Second, "the monitor to die", func() bool { return syscall.Kill(mon, 0) != nil })
	if body, err := httpGet(t, addr); body != "hello from web\n" {
		t.Errorf("without its monitor: %q %v", body, err)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	eventually(t, 5*time.Second, "the container's process to die", func() bool { return syscall.Kill(pid, 0) != nil })
	if s := b.inspect("web", "{{.State.Status}}"); s != "exited" {
		t.Fatalf("status %s", s)
	}
	if r := portRules(t, id); r != "" {
		t.Errorf("rules after the exit was recorded:\n%s", r)
	}
	// Started again, it publishes again.
	b.ok("start", "web")
	if body, err := httpGet(t, addr); body != "hello from web\n" {
		t.Errorf("after start: %q %v", body, err)
	}
}

// Ten runs at once from separate processes, each publishing a port: the
// rule changes take turns (one lock for the host), every port answers,
// and rm -f of all leaves no rule.
func TestPublishInParallel(t *testing.T) {
	b, bb, track := withPorts(t)
	const n = 10
	ids := make([]string, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			cmd := exec.Command(berthBin, append([]string{"run", "-d", "-p", "80", bb}, web(fmt.Sprint("c", i))...)...)
			cmd.Env = b.env()
			out, err := cmd.Output()
			ids[i] = strings.TrimSpace(string(out))
			if err != nil {
				err = fmt.Errorf("run %d: %v %s", i, err, out)
			}
			errs <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for i, id := range ids {
		if id == "" {
			continue
		}
		track(id)
		addr := strings.Replace(strings.TrimSpace(b.ok("port", id, "80")), "0.0.0.0:", "127.0.0.1:", 1)
		if body, err := httpGet(t, addr); body != fmt.Sprintf("hello from c%d\n", i) {
			t.Errorf("container %d on %s: %q %v", i, addr, body, err)
		}
	}
	b.ok(append([]string{"rm", "-f"}, ids...)...)
	for _, id := range ids {
		if r := portRules(t, id); r != "" {
			t.Errorf("rules of %s left:\n%s", id[:12], r)
		}
	}
}

// A foreground run --rm publishes while it runs and leaves no rule.
func TestPublishForegroundRm(t *testing.T) {
	b, bb, _ := withPorts(t)
	port := freeHostPort(t)
	out := b.ok("run", "--rm", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), bb, "sh", "-c", "cat /proc/net/tcp >/dev/null; echo ran")
	if out != "ran\n" {
		t.Errorf("output %q", out)
	}
	if r := portRules(t, portTag(b)); r != "" {
		t.Errorf("rules of this root left:\n%s", r)
	}
	if ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Errorf("port %d still held: %v", port, err)
	} else {
		ln.Close()
	}
}

// portTag is what every port rule of b's containers carries.
func portTag(b *berth) string {
	h := sha256.Sum256([]byte(filepath.Join(b.root, "containers")))
	return "berth-ports:" + hex.EncodeToString(h[:4]) + ":"
}
