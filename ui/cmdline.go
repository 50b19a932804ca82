package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"berth/themes"
)

// Completer gives the candidates for the word being typed at the end of
// line, and the byte offset where that word starts.
type Completer func(line string) (start int, cands []string)

// CmdLine is the ":" command line: one line of text with history (up and
// down), completion (tab, again to cycle) and a list of candidates shown
// above it. Enter submits, esc cancels.
type CmdLine struct {
	input    textinput.Model
	open     bool
	complete Completer

	history []string
	hist    int    // the entry shown while browsing; len(history) when not
	draft   string // what was typed before browsing

	cands  []string // candidates of the last tab
	cycle  int      // the one in the line while cycling; -1 before
	start  int      // where the completed word starts
	before string   // the line before the first tab of the cycle
}

// maxHistory is how many command lines are remembered.
const maxHistory = 100

// NewCmdLine makes a closed command line that completes with complete.
func NewCmdLine(complete Completer) *CmdLine {
	return &CmdLine{complete: complete, cycle: -1}
}

// Open starts typing a new command, in the styles of st.
func (c *CmdLine) Open(st *themes.Styles) {
	c.input = NewTextInput(st, ":", "pull alpine · run -d busybox sleep 1d · theme light · q")
	c.input.Focus()
	c.open = true
	c.hist = len(c.history)
	c.draft = ""
	c.resetCompletion()
}

// Active reports whether keys go to the command line.
func (c *CmdLine) Active() bool { return c.open }

// Value is the line as typed.
func (c *CmdLine) Value() string { return c.input.Value() }

// SetValue replaces the line, the cursor at its end.
func (c *CmdLine) SetValue(s string) {
	c.resetCompletion()
	c.setValue(s)
}

func (c *CmdLine) setValue(s string) {
	c.input.SetValue(s)
	c.input.CursorEnd()
}

// Candidates are the completions of the last tab.
func (c *CmdLine) Candidates() []string { return c.cands }

// History is what was submitted, oldest first.
func (c *CmdLine) History() []string { return c.history }

func (c *CmdLine) resetCompletion() { c.cands, c.cycle = nil, -1 }

// Update takes a key or paste while Active. It returns the line and true
// when enter submitted it (the line is closed then, and kept in history);
// esc closes it without.
func (c *CmdLine) Update(msg tea.Msg) (line string, submitted bool, cmd tea.Cmd) {
	k, isKey := msg.(tea.KeyPressMsg)
	if !isKey {
		c.resetCompletion()
		c.input, cmd = c.input.Update(msg)
		return "", false, cmd
	}
	switch k.String() {
	case "esc", "ctrl+c":
		c.open = false
		c.resetCompletion()
		return "", false, nil
	case "enter":
		line = strings.TrimSpace(c.input.Value())
		c.open = false
		c.resetCompletion()
		if line != "" && (len(c.history) == 0 || c.history[len(c.history)-1] != line) {
			c.history = append(c.history, line)
			if len(c.history) > maxHistory {
				c.history = c.history[len(c.history)-maxHistory:]
			}
		}
		return line, true, nil
	case "tab":
		c.tab(1)
		return "", false, nil
	case "shift+tab":
		c.tab(-1)
		return "", false, nil
	case "up":
		c.browse(-1)
		return "", false, nil
	case "down":
		c.browse(1)
		return "", false, nil
	case "backspace":
		if c.input.Value() == "" {
			c.open = false // as vim: backspace on an empty line leaves it
			return "", false, nil
		}
	}
	c.resetCompletion()
	c.input, cmd = c.input.Update(msg)
	return "", false, cmd
}

// browse shows the previous (d < 0) or next history entry; past the
// newest, the line typed before browsing comes back.
func (c *CmdLine) browse(d int) {
	if len(c.history) == 0 {
		return
	}
	if c.hist == len(c.history) {
		c.draft = c.input.Value()
	}
	c.hist = min(max(c.hist+d, 0), len(c.history))
	c.resetCompletion()
	if c.hist == len(c.history) {
		c.SetValue(c.draft)
		return
	}
	c.SetValue(c.history[c.hist])
}

// tab completes the last word: one candidate is taken with a space after
// it; several are listed and their common prefix taken; tab again puts
// each in turn (shift+tab backwards).
func (c *CmdLine) tab(d int) {
	if c.cycle >= 0 || (len(c.cands) > 1 && c.input.Value() == c.lastCompletion()) {
		if c.cycle < 0 && d < 0 {
			c.cycle = 0
		}
		c.cycle = (c.cycle + d + len(c.cands)) % len(c.cands)
		c.setValue(c.before[:c.start] + c.cands[c.cycle])
		return
	}
	if c.complete == nil {
		return
	}
	line := c.input.Value()
	start, cands := c.complete(line)
	start = min(max(start, 0), len(line))
	c.cands, c.cycle, c.start = cands, -1, start
	switch len(cands) {
	case 0:
		return
	case 1:
		c.setValue(line[:start] + cands[0] + " ")
		c.cands = nil
		return
	}
	c.before = line[:start] + commonPrefix(cands)
	c.setValue(c.before)
}

// lastCompletion is the line as the last tab left it.
func (c *CmdLine) lastCompletion() string { return c.before }

func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// View draws the line, width cells wide.
func (c *CmdLine) View(st *themes.Styles, width int) string {
	in := c.input
	in.SetWidth(max(width-3, 1))
	return Fit(in.View(), width)
}

// CandidatesView is the line of candidates above the command line, the
// current one highlighted; "" when there are none.
func (c *CmdLine) CandidatesView(st *themes.Styles, width int) string {
	if len(c.cands) < 2 {
		return ""
	}
	var b strings.Builder
	used := 0
	for i, s := range c.cands {
		w := Width(s) + 2
		if used+w > width-2 {
			b.WriteString(st.Muted.Render(" …"))
			used += 2
			break
		}
		style := st.Text
		if i == c.cycle {
			style = st.Table.Selected
		}
		b.WriteString(" " + style.Render(s) + " ")
		used += w
	}
	return b.String() + strings.Repeat(" ", max(width-used, 0))
}
