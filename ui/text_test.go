package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Width counts as ansi.StringWidth does, fast path or not.
func TestWidthAgreesWithStringWidth(t *testing.T) {
	cases := []string{
		"", "abc", "a b  c", "\x1b[31mred\x1b[0m and plain", "\x1b[1;38;2;1;2;3mx\x1b[m",
		"e\u0301", "cafe\u0301 ok", "日本", "a日b", "🙂x", "👍🏽", "x\u200dy",
		"\x1b]8;;http://example.com\x07link\x1b]8;;\x07", "\x1b]0;title\x1b\\after",
		"a\tb", "x\x7fy", "\x1bPq#0;2;0;0;0\x1b\\dcs", "│ border │", "…", "trailing \x1b[",
		"╭─ web ─╮", "▁▂▃▄▅▆▇█", "\x1b[34m██\x1b[m│", "│\u0301x", "█\ufe0f", "▄\u200d▄", "⣿⡇ braille", "─\xe2",
		strings.Repeat("wide 漢字 and ascii ", 10),
	}
	for _, s := range cases {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
}

func FuzzWidth(f *testing.F) {
	for _, s := range []string{"abc", "\x1b[31mred\x1b[0m", "e\u0301", "日本", "🙂", "\x1b]8;;u\x07l\x1b]8;;\x07", "│▁█\u0301", "⣿\ufe0f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	})
}

// BenchmarkWidth measures a terminal pane's row: 120 cells of text with a
// few colours.
func BenchmarkWidth(b *testing.B) {
	row := strings.Repeat("\x1b[32mdrwxr-xr-x\x1b[0m 2 root root 4096 Dec  1 02:31 bin ", 2)
	b.Run("Width", func(b *testing.B) {
		for b.Loop() {
			_ = Width(row)
		}
	})
	b.Run("ansi.StringWidth", func(b *testing.B) {
		for b.Loop() {
			_ = ansi.StringWidth(row)
		}
	})
}
