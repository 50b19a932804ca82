package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestLayoutColumnsByPriorityAndContent(t *testing.T) {
	cols := []Column{
		{Title: "NAME", Width: 6, Flex: 1},
		{Title: "ID", Width: 12, Priority: 2},
		{Title: "STATUS", Width: 10},
		{Title: "COMMAND", Width: 10, Flex: 1, Max: 20, Priority: 1},
	}
	nat := []int{20, 12, 25, 30}
	tests := []struct {
		width int
		ws    []int
		shown []bool
	}{
		// Room for the wishes of NAME and STATUS and COMMAND's minimum;
		// ID (priority 2) does not fit; the space is shared evenly where
		// text is cut.
		{61, []int{16, 0, 20, 19}, []bool{true, false, true, true}},
		{60, []int{31, 0, 25, 0}, []bool{true, false, true, false}}, // the rest to NAME, flexible
		// Too narrow for all of NAME and STATUS: the columns of priority 0
		// share what there is, evenly.
		{40, []int{16, 0, 20, 0}, []bool{true, false, true, false}},
		// Wide: every column, each with its whole content, and the rest
		// to the flexible ones (COMMAND only up to its Max while NAME
		// takes more).
		{120, []int{45, 12, 25, 30}, []bool{true, true, true, true}},
	}
	for _, tc := range tests {
		ws, shown := LayoutColumns(cols, nat, tc.width)
		if !slices.Equal(ws, tc.ws) || !slices.Equal(shown, tc.shown) {
			t.Errorf("width %d: %v %v, want %v %v", tc.width, ws, shown, tc.ws, tc.shown)
		}
		sum := 2
		n := 0
		for i, w := range ws {
			if shown[i] {
				sum += w
				n++
			}
		}
		sum += 2 * (n - 1)
		if sum != tc.width {
			t.Errorf("width %d: the columns fill %d", tc.width, sum)
		}
	}
}

func TestLayoutColumnsNarrowContent(t *testing.T) {
	// A column whose content is narrower than its minimum takes less.
	cols := []Column{{Title: "A", Width: 10}, {Title: "B", Width: 10, Flex: 1}}
	ws, _ := LayoutColumns(cols, []int{3, 4}, 30)
	if ws[0] != 3 || ws[1] != 30-2-2-3 {
		t.Errorf("widths %v", ws)
	}
}

func TestTableUsesWideScreens(t *testing.T) {
	tb := NewTable(styles(), []Column{
		{Title: "NAME", Width: 6, Flex: 1, Max: 20},
		{Title: "STATUS", Width: 8, Max: 12},
	})
	tb.SetRows([]Row{{Key: "a", Cells: []string{"a-rather-long-container-name", "Up 3 minutes"}}})
	tb.SetSize(250, 3)
	line := strings.Split(tb.View(), "\n")[1]
	if !strings.Contains(line, "a-rather-long-container-name") {
		t.Errorf("the name is cut at 250 columns: %q", line)
	}
	if !strings.HasSuffix(strings.TrimRight(ansi.Strip(line), " "), "Up 3 minutes") {
		t.Errorf("row %q", ansi.Strip(line))
	}
}

func TestTableMarkedRows(t *testing.T) {
	st := styles()
	tb := NewTable(st, []Column{{Title: "NAME", Width: 6}})
	tb.SetSize(20, 4)
	tb.SetRows([]Row{{Key: "a", Cells: []string{"web"}, Marked: true}, {Key: "b", Cells: []string{"db"}, Marked: true}, {Key: "c", Cells: []string{"job"}}})
	lines := strings.Split(ansi.Strip(tb.View()), "\n")
	if !strings.HasPrefix(lines[1], markRune) || !strings.HasPrefix(lines[2], markRune) || strings.HasPrefix(lines[3], markRune) {
		t.Errorf("marks: %q", lines)
	}
	if w := Width(lines[1]); w != 20 {
		t.Errorf("a marked row is %d wide", w)
	}
}

