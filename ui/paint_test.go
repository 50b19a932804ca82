package ui

import (
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

// A paint draws a run as the style's Render does (Render underlines the
// words of an underlined text one by one: the paint underlines it whole).
func TestPaintLikeRender(t *testing.T) {
	styles := []lipgloss.Style{
		lipgloss.NewStyle().Foreground(lipgloss.Color("#88C0D0")),
		lipgloss.NewStyle().Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#2E5C8A")).Bold(true),
		lipgloss.NewStyle().Italic(true),
		lipgloss.NewStyle().Reverse(true),
		lipgloss.NewStyle(),
	}
	for _, s := range styles {
		for _, text := range []string{`"State"`, "▁▂▃▄▅▆▇█", "a b"} {
			if got, want := NewPaint(s).Render(text), s.Render(text); got != want {
				t.Errorf("Paint(%v).Render(%q) = %q, Render %q", s, text, got, want)
			}
		}
		if got := NewPaint(s).Render(""); got != "" {
			t.Errorf("an empty run drew %q", got)
		}
	}
	u := NewPaint(lipgloss.NewStyle().Underline(true)).Render("a b")
	if ansi.Strip(u) != "a b" || u == "a b" {
		t.Errorf("underlined: %q", u)
	}
}

// Themed makes its value once per theme, and again after :theme, which
// changes the styles in place.
func TestThemedFollowsTheTheme(t *testing.T) {
	st := themes.New(themes.Dark())
	var c Themed[string]
	made := 0
	make := func(st *themes.Styles) string { made++; return st.Theme.Name }
	if got := c.Get(&st, make); got != "dark" || made != 1 {
		t.Fatalf("first: %q, made %d", got, made)
	}
	c.Get(&st, make)
	if made != 1 {
		t.Errorf("made again in the same theme: %d", made)
	}
	st = themes.New(themes.Light()) // in place, as :theme does
	if got := c.Get(&st, make); got != "light" || made != 2 {
		t.Errorf("after the theme changed: %q, made %d", got, made)
	}
}
