package ui

import "strings"

// sparkRunes are the eight heights of a sparkline cell, lowest first.
var sparkRunes = [...]rune{'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// Sparkline draws the last n values as block heights, oldest on the left,
// scaled to the largest of them (or to top, if larger: 1 keeps 0.2 % of
// CPU low). With top 0 the scale runs from the smallest value to the
// largest (memory moves little around a large base); a flat series is
// drawn at mid height. Fewer values than n leave blanks on the left, so a new series grows from
// the right. Plain text: the table draws it in its cell's style.
func Sparkline(vals []float64, n int, top float64) string {
	if n <= 0 {
		return ""
	}
	if len(vals) > n {
		vals = vals[len(vals)-n:]
	}
	hi, lo := top, 0.0
	if top <= 0 && len(vals) > 0 {
		hi, lo = vals[0], vals[0]
	}
	for _, v := range vals {
		hi, lo = max(hi, v), min(lo, v)
	}
	var b strings.Builder
	b.Grow(n * 3)
	for _, v := range vals {
		i := 0
		switch {
		case hi == lo && top <= 0:
			i = len(sparkRunes)/2 - 1
		case hi > lo && v > lo:
			i = min(int((v-lo)/(hi-lo)*float64(len(sparkRunes))), len(sparkRunes)-1)
		}
		b.WriteRune(sparkRunes[i])
	}
	return b.String()
}

// Series keeps the last values of a measure for a sparkline.
type Series struct {
	vals []float64
	cap  int
}

// NewSeries keeps the last n values.
func NewSeries(n int) Series { return Series{cap: max(n, 1)} }

// Add appends v, dropping the oldest value when full.
func (s *Series) Add(v float64) {
	if s.cap == 0 {
		s.cap = 1
	}
	if len(s.vals) == s.cap {
		copy(s.vals, s.vals[1:])
		s.vals = s.vals[:len(s.vals)-1]
	}
	s.vals = append(s.vals, v)
}

// Values are the values kept, oldest first; the slice is the series' own.
func (s Series) Values() []float64 { return s.vals }
