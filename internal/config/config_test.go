package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine/errdefs"
)

func TestParse(t *testing.T) {
	c, err := Parse("/c.toml", `# berth
theme = "light"

[keys]
"containers.stop" = "x"
'app.quit' = ["q", "ctrl+q"]
`)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Mouse {
		t.Error("mouse capture is on unless the file says otherwise")
	}
	if c, err := Parse("/c.toml", "mouse = false\n"); err != nil || c.Mouse {
		t.Errorf("mouse = false: %+v, %v", c, err)
	}
	if c.Theme != "light" || c.ThemeLine != 2 {
		t.Errorf("theme %q at line %d, want light at 2", c.Theme, c.ThemeLine)
	}
	want := []KeyOverride{{"containers.stop", []string{"x"}, 5}, {"app.quit", []string{"q", "ctrl+q"}, 6}}
	if len(c.Keys) != len(want) {
		t.Fatalf("keys %+v, want %+v", c.Keys, want)
	}
	for i, w := range want {
		g := c.Keys[i]
		if g.Action != w.Action || strings.Join(g.Keys, ",") != strings.Join(w.Keys, ",") || g.Line != w.Line {
			t.Errorf("key %d: %+v, want %+v", i, g, w)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
		want       string
	}{
		{"syntax", "theme = \"light\"\n[keys\n", 2, "write TOML"},
		{"unknown setting", "theme = \"dark\"\ncolour = \"red\"\n", 2, `unknown setting "colour": berth knows theme, mouse and [keys]`},
		{"unknown table", "[colours]\nbg = 1\n", 1, `unknown setting "colours"`},
		{"keys not a table", "keys = 1\n", 1, "keys must be a table"},
		{"mouse not a bool", "mouse = \"off\"\n", 1, "write mouse = false"},
		{"theme type", "theme = 3\n", 1, "theme"},
		{"key type", "[keys]\n\"containers.stop\" = 3\n", 2, `write "containers.stop" = "x"`},
		{"key in list type", "[keys]\n\"containers.stop\" = [\"x\", 1]\n", 2, "strings"},
		{"blank key", "[keys]\n\"containers.stop\" = \" \"\n", 2, "blank"},
		{"no key", "[keys]\n\"containers.stop\" = []\n", 2, "no key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("/home/u/.config/berth/config.toml", tc.text)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a config.Error", err)
			}
			if ce.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", ce.Line, tc.line, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "config /home/u/.config/berth/config.toml line ") ||
				strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming the file and line, with %q", msg, tc.want)
			}
			if !errdefs.IsInvalidArgument(err) {
				t.Errorf("error %v is not an invalid argument", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(filepath.Join(dir, "none.toml"))
	if err != nil || c.Theme != "" || len(c.Keys) != 0 {
		t.Errorf("a missing file: %+v, %v; want defaults and no error", c, err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("theme = \"high-contrast\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path); err != nil || c.Theme != "high-contrast" || c.Path != path {
		t.Errorf("Load: %+v, %v", c, err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "config "+dir+": cannot read it") {
		t.Errorf("a directory: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/berth/config.toml"},
		{map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, "/h/.config/berth/config.toml"},
		{map[string]string{"HOME": "/h"}, "/h/.config/berth/config.toml"},
		{map[string]string{}, ""},
	} {
		if got := DefaultPath(env(tc.env)); got != tc.want {
			t.Errorf("DefaultPath(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
