package views

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/ui"
)

// advice is what the TUI tells the user to do about an error of a kind,
// in keys rather than the CLI's flags: the engine's messages end with the
// CLI's advice ("…: stop it first, or force with -f").
type advice struct {
	conflict string // in use, running: "D force-removes"
	notFound string // gone meanwhile
}

// adviseErr is err as the status line says it: the engine's fact, then the
// TUI's advice for its kind when the TUI has one, in place of the CLI's.
func adviseErr(err error, a advice) string {
	msg := oneLine(err.Error())
	tip := ""
	switch {
	case errdefs.IsConflict(err):
		tip = a.conflict
	case errdefs.IsNotFound(err):
		tip = a.notFound
	}
	if tip == "" {
		return msg
	}
	// The engine's advice follows its last ": ".
	if i := strings.LastIndex(msg, ": "); i > 0 {
		msg = msg[:i]
	}
	return msg + ": " + tip
}

// errStatus shows err in the status bar with the TUI's advice.
func errStatus(err error, a advice) tea.Cmd { return ui.Status(ui.LevelError, adviseErr(err, a)) }

// removeAdvice: a remove refused because the object is in use or running;
// D removes by force in the Containers and Images panes.
func removeAdvice() advice {
	return advice{conflict: "D force-removes", notFound: "r refreshes the list"}
}

// actAdvice: an action on a container that is gone.
func actAdvice() advice { return advice{notFound: "r refreshes the list"} }
