package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"berth/themes"
	"berth/ui/uitest"
)

// fixedCompleter completes the first word from cmds and later words from
// names.
func fixedCompleter(cmds, names []string) Completer {
	return func(line string) (int, []string) {
		start := strings.LastIndexByte(line, ' ') + 1
		from := cmds
		if start > 0 {
			from = names
		}
		var out []string
		for _, s := range from {
			if strings.HasPrefix(s, line[start:]) {
				out = append(out, s)
			}
		}
		return start, out
	}
}

func typeInto(c *CmdLine, keys ...string) (line string, submitted bool) {
	for _, k := range keys {
		line, submitted, _ = c.Update(uitest.Key(k))
	}
	return line, submitted
}

func typeText(c *CmdLine, s string) {
	for _, r := range s {
		c.Update(uitest.Key(string(r)))
	}
}

func TestCmdLineCompletion(t *testing.T) {
	st := themes.New(themes.Plain())
	c := NewCmdLine(fixedCompleter([]string{"pull", "pause", "quit", "run"}, []string{"web", "worker", "db"}))
	c.Open(&st)
	typeText(c, "q")
	typeInto(c, "tab")
	if c.Value() != "quit " {
		t.Errorf("one candidate: %q, want %q", c.Value(), "quit ")
	}
	c.SetValue("p")
	typeInto(c, "tab")
	if c.Value() != "p" || !slices.Equal(c.Candidates(), []string{"pull", "pause"}) {
		t.Errorf("two candidates: line %q, candidates %v", c.Value(), c.Candidates())
	}
	if v := ansi.Strip(c.CandidatesView(&st, 40)); !strings.Contains(v, "pull") || !strings.Contains(v, "pause") {
		t.Errorf("candidates not shown: %q", v)
	}
	typeInto(c, "tab")
	if c.Value() != "pull" {
		t.Errorf("tab again: %q, want the first candidate", c.Value())
	}
	typeInto(c, "tab")
	if c.Value() != "pause" {
		t.Errorf("tab again: %q, want the second candidate", c.Value())
	}
	typeInto(c, "tab")
	if c.Value() != "pull" {
		t.Errorf("tab cycles: %q", c.Value())
	}
	c.SetValue("stop w")
	typeInto(c, "tab")
	if c.Value() != "stop w" || len(c.Candidates()) != 2 {
		t.Errorf("common prefix of web, worker is w: %q %v", c.Value(), c.Candidates())
	}
	c.SetValue("stop d")
	typeInto(c, "tab")
	if c.Value() != "stop db " {
		t.Errorf("argument: %q", c.Value())
	}
	c.SetValue("stop x")
	typeInto(c, "tab")
	if c.Value() != "stop x" || len(c.Candidates()) != 0 {
		t.Errorf("no candidate: %q %v", c.Value(), c.Candidates())
	}
}

func TestCmdLineHistoryAndKeys(t *testing.T) {
	st := themes.New(themes.Plain())
	c := NewCmdLine(nil)
	c.Open(&st)
	typeText(c, "pull alpine")
	line, ok := typeInto(c, "enter")
	if !ok || line != "pull alpine" || c.Active() {
		t.Fatalf("enter: %q %v, active %v", line, ok, c.Active())
	}
	c.Open(&st)
	typeText(c, "theme light")
	typeInto(c, "enter")
	c.Open(&st)
	typeText(c, "ru")
	typeInto(c, "up")
	if c.Value() != "theme light" {
		t.Errorf("up: %q", c.Value())
	}
	typeInto(c, "up", "up")
	if c.Value() != "pull alpine" {
		t.Errorf("up up (stops at the oldest): %q", c.Value())
	}
	typeInto(c, "down", "down")
	if c.Value() != "ru" {
		t.Errorf("down past the newest gives back the draft: %q", c.Value())
	}
	if _, ok := typeInto(c, "esc"); ok || c.Active() {
		t.Error("esc must cancel")
	}
	if len(c.History()) != 2 {
		t.Errorf("history %v", c.History())
	}
	c.Open(&st)
	if c.Value() != "" {
		t.Errorf("a new command line starts empty: %q", c.Value())
	}
	typeInto(c, "backspace")
	if c.Active() {
		t.Error("backspace on an empty line closes it")
	}
	c.Open(&st)
	typeText(c, "x")
	if v := ansi.Strip(c.View(&st, 30)); !strings.HasPrefix(v, ":x") || ansi.StringWidth(c.View(&st, 30)) != 30 {
		t.Errorf("view %q", v)
	}
}
