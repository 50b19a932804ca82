package views

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func newSelectTerminal(t *testing.T, cols, rows int, out string) (*terminal, *fakeTermSession) {
	t.Helper()
	term, f := newTestTerminal(t, cols, rows)
	term.selStyle = lipgloss.NewStyle().Reverse(true)
	f.out(out)
	settle(t, term, f)
	return term, f
}

func drag(term *terminal, x0, y0, x1, y1 int) string {
	term.Mouse(tea.MouseClickMsg{Button: tea.MouseLeft}, x0, y0)
	term.Mouse(tea.MouseMotionMsg{Button: tea.MouseLeft}, x1, y1)
	return term.Mouse(tea.MouseReleaseMsg{Button: tea.MouseLeft}, x1, y1)
}

func TestTerminalMouseSelection(t *testing.T) {
	term, _ := newSelectTerminal(t, 20, 4, "$ echo hello world\r\nhello world\r\n$ ")
	if got := drag(term, 6, 1, 10, 1); got != "world" {
		t.Errorf("a drag over one line copied %q, want world", got)
	}
	row := strings.Split(term.View(), "\n")[1]
	if !strings.Contains(row, "\x1b[7mworld") {
		t.Errorf("the selection is not drawn reversed: %q", row)
	}
	if got := ansi.Strip(row); got != "hello world         " {
		t.Errorf("the selected row reads %q", got)
	}
	// Backwards over two lines: from the end of the second to the middle
	// of the first.
	if got := drag(term, 4, 1, 2, 0); got != "echo hello world\nhello" {
		t.Errorf("a drag back over two lines copied %q", got)
	}
	// A click alone selects nothing; typing clears the selection.
	if got := drag(term, 3, 0, 3, 0); got != "" {
		t.Errorf("a click copied %q", got)
	}
	drag(term, 0, 1, 4, 1)
	term.Key(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if strings.Contains(term.View(), "\x1b[7m") {
		t.Error("the selection is still drawn after a key went to the program")
	}
}

// A program that asks for the mouse gets the drag; nothing is selected.
func TestTerminalMouseSelectionLeftToAProgramThatTakesTheMouse(t *testing.T) {
	term, f := newSelectTerminal(t, 20, 4, "text\x1b[?1002h\x1b[?1006h")
	if got := drag(term, 0, 0, 3, 0); got != "" {
		t.Errorf("copied %q while the program takes the mouse", got)
	}
	waitFor(t, func() bool { return strings.Count(f.input(), "\x1b[<") == 3 },
		func() string { return fmt.Sprintf("the program got %q", f.input()) })
}

// The selection stays on its text while output scrolls it up.
func TestTerminalSelectionFollowsScrolling(t *testing.T) {
	term, f := newSelectTerminal(t, 20, 4, "one\r\ntwo\r\nthree\r\n")
	term.Mouse(tea.MouseClickMsg{Button: tea.MouseLeft}, 0, 1)
	term.Mouse(tea.MouseMotionMsg{Button: tea.MouseLeft}, 4, 2)
	f.out("four\r\nfive\r\nsix\r\n") // two, three scroll off: lines 1 and 2 stay theirs
	settle(t, term, f)
	if got := term.Mouse(tea.MouseReleaseMsg{Button: tea.MouseLeft}, 4, 2); got != "two\nthree" {
		t.Errorf("copied %q after the output scrolled, want two\\nthree", got)
	}
}

func copyKeys(term *terminal, keys ...string) string {
	var text string
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "space":
			msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		if s := term.CopyKey(msg); s != "" {
			text = s
		}
	}
	return text
}

