package views

import (
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

// logLine is one entry of a container's log as the view holds it: Text is
// the line made safe to draw with the program's colours kept (SGR only),
// Plain the same without them.
type logLine struct {
	Stderr bool
	Time   time.Time
	Text   string
	Plain  string
}

// newLogLine makes a line of output safe to draw.
func newLogLine(stderr bool, t time.Time, b []byte) logLine {
	text := sanitizeLog(b, true)
	plain := text
	if strings.IndexByte(text, '\x1b') >= 0 {
		plain = sanitizeLog(b, false)
	}
	return logLine{Stderr: stderr, Time: t, Text: text, Plain: plain}
}

// sanitizeLog makes a line of output safe to draw: the trailing newline is
// cut, tabs become spaces, invalid UTF-8 becomes U+FFFD; with keepSGR the
// program's colours and attributes (CSI … m with digits, ';' and ':')
// pass, closed by a reset at the end; every other escape sequence (cursor
// moves, screen clears, OSC titles and links, DCS…) and control character
// goes.
func sanitizeLog(b []byte, keepSGR bool) string {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	clean := true
	for _, c := range b {
		if c < ' ' || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	var out strings.Builder
	out.Grow(len(b))
	sgr := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\t':
			out.WriteString("    ")
			i++
		case c == 0x1b:
			n, isSGR := escapeLen(b[i:])
			if isSGR && keepSGR {
				out.Write(b[i : i+n])
				sgr = true
			}
			i += n
		case c < ' ' || c == 0x7f:
			i++
		case c < utf8.RuneSelf:
			out.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			i += size
			if r >= 0x80 && r <= 0x9f { // C1 controls
				continue
			}
			out.WriteRune(r) // U+FFFD for invalid bytes
		}
	}
	if sgr {
		out.WriteString(ansi.ResetStyle)
	}
	return out.String()
}

// escapeLen is the length of the escape sequence at the start of b (ESC
// first), and whether it is an SGR sequence of digits, ';' and ':'. An
// unfinished sequence runs to the end of b.
func escapeLen(b []byte) (int, bool) {
	if len(b) < 2 {
		return len(b), false
	}
	switch b[1] {
	case '[': // CSI: parameters and intermediates, then a final byte
		sgr := true
		for i := 2; i < len(b); i++ {
			c := b[i]
			if c >= 0x40 && c <= 0x7e {
				return i + 1, sgr && c == 'm'
			}
			if (c < '0' || c > '9') && c != ';' && c != ':' {
				sgr = false
			}
			if c < 0x20 || c > 0x7e { // not a CSI byte: the sequence is cut here
				return i, false
			}
		}
		return len(b), false
	case ']', 'P', 'X', '^', '_': // strings ended by BEL or ST (ESC \)
		for i := 2; i < len(b); i++ {
			if b[i] == 0x07 {
				return i + 1, false
			}
			if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
				return i + 2, false
			}
		}
		return len(b), false
	}
	// ESC with intermediates (0x20-0x2f), then a final byte.
	i := 1
	for i < len(b) && b[i] >= 0x20 && b[i] <= 0x2f {
		i++
	}
	return min(i+1, len(b)), false
}

// logRender is what a line is drawn with besides its text.
type logRender struct {
	st         *themes.Styles
	timestamps bool
	colours    bool   // the program's own colours
	search     string // the pattern to highlight; "" none
	fold       bool   // the search ignores case
	current    bool   // the line of the match the search went to
}

// logTimeFormat is how timestamps are shown: UTC to the millisecond.
const logTimeFormat = "2006-01-02T15:04:05.000Z"

// render draws a line in full (one row, however long): a space of margin,
// the timestamp when asked for, the text in the colour of its stream (or
// in the program's own colours, when kept and it has some), the matches
// of the search highlighted.
func (r logRender) render(l logLine) string {
	st := r.st
	prefix, pw := " ", 1
	if r.timestamps && !l.Time.IsZero() {
		ts := l.Time.UTC().Format(logTimeFormat)
		prefix += st.Log.Time.Render(ts) + " "
		pw += len(ts) + 1
	}
	var line string
	if r.colours && l.Text != l.Plain {
		line = prefix + l.Text
	} else if l.Stderr {
		line = prefix + st.Log.Stderr.Render(l.Plain)
	} else {
		line = prefix + st.Log.Stdout.Render(l.Plain)
	}
	if r.search == "" {
		return line
	}
	hl := st.Log.Match
	if r.current {
		hl = st.Log.Current
	}
	var ranges []lipgloss.Range
	for _, m := range findAll(l.Plain, r.search, r.fold) {
		start := pw + ansi.StringWidth(l.Plain[:m])
		end := start + ansi.StringWidth(l.Plain[m:m+len(r.search)])
		ranges = append(ranges, lipgloss.NewRange(start, end, hl))
	}
	return lipgloss.StyleRanges(line, ranges...)
}

// findAll returns the byte offsets of the matches of pat in s, which do
// not overlap; fold matches ASCII letters in either case.
func findAll(s, pat string, fold bool) []int {
	if pat == "" {
		return nil
	}
	if fold {
		s = asciiLower(s)
	}
	var out []int
	for i := 0; ; {
		j := strings.Index(s[i:], pat)
		if j < 0 {
			return out
		}
		out = append(out, i+j)
		i += j + len(pat)
	}
}

// matchLog reports whether the line has pat; fold: in either case.
func matchLog(s, pat string, fold bool) bool {
	if fold {
		s = asciiLower(s)
	}
	return strings.Contains(s, pat)
}

// asciiLower lowers ASCII letters only, so that byte offsets stay those
// of s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// searchFold is smart case: a pattern without capitals ignores case.
func searchFold(pat string) bool { return pat == asciiLower(pat) }

// rowsOf is how many rows a drawn line of width w takes when wrapped.
func rowsOf(drawn string, w int) int {
	if w <= 0 {
		return 1
	}
	return max(1, (ansi.StringWidth(drawn)+w-1)/w)
}
