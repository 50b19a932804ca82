package themes

import (
	"image/color"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"default", nil, "dark"},
		{"NO_COLOR set", map[string]string{"NO_COLOR": "1"}, "plain"},
		{"NO_COLOR empty", map[string]string{"NO_COLOR": ""}, "dark"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FromEnv(func(k string) string { return tc.env[k] })
			if got.Name != tc.want {
				t.Errorf("theme %q, want %q", got.Name, tc.want)
			}
		})
	}
}

// Every colour of the dark theme is set: a forgotten one would silently be
// the terminal's default.
func TestDarkSetsEveryColour(t *testing.T) {
	v := reflect.ValueOf(Dark())
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type != reflect.TypeFor[color.Color]() {
			continue
		}
		c, _ := v.Field(i).Interface().(color.Color)
		if _, none := c.(lipgloss.NoColor); c == nil || none {
			t.Errorf("Dark().%s is not set", f.Name)
		}
	}
}

// styles walks every lipgloss.Style in s, nested structs included.
func styles(v reflect.Value, path string, fn func(string, lipgloss.Style)) {
	switch {
	case v.Type() == reflect.TypeFor[lipgloss.Style]():
		fn(path, v.Interface().(lipgloss.Style))
	case v.Kind() == reflect.Struct && v.Type() != reflect.TypeFor[Theme]():
		for i := range v.NumField() {
			styles(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
		}
	}
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour reports whether s sets a foreground or background colour.
func hasColour(s string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			if n >= 30 && n <= 49 && n != 39 && n != 49 || n >= 90 && n <= 107 {
				return true
			}
		}
	}
	return false
}

func TestHasColour(t *testing.T) {
	if !hasColour("\x1b[38;2;1;2;3mx\x1b[m") || !hasColour("\x1b[1;31mx") || hasColour("\x1b[1;7mx\x1b[m") {
		t.Error("hasColour is wrong")
	}
}

func TestPlainStylesHaveNoColour(t *testing.T) {
	n := 0
	styles(reflect.ValueOf(New(Plain())), "Styles", func(path string, s lipgloss.Style) {
		n++
		out := s.Render("x")
		if hasColour(out) {
			t.Errorf("%s renders a colour: %q", path, out)
		}
	})
	if n < 30 {
		t.Errorf("only %d styles walked", n)
	}
	st := New(Plain())
	if !strings.Contains(st.Table.Selected.Render("x"), "7") {
		t.Error("without colour the selected row must be in reverse video")
	}
	if st.Progress.FilledRune == st.Progress.EmptyRune {
		t.Error("without colour the bar's parts need different glyphs")
	}
}

func TestDarkStylesUseTheTheme(t *testing.T) {
	st := New(Dark())
	if out := st.Error.Render("x"); !strings.Contains(out, "38;2;255;107;107") {
		t.Errorf("error text is not ErrorText: %q", out)
	}
	if out := st.Table.Selected.Render("x"); !strings.Contains(out, "48;2;46;92;138") {
		t.Errorf("selected row lacks the Selected background: %q", out)
	}
}
