package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeHostFiles points the host's hosts and resolv.conf at test files.
func fakeHostFiles(t *testing.T, hosts, resolv, resolved string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if content != "" {
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	oldH, oldR, oldS := hostHostsPath, hostResolvPath, hostResolvedPath
	hostHostsPath = write("hosts", hosts)
	hostResolvPath = write("resolv.conf", resolv)
	hostResolvedPath = write("resolved.conf", resolved)
	t.Cleanup(func() { hostHostsPath, hostResolvPath, hostResolvedPath = oldH, oldR, oldS })
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteEtcFiles(t *testing.T) {
	const hostHosts = "127.0.0.1 localhost\n10.0.0.5 myhost\n"
	for _, tc := range []struct {
		name       string
		mode       string
		hostname   string
		resolv     string
		resolved   string
		wantHosts  string
		wantName   string
		wantResolv string
	}{
		{
			name:       "none: loopback hosts, host resolvers",
			mode:       "none",
			resolv:     "search example.com\nnameserver 10.255.255.53\noptions ndots:2\n",
			wantHosts:  defaultHosts,
			wantName:   testID[:12] + "\n",
			wantResolv: "search example.com\nnameserver 10.255.255.53\noptions ndots:2\n",
		},
		{
			name:       "none: loopback resolvers dropped",
			mode:       "none",
			hostname:   "web",
			resolv:     "nameserver 127.0.0.1\nnameserver 1.1.1.1\nnameserver ::1\n",
			wantHosts:  defaultHosts,
			wantName:   "web\n",
			wantResolv: "nameserver 1.1.1.1\n",
		},
		{
			name:       "none: only loopback resolvers, public ones stand in",
			mode:       "none",
			resolv:     "nameserver 127.0.0.1\nsearch lan",
			wantHosts:  defaultHosts,
			wantName:   testID[:12] + "\n",
			wantResolv: "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n",
		},
		{
			name:       "none: systemd-resolved stub, upstream list used",
			mode:       "none",
			resolv:     "nameserver 127.0.0.53\noptions edns0 trust-ad\n",
			resolved:   "nameserver 192.168.1.1\n",
			wantHosts:  defaultHosts,
			wantName:   testID[:12] + "\n",
			wantResolv: "nameserver 192.168.1.1\n",
		},
		{
			name:       "none: no host resolv.conf",
			mode:       "none",
			wantHosts:  defaultHosts,
			wantName:   testID[:12] + "\n",
			wantResolv: "nameserver 8.8.8.8\nnameserver 8.8.4.4\n",
		},
		{
			name:       "host: the host's files",
			mode:       "host",
			hostname:   "h1",
			resolv:     "nameserver 127.0.0.53\n",
			resolved:   "nameserver 192.168.1.1\n",
			wantHosts:  hostHosts,
			wantName:   "h1\n",
			wantResolv: "nameserver 127.0.0.53\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fakeHostFiles(t, hostHosts, tc.resolv, tc.resolved)
			dir := t.TempDir()
			c := testContainer(func(c *Config) { c.Hostname = tc.hostname; c.NetworkMode = tc.mode })
			p, err := WriteEtcFiles(dir, c, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			if p.Hosts != filepath.Join(dir, "hosts") || p.HostnameFile != filepath.Join(dir, "hostname") || p.ResolvConf != filepath.Join(dir, "resolv.conf") || p.Rootfs != "" {
				t.Errorf("paths %+v", p)
			}
			for _, f := range []struct{ path, want string }{{p.Hosts, tc.wantHosts}, {p.HostnameFile, tc.wantName}, {p.ResolvConf, tc.wantResolv}} {
				if got := readFile(t, f.path); got != f.want {
					t.Errorf("%s = %q, want %q", filepath.Base(f.path), got, f.want)
				}
				if st, _ := os.Stat(f.path); st.Mode().Perm() != 0o644 {
					t.Errorf("%s mode %v, want 0644", filepath.Base(f.path), st.Mode())
				}
			}
		})
	}
}

func TestWriteEtcFilesReplacesAtomically(t *testing.T) {
	fakeHostFiles(t, "", "nameserver 9.9.9.9\n", "")
	dir := t.TempDir()
	c := testContainer(func(c *Config) { c.Hostname = "one" })
	p, err := WriteEtcFiles(dir, c, "none")
	if err != nil {
		t.Fatal(err)
	}
	// A reader holding the old file keeps its content; the path shows the new one.
	old, err := os.Open(p.HostnameFile)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	c.Config.Hostname = "two"
	if _, err := WriteEtcFiles(dir, c, "none"); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 16)
	n, _ := old.Read(b)
	if string(b[:n]) != "one\n" || readFile(t, p.HostnameFile) != "two\n" {
		t.Errorf("old handle reads %q, path reads %q", b[:n], readFile(t, p.HostnameFile))
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("leftover %s", e.Name())
		}
	}
	if len(ents) != 3 {
		t.Errorf("%d files in the directory, want 3", len(ents))
	}

	// A directory that is gone is an error, not a panic.
	if _, err := WriteEtcFiles(filepath.Join(dir, "missing"), c, "none"); err == nil {
		t.Error("no error for a missing directory")
	}
}
