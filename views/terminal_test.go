package views

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/pty"
)

// fakeTermSession is a program on a terminal: tests write its output with
// out, read what it was sent with input, and end it with exit.
type fakeTermSession struct {
	r *io.PipeReader
	w *io.PipeWriter

	mu     sync.Mutex
	in     bytes.Buffer
	sizes  [][2]uint16
	closed bool
	sent   int // bytes of output written
	code   int
	err    error
	// detachOnClose: Close is an attach's detach (Wait says ErrDetached).
	detachOnClose bool
}

func newFakeTermSession() *fakeTermSession {
	r, w := io.Pipe()
	return &fakeTermSession{r: r, w: w}
}

func (f *fakeTermSession) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *fakeTermSession) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.in.Write(p)
}
func (f *fakeTermSession) Resize(c, r uint16) error {
	f.mu.Lock()
	f.sizes = append(f.sizes, [2]uint16{c, r})
	f.mu.Unlock()
	return nil
}
func (f *fakeTermSession) Close() error {
	f.mu.Lock()
	f.closed = true
	if f.detachOnClose {
		f.err = pty.ErrDetached
	}
	f.mu.Unlock()
	return f.w.Close()
}
func (f *fakeTermSession) Wait() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.code, f.err
}
func (f *fakeTermSession) out(s string) {
	n, _ := f.w.Write([]byte(s))
	f.mu.Lock()
	f.sent += n
	f.mu.Unlock()
}
func (f *fakeTermSession) exit(code int, err error) {
	f.mu.Lock()
	f.code, f.err = code, err
	f.mu.Unlock()
	_ = f.w.Close()
}
func (f *fakeTermSession) input() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.in.String()
}

// settle waits until the terminal has fed its emulator everything the
// session wrote.
func settle(t *testing.T, term *terminal, f *fakeTermSession) {
	t.Helper()
	waitFor(t, func() bool {
		f.mu.Lock()
		sent := f.sent
		f.mu.Unlock()
		term.mu.Lock()
		defer term.mu.Unlock()
		return term.fed == sent
	}, func() string { return "the terminal did not take all the output" })
}

// plainRows are the terminal's rows without styles, trailing spaces cut.
func plainRows(term *terminal) []string {
	rows := strings.Split(ansi.Strip(term.View()), "\n")
	for i := range rows {
		rows[i] = strings.TrimRight(rows[i], " ")
	}
	return rows
}

func newTestTerminal(t *testing.T, cols, rows int) (*terminal, *fakeTermSession) {
	t.Helper()
	f := newFakeTermSession()
	term := newTerminal(1, "test", f, cols, rows)
	t.Cleanup(func() { f.exit(0, nil); term.Close() })
	return term, f
}

