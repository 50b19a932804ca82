package themes

import (
	"reflect"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestEveryThemeRenders(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			th, err := ByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if th.Name != name {
				t.Errorf("ByName(%q) is %q", name, th.Name)
			}
			v := reflect.ValueOf(th)
			for i := 0; i < v.NumField(); i++ {
				if f := v.Field(i); f.Type().String() == "color.Color" && f.IsNil() {
					t.Errorf("%s is not set", v.Type().Field(i).Name)
				}
			}
			st := New(th)
			n := 0
			styles(reflect.ValueOf(st), "Styles", func(path string, s lipgloss.Style) {
				n++
				if out := s.Render("x"); !strings.Contains(out, "x") {
					t.Errorf("%s loses the text: %q", path, out)
				}
			})
			if n < 30 || !hasColour(st.Table.Selected.Render("x")) || !hasColour(st.Error.Render("x")) {
				t.Errorf("%s: %d styles, selected row %q", name, n, st.Table.Selected.Render("x"))
			}
		})
	}
}

func TestThemesDiffer(t *testing.T) {
	seen := map[string]string{}
	for _, name := range Names() {
		th, _ := ByName(name)
		out := New(th).Table.Selected.Render("x") + New(th).Text.Render("x")
		if prev, ok := seen[out]; ok {
			t.Errorf("%s draws as %s", name, prev)
		}
		seen[out] = name
	}
}

func TestByNameUnknown(t *testing.T) {
	_, err := ByName("solarized")
	if err == nil || !strings.Contains(err.Error(), `no theme "solarized": choose dark, light, high-contrast`) {
		t.Errorf("error %v", err)
	}
}

func TestChoose(t *testing.T) {
	env := func(noColor string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return noColor
			}
			return ""
		}
	}
	for _, tc := range []struct {
		flag, config, noColor, want string
	}{
		{"", "", "", "dark"},
		{"", "light", "", "light"},
		{"high-contrast", "light", "", "high-contrast"},
		{"", "light", "1", "plain"}, // NO_COLOR beats the config file
		{"light", "", "1", "plain"}, // and the flag: the output has no colours
		{"", "", "1", "plain"},
	} {
		th, err := Choose(tc.flag, tc.config, env(tc.noColor))
		if err != nil || th.Name != tc.want {
			t.Errorf("Choose(%q, %q, NO_COLOR=%q) = %s, %v; want %s", tc.flag, tc.config, tc.noColor, th.Name, err, tc.want)
		}
	}
	if _, err := Choose("nope", "", env("")); err == nil {
		t.Error("an unknown flag is an error")
	}
	if _, err := Choose("nope", "", env("1")); err == nil {
		t.Error("an unknown flag is an error with NO_COLOR too")
	}
}
