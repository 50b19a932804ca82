// Package uitest helps tests drive bubbletea models with key presses.
package uitest

import tea "charm.land/bubbletea/v2"

// Key is the key press a test sends for name: "enter", "esc", "tab",
// "shift+tab", "space", "up", "down", "left", "right", "home", "end", "pgup",
// "pgdown", "backspace", "ctrl+c" (or any "ctrl+" letter), or a single
// character (upper case is shifted).
func Key(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	if r := []rune(k); len(r) == 6 && k[:5] == "ctrl+" {
		return tea.KeyPressMsg{Code: r[5], Mod: tea.ModCtrl}
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
