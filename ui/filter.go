package ui

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"berth/themes"
)

// Filter is the "/" line of a list pane: the typed text narrows the list.
// While Typing, keys edit it; Esc clears it, Enter keeps it.
type Filter struct {
	input  textinput.Model
	typing bool
}

// NewFilter builds an empty filter with a placeholder saying what it matches.
func NewFilter(st *themes.Styles, placeholder string) Filter {
	return Filter{input: NewTextInput(st, "/", placeholder)}
}

// Typing reports whether keys go to the filter now.
func (f *Filter) Typing() bool { return f.typing }

// Value is the text rows must match.
func (f *Filter) Value() string { return f.input.Value() }

// Lines is 1 while the filter line shows, else 0.
func (f *Filter) Lines() int {
	if f.typing || f.input.Value() != "" {
		return 1
	}
	return 0
}

// Open starts typing, the cursor after what is there.
func (f *Filter) Open() {
	f.typing = true
	f.input.Focus()
	f.input.CursorEnd()
}

// Clear empties the filter and reports whether that changed its value.
func (f *Filter) Clear() bool {
	changed := f.input.Value() != ""
	f.input.SetValue("")
	return changed
}

// Update takes a key or paste while Typing and reports whether the value
// changed: Esc clears and stops typing, Enter stops typing, the rest edits.
func (f *Filter) Update(msg tea.Msg, km *KeyMap) (changed bool, cmd tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case km.Back.Matches(k):
			f.typing = false
			return f.Clear(), nil
		case k.String() == "enter":
			f.typing = false
			return false, nil
		}
	}
	before := f.input.Value()
	f.input, cmd = f.input.Update(msg)
	return f.input.Value() != before, cmd
}

// View draws the filter line for a pane whose inside is inner columns wide.
func (f *Filter) View(st *themes.Styles, inner int) string {
	if f.typing {
		in := f.input
		in.SetWidth(max(inner-4, 1))
		return " " + in.View()
	}
	return " " + st.Input.Prompt.Render("/") + st.Text.Render(f.input.Value()) + st.Muted.Render("  (esc clears)")
}