func TestTerminalCopyMode(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "line %d of text\r\n", i)
	}
	b.WriteString("$ ")
	term, _ := newSelectTerminal(t, 20, 5, b.String())
	term.EnterCopyMode()
	if c := term.Cursor(); c == nil || c.Y != 4 || c.X != 2 {
		t.Fatalf("copy mode starts at %+v, want the program's cursor (2, 4)", c)
	}
	// Up two lines, to its start, mark, down one, to its end, copy.
	if got := copyKeys(term, "k", "k", "0", "v", "j", "$", "y"); got != "line 29 of text\nline 30 of text" {
		t.Errorf("copied %q", got)
	}
	if term.CopyMode() {
		t.Error("y did not leave copy mode")
	}
	// y without a mark copies the head's line; up into the scrollback
	// scrolls the view back.
	term.EnterCopyMode()
	if got := copyKeys(term, "k", "k", "k", "k", "k", "k", "y"); got != "line 25 of text" {
		t.Errorf("copied %q, want line 25 of text", got)
	}
	if term.Scrolled() == 0 {
		t.Error("moving above the screen did not scroll back")
	}
	// g goes to the oldest line; space marks; the selection is drawn.
	term.EnterCopyMode()
	copyKeys(term, "g", "space", "l", "l", "l")
	if !strings.Contains(term.View(), "\x1b[7mline") {
		t.Errorf("the marked text is not drawn:\n%s", term.View())
	}
	if got := copyKeys(term, "enter"); got != "line" {
		t.Errorf("copied %q from the oldest line, want line", got)
	}
	// esc leaves without copying.
	term.EnterCopyMode()
	if got := copyKeys(term, "v", "k", "esc"); got != "" || term.CopyMode() {
		t.Errorf("esc copied %q (copy mode %v)", got, term.CopyMode())
	}
}

// In the app: the prefix then v enters copy mode in the session (keys do
// not reach the program), y copies and says so; a mouse drag on the pane
// copies too, also when it ends over the lists.
func TestSessionCopyModeAndMouseCopy(t *testing.T) {
	h, fs := newSessionsHarness(t, 120, 30)
	h.keys("H")
	h.waitFor("the host shell", func() bool { return h.app.sessions.Count() == 1 })
	sess := fs.session(0)
	sess.out("copy me please\r\n$ ")
	h.waitScreen("copy me please")

	h.keys("ctrl+]", "v")
	if !h.app.sessions.Focused() || !h.app.sessions.active().term.CopyMode() {
		t.Fatal("ctrl+] v did not enter copy mode in the session")
	}
	h.waitScreen("mark", "copy")
	h.keys("k", "0", "v", "$", "y")
	h.waitScreen("Copied 14 bytes from host to the clipboard")
	if in := sess.input(); in != "" {
		t.Errorf("copy-mode keys reached the program: %q", in)
	}

	ox, oy := h.app.sessions.split.PaneOrigin()
	oy++ // the title bar
	h.send(tea.MouseClickMsg{X: ox + 5, Y: oy, Button: tea.MouseLeft})
	h.send(tea.MouseMotionMsg{X: ox + 7, Y: oy, Button: tea.MouseLeft})
	h.send(tea.MouseMotionMsg{X: 2, Y: oy + 1, Button: tea.MouseLeft}) // over the lists
	h.send(tea.MouseReleaseMsg{X: 2, Y: oy + 1, Button: tea.MouseLeft})
	h.waitScreen("Copied 11 bytes from host to the clipboard") // "me please\n$"
}

// Output that scrolls the copy-mode head out of view hides the cursor
// rather than put it outside the pane.
func TestTerminalCopyCursorScrolledAway(t *testing.T) {
	term, f := newSelectTerminal(t, 20, 3, "a\r\nb\r\n$ ")
	term.EnterCopyMode()
	copyKeys(term, "k", "k")
	if c := term.Cursor(); c == nil || c.Y != 0 {
		t.Fatalf("copy cursor %+v, want row 0", c)
	}
	f.out("\r\nc\r\nd\r\n")
	settle(t, term, f)
	if c := term.Cursor(); c != nil {
		t.Errorf("copy cursor %+v after its line scrolled off the view", c)
	}
}
