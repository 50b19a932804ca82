package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

func TestTabStrip(t *testing.T) {
	st := themes.New(themes.Plain())
	titles := []string{"Logs", "Stats", "Inspect", "Env", "Top", "Mounts/Ports"}
	tests := []struct {
		name   string
		active int
		w      int
		want   string
	}{
		{"all fit", 0, 80, " 1 Logs  2 Stats  3 Inspect  4 Env  5 Top  6 Mounts/Ports "},
		{"cut on the right", 0, 30, " 1 Logs  2 Stats  3 Inspect ›"},
		{"scrolled to the active tab", 5, 31, "‹ 4 Env  5 Top  6 Mounts/Ports"},
		{"tiny", 2, 6, "‹ 3 …›"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ansi.Strip(TabStrip(&st, titles, tc.active, tc.w))
			if Width(got) != tc.w {
				t.Errorf("width %d, want %d: %q", Width(got), tc.w, got)
			}
			if strings.TrimRight(got, " ") != strings.TrimRight(tc.want, " ") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTabAt: every cell of a drawn label is its tab; the markers and the
// space after the tabs are none; a scrolled strip counts from its first
// shown tab.
func TestTabAt(t *testing.T) {
	st := themes.New(themes.Plain())
	titles := []string{"Logs", "Stats", "Inspect", "Env", "Top", "Mounts/Ports"}
	for _, tc := range []struct{ active, w int }{{0, 80}, {0, 30}, {5, 31}, {2, 6}} {
		strip := []rune(ansi.Strip(TabStrip(&st, titles, tc.active, tc.w)))
		want := make([]int, len(strip))
		for x := range want {
			want[x] = -1
		}
		for i, title := range titles {
			label := []rune(" " + itoa(i+1) + " " + title + " ")
			if at := strings.Index(string(strip), string(label)); at >= 0 {
				start := len([]rune(string(strip)[:at]))
				for x := start; x < start+len(label); x++ {
					want[x] = i
				}
			}
		}
		if tc.w == 6 { // "‹ 3 …›": the cut label of the active tab
			want[1], want[2], want[3], want[4] = 2, 2, 2, 2
		}
		for x := range tc.w {
			if got := TabAt(titles, tc.active, tc.w, x); got != want[x] {
				t.Errorf("active %d w %d x %d (%q): tab %d, want %d", tc.active, tc.w, x, string(strip), got, want[x])
			}
		}
	}
}

func TestChartRows(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		top    float64
		w, h   int
		want   []string
	}{
		{"one row, eighths", []float64{0, 1, 2, 4, 8}, 8, 10, 1, []string{" ▁▂▄█"}},
		{"two rows", []float64{0, 4, 8, 12, 16}, 16, 10, 2, []string{"   ▄█", " ▄███"}},
		{"scaled to the largest", []float64{1, 2}, 0, 10, 1, []string{"▄█"}},
		{"small but not zero shows", []float64{0.001, 100}, 100, 10, 1, []string{"▁█"}},
		{"above top is full", []float64{50}, 10, 10, 1, []string{"█"}},
		{"keeps the newest", []float64{8, 8, 0, 4}, 8, 2, 1, []string{" ▄"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ChartRows(tc.values, tc.top, tc.w, tc.h)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