// Sequences that vi, top and less use, bytes in, cells out.
func TestTerminalEmulation(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string // rows, trailing spaces cut
	}{
		{"text and newlines", "one\r\ntwo\r\n", []string{"one", "two", "", ""}},
		{"cursor addressing (CUP) and overwrite", "\x1b[2;3Hab\x1b[1;1Hx", []string{"x", "  ab", "", ""}},
		{"erase in line (EL 0, 1, 2)", "abcdef\x1b[1;3H\x1b[K\r\nabcdef\x1b[2;3H\x1b[1K\r\nabcdef\x1b[2K",
			[]string{"ab", "   def", "", ""}},
		{"erase below (ED 0)", "aaaa\r\nbbbb\r\ncccc\x1b[2;2H\x1b[J", []string{"aaaa", "b", "", ""}},
		{"clear screen (ED 2, top's refresh)", "junk\r\njunk\x1b[H\x1b[2Jtop 10:00", []string{"top 10:00", "", "", ""}},
		{"scroll region (less, vi): LF at its bottom scrolls only it",
			"head\x1b[2;3r\x1b[2;1Hl1\r\nl2\r\nl3\x1b[r\x1b[4;1Hstatus",
			[]string{"head", "l2", "l3", "status"}},
		{"reverse index at the region's top scrolls down (vi's ^Y)",
			"a\r\nb\r\nc\x1b[1;1H\x1bM", []string{"", "a", "b", "c"}},
		{"insert and delete lines (IL, DL)", "1\r\n2\r\n3\x1b[2;1H\x1b[L", []string{"1", "", "2", "3"}},
		{"alternate screen: vi draws there, the shell's screen comes back",
			"$ vi\x1b[?1049h\x1b[H\x1b[2J~\r\n~\x1b[?1049l", []string{"$ vi", "", "", ""}},
		{"wide characters and Unicode", "日本 é", []string{"日本 é", "", "", ""}},
		{"autowrap at the right margin", "abcdefghij12", []string{"abcdefghij", "12", "", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			term, f := newTestTerminal(t, 10, 4)
			f.out(tc.in)
			settle(t, term, f)
			got := plainRows(term)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("rows\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestTerminalAltScreenInsideShowsItsContent(t *testing.T) {
	term, f := newTestTerminal(t, 10, 3)
	f.out("shell\x1b[?1049h\x1b[H\x1b[2J~ vi\x1b[3;1H:wq")
	settle(t, term, f)
	if got := plainRows(term); got[0] != "~ vi" || got[2] != ":wq" {
		t.Fatalf("alternate screen rows = %q", got)
	}
	f.out("\x1b[?1049l")
	settle(t, term, f)
	if got := plainRows(term); got[0] != "shell" || got[2] != "" {
		t.Fatalf("after leaving the alternate screen rows = %q", got)
	}
}

func TestTerminalColours(t *testing.T) {
	term, f := newTestTerminal(t, 20, 2)
	f.out("\x1b[31mred\x1b[0m \x1b[38;5;208mor\x1b[0m \x1b[38;2;1;2;3mrgb\x1b[0m \x1b[1;4;48;5;21mbu\x1b[m")
	settle(t, term, f)
	row := strings.Split(term.View(), "\n")[0]
	for _, want := range []string{"31m", "38;5;208m", "38;2;1;2;3m", "48;5;21", ";4", "1;"} {
		if !strings.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}
	if ansi.StringWidth(row) != 20 {
		t.Errorf("row is %d cells, want 20", ansi.StringWidth(row))
	}
	if got := ansi.Strip(row); !strings.HasPrefix(got, "red or rgb bu") {
		t.Errorf("row text = %q", got)
	}
}

// The cache of rendered rows must draw what a full render draws, after
// scrolls, regions, screen switches and erases.
func TestTerminalIncrementalRenderMatchesFull(t *testing.T) {
	term, f := newTestTerminal(t, 12, 5)
	steps := []string{"a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng", "\x1b[2;4r\x1b[4;1H\r\nX\x1b[r",
		"\x1b[?1049h\x1b[Halt", "\x1b[?1049l", "\x1b[3;3H\x1b[1J", "\x1b[31mred\r\n\r\n\r\n\r\n"}
	for i, s := range steps {
		_ = term.View() // the cache as it was
		f.out(s)
		settle(t, term, f)
		got := term.View()
		term.mu.Lock()
		var full []string
		for y := 0; y < term.rows; y++ {
			full = append(full, renderRow(term.em, y, term.cols))
		}
		term.mu.Unlock()
		if got != strings.Join(full, "\n") {
			t.Fatalf("step %d: cached view\n%q\nfull render\n%q", i, got, strings.Join(full, "\n"))
		}
	}
}

func TestTerminalScrollback(t *testing.T) {
	term, f := newTestTerminal(t, 10, 3)
	for i := 1; i <= 50; i++ {
		f.out(fmt.Sprintf("line %d\r\n", i))
	}
	settle(t, term, f)
	if got := plainRows(term); got[1] != "line 50" {
		t.Fatalf("live rows = %q", got)
	}
	term.ScrollBy(5)
	if got := plainRows(term); got[0] != "line 44" || got[2] != "line 46" {
		t.Fatalf("scrolled back 5: rows = %q", got)
	}
	term.ScrollBy(1000)
	if got := plainRows(term); got[0] != "line 1" {
		t.Fatalf("scrolled to the top: rows = %q", got)
	}
	if term.Cursor() != nil {
		t.Error("the cursor shows while scrolled back")
	}
	term.Key(tea.KeyPressMsg{Code: 'x', Text: "x"}) // typing goes back live
	if term.Scrolled() != 0 {
		t.Error("typing did not return to the live screen")
	}
	term.Mouse(tea.MouseWheelMsg{Button: tea.MouseWheelUp}, 0, 0)
	if term.Scrolled() != 3 {
		t.Errorf("the wheel scrolled %d lines, want 3", term.Scrolled())
	}
}

func TestTerminalKeysFollowModesAndPaste(t *testing.T) {
	term, f := newTestTerminal(t, 10, 3)
	up := tea.KeyPressMsg{Code: tea.KeyUp}
	term.Key(up)
	f.out("\x1b[?1h\x1b[?2004h") // less and vi: application cursor keys; bracketed paste
	settle(t, term, f)
	term.Key(up)
	term.Paste("a\nb")
	f.out("\x1b[?1l\x1b[?2004l")
	settle(t, term, f)
	term.Key(up)
	term.Paste("c")
	want := "\x1b[A" + "\x1bOA" + "\x1b[200~a\nb\x1b[201~" + "\x1b[A" + "c"
	waitFor(t, func() bool { return f.input() == want }, func() string { return fmt.Sprintf("input %q, want %q", f.input(), want) })
}

func TestTerminalAnswersQueries(t *testing.T) {
	_, f := newTestTerminal(t, 10, 3)
	f.out("\x1b[2;3H\x1b[6n") // where is the cursor? (bash's and vi's probes)
	waitFor(t, func() bool { return f.input() == "\x1b[2;3R" }, func() string { return fmt.Sprintf("reply %q", f.input()) })
}

func TestTerminalMouseReporting(t *testing.T) {
	term, f := newTestTerminal(t, 10, 3)
	click := tea.MouseClickMsg{X: 50, Y: 50, Button: tea.MouseLeft}
	term.Mouse(click, 2, 1) // not asked for: nothing is sent
	f.out("\x1b[?1000h\x1b[?1006h")
	settle(t, term, f)
	term.Mouse(click, 2, 1)
	term.Mouse(tea.MouseReleaseMsg{Button: tea.MouseLeft}, 2, 1)
	term.Mouse(tea.MouseMotionMsg{Button: tea.MouseNone}, 3, 1) // 1000 does not report motion
	want := "\x1b[<0;3;2M\x1b[<0;3;2m"
	waitFor(t, func() bool { return f.input() == want }, func() string { return fmt.Sprintf("input %q, want %q", f.input(), want) })
	if term.Scrolled() != 0 {
		t.Error("a click scrolled")
	}
}

func TestTerminalResizeAndExit(t *testing.T) {
	term, f := newTestTerminal(t, 10, 3)
	term.Resize(30, 8)
	term.Resize(30, 8) // the same size: no second call
	f.mu.Lock()
	sizes := f.sizes
	f.mu.Unlock()
	if len(sizes) != 1 || sizes[0] != [2]uint16{30, 8} {
		t.Errorf("session sizes = %v, want [[30 8]]", sizes)
	}
	if got := len(strings.Split(term.View(), "\n")); got != 8 {
		t.Errorf("view has %d rows, want 8", got)
	}
	f.exit(3, nil)
	waitFor(t, func() bool { ended, _, _ := term.Ended(); return ended }, func() string { return "never ended" })
	if got := term.Status(); got != "exit 3" {
		t.Errorf("status %q, want exit 3", got)
	}
	f2 := newFakeTermSession()
	t2 := newTerminal(2, "attach", f2, 10, 3)
	f2.exit(0, fmt.Errorf("attach: %w", pty.ErrDetached))
	waitFor(t, func() bool { return t2.Status() == "detached" }, func() string { return t2.Status() })
}

// A flood of output comes as few frames: at most one per frameInterval.
func TestTerminalCoalescesFrames(t *testing.T) {
	term, f := newTestTerminal(t, 20, 5)
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		for i := 0; i < 3000; i++ {
			f.out(fmt.Sprintf("%d\r\n", i))
		}
	}()
	start := time.Now()
	frames := 0
	cmd := term.waitFrame()
	for done := false; !done; {
		msg := cmd()
		if _, ok := msg.(termFrameMsg); !ok {
			t.Fatalf("frame command returned %T", msg)
		}
		frames++
		cmd, _ = term.frame(true)
		select {
		case <-stop:
			done = true
		default:
		}
	}
	elapsed := time.Since(start)
	if limit := int(elapsed/frameInterval) + 2; frames > limit {
		t.Errorf("%d frames in %v: more than one per %v", frames, elapsed, frameInterval)
	}
}

func waitFor(t *testing.T, ok func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(what())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEncodeKey(t *testing.T) {
	app := termModes{cursorKeys: true, keypad: true}
	cases := []struct {
		name string
		k    tea.KeyPressMsg
		m    termModes
		want string
	}{
		{"letter", tea.KeyPressMsg{Code: 'a', Text: "a"}, termModes{}, "a"},
		{"shifted letter", tea.KeyPressMsg{Code: 'a', Text: "A", Mod: tea.ModShift}, termModes{}, "A"},
		{"unicode", tea.KeyPressMsg{Code: 'é', Text: "é"}, termModes{}, "é"},
		{"enter", tea.KeyPressMsg{Code: tea.KeyEnter}, termModes{}, "\r"},
		{"tab", tea.KeyPressMsg{Code: tea.KeyTab}, termModes{}, "\t"},
		{"shift+tab", tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, termModes{}, "\x1b[Z"},
		{"backspace", tea.KeyPressMsg{Code: tea.KeyBackspace}, termModes{}, "\x7f"},
		{"escape", tea.KeyPressMsg{Code: tea.KeyEscape}, termModes{}, "\x1b"},
		{"space", tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}, termModes{}, " "},
		{"ctrl+space", tea.KeyPressMsg{Code: tea.KeySpace, Mod: tea.ModCtrl}, termModes{}, "\x00"},
		{"ctrl+c", tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, termModes{}, "\x03"},
		{"ctrl+p ctrl+q (docker's detach)", tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl}, termModes{}, "\x10"},
		{"ctrl+[", tea.KeyPressMsg{Code: '[', Mod: tea.ModCtrl}, termModes{}, "\x1b"},
		{"ctrl+_", tea.KeyPressMsg{Code: '_', Mod: tea.ModCtrl}, termModes{}, "\x1f"},
		{"alt+b (readline word back)", tea.KeyPressMsg{Code: 'b', Text: "b", Mod: tea.ModAlt}, termModes{}, "\x1bb"},
		{"ctrl+alt+x", tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl | tea.ModAlt}, termModes{}, "\x1b\x18"},
		{"alt+backspace", tea.KeyPressMsg{Code: tea.KeyBackspace, Mod: tea.ModAlt}, termModes{}, "\x1b\x7f"},
		{"up", tea.KeyPressMsg{Code: tea.KeyUp}, termModes{}, "\x1b[A"},
		{"up, application cursor keys", tea.KeyPressMsg{Code: tea.KeyUp}, app, "\x1bOA"},
		{"left", tea.KeyPressMsg{Code: tea.KeyLeft}, termModes{}, "\x1b[D"},
		{"ctrl+right", tea.KeyPressMsg{Code: tea.KeyRight, Mod: tea.ModCtrl}, app, "\x1b[1;5C"},
		{"shift+up", tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModShift}, termModes{}, "\x1b[1;2A"},
		{"alt+down", tea.KeyPressMsg{Code: tea.KeyDown, Mod: tea.ModAlt}, termModes{}, "\x1b[1;3B"},
		{"home", tea.KeyPressMsg{Code: tea.KeyHome}, termModes{}, "\x1b[H"},
		{"end, application cursor keys", tea.KeyPressMsg{Code: tea.KeyEnd}, app, "\x1bOF"},
		{"page up", tea.KeyPressMsg{Code: tea.KeyPgUp}, termModes{}, "\x1b[5~"},
		{"page down", tea.KeyPressMsg{Code: tea.KeyPgDown}, termModes{}, "\x1b[6~"},
		{"ctrl+page down", tea.KeyPressMsg{Code: tea.KeyPgDown, Mod: tea.ModCtrl}, termModes{}, "\x1b[6;5~"},
		{"insert", tea.KeyPressMsg{Code: tea.KeyInsert}, termModes{}, "\x1b[2~"},
		{"delete", tea.KeyPressMsg{Code: tea.KeyDelete}, termModes{}, "\x1b[3~"},
		{"F1", tea.KeyPressMsg{Code: tea.KeyF1}, termModes{}, "\x1bOP"},
		{"shift+F1", tea.KeyPressMsg{Code: tea.KeyF1, Mod: tea.ModShift}, termModes{}, "\x1b[1;2P"},
		{"F5", tea.KeyPressMsg{Code: tea.KeyF5}, termModes{}, "\x1b[15~"},
		{"F12", tea.KeyPressMsg{Code: tea.KeyF12}, termModes{}, "\x1b[24~"},
		{"keypad 5, numeric", tea.KeyPressMsg{Code: tea.KeyKp5}, termModes{}, "5"},
		{"keypad 5, application keypad", tea.KeyPressMsg{Code: tea.KeyKp5}, app, "\x1bOu"},
		{"keypad enter, application keypad", tea.KeyPressMsg{Code: tea.KeyKpEnter}, app, "\x1bOM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(encodeKey(tc.k, tc.m)); got != tc.want {
				t.Errorf("encodeKey = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEncodeMouse(t *testing.T) {
	click := tea.MouseClickMsg{Button: tea.MouseLeft}
	wheel := tea.MouseWheelMsg{Button: tea.MouseWheelUp}
	motion := tea.MouseMotionMsg{Button: tea.MouseLeft}
	cases := []struct {
		name string
		msg  tea.MouseMsg
		m    termModes
		want string
	}{
		{"not asked for", click, termModes{}, ""},
		{"X10 encoding", click, termModes{mouse: ansi.ModeMouseNormal}, "\x1b[M" + string(rune(32)) + string(rune(32+5)) + string(rune(32+3))},
		{"SGR click", click, termModes{mouse: ansi.ModeMouseNormal, mouseSGR: true}, "\x1b[<0;5;3M"},
		{"SGR wheel", wheel, termModes{mouse: ansi.ModeMouseNormal, mouseSGR: true}, "\x1b[<64;5;3M"},
		{"drag without 1002", motion, termModes{mouse: ansi.ModeMouseNormal, mouseSGR: true}, ""},
		{"drag with 1002", motion, termModes{mouse: ansi.ModeMouseButtonEvent, mouseSGR: true}, "\x1b[<32;5;3M"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(encodeMouse(tc.msg, 4, 2, tc.m)); got != tc.want {
				t.Errorf("encodeMouse = %q, want %q", got, tc.want)
			}
		})
	}
}

// A flood of plain lines jumps (written a screenful at a time) and ends
// with the screen and scrollback a line-by-line emulator has.
func TestTerminalJumpScrollMatchesLineByLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ \x1b[1mbold prompt\x1b[0m seq\r\n")
	for i := 1; i <= 12000; i++ { // more than the scrollback keeps
		fmt.Fprintf(&b, "%d\r\n", i)
		if i == 6000 {
			b.WriteString("\x1b[32mgreen\x1b[0m in between\r\n\ttab\r\n")
		}
	}
	b.WriteString("$ ")
	out := b.String()
	for _, chunk := range []int{len(out), 4096, 333} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			term, _ := newTestTerminal(t, 20, 6)
			ref, _ := newTestTerminal(t, 20, 6)
			term.mu.Lock()
			ref.mu.Lock()
			for off := 0; off < len(out); off += chunk {
				p := []byte(out[off:min(off+chunk, len(out))])
				term.feed(p)
				term.takeScrollback()
				_, _ = ref.em.Write(p)
				ref.takeScrollback()
			}
			term.mu.Unlock()
			ref.mu.Unlock()
			if got, want := plainRows(term), plainRows(ref); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("screen\n got %q\nwant %q", got, want)
			}
			if term.sb.len() != ref.sb.len() {
				t.Fatalf("scrollback has %d lines, want %d", term.sb.len(), ref.sb.len())
			}
			for i := 0; i < ref.sb.len(); i++ {
				got := strings.TrimRight(ansi.Strip(term.sb.line(i, 20)), " ")
				want := strings.TrimRight(ansi.Strip(ref.sb.line(i, 20)), " ")
				if got != want {
					t.Fatalf("scrollback line %d = %q, want %q", i, got, want)
				}
			}
			if term.sb.len() != scrollbackLines {
				t.Errorf("scrollback has %d lines, want it full (%d)", term.sb.len(), scrollbackLines)
			}
			if term.jumped < 10000 {
				t.Errorf("only %d lines jumped", term.jumped)
			}
			if term.em.CursorPosition() != ref.em.CursorPosition() {
				t.Errorf("cursor %v, want %v", term.em.CursorPosition(), ref.em.CursorPosition())
			}
		})
	}
}

