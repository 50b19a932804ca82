package views

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"berth/pty"
)

// termSession is what a terminal pane drives: pty.Session has it. Declared
// here so that tests give the pane a fake.
type termSession interface {
	io.Reader
	io.Writer
	Resize(cols, rows uint16) error
	Close() error
	Wait() (exitCode int, err error)
}

// frameInterval is the shortest time between two frames of one pane: a
// burst of output is drawn at most this often.
const frameInterval = 16 * time.Millisecond

// scrollbackLines is how many lines scrolled off the top a pane keeps.
const scrollbackLines = 10000

// termFrameMsg says pane ID has new output to draw (or ended).
type termFrameMsg struct{ ID int }

// terminal is one session shown in a pane through a VT emulator
// (charmbracelet/x/vt). A reader goroutine takes the session's output as
// fast as it comes; a feeder goroutine writes it into the emulator under mu,
// in large batches when it floods, and wakes the frame command, which posts
// at most one termFrameMsg per frameInterval; a writer goroutine sends keys
// to the session from a queue, so Update never blocks on the program.
type terminal struct {
	ID    int
	Title string

	sess termSession

	mu       sync.Mutex // guards everything below it
	em       *vt.Emulator
	modes    termModes
	lines    []string // rendered screen rows, by row; "" when to render again
	sb       ring     // lines scrolled off the top, rendered
	changed  bool     // output since the last frame
	allDirty bool     // render every row again (the alternate screen switched)
	jumped   int      // lines that jumped to the scrollback unwritten
	fed      int      // bytes of output fed so far
	runEnds  []int    // plainRun's buffer, reused
	ended    bool
	exitCode int
	exitErr  error
	cols     int
	rows     int

	wake   chan struct{} // output arrived (cap 1)
	in     inputQueue
	out    outputPipe
	done   chan struct{} // closed once all the output was fed
	scroll int           // lines scrolled back from the bottom; 0: live
	unseen bool          // new output while the pane was not shown

	sel      selection      // text selected, copy mode
	selStyle lipgloss.Style // draws the selection

	// giveBack returns freed memory to the system after a flood
	// (debug.FreeOSMemory; tests count the calls). Guarded by mu.
	giveBack func()
}

// termModes are the modes the program set that change what keys and the
// mouse send.
type termModes struct {
	cursorKeys, keypad, bracketedPaste bool
	mouse                              ansi.DECMode // 0: no reporting
	mouseSGR                           bool
}

// newTerminal starts drawing sess in a cols×rows pane.
func newTerminal(id int, title string, sess termSession, cols, rows int) *terminal {
	cols, rows = max(cols, 2), max(rows, 1)
	t := &terminal{ID: id, Title: title, sess: sess, cols: cols, rows: rows,
		wake: make(chan struct{}, 1), done: make(chan struct{}), giveBack: debug.FreeOSMemory}
	t.em = vt.NewEmulator(cols, rows)
	// Lines that scroll off go to t.sb after each write; the emulator's own
	// buffer is emptied each time, so it never trims itself line by line.
	t.em.SetScrollbackSize(1 << 16)
	t.em.SetCallbacks(vt.Callbacks{
		EnableMode:  func(m ansi.Mode) { t.modes.set(m, true) },
		DisableMode: func(m ansi.Mode) { t.modes.set(m, false) },
		AltScreen:   func(bool) { t.allDirty = true },
	})
	t.lines = make([]string, rows)
	t.sb = newRing(scrollbackLines)
	t.in.init()
	t.out.init()
	go t.readOutput()
	go t.feedOutput()
	go t.replies()
	go t.in.run(sess)
	return t
}

func (m *termModes) set(mode ansi.Mode, on bool) {
	switch mode {
	case ansi.ModeCursorKeys:
		m.cursorKeys = on
	case ansi.ModeNumericKeypad:
		m.keypad = on
	case ansi.ModeBracketedPaste:
		m.bracketedPaste = on
	case ansi.ModeMouseExtSgr:
		m.mouseSGR = on
	case ansi.ModeMouseX10, ansi.ModeMouseNormal, ansi.ModeMouseButtonEvent, ansi.ModeMouseAnyEvent:
		d := mode.(ansi.DECMode)
		switch {
		case on:
			m.mouse = d
		case m.mouse == d:
			m.mouse = 0
		}
	}
}

// After a flood (floodBytes through the feeder) the memory it left for the
// garbage collector is given back to the system once the output has been
// quiet for trimAfter: an idle pane keeps what it shows, not the flood's
// high-water mark (bench/terminal.sh's 20,000 lines: +12 MiB of RSS, +6
// MiB once given back).
const (
	floodBytes = 1 << 20
	trimAfter  = time.Second
)

