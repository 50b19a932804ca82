package ui

import (
	"math"
	"strings"
)

// blocks are the characters of a cell filled by 0 to 8 eighths.
const blocks = " ▁▂▃▄▅▆▇█"

// ChartRows draws values as a bar chart of h rows and at most w columns,
// one column per value, the newest on the right; each column is filled in
// eighths of a cell, so h rows show 8h levels. top is the value of a full
// column (the largest value when top <= 0). Rows are plain text, top row
// first, each as wide as the values drawn (right-align them to place the
// newest at the edge). A value above 0 shows at least one eighth, so that
// activity never looks like nothing.
func ChartRows(values []float64, top float64, w, h int) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	if len(values) > w {
		values = values[len(values)-w:]
	}
	if top <= 0 {
		for _, v := range values {
			top = max(top, v)
		}
	}
	levels := make([]int, len(values))
	for i, v := range values {
		if top <= 0 || v <= 0 || math.IsNaN(v) {
			continue
		}
		n := int(math.Round(min(v/top, 1) * float64(8*h)))
		levels[i] = max(n, 1)
	}
	eighths := []rune(blocks)
	rows := make([]string, h)
	var b strings.Builder
	for r := range h {
		b.Reset()
		base := (h - 1 - r) * 8 // eighths below this row
		for _, n := range levels {
			b.WriteRune(eighths[min(max(n-base, 0), 8)])
		}
		rows[r] = b.String()
	}
	return rows
}
