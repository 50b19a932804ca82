package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/internal/testimage"
)

// withUsers is a berth root that has pulled the users image (USER appuser,
// files only appuser may read or write, a dynamically linked cat; see
// testimage.UsersLayer); it returns the image reference. Containers are
// removed at the end, and nothing of them may be left.
func withUsers(t *testing.T) (*berth, string) {
	t.Helper()
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "users:latest", testimage.Users(t))
	b := newBerth(t)
	ref := reg.Host + "/users"
	b.ok("pull", "-q", ref)
	t.Cleanup(func() { b.removeAll() })
	return b, ref
}

// The image's USER works as in Docker: it reads its own 0400 file, writes
// where only it may, runs a program that needs the dynamic loader (so /,
// /lib64 and /lib must be open to it), and cannot write in /.
func TestUsersImageUser(t *testing.T) {
	b, img := withUsers(t)
	for _, tc := range []struct {
		name string
		cmd  string
		want string
	}{
		{"id", "id", "uid=1000(appuser) gid=1000(appuser) groups=50(staff),1000(appuser)\n"},
		{"home and workdir", "echo $HOME; pwd", "/home/appuser\n/home/appuser\n"},
		{"root keeps the image's mode", "stat -c %a:%u:%g /", "755:0:0\n"},
		{"read a 0400 file of its own", "cat /home/appuser/secret", testimage.UsersSecret},
		{"write where only it may", "touch /data/mine && stat -c %u:%g:%a /data/mine", "1000:1000:644\n"},
		{"dynamically linked program", testimage.UsersGNUCat + " /home/appuser/secret /etc/hostname >/dev/null && echo ran", "ran\n"},
		{"not root", "touch /forbidden 2>&1; echo $?", "touch: /forbidden: Permission denied\n1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := b.run("run", "--rm", img, "sh", "-c", tc.cmd)
			if code != 0 || out != tc.want {
				t.Errorf("%s: exit %d\nstdout %q\nwant   %q\nstderr %q", tc.cmd, code, out, tc.want, errOut)
			}
		})
	}
}

// -u in its forms, against the image's /etc/passwd and /etc/group. The
// id lines are Docker 20.10's for the same image (primary gid among the
// supplementary groups; a uid without a passwd entry gets gid 0).
func TestUsersUserFlag(t *testing.T) {
	b, img := withUsers(t)
	script := "id; cat /home/appuser/secret >/dev/null 2>&1 && echo secret=read || echo secret=denied; " +
		testimage.UsersGNUCat + " /etc/hostname >/dev/null && echo loader=ok"
	for _, tc := range []struct {
		user, id, secret string
	}{
		{"nobody", "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)", "denied"},
		{"65534", "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)", "denied"},
		{"4242", "uid=4242 gid=0(root) groups=0(root)", "denied"},
		{"4242:4343", "uid=4242 gid=4343 groups=4343", "denied"},
		{"appuser", "uid=1000(appuser) gid=1000(appuser) groups=50(staff),1000(appuser)", "read"},
		{"1000", "uid=1000(appuser) gid=1000(appuser) groups=50(staff),1000(appuser)", "read"},
		{"appuser:staff", "uid=1000(appuser) gid=50(staff) groups=50(staff)", "read"},
		{"1000:65534", "uid=1000(appuser) gid=65534(nogroup) groups=65534(nogroup)", "read"},
		{"root", "uid=0(root) gid=0(root) groups=0(root),10(wheel)", "read"},
		{"0", "uid=0(root) gid=0(root) groups=0(root),10(wheel)", "read"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			want := tc.id + "\nsecret=" + tc.secret + "\nloader=ok\n"
			out, errOut, code := b.run("run", "--rm", "-u", tc.user, img, "sh", "-c", script)
			if code != 0 || out != want {
				t.Errorf("-u %s: exit %d\nstdout %q\nwant   %q\nstderr %q", tc.user, code, out, want, errOut)
			}
		})
	}
	b.fails("unable to find user ghost", "run", "--rm", "-u", "ghost", img, "true")
	b.fails("unable to find group ghosts", "run", "--rm", "-u", "appuser:ghosts", img, "true")
}

