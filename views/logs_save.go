package views

import (
	"bufio"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/errdefs"
	"berth/engine/monitor"
	"berth/ui"
)

// logsSavedMsg says how saving went: Lines lines written to Path.
type logsSavedMsg struct {
	Tab   *logsView
	Path  string
	Lines int
	Err   error
}

func (m logsSavedMsg) logsTab() *logsView { return m.Tab }

// defaultLogFile is where the save prompt proposes to write: ./<name>.log.
func defaultLogFile(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimPrefix(name, "/"))
	if name == "" {
		name = "container"
	}
	return "./" + name + ".log"
}

// openSavePrompt asks where to save what the view shows.
func (v *logsView) openSavePrompt() {
	v.prompt = newLogPrompt(v.env, "Save to:", defaultLogFile(v.name), "the whole log shown, as the program wrote it", func(path string) (tea.Cmd, error) {
		if path == "" {
			return nil, errdefs.InvalidArgument("no path: type where to save, e.g. %s", defaultLogFile(v.name))
		}
		return v.save(path), nil
	})
	v.clamp()
}

// save is the command that writes the entries shown ([lo, end) now) to
// path: as the program wrote them, with its colours if they are kept (else
// without any escape), timestamps first if they are shown.
func (v *logsView) save(path string) tea.Cmd {
	if v.conn == nil {
		return nil
	}
	c, tab, lo, end := v.conn, v, v.lo, v.end
	ts, colours := v.timestamps, v.colours
	return func() tea.Msg {
		h := c.use()
		if h == nil {
			return nil
		}
		defer c.done()
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		n, err := saveLog(c.ctx, h, abs, lo, end, ts, colours)
		return logsSavedMsg{Tab: tab, Path: abs, Lines: n, Err: err}
	}
}

// saveLog writes entries [from, to) of h to path (created or truncated,
// readable by its owner only, as the log may hold secrets) and returns how
// many it wrote. A file left half-written by an error is removed.
func saveLog(ctx context.Context, h engine.LogHistory, path string, from, to int, timestamps, colours bool) (int, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, saveError(path, err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	n := 0
	var ts []byte
	err = h.Scan(ctx, from, to, func(e monitor.LogEntry) error {
		if timestamps {
			ts = e.Time.UTC().AppendFormat(ts[:0], "2006-01-02T15:04:05.000000000Z07:00")
			w.Write(append(ts, ' '))
		}
		w.WriteString(sanitizeLog(e.Line, colours))
		if len(e.Line) > 0 && e.Line[len(e.Line)-1] == '\n' {
			w.WriteByte('\n')
		}
		n++
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		if errors.Is(err, context.Canceled) {
			return 0, errdefs.Canceled("saving the log to %s was cancelled: the view closed", path)
		}
		return 0, saveError(path, err)
	}
	return n, nil
}

// saveError names the path and the fix.
func saveError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return errdefs.Wrap(errdefs.ErrPermissionDenied, err, "cannot save the log to %s: %v: choose a path in a directory you can write", path, err)
	case errors.Is(err, fs.ErrNotExist):
		return errdefs.Wrap(errdefs.ErrNotFound, err, "cannot save the log to %s: its directory does not exist: create it or choose another path", path)
	case errors.Is(err, syscall.EISDIR):
		return errdefs.Wrap(errdefs.ErrInvalidArgument, err, "cannot save the log to %s: it is a directory: add a file name", path)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return errdefs.Wrap(errdefs.ErrResourceExhausted, err, "cannot save the log to %s: no space left: free some space or choose another disk", path)
	}
	return errdefs.Wrap(errdefs.ErrUnavailable, err, "cannot save the log to %s: %v: choose another path", path, err)
}

// saved says where the log went.
func (v *logsView) saved(msg logsSavedMsg) tea.Cmd {
	if msg.Err != nil {
		return ui.ErrorStatus(msg.Err)
	}
	return ui.Status(ui.LevelSuccess, "Saved "+commas(msg.Lines)+" lines of "+v.name+" to "+msg.Path)
}
