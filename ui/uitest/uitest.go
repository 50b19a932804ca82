// Package uitest helps tests drive bubbletea models with key presses.
package uitest

import tea "charm.land/bubbletea/v2"

// Key is the key press a test sends for name: "enter", "esc", "tab", "up",
// "down", "backspace", "ctrl+c", or a single character (upper case is shifted).
func Key(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) != 1 {
		panic("unknown key " + k)
	}
	m := tea.KeyPressMsg{Code: r[0], Text: k}
	if r[0] >= 'A' && r[0] <= 'Z' {
		m.Code = r[0] + 'a' - 'A'
		m.ShiftedCode = r[0]
		m.Mod = tea.ModShift
	}
	return m
}
