package ui

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// fakeTmux puts a `tmux` on PATH whose `info` prints info and counts its
// runs in a file; it returns that file.
func fakeTmux(t *testing.T, info string) string {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	script := "#!/bin/sh\necho run >> " + runs + "\nprintf '%s\\n' '" + info + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "tmux"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return runs
}

func runs(t *testing.T, file string) int {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(b) / len("run\n")
}

func TestColorProfileAsksTmuxLater(t *testing.T) {
	counted := fakeTmux(t, "  Tc: [missing]\n 199: RGB: (flag) true")
	env := []string{"TTY_FORCE=1", "TERM=screen-256color", "TMUX=/tmp/tmux-0/default,1,0"}
	quick, ask := ColorProfile(io.Discard, env)
	if quick != colorprofile.ANSI256 {
		t.Errorf("first answer %v, want %v (from TERM)", quick, colorprofile.ANSI256)
	}
	if n := runs(t, counted); n != 0 {
		t.Fatalf("tmux ran %d times for the first answer, want none", n)
	}
	if ask == nil {
		t.Fatal("inside tmux without true colour: no second answer")
	}
	if full := ask(); full != colorprofile.TrueColor {
		t.Errorf("after asking tmux: %v, want %v", full, colorprofile.TrueColor)
	}
	if n := runs(t, counted); n != 1 {
		t.Errorf("tmux ran %d times, want 1", n)
	}
}

func TestColorProfileWithoutTmuxOrWithTrueColour(t *testing.T) {
	counted := fakeTmux(t, "RGB: true")
	for _, env := range [][]string{
		{"TTY_FORCE=1", "TERM=xterm-256color"},
		{"TTY_FORCE=1", "TERM=xterm-kitty", "TMUX=/tmp/tmux-0/default,1,0"},
	} {
		quick, ask := ColorProfile(io.Discard, env)
		if ask != nil {
			t.Errorf("%v: a second answer to wait for, after %v", env, quick)
		}
	}
	if n := runs(t, counted); n != 0 {
		t.Errorf("tmux ran %d times, want none", n)
	}
}