// seqOutput is what `seq 1 1000000` prints on a terminal (6.9 MB).
func seqOutput() []byte {
	var buf bytes.Buffer
	for i := 1; i <= 1000000; i++ {
		fmt.Fprintf(&buf, "%d\r\n", i)
	}
	return buf.Bytes()
}

// BenchmarkTerminalSeq sends what `seq 1 1000000` prints through a 120x40
// pane's whole pipeline (reader, feeder, emulator) in the 4 KiB writes a pty
// gives, drawing a frame every 16 ms as the app does, until the final
// screen is drawn.
func BenchmarkTerminalSeq(b *testing.B) {
	data := seqOutput()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f := newFakeTermSession()
		term := newTerminal(1, "bench", f, 120, 40)
		go func() {
			for off := 0; off < len(data); off += 4096 {
				f.out(string(data[off:min(off+4096, len(data))]))
			}
		}()
		tick := time.NewTicker(frameInterval)
		for {
			<-tick.C
			_ = term.View()
			term.mu.Lock()
			fed := term.fed
			term.mu.Unlock()
			if fed == len(data) {
				break
			}
		}
		tick.Stop()
		if !strings.Contains(term.View(), "1000000") {
			b.Fatal("the final screen lacks 1000000")
		}
		f.exit(0, nil)
		term.Close()
	}
}

