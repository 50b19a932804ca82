package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

// FormField is one line of a Form.
type FormField struct {
	Label       string // "Image"
	Placeholder string // shown while the field is empty
	Hint        string // shown under the fields while this one has the focus
	Value       string // initial text
	// Toggle makes the field a check box: space (or x) flips it, its value
	// is "y" when checked and "" when not; Placeholder describes it.
	Toggle bool
}

// Form asks for several lines of text: tab and shift+tab (or the arrows)
// move between fields, enter hands every value to submit, esc cancels. When
// submit returns an error the form stays open and shows it.
type Form struct {
	st     *themes.Styles
	title  string
	submit func(values []string) (tea.Cmd, error)
	labels []string
	hints  []string
	inputs []textinput.Model
	toggle []bool // the field is a check box
	descs  []string
	focus  int
	err    string
	// SubmitLabel names what enter does in the key line: "run". Default "ok".
	SubmitLabel string
	// Note is a line of text shown above the keys whatever the focus.
	Note string
}

// NewForm makes a form of fields; the first has the focus.
func NewForm(st *themes.Styles, title string, fields []FormField, submit func(values []string) (tea.Cmd, error)) *Form {
	f := &Form{st: st, title: title, submit: submit, SubmitLabel: "ok"}
	for _, fl := range fields {
		ti := NewTextInput(st, "› ", fl.Placeholder)
		if fl.Toggle {
			ti = NewTextInput(st, "", "")
			if fl.Value != "" {
				ti.SetValue("y")
			}
		} else {
			ti.SetValue(fl.Value)
		}
		ti.CursorEnd()
		ti.Blur()
		f.toggle = append(f.toggle, fl.Toggle)
		f.descs = append(f.descs, fl.Placeholder)
		f.labels = append(f.labels, fl.Label)
		f.hints = append(f.hints, fl.Hint)
		f.inputs = append(f.inputs, ti)
	}
	f.Focus(0)
	return f
}

// Values are the texts of the fields, in order, trimmed.
func (f *Form) Values() []string {
	v := make([]string, len(f.inputs))
	for i, ti := range f.inputs {
		v[i] = strings.TrimSpace(ti.Value())
	}
	return v
}

// Focused is the index of the field with the focus.
func (f *Form) Focused() int { return f.focus }

// Focus gives field i the focus.
func (f *Form) Focus(i int) {
	if len(f.inputs) == 0 {
		return
	}
	i = (i%len(f.inputs) + len(f.inputs)) % len(f.inputs)
	f.inputs[f.focus].Blur()
	f.focus = i
	f.inputs[i].Focus()
	f.inputs[i].CursorEnd()
}

// SetError shows err under the fields until the next key.
func (f *Form) SetError(err error) {
	f.err = ""
	if err != nil {
		f.err = err.Error()
	}
}

// Update: tab/shift+tab and down/up move, enter submits, esc cancels, other
// keys and pastes edit the focused field.
func (f *Form) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return nil, nil
		case "tab", "down":
			f.Focus(f.focus + 1)
			return f, nil
		case "shift+tab", "up":
			f.Focus(f.focus - 1)
			return f, nil
		case "enter":
			cmd, err := f.submit(f.Values())
			if err != nil {
				f.err = err.Error()
				return f, nil
			}
			return nil, cmd
		}
		f.err = ""
		if len(f.inputs) > 0 && f.toggle[f.focus] {
			if k.String() == "space" || k.String() == "x" {
				v := "y"
				if f.inputs[f.focus].Value() != "" {
					v = ""
				}
				f.inputs[f.focus].SetValue(v)
			}
			return f, nil
		}
	}
	if len(f.inputs) == 0 || f.toggle[f.focus] {
		return f, nil
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return f, cmd
}

// View draws one line per field ("Image  › busybox"), the focused field's
// hint or the last error, the note and the keys.
func (f *Form) View(maxW, maxH int) string {
	w := dialogWidth(maxW)
	inner := w - 4
	labelW := 0
	for _, l := range f.labels {
		labelW = max(labelW, Width(l))
	}
	var lines []string
	for i, ti := range f.inputs {
		label := f.st.Dialog.Hint
		if i == f.focus {
			label = f.st.Dialog.Title
		}
		head := label.Render(PadRight(f.labels[i], labelW)) + "  "
		if f.toggle[i] {
			box := "[ ]"
			if ti.Value() != "" {
				box = "[x]"
			}
			style := f.st.Dialog.Body
			if i == f.focus {
				style = f.st.Input.Prompt
			}
			lines = append(lines, Truncate(head+style.Render(box)+" "+f.st.Dialog.Body.Render(f.descs[i]), inner))
			continue
		}
		field := max(inner-labelW-2-Width(ti.Prompt)-1, 1)
		ti.SetWidth(field)
		lines = append(lines, Truncate(head+ti.View(), inner))
	}
	lines = append(lines, "")
	switch {
	case f.err != "":
		for _, l := range strings.Split(ansi.Wrap(oneLine(f.err), inner, ""), "\n") {
			lines = append(lines, f.st.Error.Render(l))
		}
	case f.focus < len(f.hints) && f.hints[f.focus] != "":
		lines = append(lines, f.st.Dialog.Hint.Render(Truncate(f.hints[f.focus], inner)))
	}
	if f.Note != "" {
		for _, l := range strings.Split(ansi.Wrap(f.Note, inner, ""), "\n") {
			lines = append(lines, f.st.Dialog.Hint.Render(l))
		}
	}
	key := func(k, desc string) string {
		return f.st.Help.Key.Render(k) + f.st.Dialog.Hint.Render(" "+desc)
	}
	lines = append(lines, Truncate(key("tab", "next field")+"   "+key("enter", f.SubmitLabel)+"   "+key("esc", "cancel"), inner))
	return box(f.st, f.title, lines, w, maxH)
}