// A working directory the image lacks is made for the user, who can write
// in it; its missing parents are root's (berth's choice, as Podman's:
// Docker makes it root's too). An existing one is left as it is.
func TestUsersWorkdir(t *testing.T) {
	b, img := withUsers(t)
	out := b.ok("run", "--rm", "-u", "1000", "-w", "/new/work", img, "sh", "-c",
		"pwd; stat -c %u:%g:%a /new/work /new; touch made && echo wrote")
	if want := "/new/work\n1000:1000:755\n0:0:755\nwrote\n"; out != want {
		t.Errorf("-w /new/work as 1000: %q, want %q", out, want)
	}
	out = b.ok("run", "--rm", "-u", "nobody", "-w", "/data", img, "sh", "-c", "stat -c %u:%a .; touch x 2>/dev/null || echo denied")
	if want := "1000:755\ndenied\n"; out != want {
		t.Errorf("-w /data as nobody: %q, want %q (an existing directory keeps its owner)", out, want)
	}
}

// exec runs as the container's user unless -u says otherwise, and gets
// the container's --group-add groups, as docker exec does.
func TestUsersExec(t *testing.T) {
	b, img := withUsers(t)
	b.ok("run", "-d", "--name", "svc", "--group-add", "audio", "--group-add", "4000", img, "sleep", "100")
	for _, tc := range []struct {
		opts, cmd []string
		want      string
	}{
		{nil, []string{"id"}, "uid=1000(appuser) gid=1000(appuser) groups=29(audio),50(staff),1000(appuser),4000\n"},
		{[]string{"-u", "root"}, []string{"id"}, "uid=0(root) gid=0(root) groups=0(root),10(wheel),29(audio),4000\n"},
		{[]string{"-u", "65534"}, []string{"id"}, "uid=65534(nobody) gid=65534(nogroup) groups=29(audio),4000,65534(nogroup)\n"},
		{nil, []string{testimage.UsersGNUCat, "/home/appuser/secret"}, testimage.UsersSecret},
		{[]string{"-u", "nobody", "-w", "/tmp"}, []string{"sh", "-c", "pwd; cat /home/appuser/secret 2>/dev/null || echo denied"}, "/tmp\ndenied\n"},
	} {
		args := append(append(append([]string{"exec"}, tc.opts...), "svc"), tc.cmd...)
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			out, errOut, code := b.run(args...)
			if code != 0 || out != tc.want {
				t.Errorf("%v: exit %d\nstdout %q\nwant   %q\nstderr %q", args, code, out, tc.want, errOut)
			}
		})
	}
	b.fails("unable to find user ghost", "exec", "-u", "ghost", "svc", "true")
	// run applies --group-add as exec does (Docker's output).
	if out := b.ok("run", "--rm", "--group-add", "audio", "--group-add", "4000", img, "id"); out != "uid=1000(appuser) gid=1000(appuser) groups=29(audio),50(staff),1000(appuser),4000\n" {
		t.Errorf("run --group-add: %q", out)
	}
	if got := b.inspect("svc", "{{json .HostConfig.GroupAdd}}"); got != `["audio","4000"]` {
		t.Errorf("inspect GroupAdd: %s", got)
	}
	b.fails("unable to find group ghosts", "run", "--rm", "--group-add", "ghosts", img, "true")
}

