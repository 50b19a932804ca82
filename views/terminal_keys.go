package views

import (
	"strconv"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// encodeKey is what an xterm sends for k: the bytes a program in a pane
// reads. m says whether the program asked for application cursor keys
// (DECCKM: ESC O A rather than ESC [ A) and the application keypad.
func encodeKey(k tea.KeyPressMsg, m termModes) []byte {
	mod := k.Mod
	alt := mod.Contains(tea.ModAlt) || mod.Contains(tea.ModMeta)
	ctrl := mod.Contains(tea.ModCtrl)
	shift := mod.Contains(tea.ModShift)
	// xterm's modifier parameter: 1 + shift + 2·alt + 4·ctrl.
	param := 1
	if shift {
		param++
	}
	if alt {
		param += 2
	}
	if ctrl {
		param += 4
	}
	esc := func(s string) []byte {
		if alt {
			return []byte("\x1b" + s)
		}
		return []byte(s)
	}
	// cursor is an arrow, Home or End: ESC [ x, ESC O x in application
	// cursor mode, ESC [ 1 ; m x with modifiers.
	cursor := func(final byte) []byte {
		switch {
		case param > 1:
			return []byte("\x1b[1;" + strconv.Itoa(param) + string(final))
		case m.cursorKeys:
			return []byte("\x1bO" + string(final))
		}
		return []byte("\x1b[" + string(final))
	}
	tilde := func(n int) []byte {
		if param > 1 {
			return []byte("\x1b[" + strconv.Itoa(n) + ";" + strconv.Itoa(param) + "~")
		}
		return []byte("\x1b[" + strconv.Itoa(n) + "~")
	}
	ss3 := func(final byte) []byte { // F1-F4
		if param > 1 {
			return []byte("\x1b[1;" + strconv.Itoa(param) + string(final))
		}
		return []byte("\x1bO" + string(final))
	}
	keypad := func(app byte, plain string) []byte {
		if m.keypad {
			return []byte("\x1bO" + string(app))
		}
		return esc(plain)
	}
	switch k.Code {
	case tea.KeyUp:
		return cursor('A')
	case tea.KeyDown:
		return cursor('B')
	case tea.KeyRight:
		return cursor('C')
	case tea.KeyLeft:
		return cursor('D')
	case tea.KeyHome:
		return cursor('H')
	case tea.KeyEnd:
		return cursor('F')
	case tea.KeyInsert:
		return tilde(2)
	case tea.KeyDelete:
		return tilde(3)
	case tea.KeyPgUp:
		return tilde(5)
	case tea.KeyPgDown:
		return tilde(6)
	case tea.KeyF1:
		return ss3('P')
	case tea.KeyF2:
		return ss3('Q')
	case tea.KeyF3:
		return ss3('R')
	case tea.KeyF4:
		return ss3('S')
	case tea.KeyF5:
		return tilde(15)
	case tea.KeyF6:
		return tilde(17)
	case tea.KeyF7:
		return tilde(18)
	case tea.KeyF8:
		return tilde(19)
	case tea.KeyF9:
		return tilde(20)
	case tea.KeyF10:
		return tilde(21)
	case tea.KeyF11:
		return tilde(23)
	case tea.KeyF12:
		return tilde(24)
	case tea.KeyEnter, tea.KeyKpEnter:
		if k.Code == tea.KeyKpEnter && m.keypad {
			return []byte("\x1bOM")
		}
		return esc("\r")
	case tea.KeyTab:
		if shift {
			return []byte("\x1b[Z")
		}
		return esc("\t")
	case tea.KeyBackspace:
		if ctrl {
			return esc("\x08")
		}
		return esc("\x7f")
	case tea.KeyEscape:
		return esc("\x1b")
	case tea.KeySpace:
		if ctrl {
			return esc("\x00")
		}
		return esc(" ")
	case tea.KeyKp0, tea.KeyKp1, tea.KeyKp2, tea.KeyKp3, tea.KeyKp4,
		tea.KeyKp5, tea.KeyKp6, tea.KeyKp7, tea.KeyKp8, tea.KeyKp9:
		d := int(k.Code - tea.KeyKp0)
		return keypad(byte('p'+d), strconv.Itoa(d))
	case tea.KeyKpPlus:
		return keypad('k', "+")
	case tea.KeyKpMinus:
		return keypad('m', "-")
	case tea.KeyKpMultiply:
		return keypad('j', "*")
	case tea.KeyKpDivide:
		return keypad('o', "/")
	case tea.KeyKpDecimal:
		return keypad('n', ".")
	case tea.KeyKpEqual:
		return keypad('X', "=")
	case tea.KeyKpComma:
		return keypad('l', ",")
	}
	if ctrl {
		if b, ok := ctrlByte(k.Code); ok {
			return esc(string([]byte{b}))
		}
	}
	if k.Text != "" && !ctrl {
		return esc(k.Text)
	}
	if k.Code > 0 && k.Code < tea.KeyExtended && !ctrl {
		return esc(string(k.Code))
	}
	return nil
}

// ctrlByte is the control character Ctrl and r make, as xterm sends it.
func ctrlByte(r rune) (byte, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 1), true
	case r >= 'A' && r <= 'Z':
		return byte(r - 'A' + 1), true
	case r == '@' || r == '2' || r == ' ':
		return 0, true
	case r == '[' || r == '3':
		return 0x1b, true
	case r == '\\' || r == '4':
		return 0x1c, true
	case r == ']' || r == '5':
		return 0x1d, true
	case r == '^' || r == '6':
		return 0x1e, true
	case r == '_' || r == '7' || r == '/':
		return 0x1f, true
	case r == '?' || r == '8':
		return 0x7f, true
	}
	return 0, false
}

// encodeMouse is what the program gets for a mouse event at cell (x, y) of
// the pane, in the reporting mode and encoding it asked for; nil when it
// asked for none, or not for this kind of event.
func encodeMouse(msg tea.MouseMsg, x, y int, m termModes) []byte {
	if m.mouse == 0 {
		return nil
	}
	ev := msg.Mouse()
	motion, release := false, false
	switch msg.(type) {
	case tea.MouseMotionMsg:
		motion = true
		switch {
		case m.mouse == ansi.ModeMouseAnyEvent:
		case m.mouse == ansi.ModeMouseButtonEvent && ev.Button != tea.MouseNone:
		default:
			return nil
		}
	case tea.MouseReleaseMsg:
		release = true
		if m.mouse == ansi.ModeMouseX10 {
			return nil
		}
	}
	b := ansi.EncodeMouseButton(ev.Button, motion, ev.Mod.Contains(tea.ModShift),
		ev.Mod.Contains(tea.ModAlt), ev.Mod.Contains(tea.ModCtrl))
	if m.mouseSGR {
		return []byte(ansi.MouseSgr(b, x, y, release))
	}
	if release {
		b = ansi.EncodeMouseButton(tea.MouseNone, false, false, false, false)
	}
	return []byte(ansi.MouseX10(b, x, y))
}
