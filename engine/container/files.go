package container

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"berth/engine/errdefs"
)

// The host files the container's files start from; tests point them elsewhere.
var (
	hostHostsPath    = "/etc/hosts"
	hostResolvPath   = "/etc/resolv.conf"
	hostResolvedPath = "/run/systemd/resolve/resolv.conf" // systemd-resolved's upstream list
)

// Names of the files in the container's directory.
const (
	HostsFile      = "hosts"
	HostnameFile   = "hostname"
	ResolvConfFile = "resolv.conf"
)

// defaultHosts is Docker's /etc/hosts for a container without an address
// (--network none): loopback names only.
const defaultHosts = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
`

// defaultNameservers replace the host's when only loopback ones remain
// (Docker's fallback).
var defaultNameservers = []string{"8.8.8.8", "8.8.4.4"}

// WriteEtcFiles writes the container's hosts, hostname and resolv.conf into
// dir (its directory) and returns their paths, ready for Spec (Rootfs left
// empty). Each file is replaced atomically.
//
// As Docker does: with --network host, hosts and resolv.conf are the
// host's; otherwise hosts holds the loopback names (no line for the
// container's name, as it has no address with --network none) and
// resolv.conf is the host's without loopback nameservers (they would not
// be reachable from a network namespace), Google's public resolvers
// standing in when none remain. A host running systemd-resolved's stub
// (127.0.0.53) contributes its upstream list instead.
func WriteEtcFiles(dir string, c *Container, networkMode string) (SpecPaths, error) {
	return WriteEtcFilesNet(dir, c, networkMode, EtcNet{Nameservers: c.Config.DNS, ExtraHosts: c.Config.ExtraHosts})
}

// EtcNet is what a container's networks add to its /etc files.
type EtcNet struct {
	Addresses   []string // the container's addresses: a hosts line each for its hostname
	Nameservers []string // replace the host's (--dns, or a user network's resolver)
	Options     []string // more resolv.conf options (ndots:0 with the embedded resolver)
	ExtraHosts  []string // "name:address" (--add-host), hosts lines before the container's own
}

// WriteEtcFilesNet is WriteEtcFiles for a container with addresses: hosts
// gets Docker's lines for them and for --add-host, resolv.conf the given
// nameservers (the search and options lines of the host's are kept).
func WriteEtcFilesNet(dir string, c *Container, networkMode string, en EtcNet) (SpecPaths, error) {
	p := SpecPaths{
		Hosts:        filepath.Join(dir, HostsFile),
		HostnameFile: filepath.Join(dir, HostnameFile),
		ResolvConf:   filepath.Join(dir, ResolvConfFile),
	}
	hostNet := networkMode == "host"
	hosts := []byte(defaultHosts)
	if hostNet {
		if b, err := os.ReadFile(hostHostsPath); err == nil {
			hosts = b
		}
	}
	resolv, err := resolvConf(hostNet)
	if err != nil {
		return SpecPaths{}, err
	}
	if len(en.Addresses) > 0 || len(en.ExtraHosts) > 0 {
		var b bytes.Buffer
		b.Write(hosts)
		for _, h := range en.ExtraHosts {
			if name, ip, ok := strings.Cut(h, ":"); ok {
				fmt.Fprintf(&b, "%s\t%s\n", ip, name)
			}
		}
		for _, a := range en.Addresses {
			fmt.Fprintf(&b, "%s\t%s\n", a, Hostname(c))
		}
		hosts = b.Bytes()
	}
	if len(en.Nameservers) > 0 && !hostNet {
		resolv = replaceNameservers(resolv, en.Nameservers, en.Options)
	}
	for _, f := range []struct {
		path string
		data []byte
	}{
		{p.Hosts, hosts},
		{p.HostnameFile, []byte(Hostname(c) + "\n")},
		{p.ResolvConf, resolv},
	} {
		if err := writeFileAtomic(f.path, f.data, 0o644); err != nil {
			return SpecPaths{}, errdefs.FromIO(err, "container "+c.ID+" "+filepath.Base(f.path))
		}
	}
	return p, nil
}

// resolvConf is the container's resolv.conf made from the host's.
func resolvConf(hostNet bool) ([]byte, error) {
	b, err := os.ReadFile(hostResolvPath)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read host resolv.conf: %w", err)
	}
	if hostNet {
		return b, nil
	}
	if ns := nameservers(b); len(ns) == 1 && ns[0] == "127.0.0.53" {
		if up, err := os.ReadFile(hostResolvedPath); err == nil {
			b = up
		}
	}
	var out bytes.Buffer
	kept := 0
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if ns, ok := nameserverOf(line); ok {
			if a, err := netip.ParseAddr(ns); err == nil && a.IsLoopback() {
				continue
			}
			kept++
		}
		out.WriteString(line)
	}
	if kept == 0 {
		if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			out.WriteByte('\n')
		}
		for _, ns := range defaultNameservers {
			fmt.Fprintf(&out, "nameserver %s\n", ns)
		}
	}
	return out.Bytes(), nil
}

// replaceNameservers is resolv.conf b with ns as its nameservers and opts
// added to its options.
func replaceNameservers(b []byte, ns, opts []string) []byte {
	var out bytes.Buffer
	for _, n := range ns {
		fmt.Fprintf(&out, "nameserver %s\n", n)
	}
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if _, ok := nameserverOf(line); ok || strings.TrimSpace(line) == "" {
			continue
		}
		out.WriteString(strings.TrimRight(line, "\n") + "\n")
	}
	if len(opts) > 0 {
		fmt.Fprintf(&out, "options %s\n", strings.Join(opts, " "))
	}
	return out.Bytes()
}

func nameservers(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if ns, ok := nameserverOf(line); ok {
			out = append(out, ns)
		}
	}
	return out
}

// nameserverOf reads the address of a "nameserver ADDR" line. A zone
// ("fe80::1%eth0") stays attached.
func nameserverOf(line string) (string, bool) {
	f := strings.Fields(line)
	if len(f) >= 2 && f[0] == "nameserver" {
		return f[1], true
	}
	return "", false
}

// writeFileAtomic writes data to a temp file in path's directory, syncs
// it and renames it over path.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
