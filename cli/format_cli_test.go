package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"berth/internal/testimage"
)

// cliEnv runs berth commands, as a user would type them, on one root.
type cliEnv struct {
	t         *testing.T
	root, run string
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the engine refuses to run without it (CI runs as root)")
	}
	dir := t.TempDir()
	return &cliEnv{t: t, root: filepath.Join(dir, "root"), run: filepath.Join(dir, "run")}
}

// berth runs one command and returns what it printed and its error.
func (e *cliEnv) berth(args ...string) (string, error) {
	var out bytes.Buffer
	a := &app{ctx: context.Background(), out: &out, errOut: &out}
	cmd := a.command(nil)
	cmd.SetArgs(append([]string{"--root", e.root, "--run-root", e.run}, args...))
	err := cmd.ExecuteContext(context.Background())
	if a.eng != nil {
		a.eng.Close()
	}
	return out.String(), err
}

func (e *cliEnv) ok(args ...string) string {
	e.t.Helper()
	out, err := e.berth(args...)
	if err != nil {
		e.t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestFormatsThroughCommands runs ps, images and inspect with the
// templates of docker's documentation on real containers and images (made,
// not started), and checks what a script would read.
func TestFormatsThroughCommands(t *testing.T) {
	e := newCLIEnv(t)
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))
	bb := reg.Host + "/busybox"
	e.ok("pull", "-q", bb)
	e.ok("tag", bb, "mybox")
	e.ok("create", "--name", "web", "-l", "app=web", "-l", "com.example.version=1.0", "--memory", "64m",
		"--cpus", "0.5", "mybox", "sh", "-c", "echo hi")
	e.ok("create", "--name", "mybox", "--network", "host", "mybox", "true") // the name of an image too

	tests := []struct {
		name string
		args []string
		want string // a regexp for the whole output
	}{
		{"ps names and labels", []string{"ps", "-a", "--filter", "name=web", "--format", `{{.Names}} {{.Label "app"}} {{.Labels}}`},
			`^web web app=web,com\.example\.version=1\.0\n$`},
		{"ps table", []string{"ps", "-a", "--filter", "name=web", "--format", `table {{.ID}}\t{{.Image}}\t{{.State}}`},
			`^CONTAINER ID   IMAGE     STATE\n[0-9a-f]{12}   mybox     created\n$`},
		{"ps size", []string{"ps", "-a", "--filter", "name=web", "--format", "{{.Size}}"}, `^0B \(virtual 1\.\d\dMB\)\n$`},
		{"ps -s column", []string{"ps", "-as", "--filter", "name=web"}, `(?m)^CONTAINER ID .* NAMES     SIZE\n[0-9a-f]{12} .* web       0B \(virtual 1\.\d\dMB\)\n$`},
		{"ps created at", []string{"ps", "-a", "--filter", "name=web", "--format", "{{.CreatedAt}}"},
			`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+\n$`},
		{"ps quiet wins", []string{"ps", "-aq", "--no-trunc", "--filter", "name=web", "--format", "{{.Names}}"}, `^[0-9a-f]{64}\n$`},
		{"images", []string{"images", "mybox", "--format", "{{.Repository}}:{{.Tag}} {{.Size}} {{.CreatedAt}}"},
			`^mybox:latest 1\.\d\dMB 2024-01-01 \d\d:\d\d:\d\d [+-]\d{4} \S+\n$`},
		{"images reference filter", []string{"images", "-f", "reference=my*", "--format", "{{.Repository}}"}, `^mybox\n$`},
		{"images dangling", []string{"images", "-f", "dangling=true", "-q"}, `^$`},
		{"images table", []string{"images", "-f", "reference=mybox"},
			`^REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\nmybox        latest    [0-9a-f]{12}   \d+ \w+ ago   1\.\d\dMB\n$`},
		{"inspect integer", []string{"inspect", "-f", "{{.HostConfig.Memory}} {{printf \"%d\" .HostConfig.NanoCpus}}", "web"},
			`^67108864 500000000\n$`},
		{"inspect unset", []string{"inspect", "-f", "{{json .Config.Entrypoint}} [{{.Config.User}}] {{json .ExecIDs}} {{json .Mounts}} {{json .NetworkSettings.Ports}}", "web"},
			`^null \[\] null \[\] \{\}\n$`},
		{"inspect networks", []string{"inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", "web", "mybox"},
			`^bridge\nhost\n$`},
		{"container first", []string{"inspect", "-f", "{{.Name}}", "mybox"}, `^/mybox\n$`},
		{"--type image", []string{"inspect", "--type", "image", "-f", "{{.Os}} {{printf \"%d\" .Size}} {{.GraphDriver.Name}}", "mybox"},
			`^linux \d+ overlay2\n$`},
		{"image inspect", []string{"image", "inspect", "-f", "{{json .RepoTags}} {{.Id}}", "mybox"}, `^\[".*/busybox:latest","mybox:latest"\] sha256:[0-9a-f]{64}\n$`},
		{"inspect --size", []string{"container", "inspect", "-s", "-f", "{{.SizeRw}} {{.SizeRootFs}}", "web"}, `^0 [1-9]\d+\n$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := e.ok(tc.args...)
			if !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("berth %s:\n%s\nwant %s", strings.Join(tc.args, " "), out, tc.want)
			}
		})
	}

	// As docker: what is found is printed, what is not is an error after it.
	out, err := e.berth("inspect", "-f", "{{.Name}}", "web", "ghost")
	if err == nil || !strings.Contains(err.Error(), `"ghost"`) || out != "/web\n" {
		t.Errorf("inspect web ghost: %q %v", out, err)
	}
	if _, err := e.berth("inspect", "--type", "container", "-f", "{{.Name}}", bb); err == nil {
		t.Error("inspect --type container found an image")
	}
	if _, err := e.berth("images", "-f", "dangling=maybe"); err == nil {
		t.Error("dangling=maybe accepted")
	}
}
