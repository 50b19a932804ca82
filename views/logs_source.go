package views

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// How often the log view looks for new output: every logPollFollow while
// it follows and output comes, backing off to logPollPaused while none
// does (a docked Logs tab of a quiet container wakes berth once a second);
// every logPollPaused while the user reads (the counts in the frame still
// move), every logPollEnded once the log ended (a restart starts it again).
const (
	logPollFollow = 200 * time.Millisecond
	logPollPaused = time.Second
	logPollEnded  = 2 * time.Second
)

// Messages of the log view; each carries its tab and the opening (Seq) it
// belongs to, so that those of a closed tab or an older opening are dropped.
type (
	logsOpenedMsg struct {
		Tab    *logsView
		Seq    int
		Bounds logBounds
		Err    error
	}
	logsPolledMsg struct {
		Tab    *logsView
		Seq    int
		Bounds logBounds
		Err    error
	}
	logsReadMsg struct {
		Tab   *logsView
		Seq   int
		From  int
		Lines []logLine
		Err   error
	}
)

// logsTabMsg is every message of a log tab: the tab it belongs to says
// who takes it.
type logsTabMsg interface{ logsTab() *logsView }

func (m logsOpenedMsg) logsTab() *logsView { return m.Tab }
func (m logsPolledMsg) logsTab() *logsView { return m.Tab }
func (m logsReadMsg) logsTab() *logsView   { return m.Tab }

// logBounds are the history's bounds and whether it is complete.
type logBounds struct {
	First, End int
	Ended      bool
}

// logConn is one opening of a container's log history, shared by the
// commands that use it. Closing it (the tab closed) closes the history
// once no command holds it, and a history opened after the close is
// closed at once: nothing leaks whichever comes first.
type logConn struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	hist   engine.LogHistory
	closed bool
	users  int // commands using hist now
}

func newLogConn(parent context.Context) *logConn {
	ctx, cancel := context.WithCancel(parent)
	return &logConn{ctx: ctx, cancel: cancel}
}

// opened reports whether the history is open.
func (c *logConn) opened() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hist != nil
}

// close cancels what runs and closes the history when it is free.
func (c *logConn) close() {
	c.cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.hist != nil && c.users == 0 {
		go c.hist.Close()
		c.hist = nil
	}
}

// use returns the history for a command to use, or nil if closed; done
// must be called after.
func (c *logConn) use() engine.LogHistory {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.hist == nil {
		return nil
	}
	c.users++
	return c.hist
}

func (c *logConn) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users--
	if c.closed && c.users == 0 && c.hist != nil {
		go c.hist.Close()
		c.hist = nil
	}
}

// open is the command that opens ref's history.
func (c *logConn) open(v *logsView, seq int, eng logHistoryEngine, ref string) tea.Cmd {
	return func() tea.Msg {
		h, err := eng.ContainerLogHistory(c.ctx, ref)
		if err != nil {
			return logsOpenedMsg{Tab: v, Seq: seq, Err: err}
		}
		ended, err := h.Update()
		first, end := h.Bounds()
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			h.Close()
			return nil
		}
		c.hist = h
		c.mu.Unlock()
		return logsOpenedMsg{Tab: v, Seq: seq, Bounds: logBounds{first, end, ended}, Err: err}
	}
}

// poll is the command that, after d, takes in what was written since.
func (c *logConn) poll(v *logsView, seq int, d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg {
		h := c.use()
		if h == nil {
			return nil
		}
		defer c.done()
		ended, err := h.Update()
		first, end := h.Bounds()
		return logsPolledMsg{Tab: v, Seq: seq, Bounds: logBounds{first, end, ended}, Err: err}
	})
}

// read is the command that reads n entries from from on, made safe to
// draw here rather than in Update.
func (c *logConn) read(v *logsView, seq, from, n int) tea.Cmd {
	return func() tea.Msg {
		h := c.use()
		if h == nil {
			return nil
		}
		defer c.done()
		start, es, err := h.Read(from, n)
		lines := make([]logLine, len(es))
		for i, e := range es {
			lines[i] = newLogLine(e.Stream == "stderr", e.Time, e.Line)
		}
		return logsReadMsg{Tab: v, Seq: seq, From: start, Lines: lines, Err: err}
	}
}

// poll asks for the next look at the log.
func (v *logsView) poll() tea.Cmd {
	if v.conn == nil {
		return nil
	}
	d := logPollPaused
	switch {
	case v.ended:
		d = logPollEnded
	case v.follow:
		d = min(logPollFollow<<min(v.quiet, 3), logPollPaused)
	}
	return v.conn.poll(v, v.seq, d)
}