// directFeed is the largest read the reader feeds the emulator itself,
// when nothing is waiting for the feeder: an echoed key or a prompt is
// drawn a goroutine hop sooner.
const directFeed = 1024

// readOutput reads the session's output until it ends: into t.out for the
// feeder, or straight into the emulator when it is short and the feeder
// has nothing to do (so the order of the output holds).
func (t *terminal) readOutput() {
	buf := make([]byte, 32*1024)
	for {
		n, err := t.sess.Read(buf)
		if n > 0 {
			if n <= directFeed && t.out.idle() {
				t.write(buf[:n])
			} else {
				t.out.put(buf[:n])
			}
		}
		if err != nil {
			t.out.end()
			return
		}
	}
}

// write feeds p to the emulator and wakes the frame command.
func (t *terminal) write(p []byte) {
	t.mu.Lock()
	t.feed(p)
	t.takeScrollback()
	t.changed = true
	t.fed += len(p)
	t.mu.Unlock()
	t.poke()
}

// feedOutput feeds the emulator what the reader took, maxFeed at a time,
// until the output ends; then it records the exit.
func (t *terminal) feedOutput() {
	defer close(t.done)
	var batch []byte
	var flood atomic.Int64 // bytes fed by the feeder since the memory was last given back
	trim := time.AfterFunc(time.Hour, func() {
		flood.Store(0)
		t.mu.Lock()
		giveBack := t.giveBack
		t.mu.Unlock()
		giveBack()
	})
	trim.Stop()
	defer trim.Stop()
	for {
		b, ended := t.out.take(batch)
		for p := b; len(p) > 0; {
			n := min(len(p), maxFeed)
			t.write(p[:n])
			p = p[n:]
		}
		batch = b
		if flood.Add(int64(len(b))) >= floodBytes {
			trim.Reset(trimAfter) // from the flood's last batch
		}
		if ended {
			break
		}
	}
	code, err := t.sess.Wait()
	t.mu.Lock()
	t.ended, t.exitCode, t.exitErr = true, code, err
	t.changed = true
	t.mu.Unlock()
	t.in.close()
	t.poke()
}

// replies forwards what the emulator answers the program (cursor position
// and device reports) to the session. Its pipe must be read, or a query
// would block the emulator.
func (t *terminal) replies() {
	buf := make([]byte, 4096)
	for {
		n, err := t.em.Read(buf)
		if n > 0 {
			t.in.push(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (t *terminal) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// waitFrame is the command that brings the next frame: it returns when
// output arrived, no sooner than frameInterval after the previous frame.
func (t *terminal) waitFrame() tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		<-t.wake
		if d := frameInterval - time.Since(start); d > 0 {
			time.Sleep(d)
		}
		return termFrameMsg{ID: t.ID}
	}
}

// frame takes a frame message: it reports whether the session ended with
// this frame (to be said once) and re-arms the frame command while it runs.
func (t *terminal) frame(shown bool) (cmd tea.Cmd, ended bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.changed && !shown {
		t.unseen = true
	}
	t.changed = false
	select {
	case <-t.done:
		return nil, true
	default:
	}
	return t.waitFrame(), false
}

// Ended reports whether the program ended, and how.
func (t *terminal) Ended() (bool, int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ended, t.exitCode, t.exitErr
}

// Status is what the tab shows after the title: "exit 0", "detached", "".
func (t *terminal) Status() string {
	ended, code, err := t.Ended()
	switch {
	case !ended:
		return ""
	case errors.Is(err, pty.ErrDetached):
		return "detached"
	case err != nil:
		return "error"
	}
	return fmt.Sprintf("exit %d", code)
}

// Unseen reports (and forgets) whether output came while hidden.
func (t *terminal) Unseen() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unseen
}

// Seen forgets the unseen output: the pane is shown.
func (t *terminal) Seen() {
	t.mu.Lock()
	t.unseen = false
	t.mu.Unlock()
}

// Resize gives the emulator and the program the pane's new size.
func (t *terminal) Resize(cols, rows int) {
	cols, rows = max(cols, 2), max(rows, 1)
	t.mu.Lock()
	if cols == t.cols && rows == t.rows {
		t.mu.Unlock()
		return
	}
	t.cols, t.rows = cols, rows
	t.em.Resize(cols, rows)
	t.takeScrollback()
	t.lines = make([]string, rows)
	ended := t.ended
	t.mu.Unlock()
	if !ended {
		_ = t.sess.Resize(uint16(cols), uint16(rows))
	}
}

// Close lets the keys already typed reach the program (up to a second),
// ends the session (an attach only detaches) and waits a little for the
// reader to see it.
func (t *terminal) Close() {
	t.in.drain(time.Second) // what was typed goes first (before a detach)
	_ = t.sess.Close()
	select {
	case <-t.done:
	case <-time.After(2 * time.Second):
	}
	// Ends the replies goroutine: closing the emulator's pipe rather than
	// the emulator, whose Close races with its Read.
	if c, ok := t.em.InputPipe().(io.Closer); ok {
		_ = c.Close()
	}
	t.in.close()
}

// Send queues bytes for the program.
func (t *terminal) Send(b []byte) {
	if len(b) == 0 {
		return
	}
	t.mu.Lock()
	t.scroll = 0 // typing goes back to the live screen
	t.clearSelection()
	t.mu.Unlock()
	t.in.push(b)
}

// Key sends what a terminal sends for k.
func (t *terminal) Key(k tea.KeyPressMsg) {
	t.mu.Lock()
	m := t.modes
	t.mu.Unlock()
	t.Send(encodeKey(k, m))
}

// Paste sends text, bracketed when the program asked for it.
func (t *terminal) Paste(text string) {
	t.mu.Lock()
	bracketed := t.modes.bracketedPaste
	t.mu.Unlock()
	if bracketed {
		text = ansi.BracketedPasteStart + strings.ReplaceAll(text, ansi.BracketedPasteEnd, "") + ansi.BracketedPasteEnd
	}
	t.Send([]byte(text))
}

// Mouse handles a mouse event at (x, y) inside the pane: the program gets it
// when it asked for mouse reporting; otherwise the wheel scrolls back and
// the left button selects text. It returns the text selected when a drag
// ended, to copy.
func (t *terminal) Mouse(msg tea.MouseMsg, x, y int) string {
	t.mu.Lock()
	m := t.modes
	t.mu.Unlock()
	if b := encodeMouse(msg, x, y, m); b != nil {
		t.Send(b)
		return ""
	}
	if w, ok := msg.(tea.MouseWheelMsg); ok {
		switch w.Button {
		case tea.MouseWheelUp:
			t.ScrollBy(3)
		case tea.MouseWheelDown:
			t.ScrollBy(-3)
		}
		return ""
	}
	return t.mouseSelect(msg, x, y)
}

// ScrollBy moves the view n lines back (negative: forward) in the
// scrollback.
func (t *terminal) ScrollBy(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.em.IsAltScreen() {
		return
	}
	t.scroll = min(max(t.scroll+n, 0), t.sb.len())
}

// Scrolled is how many lines the view is scrolled back.
func (t *terminal) Scrolled() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.scroll
}

