package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/themes"
)

// Level is the kind of a status message.
type Level int

const (
	LevelInfo Level = iota
	LevelSuccess
	LevelError
)

// StatusMsg asks the app to show Text in the status bar until the next one.
type StatusMsg struct {
	Level Level
	Text  string
}

// Status is a command that shows text in the status bar.
func Status(l Level, text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Level: l, Text: text} }
}

// Infof shows an informative message.
func Infof(format string, a ...any) tea.Cmd { return Status(LevelInfo, fmt.Sprintf(format, a...)) }

// ErrorStatus shows err as the one-line error of the status bar.
func ErrorStatus(err error) tea.Cmd { return Status(LevelError, err.Error()) }

// StatusBar is the bottom line: running work on the left, then the last
// message, and a hint on the right.
type StatusBar struct {
	Busy    string // e.g. "⇣ 2 pulls: busybox 45% · big 12%"; "" when idle
	Message StatusMsg
	Keys    []Binding // key hints for the space left on the right
}

// View renders the bar exactly width cells wide. Space goes to the message
// first (an error must be readable), then the busy part, then the key hints.
func (b StatusBar) View(st *themes.Styles, width int) string {
	if width <= 0 {
		return ""
	}
	bar := st.StatusBar.Bar
	msg := oneLine(b.Message.Text)
	busy := oneLine(b.Busy)

	avail := width - 2 // a space on each side
	sep := " │ "
	if busy != "" && msg != "" {
		// When both do not fit, the busy part keeps 40% at most and the
		// message takes the rest.
		if Width(busy)+Width(sep)+Width(msg) > avail {
			busy = Truncate(busy, min(max(avail*2/5, avail-Width(sep)-Width(msg), 12), avail))
			msg = Truncate(msg, avail-Width(busy)-Width(sep))
		}
		if msg == "" {
			sep = ""
		}
	} else {
		sep = ""
		busy = Truncate(busy, avail)
		msg = Truncate(msg, avail)
	}
	used := Width(busy) + Width(sep) + Width(msg)
	hintRoom := avail - used
	if used > 0 {
		hintRoom -= 3 // keep the hints apart from the message
	}
	hint := ShortHelp(b.Keys, hintRoom, st.StatusBar.Busy, st.StatusBar.Hint)

	msgStyle := st.StatusBar.Info
	switch b.Message.Level {
	case LevelError:
		msgStyle = st.StatusBar.Error
	case LevelSuccess:
		msgStyle = st.StatusBar.Success
	}
	var s strings.Builder
	s.WriteString(bar.Render(" "))
	if busy != "" {
		s.WriteString(st.StatusBar.Busy.Render(busy))
	}
	if sep != "" {
		s.WriteString(st.StatusBar.Hint.Render(sep))
	}
	if msg != "" {
		s.WriteString(msgStyle.Render(msg))
	}
	gap := avail - used - Width(hint)
	s.WriteString(bar.Render(strings.Repeat(" ", max(gap, 0))))
	if hint != "" {
		s.WriteString(st.StatusBar.Hint.Render(hint))
	}
	s.WriteString(bar.Render(" "))
	return s.String()
}

// oneLine joins the lines of s with spaces: the status bar is one line.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// How long a status message stays: information and success go soon; an
// error stays longer, or until the next key.
const (
	StatusInfoFor  = 5 * time.Second
	StatusErrorFor = 20 * time.Second
)

// StatusExpiredMsg ends the message Seq of a StatusLine, if it still shows.
type StatusExpiredMsg struct{ Seq int }

// StatusLine is the status bar's message and its lifetime: Set shows a
// message and returns the command that ends it; a newer message, or a key
// after an error, ends it sooner.
type StatusLine struct {
	msg StatusMsg
	seq int
}

// Set shows m and returns the tick that expires it.
func (l *StatusLine) Set(m StatusMsg) tea.Cmd {
	l.seq++
	l.msg = m
	if m.Text == "" {
		return nil
	}
	d := StatusInfoFor
	if m.Level == LevelError {
		d = StatusErrorFor
	}
	seq := l.seq
	return tea.Tick(d, func(time.Time) tea.Msg { return StatusExpiredMsg{Seq: seq} })
}

// Expire ends the message m names, unless a newer one replaced it.
func (l *StatusLine) Expire(m StatusExpiredMsg) {
	if m.Seq == l.seq {
		l.msg = StatusMsg{}
	}
}

// KeyPressed ends an error message: the user has read it.
func (l *StatusLine) KeyPressed() {
	if l.msg.Level == LevelError {
		l.msg = StatusMsg{}
	}
}

// Message is what shows now; its Text is "" when nothing does.
func (l *StatusLine) Message() StatusMsg { return l.msg }