// BenchmarkTerminalFeed feeds the emulator what `seq 1 1000000` prints, in
// 4 KiB pieces (a pty read) or 64 KiB ones (the feeder's batches while
// output floods), with a frame drawn every 16 ms worth of input.
func BenchmarkTerminalFeed(b *testing.B) {
	data := seqOutput()
	for _, chunk := range []int{4 << 10, maxFeed} {
		b.Run(fmt.Sprint(chunk>>10, "KiB"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				f := newFakeTermSession()
				term := newTerminal(1, "bench", f, 120, 40)
				frameEvery := 64 * 4096 / chunk
				for off, n := 0, 0; off < len(data); off, n = off+chunk, n+1 {
					term.mu.Lock()
					term.feed(data[off:min(off+chunk, len(data))])
					term.takeScrollback()
					term.mu.Unlock()
					if n%frameEvery == 0 {
						_ = term.View()
					}
				}
				f.exit(0, nil)
				term.Close()
			}
		})
	}
}

// Output read in pieces of every size (short ones fed by the reader
// itself, long ones through the feeder) reaches the emulator in order.
func TestTerminalPipelineKeepsOrder(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&b, "%d\r\n", i)
		if i%500 == 0 {
			fmt.Fprintf(&b, "\x1b[33mmark %d\x1b[0m\r\n", i)
		}
	}
	out := b.String()
	term, f := newTestTerminal(t, 20, 6)
	sizes := []int{1, 7, 5000, 3, 900, 1025, 40000, 2, 64}
	for off, i := 0, 0; off < len(out); i++ {
		n := min(sizes[i%len(sizes)], len(out)-off)
		f.out(out[off : off+n])
		off += n
	}
	settle(t, term, f)
	ref, _ := newTestTerminal(t, 20, 6)
	ref.mu.Lock()
	_, _ = ref.em.Write([]byte(out))
	ref.takeScrollback()
	ref.mu.Unlock()
	if got, want := plainRows(term), plainRows(ref); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("screen\n got %q\nwant %q", got, want)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	if term.sb.len() != ref.sb.len() {
		t.Fatalf("scrollback has %d lines, want %d", term.sb.len(), ref.sb.len())
	}
	for i := 0; i < ref.sb.len(); i++ {
		if got, want := term.lineText(term.sb.total-term.sb.len()+i), ref.lineText(ref.sb.total-ref.sb.len()+i); got != want {
			t.Fatalf("scrollback line %d = %q, want %q", i, got, want)
		}
	}
}

// Freed memory goes back to the system once, a moment after a flood; not
// after a little output.
func TestTerminalGivesMemoryBackAfterAFlood(t *testing.T) {
	term, f := newTestTerminal(t, 40, 5)
	var calls atomic.Int32
	term.mu.Lock()
	term.giveBack = func() { calls.Add(1) }
	term.mu.Unlock()
	f.out("$ ls\r\nsmall output\r\n")
	settle(t, term, f)
	line := strings.Repeat("x", 30) + "\r\n"
	flood := strings.Repeat(line, floodBytes/len(line)+100)
	for off := 0; off < len(flood); off += 32 << 10 {
		f.out(flood[off:min(off+32<<10, len(flood))])
	}
	settle(t, term, f)
	if calls.Load() != 0 {
		t.Fatal("memory given back while the output still came")
	}
	waitFor(t, func() bool { return calls.Load() == 1 }, func() string { return "memory not given back after the flood" })
	f.out("a little more\r\n")
	settle(t, term, f)
	time.Sleep(trimAfter + 200*time.Millisecond)
	if n := calls.Load(); n != 1 {
		t.Errorf("memory given back %d times, want once", n)
	}
}
