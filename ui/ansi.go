package ui

import "github.com/charmbracelet/x/ansi"

// reset ends every style, so that text cut from a styled line does not
// colour what follows it.
const reset = ansi.ResetStyle

// cut returns the cells [left, right) of s, keeping its styles.
func cut(s string, left, right int) string {
	if right <= left {
		return ""
	}
	return ansi.Cut(s, left, right)
}