// no-new-privileges is off by default, as in Docker and Podman: a setuid
// program (sudo, su; here a setuid-root cat) gives its privileges. With
// --security-opt no-new-privileges it gives none.
func TestUsersNoNewPrivileges(t *testing.T) {
	b, img := withUsers(t)
	script := "grep NoNewPrivs /proc/self/status; " + testimage.UsersRootCat + " /home/appuser/secret 2>/dev/null || echo denied"
	for _, tc := range []struct {
		opts []string
		want string
	}{
		{nil, "NoNewPrivs:\t0\n" + testimage.UsersSecret},
		{[]string{"--security-opt", "no-new-privileges=false"}, "NoNewPrivs:\t0\n" + testimage.UsersSecret},
		{[]string{"--security-opt", "no-new-privileges"}, "NoNewPrivs:\t1\ndenied\n"},
		{[]string{"--security-opt", "no-new-privileges:true"}, "NoNewPrivs:\t1\ndenied\n"},
	} {
		t.Run(strings.Join(append([]string{"default"}, tc.opts...), " "), func(t *testing.T) {
			args := append(append([]string{"run", "--rm", "-u", "nobody"}, tc.opts...), img, "sh", "-c", script)
			if out := b.ok(args...); out != tc.want {
				t.Errorf("got %q, want %q", out, tc.want)
			}
		})
	}
	b.fails("no-new-privileges takes true or false", "run", "--rm", "--security-opt", "no-new-privileges=maybe", img, "true")
	// An exec gets the container's setting.
	b.ok("run", "-d", "--name", "strict", "--security-opt", "no-new-privileges", img, "sleep", "100")
	if out := b.ok("exec", "-u", "nobody", "strict", "sh", "-c", script); out != "NoNewPrivs:\t1\ndenied\n" {
		t.Errorf("exec in a no-new-privileges container: %q", out)
	}
}

// A detached exec keeps running after berth exec returns, with a terminal
// (-t) or without; the monitor holds a detached terminal, drains it, and
// lets it go when the exec'd processes end.
func TestUsersExecDetached(t *testing.T) {
	b, img := withUsers(t)
	b.ok("run", "-d", "--name", "host", img, "sleep", "300")
	monitor := monitorPid(t, b)
	base := ptyMasters(monitor)
	b.ok("exec", "-d", "-t", "host", "sleep", "200")
	b.ok("exec", "-d", "host", "sleep", "201")
	// Output nobody reads must not block the process: 1 MB through the
	// terminal, then a mark.
	b.ok("exec", "-d", "-t", "host", "sh", "-c", "head -c 1000000 /dev/zero; touch /tmp/drained")
	time.Sleep(2 * time.Second)
	top := b.ok("top", "host")
	for _, want := range []string{"sleep 200", "sleep 201"} {
		if !strings.Contains(top, want) {
			t.Errorf("%q is gone 2 s after exec -d returned:\n%s", want, top)
		}
	}
	eventually(t, 10*time.Second, "the detached exec to write 1 MB to its terminal", func() bool {
		_, _, code := b.run("exec", "host", "test", "-e", "/tmp/drained")
		return code == 0
	})
	if n := ptyMasters(monitor); n != base+1 {
		t.Errorf("the monitor holds %d terminals, want %d (sleep 200's)", n-base, 1)
	}
	b.ok("exec", "host", "killall", "sleep") // all but init, which ignores SIGTERM
	eventually(t, 5*time.Second, "the monitor to let go of the terminal", func() bool { return ptyMasters(monitor) == base })
}

// monitorPid is the pid of the only monitor of b's root.
func monitorPid(t *testing.T, b *berth) string {
	t.Helper()
	out, _ := exec.Command("pgrep", "-f", "monitor --root "+b.root).Output()
	pids := strings.Fields(string(out))
	if len(pids) != 1 {
		t.Fatalf("monitors of the root: %q, want one", out)
	}
	return pids[0]
}

// ptyMasters counts the pty masters process pid has open.
func ptyMasters(pid string) int {
	fds, _ := filepath.Glob("/proc/" + pid + "/fd/*")
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && strings.HasSuffix(l, "ptmx") {
			n++
		}
	}
	return n
}
