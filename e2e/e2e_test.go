// Package e2e drives the berth binary as a user would: the CLI through its
// commands and output, the TUI through tmux send-keys and capture-pane.
package e2e

import (
	"berth/internal/testimage"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// berthBin is the binary built once for all tests.
var berthBin string

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Println("e2e: skipped, needs root (CI runs as root)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "berth-e2e-bin-")
	if err != nil {
		panic(err)
	}
	berthBin = filepath.Join(dir, "berth")
	build := exec.Command("go", "build", "-tags", "seccomp", "-o", berthBin, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: building berth:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// berth is one berth root used by a test.
type berth struct {
	t       *testing.T
	root    string
	runRoot string
}

func newBerth(t *testing.T) *berth {
	t.Helper()
	d := t.TempDir()
	return &berth{t: t, root: filepath.Join(d, "root"), runRoot: filepath.Join(d, "run")}
}

func (b *berth) env() []string {
	return append(os.Environ(), "BERTH_ROOT="+b.root, "BERTH_RUN_ROOT="+b.runRoot)
}

// run runs berth with args and returns stdout, stderr and the exit code.
func (b *berth) run(args ...string) (string, string, int) {
	b.t.Helper()
	cmd := exec.Command(berthBin, args...)
	cmd.Env = b.env()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		b.t.Fatalf("berth %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// ok runs berth and fails the test unless it exits 0.
func (b *berth) ok(args ...string) string {
	b.t.Helper()
	out, errOut, code := b.run(args...)
	if code != 0 {
		b.t.Fatalf("berth %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// fails runs berth, wants a non-zero exit and a one-line error holding want.
func (b *berth) fails(want string, args ...string) {
	b.t.Helper()
	out, errOut, code := b.run(args...)
	if code == 0 {
		b.t.Fatalf("berth %s succeeded:\n%s", strings.Join(args, " "), out)
	}
	errOut = strings.TrimSpace(errOut)
	if strings.Count(errOut, "\n") > 0 || !strings.HasPrefix(errOut, "Error: ") || !strings.Contains(errOut, want) {
		b.t.Errorf("berth %s: want one line 'Error: ...%s...', got:\n%s", strings.Join(args, " "), want, errOut)
	}
}

// leftovers lists half-written temp files in the root.
func (b *berth) leftovers() []string { return testimage.Leftovers(b.root) }

// eventually polls cond every 50 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
