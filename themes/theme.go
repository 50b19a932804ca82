// Package themes holds berth's colours, named by meaning, and the lipgloss
// styles built from them. It is the only package that names a colour: ui and
// views take a Styles value and never call Foreground or Background with a
// literal.
package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme is a set of semantic colours. A nil colour means "the terminal's
// default".
type Theme struct {
	Name string

	PrimaryText   color.Color // ordinary text: table cells, dialog bodies
	SecondaryText color.Color // less important text: hints, <none>, units
	HeaderText    color.Color // table headers
	Accent        color.Color // titles, the active tab, keys in help, the filter prompt

	SelectedText       color.Color // the row under the cursor
	SelectedBackground color.Color

	Border        color.Color // frames of panes that do not have the focus
	BorderFocused color.Color // the frame of the focused pane and of dialogs

	ErrorText   color.Color
	SuccessText color.Color
	WarningText color.Color

	// Container states, by meaning: a running container, a paused (or
	// restarting) one, one that stopped cleanly (or never ran), one that
	// failed (non-zero exit, dead).
	RunningText color.Color
	PausedText  color.Color
	StoppedText color.Color
	FailedText  color.Color

	// StderrText is a container's standard error in its log: set apart from
	// standard output, without crying "error" (many programs log there).
	StderrText color.Color

	ProgressFilled color.Color // the done part of a bar
	ProgressEmpty  color.Color // the rest of a bar

	// Inspect's JSON by token kind: object keys, strings, numbers, and
	// the literals true, false and null; a search match's background.
	JSONKey     color.Color
	JSONString  color.Color
	JSONNumber  color.Color
	JSONLiteral color.Color
	SearchMatch color.Color

	// The stats graphs: the first series (CPU, memory, received, read)
	// and the second (sent, written).
	ChartPrimary   color.Color
	ChartSecondary color.Color

	TitleBarText        color.Color
	TitleBarBackground  color.Color
	StatusBarText       color.Color
	StatusBarBackground color.Color

	// Mono marks a theme without colours (NO_COLOR): the styles use reverse
	// video and bold where the colourful theme uses colour.
	Mono bool
}

// Dark is the default theme, for dark terminals.
func Dark() Theme {
	return Theme{
		Name:                "dark",
		PrimaryText:         lipgloss.Color("#D8DEE9"),
		SecondaryText:       lipgloss.Color("#7B8496"),
		HeaderText:          lipgloss.Color("#88C0D0"),
		Accent:              lipgloss.Color("#5FAFFF"),
		SelectedText:        lipgloss.Color("#FFFFFF"),
		SelectedBackground:  lipgloss.Color("#2E5C8A"),
		Border:              lipgloss.Color("#4C566A"),
		BorderFocused:       lipgloss.Color("#5FAFFF"),
		ErrorText:           lipgloss.Color("#FF6B6B"),
		SuccessText:         lipgloss.Color("#8FD18F"),
		WarningText:         lipgloss.Color("#EBCB8B"),
		RunningText:         lipgloss.Color("#8FD18F"),
		PausedText:          lipgloss.Color("#EBCB8B"),
		StoppedText:         lipgloss.Color("#7B8496"),
		FailedText:          lipgloss.Color("#FF6B6B"),
		StderrText:          lipgloss.Color("#E0A47A"),
		ProgressFilled:      lipgloss.Color("#5FAFFF"),
		ProgressEmpty:       lipgloss.Color("#3B4252"),
		JSONKey:             lipgloss.Color("#88C0D0"),
		JSONString:          lipgloss.Color("#A3BE8C"),
		JSONNumber:          lipgloss.Color("#D08770"),
		JSONLiteral:         lipgloss.Color("#B48EAD"),
		SearchMatch:         lipgloss.Color("#8A6D1F"),
		ChartPrimary:        lipgloss.Color("#5FAFFF"),
		ChartSecondary:      lipgloss.Color("#E0A47A"),
		TitleBarText:        lipgloss.Color("#ECEFF4"),
		TitleBarBackground:  lipgloss.Color("#2E3440"),
		StatusBarText:       lipgloss.Color("#D8DEE9"),
		StatusBarBackground: lipgloss.Color("#3B4252"),
	}
}

// Plain is the theme without colours, for NO_COLOR terminals and tests.
func Plain() Theme {
	none := lipgloss.NoColor{}
	return Theme{
		Name:        "plain",
		PrimaryText: none, SecondaryText: none, HeaderText: none, Accent: none,
		SelectedText: none, SelectedBackground: none,
		Border: none, BorderFocused: none,
		ErrorText: none, SuccessText: none, WarningText: none,
		RunningText: none, PausedText: none, StoppedText: none, FailedText: none, StderrText: none,
		ProgressFilled: none, ProgressEmpty: none,
		JSONKey: none, JSONString: none, JSONNumber: none, JSONLiteral: none, SearchMatch: none,
		ChartPrimary: none, ChartSecondary: none,
		TitleBarText: none, TitleBarBackground: none,
		StatusBarText: none, StatusBarBackground: none,
		Mono: true,
	}
}

// FromEnv picks the theme the environment asks for: Plain when NO_COLOR is
// set to anything non-empty (https://no-color.org), Dark otherwise. getenv is
// os.Getenv in the program and a map lookup in tests.
func FromEnv(getenv func(string) string) Theme {
	if getenv("NO_COLOR") != "" {
		return Plain()
	}
	return Dark()
}
