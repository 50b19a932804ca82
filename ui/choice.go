package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

// Option is one answer of a Choice: the key that picks it, what it says,
// and what it runs.
type Option struct {
	Key, Label string
	Do         tea.Cmd
}

// Choice asks a question with several answers (prune dangling images or
// every unused one); esc cancels.
type Choice struct {
	st      *themes.Styles
	title   string
	body    string
	options []Option
}

// NewChoice makes a dialog that offers options; body may hold styled text.
func NewChoice(st *themes.Styles, title, body string, options ...Option) *Choice {
	return &Choice{st: st, title: title, body: body, options: options}
}

// Update: an option's key picks it, esc cancels, other keys are ignored.
func (c *Choice) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	if k.String() == "esc" {
		return nil, nil
	}
	for _, o := range c.options {
		if k.String() == o.Key {
			return nil, o.Do
		}
	}
	return c, nil
}

// View draws the question, then each option on its line.
func (c *Choice) View(maxW, maxH int) string {
	w := dialogWidth(maxW)
	inner := w - 4
	lines := strings.Split(ansi.Wrap(c.st.Dialog.Body.Render(c.body), inner, ""), "\n")
	lines = append(lines, "")
	for _, o := range c.options {
		lines = append(lines, Truncate(c.st.Help.Key.Render(o.Key)+c.st.Dialog.Hint.Render("  "+o.Label), inner))
	}
	lines = append(lines, c.st.Help.Key.Render("esc")+c.st.Dialog.Hint.Render("  cancel"))
	return box(c.st, c.title, lines, w, maxH)
}
