package views

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
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
// (charmbracelet/x/vt). A reader goroutine copies the session's output into
// the emulator under mu and wakes the frame command, which posts at most one
// termFrameMsg per frameInterval; a writer goroutine sends keys to the
// session from a queue, so Update never blocks on the program.
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
	ended    bool
	exitCode int
	exitErr  error
	cols     int
	rows     int

	wake   chan struct{} // output arrived (cap 1)
	in     inputQueue
	done   chan struct{} // closed once the output reader returned
	scroll int           // lines scrolled back from the bottom; 0: live
	unseen bool          // new output while the pane was not shown
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
		wake: make(chan struct{}, 1), done: make(chan struct{})}
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
	go t.readOutput()
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

// readOutput copies the session's output into the emulator until it ends,
// then records the exit.
func (t *terminal) readOutput() {
	defer close(t.done)
	buf := make([]byte, 32*1024)
	for {
		n, err := t.sess.Read(buf)
		if n > 0 {
			t.mu.Lock()
			t.feed(buf[:n])
			t.takeScrollback()
			t.changed = true
			t.mu.Unlock()
			t.poke()
		}
		if err != nil {
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

// feed writes output into the emulator. A long run of plain lines (ASCII
// text shorter than the screen is wide, each ended by CR LF, as `seq` or a
// build log prints them) jumps, as xterm's jump scroll does: the lines that
// would scroll off at once go to the scrollback as text, and only the last
// screenful is written. The emulator copies every cell of the screen for
// each line it scrolls; this keeps a flood from costing that per line.
// Called with mu held.
func (t *terminal) feed(p []byte) {
	for len(p) > 0 {
		start, lines, end := plainRun(p, t.cols, t.rows+2)
		if lines == nil {
			_, _ = t.em.Write(p)
			return
		}
		// What comes before the run, and as many of its lines as bring the
		// cursor to the bottom row (none when it is there, as after a
		// jump), are written as they are; the next line is checked to have
		// scrolled the whole screen.
		_, _ = t.em.Write(p[:start])
		lead := start
		c := t.em.CursorPosition()
		k := t.rows - 1 - c.Y // lines to the bottom row
		if c.X != 0 && k == 0 {
			k = 1 // the first one ends the line the cursor is on
		}
		if k < 0 || len(lines) <= k+t.rows { // too short to jump from here
			_, _ = t.em.Write(p[start:end])
			p = p[end:]
			continue
		}
		if k > 0 {
			lead = lines[k-1]
			lines = lines[k:]
			_, _ = t.em.Write(p[start:lead])
		}
		row1 := t.rowText(1)
		last := lines[0] // end of the checked line, after its LF
		_, _ = t.em.Write(p[lead:last])
		text := string(p[lead : last-2])
		rest := lines
		if !t.jumpable(row1, text) {
			_, _ = t.em.Write(p[last:end])
			p = p[end:]
			continue
		}
		// rest[i] ends line i+1 after last; the lines from last to end.
		n := len(rest) - 1 // lines still to come in the run
		keep := t.rows - 1 // the screenful written at the end
		skip := n - keep
		if skip <= 0 {
			_, _ = t.em.Write(p[last:end])
			p = p[end:]
			continue
		}
		t.takeScrollback()
		for y := 0; y < t.rows-1; y++ {
			text, plain := t.plainRow(y)
			if !plain {
				text = strings.TrimRight(renderRow(t.em, y, t.cols), " ")
			}
			t.pushText(text)
		}
		from := last
		t.jumped += skip
		for i := 1; i <= skip; i++ {
			t.pushText(string(p[from : rest[i]-2]))
			from = rest[i]
		}
		_, _ = t.em.Write([]byte("\x1b[H\x1b[J"))
		_, _ = t.em.Write(p[from:end])
		p = p[end:]
	}
}

// jumpable reports whether the screen scrolled as a whole screen of plain
// text does: the cursor at the start of a blank bottom row, the line just
// written above it in the default style, and row 0 holding what row 1 held
// before (the scroll region starts at the top).
func (t *terminal) jumpable(row1Before, written string) bool {
	if t.em.IsAltScreen() || t.rows < 3 || written == "" {
		return false
	}
	if p := t.em.CursorPosition(); p.X != 0 || p.Y != t.rows-1 {
		return false
	}
	if t.rowText(t.rows-1) != "" || t.rowText(t.rows-2) != written || t.rowText(0) != row1Before {
		return false
	}
	c := t.em.CellAt(len(written)-1, t.rows-2)
	return c != nil && c.Style.IsZero() && c.Link.IsZero()
}

// plainRow is row y's text, trailing blanks cut, when no cell of it has a
// style or a link (the rows a flood of plain lines leaves).
func (t *terminal) plainRow(y int) (string, bool) {
	b := make([]byte, 0, t.cols)
	for x := 0; x < t.cols; x++ {
		c := t.em.CellAt(x, y)
		if c == nil {
			continue
		}
		if !c.Style.IsZero() || !c.Link.IsZero() || len(c.Content) > 1 {
			return "", false
		}
		if c.Content == "" {
			if c.Width != 0 {
				b = append(b, ' ')
			}
			continue
		}
		b = append(b, c.Content[0])
	}
	return strings.TrimRight(string(b), " "), true
}

// rowText is row y's text, trailing blanks cut.
func (t *terminal) rowText(y int) string {
	var b strings.Builder
	for x := 0; x < t.cols; x++ {
		if c := t.em.CellAt(x, y); c != nil && c.Content != "" {
			b.WriteString(c.Content)
		} else if c != nil && c.Width != 0 {
			b.WriteByte(' ')
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// pushText adds a line of text to the scrollback.
func (t *terminal) pushText(s string) {
	t.sb.pushString(s)
	if t.scroll > 0 {
		t.scroll = min(t.scroll+1, t.sb.len())
	}
}

// plainRun finds the first run of at least min plain lines in p: printable
// ASCII shorter than cols, each ended by CR LF, the first starting p or
// following a LF. It returns the end of each of its lines (after the LF)
// and where it starts and ends; nil lines when there is none.
func plainRun(p []byte, cols, min int) (start int, lines []int, end int) {
	ls := 0 // start of the current line
	runStart := 0
	var ends []int
	for i, c := range p {
		if c != '\n' {
			continue
		}
		line := p[ls:i]
		ok := len(line) >= 1 && len(line) <= cols && line[len(line)-1] == '\r'
		for j := 0; ok && j < len(line)-1; j++ {
			ok = line[j] >= 0x20 && line[j] < 0x7f
		}
		if ok {
			if len(ends) == 0 {
				runStart = ls
			}
			ends = append(ends, i+1)
		} else {
			if len(ends) >= min {
				return runStart, ends, ends[len(ends)-1]
			}
			ends = ends[:0]
		}
		ls = i + 1
	}
	if len(ends) >= min {
		return runStart, ends, ends[len(ends)-1]
	}
	return 0, nil, 0
}

// takeScrollback moves the lines the last write scrolled off into t.sb.
// Called with mu held.
func (t *terminal) takeScrollback() {
	sb := t.em.Scrollback()
	if sb == nil || sb.Len() == 0 {
		return
	}
	for _, l := range sb.Lines() {
		t.sb.push(l)
	}
	sb.Clear()
	if t.scroll > 0 { // keep the view where the user scrolled it
		t.scroll = min(t.scroll+len(sb.Lines()), t.sb.len())
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

// Close ends the session (an attach only detaches) and waits a little for
// the reader to see it.
func (t *terminal) Close() {
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
// when it asked for mouse reporting; otherwise the wheel scrolls back.
func (t *terminal) Mouse(msg tea.MouseMsg, x, y int) {
	t.mu.Lock()
	m := t.modes
	t.mu.Unlock()
	if b := encodeMouse(msg, x, y, m); b != nil {
		t.Send(b)
		return
	}
	if w, ok := msg.(tea.MouseWheelMsg); ok {
		switch w.Button {
		case tea.MouseWheelUp:
			t.ScrollBy(3)
		case tea.MouseWheelDown:
			t.ScrollBy(-3)
		}
	}
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

// renderRow draws row y of the emulator's screen with its colours and
// attributes, exactly cols cells, ending with every style reset.
func renderRow(em *vt.Emulator, y, cols int) string {
	var b strings.Builder
	var pen uv.Style
	w := 0
	for x := 0; x < cols; {
		c := em.CellAt(x, y)
		if c == nil || c.IsZero() {
			x++
			continue
		}
		if !c.Style.Equal(&pen) {
			if c.Style.IsZero() {
				b.WriteString(ansi.ResetStyle)
			} else {
				b.WriteString(ansi.ResetStyle)
				b.WriteString(c.Style.String())
			}
			pen = c.Style
		}
		content := c.Content
		if content == "" {
			content = " "
		}
		b.WriteString(content)
		cw := max(c.Width, 1)
		w += cw
		x += cw
	}
	if !pen.IsZero() {
		b.WriteString(ansi.ResetStyle)
	}
	if w < cols {
		b.WriteString(strings.Repeat(" ", cols-w))
	}
	return b.String()
}

// renderLine draws a scrollback line, cut or padded to cols cells.
func renderLine(l uv.Line, cols int) string {
	var b strings.Builder
	var pen uv.Style
	w := 0
	for i := 0; i < len(l) && w < cols; i++ {
		c := &l[i]
		if c.IsZero() {
			continue
		}
		if !c.Style.Equal(&pen) {
			b.WriteString(ansi.ResetStyle)
			if !c.Style.IsZero() {
				b.WriteString(c.Style.String())
			}
			pen = c.Style
		}
		content := c.Content
		if content == "" {
			content = " "
		}
		b.WriteString(content)
		w += max(c.Width, 1)
	}
	if !pen.IsZero() {
		b.WriteString(ansi.ResetStyle)
	}
	return b.String()
}

// ring keeps the last n lines scrolled off, rendered: a line of 80 plain
// characters takes 80 bytes rather than 80 cells of 112.
type ring struct {
	strs  []string
	start int
	n     int
}

func newRing(n int) ring { return ring{strs: make([]string, n)} }

func (r *ring) len() int { return r.n }

// push adds an emulator line.
func (r *ring) push(l uv.Line) { r.pushString(renderLine(l, 1<<30)) }

// pushString adds a line already rendered.
func (r *ring) pushString(s string) {
	c := len(r.strs)
	i := (r.start + r.n) % c
	if r.n == c {
		r.start = (r.start + 1) % c
	} else {
		r.n++
	}
	r.strs[i] = s
}

// line is line i (0 the oldest), cut or padded to cols cells.
func (r *ring) line(i, cols int) string {
	s := r.strs[(r.start+i)%len(r.strs)]
	if w := ansi.StringWidth(s); w < cols {
		return s + strings.Repeat(" ", cols-w)
	} else if w > cols {
		return ansi.Truncate(s, cols, "")
	}
	return s
}

// inputQueue holds bytes for the program; a goroutine writes them to the
// session, so a program that does not read never blocks Update.
type inputQueue struct {
	mu     sync.Mutex
	buf    []byte
	closed bool
	wake   chan struct{}
}

func (q *inputQueue) init() { q.wake = make(chan struct{}, 1) }

func (q *inputQueue) push(b []byte) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.buf = append(q.buf, b...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *inputQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *inputQueue) run(w io.Writer) {
	for range q.wake {
		q.mu.Lock()
		b, closed := q.buf, q.closed
		q.buf = nil
		q.mu.Unlock()
		if closed {
			return
		}
		if len(b) > 0 {
			if _, err := w.Write(b); err != nil && !errors.Is(err, io.ErrShortWrite) {
				q.close()
				return
			}
		}
	}
}