// View draws the screen (or the part of the scrollback scrolled to),
// exactly cols×rows cells. Only rows the emulator touched since the last
// view are rendered again.
func (t *terminal) View() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, y := range t.touchedRows() {
		t.lines[y] = ""
	}
	h := t.rows
	out := make([]string, 0, h)
	if t.scroll > 0 {
		n := t.sb.len()
		for i := n - t.scroll; i < n && len(out) < h; i++ {
			out = append(out, t.sb.line(i, t.cols))
		}
	}
	for y := 0; len(out) < h; y++ {
		if t.lines[y] == "" {
			t.lines[y] = renderRow(t.em, y, t.cols)
		}
		out = append(out, t.lines[y])
	}
	t.highlight(out)
	return strings.Join(out, "\n")
}

// touchedRows are the rows changed since the last call; it clears them.
func (t *terminal) touchedRows() []int {
	touched := t.em.Touched()
	var rows []int
	for y, l := range touched {
		if l != nil && y < len(t.lines) {
			rows = append(rows, y)
		}
	}
	for i := range touched { // the emulator's own record: forget it
		touched[i] = nil
	}
	if t.allDirty { // the screens switched: the new one's rows are not marked
		t.allDirty = false
		rows = rows[:0]
		for y := range t.lines {
			rows = append(rows, y)
		}
	}
	return rows
}

// Cursor is where the program's cursor is in the pane, and its shape; nil
// when hidden or scrolled back.
func (t *terminal) Cursor() *tea.Cursor {
	t.mu.Lock()
	defer t.mu.Unlock()
	if x, y, inCopy, shown := t.copyCursor(); inCopy {
		if !shown {
			return nil
		}
		c := tea.NewCursor(x, y)
		c.Shape, c.Blink = tea.CursorBlock, false
		return c
	}
	if t.scroll > 0 || t.ended || t.em.CursorHidden() {
		return nil
	}
	p := t.em.CursorPosition()
	c := tea.NewCursor(p.X, p.Y)
	style, blink := t.em.CursorStyle()
	c.Blink = blink
	switch style {
	case vt.CursorUnderline:
		c.Shape = tea.CursorUnderline
	case vt.CursorBar:
		c.Shape = tea.CursorBar
	default:
		c.Shape = tea.CursorBlock
	}
	return c
}
