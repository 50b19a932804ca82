package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

// Dialog is a modal box drawn over a screen. While it is open it gets every
// message; Update returns nil once it closes.
type Dialog interface {
	Update(msg tea.Msg) (Dialog, tea.Cmd)
	// View draws the box, no larger than maxW×maxH.
	View(maxW, maxH int) string
}

// dialogWidth is the width of a dialog box on a screen maxW wide.
func dialogWidth(maxW int) int { return min(max(maxW*3/5, 50), maxW, 72) }

// Confirm asks a yes/no question; y runs the command it was made with.
type Confirm struct {
	st    *themes.Styles
	title string
	body  string
	onYes tea.Cmd
}

// NewConfirm makes a confirmation dialog. body may hold styled text (e.g.
// st.Dialog.Danger for the thing about to be destroyed).
func NewConfirm(st *themes.Styles, title, body string, onYes tea.Cmd) *Confirm {
	return &Confirm{st: st, title: title, body: body, onYes: onYes}
}

// Update: y confirms, n or esc cancels, other keys are ignored.
func (c *Confirm) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	switch k.String() {
	case "y", "Y":
		return nil, c.onYes
	case "n", "N", "esc":
		return nil, nil
	}
	return c, nil
}

// View draws the question and the keys that answer it.
func (c *Confirm) View(maxW, maxH int) string {
	w := dialogWidth(maxW)
	inner := w - 4
	lines := strings.Split(ansi.Wrap(c.st.Dialog.Body.Render(c.body), inner, ""), "\n")
	lines = append(lines, "", c.st.Help.Key.Render("y")+c.st.Dialog.Hint.Render(" yes   ")+
		c.st.Help.Key.Render("n/esc")+c.st.Dialog.Hint.Render(" no"))
	return box(c.st, c.title, lines, w, maxH)
}

// box frames lines with one space of padding on each side.
func box(st *themes.Styles, title string, lines []string, w, maxH int) string {
	h := min(len(lines)+2, maxH)
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return Frame(st, title, "", true, strings.Join(lines, "\n"), w, h)
}

// NewTextInput is a bubbles text input styled by st, with a steady cursor
// (a blinking one would wake the program twice a second for nothing).
func NewTextInput(st *themes.Styles, prompt, placeholder string) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.Placeholder = placeholder
	s := textinput.Styles{
		Focused: textinput.StyleState{
			Prompt:      st.Input.Prompt,
			Text:        st.Input.Text,
			Placeholder: st.Input.Placeholder,
			Suggestion:  st.Input.Placeholder,
		},
		Blurred: textinput.StyleState{
			Prompt:      st.Input.Placeholder,
			Text:        st.Input.Placeholder,
			Placeholder: st.Input.Placeholder,
			Suggestion:  st.Input.Placeholder,
		},
	}
	s.Cursor.Color = st.Input.Cursor
	s.Cursor.Shape = tea.CursorBlock
	ti.SetStyles(s)
	ti.Focus()
	return ti
}

// Input asks for one line of text. Enter hands the text to submit; when
// submit returns an error the dialog stays open and shows it.
type Input struct {
	st     *themes.Styles
	title  string
	help   string
	ti     textinput.Model
	submit func(string) (tea.Cmd, error)
	err    string
}

// NewInput makes a text input dialog. help is a line shown under the field.
func NewInput(st *themes.Styles, title, prompt, placeholder, help string, submit func(string) (tea.Cmd, error)) *Input {
	return &Input{st: st, title: title, help: help, ti: NewTextInput(st, prompt, placeholder), submit: submit}
}

// Value is the text typed so far.
func (d *Input) Value() string { return d.ti.Value() }

// Update: enter submits, esc cancels, everything else edits the text.
func (d *Input) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return nil, nil
		case "enter":
			cmd, err := d.submit(strings.TrimSpace(d.ti.Value()))
			if err != nil {
				d.err = err.Error()
				return d, nil
			}
			return nil, cmd
		}
		d.err = ""
	}
	var cmd tea.Cmd
	d.ti, cmd = d.ti.Update(msg)
	return d, cmd
}

// View draws the field, the help line or the last error, and the keys.
func (d *Input) View(maxW, maxH int) string {
	w := dialogWidth(maxW)
	inner := w - 4
	ti := d.ti
	ti.SetWidth(max(inner-Width(ti.Prompt)-1, 1))
	lines := []string{ti.View(), ""}
	switch {
	case d.err != "":
		lines = append(lines, d.st.Error.Render(Truncate(oneLine(d.err), inner)))
	case d.help != "":
		lines = append(lines, d.st.Dialog.Hint.Render(Truncate(d.help, inner)))
	}
	lines = append(lines, d.st.Help.Key.Render("enter")+d.st.Dialog.Hint.Render(" ok   ")+
		d.st.Help.Key.Render("esc")+d.st.Dialog.Hint.Render(" cancel"))
	return box(d.st, d.title, lines, w, maxH)
}