func TestTableWindow(t *testing.T) {
	tb := NewTable(styles(), []Column{{Title: "N", Width: 3}})
	rows := make([]Row, 50)
	for i := range rows {
		rows[i] = Row{Key: string(rune('a' + i)), Cells: []string{"x"}}
	}
	tb.SetRows(rows)
	tb.SetSize(10, 11) // header and 10 rows
	if from, to := tb.Window(); from != 0 || to != 10 {
		t.Errorf("window %d-%d", from, to)
	}
	tb.SetCursor(25)
	if from, to := tb.Window(); from != 16 || to != 26 {
		t.Errorf("window %d-%d after moving to 25", from, to)
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		vals []float64
		n    int
		top  float64
		want string
	}{
		{[]float64{0, 50, 100}, 8, 100, "▁▅█"},
		{[]float64{0.1, 0.2}, 8, 1, "▁▂"}, // small CPU stays low
		{[]float64{5, 5, 5}, 8, 0, "▄▄▄"}, // flat memory: mid height
		{[]float64{10, 20, 30}, 2, 0, "▁█"},
		{nil, 4, 0, ""},
	}
	for _, tc := range tests {
		if got := Sparkline(tc.vals, tc.n, tc.top); got != tc.want {
			t.Errorf("Sparkline(%v, %d, %v) = %q, want %q", tc.vals, tc.n, tc.top, got, tc.want)
		}
	}
	s := NewSeries(3)
	for i := range 5 {
		s.Add(float64(i))
	}
	if !slices.Equal(s.Values(), []float64{2, 3, 4}) {
		t.Errorf("series keeps %v", s.Values())
	}
}

func TestStatusLineExpires(t *testing.T) {
	var l StatusLine
	if cmd := l.Set(StatusMsg{Level: LevelInfo, Text: "Refreshing containers…"}); cmd == nil {
		t.Fatal("no expiry for an information")
	}
	first := l.seq
	l.Set(StatusMsg{Level: LevelSuccess, Text: "Stopped web"})
	l.Expire(StatusExpiredMsg{Seq: first}) // the first one's tick: too old
	if l.Message().Text != "Stopped web" {
		t.Errorf("an old tick ended a newer message: %q", l.Message().Text)
	}
	l.Expire(StatusExpiredMsg{Seq: l.seq})
	if l.Message().Text != "" {
		t.Errorf("still shows %q", l.Message().Text)
	}
	l.Set(StatusMsg{Level: LevelInfo, Text: "info"})
	l.KeyPressed()
	if l.Message().Text != "info" {
		t.Error("a key ended an information")
	}
	l.Set(StatusMsg{Level: LevelError, Text: "boom"})
	l.KeyPressed()
	if l.Message().Text != "" {
		t.Error("a key did not end an error")
	}
	if StatusErrorFor <= StatusInfoFor || StatusInfoFor > 10*time.Second {
		t.Errorf("lifetimes %v %v", StatusInfoFor, StatusErrorFor)
	}
}

func TestTableDrawsSparklinesInTheirStyle(t *testing.T) {
	st := styles()
	tb := NewTable(st, []Column{{Title: "NAME", Width: 4}, {Title: "CPU %", Width: 12, Right: true, Spark: true}})
	tb.SetSize(30, 4)
	tb.SetRows([]Row{{Key: "a", Cells: []string{"x", "1"}}, {Key: "b", Cells: []string{"web", "1.25% ▁▃▅"}}})
	line := strings.Split(tb.View(), "\n")[2]
	if !strings.Contains(line, st.Table.Spark.Render("▁▃▅")) {
		t.Errorf("the sparkline is not in its style: %q", line)
	}
	if plain := ansi.Strip(line); Width(plain) != 30 || !strings.HasSuffix(strings.TrimRight(plain, " "), "web   1.25% ▁▃▅") {
		t.Errorf("row %q", ansi.Strip(line))
	}
	if _, _, ok := sparkTail("Up 3 minutes"); ok {
		t.Error("a sparkline found in plain text")
	}
}
