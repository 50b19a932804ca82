package ui

import (
	"math"
	"strings"

	"berth/themes"
)

// Bar draws a progress bar w cells wide for frac (0..1) done. Without colours
// the filled and empty parts still differ by their glyph.
func Bar(st *themes.Styles, frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	if math.IsNaN(frac) {
		frac = 0
	}
	frac = min(max(frac, 0), 1)
	filled := int(math.Round(frac * float64(w)))
	return st.Progress.Filled.Render(strings.Repeat(string(st.Progress.FilledRune), filled)) +
		st.Progress.Empty.Render(strings.Repeat(string(st.Progress.EmptyRune), w-filled))
}
