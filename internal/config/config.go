// Package config reads berth's settings file, a TOML file at
// $XDG_CONFIG_HOME/berth/config.toml (else ~/.config/berth/config.toml):
//
//	theme = "light"          # dark, light or high-contrast
//	mouse = false            # start with mouse capture off (M turns it on)
//
//	[keys]                   # action = key, or a list of keys
//	"containers.stop" = "x"
//	"app.quit" = ["q", "ctrl+q"]
//
// A missing file is no error: berth runs with its defaults. A file that
// cannot be read gives one error naming the file, the line and the fix;
// the caller shows it and carries on with the defaults. The package only
// reads; the names of themes and actions are checked by those who know
// them, with Config.Errorf to point at the line.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"berth/engine/errdefs"
)

// Config is what the file sets.
type Config struct {
	Path      string
	Theme     string
	ThemeLine int
	// Mouse is false when the file turns mouse capture off at start.
	Mouse bool
	// Keys are the [keys] overrides, in the file's order.
	Keys []KeyOverride
}

// KeyOverride is one line of [keys]: the action and the keys it takes.
type KeyOverride struct {
	Action string
	Keys   []string
	Line   int
}

// Error is a mistake in the file: where, what, and how to fix it. It is
// an errdefs.ErrInvalidArgument.
type Error struct {
	Path string
	Line int // 0 when the whole file is at fault
	Msg  string
	Fix  string
}

func (e *Error) Error() string {
	where := e.Path
	if e.Line > 0 {
		where += fmt.Sprintf(" line %d", e.Line)
	}
	s := "config " + where + ": " + e.Msg
	if e.Fix != "" {
		s += ": " + e.Fix
	}
	return s + " (berth runs with its defaults)"
}

// Unwrap makes the error an invalid argument.
func (e *Error) Unwrap() error { return errdefs.ErrInvalidArgument }

// DefaultPath is where berth looks for its settings; getenv is os.Getenv
// in the program.
func DefaultPath(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "berth", "config.toml")
	}
	home := getenv("HOME")
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "berth", "config.toml")
}

// Load reads the file at path; a missing file (or path "") gives an empty
// Config and no error.
func Load(path string) (Config, error) {
	c := Config{Path: path, Mouse: true}
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		why := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			why = pe.Err.Error()
		}
		return c, &Error{Path: path, Msg: "cannot read it: " + why, Fix: "check that it is a readable file"}
	}
	return Parse(path, string(data))
}

// Parse reads text, the file's content; path names it in errors.
func Parse(path, text string) (Config, error) {
	c := Config{Path: path, Mouse: true}
	var raw map[string]any
	md, err := toml.Decode(text, &raw)
	if err != nil {
		line := 0
		msg := err.Error()
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// A table left open is found at the next line: point at the
			// last line there is.
			line = min(pe.Position.Line, strings.Count(strings.TrimRight(text, "\n"), "\n")+1)
			msg = pe.Message
		}
		return c, &Error{Path: path, Line: line, Msg: msg,
			Fix: `write TOML, e.g. theme = "light", or "containers.stop" = "x" under [keys]`}
	}
	for _, k := range md.Keys() {
		line := keyLine(text, k[len(k)-1])
		switch {
		case len(k) == 1 && k[0] == "theme":
			theme, ok := raw["theme"].(string)
			if !ok {
				return c, c.Errorf(line, `write theme = "light"`, "theme must be a string")
			}
			c.Theme, c.ThemeLine = theme, line
		case len(k) == 1 && k[0] == "mouse":
			mouse, ok := raw["mouse"].(bool)
			if !ok {
				return c, c.Errorf(line, "write mouse = false (or true)", "mouse must be true or false")
			}
			c.Mouse = mouse
		case len(k) == 1 && k[0] == "keys":
			if _, ok := raw["keys"].(map[string]any); !ok {
				return c, c.Errorf(line, `write a table: [keys] then "containers.stop" = "x"`, "keys must be a table")
			}
		case len(k) == 2 && k[0] == "keys":
			o, err := c.keyOverride(k[1], raw["keys"].(map[string]any)[k[1]], line)
			if err != nil {
				return c, err
			}
			c.Keys = append(c.Keys, o)
		default:
			return c, c.Errorf(line, "berth knows theme, mouse and [keys]", "unknown setting %q", k.String())
		}
	}
	return c, nil
}

// keyOverride reads one line of [keys]: a key, or a list of them.
func (c Config) keyOverride(action string, v any, line int) (KeyOverride, error) {
	o := KeyOverride{Action: action, Line: line}
	switch v := v.(type) {
	case string:
		o.Keys = []string{v}
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return o, c.Errorf(line, `write the keys as strings: ["x", "ctrl+x"]`, "%s: a key must be a string", action)
			}
			o.Keys = append(o.Keys, s)
		}
	default:
		return o, c.Errorf(line, `write "`+action+`" = "x", or a list ["x", "ctrl+x"]`, "%s: a key must be a string", action)
	}
	for _, key := range o.Keys {
		if strings.TrimSpace(key) == "" || key != strings.TrimSpace(key) {
			return o, c.Errorf(line, `name keys as help shows them: "x", "ctrl+x", "enter", "f5"`, "%s: key %q is blank or padded", action, key)
		}
	}
	if len(o.Keys) == 0 {
		return o, c.Errorf(line, "give at least one key, or remove the line", "%s: no key", action)
	}
	return o, nil
}

// Errorf is an error at line of the file, with its fix.
func (c Config) Errorf(line int, fix, format string, args ...any) error {
	return &Error{Path: c.Path, Line: line, Msg: fmt.Sprintf(format, args...), Fix: fix}
}

// keyLine is the first line (from 1) where key is set: `key =`, `"key" =`
// or `[key]`; 0 when not found.
func keyLine(text, key string) int {
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		for _, q := range []string{key, `"` + key + `"`, `'` + key + `'`} {
			if rest, ok := strings.CutPrefix(l, q); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
				return i + 1
			}
			if strings.ReplaceAll(l, " ", "") == "["+q+"]" {
				return i + 1 // a table
			}
		}
	}
	return 0
}
