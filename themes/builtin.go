package themes

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
)

// Light is the theme for terminals with a light background: dark text,
// saturated accents that keep their contrast on white.
func Light() Theme {
	return Theme{
		Name:                "light",
		PrimaryText:         lipgloss.Color("#1F2430"),
		SecondaryText:       lipgloss.Color("#5C6370"),
		HeaderText:          lipgloss.Color("#005F87"),
		Accent:              lipgloss.Color("#0055BB"),
		SelectedText:        lipgloss.Color("#000000"),
		SelectedBackground:  lipgloss.Color("#BFD7F2"),
		Border:              lipgloss.Color("#A0A8B8"),
		BorderFocused:       lipgloss.Color("#0055BB"),
		ErrorText:           lipgloss.Color("#B00020"),
		SuccessText:         lipgloss.Color("#1E7B34"),
		WarningText:         lipgloss.Color("#8A5A00"),
		RunningText:         lipgloss.Color("#1E7B34"),
		PausedText:          lipgloss.Color("#8A5A00"),
		StoppedText:         lipgloss.Color("#5C6370"),
		FailedText:          lipgloss.Color("#B00020"),
		StderrText:          lipgloss.Color("#9A4A00"),
		ProgressFilled:      lipgloss.Color("#0055BB"),
		ProgressEmpty:       lipgloss.Color("#D5DAE3"),
		JSONKey:             lipgloss.Color("#005F87"),
		JSONString:          lipgloss.Color("#1E7B34"),
		JSONNumber:          lipgloss.Color("#A04000"),
		JSONLiteral:         lipgloss.Color("#7A3E9D"),
		SearchMatch:         lipgloss.Color("#F5D76E"),
		ChartPrimary:        lipgloss.Color("#0055BB"),
		ChartSecondary:      lipgloss.Color("#9A4A00"),
		TitleBarText:        lipgloss.Color("#1F2430"),
		TitleBarBackground:  lipgloss.Color("#DDE3EC"),
		StatusBarText:       lipgloss.Color("#1F2430"),
		StatusBarBackground: lipgloss.Color("#E6EAF0"),
	}
}

// HighContrast is the theme for low vision and washed-out screens: pure
// white on black, bright primaries, bold borders of the focused pane, and
// the selection in black on yellow.
func HighContrast() Theme {
	return Theme{
		Name:                "high-contrast",
		PrimaryText:         lipgloss.Color("#FFFFFF"),
		SecondaryText:       lipgloss.Color("#D0D0D0"),
		HeaderText:          lipgloss.Color("#FFFF00"),
		Accent:              lipgloss.Color("#00FFFF"),
		SelectedText:        lipgloss.Color("#000000"),
		SelectedBackground:  lipgloss.Color("#FFFF00"),
		Border:              lipgloss.Color("#FFFFFF"),
		BorderFocused:       lipgloss.Color("#00FFFF"),
		ErrorText:           lipgloss.Color("#FF5555"),
		SuccessText:         lipgloss.Color("#00FF00"),
		WarningText:         lipgloss.Color("#FFFF00"),
		RunningText:         lipgloss.Color("#00FF00"),
		PausedText:          lipgloss.Color("#FFFF00"),
		StoppedText:         lipgloss.Color("#D0D0D0"),
		FailedText:          lipgloss.Color("#FF5555"),
		StderrText:          lipgloss.Color("#FFAF00"),
		ProgressFilled:      lipgloss.Color("#00FFFF"),
		ProgressEmpty:       lipgloss.Color("#808080"),
		JSONKey:             lipgloss.Color("#FFFF00"),
		JSONString:          lipgloss.Color("#00FF00"),
		JSONNumber:          lipgloss.Color("#FF88FF"),
		JSONLiteral:         lipgloss.Color("#00FFFF"),
		SearchMatch:         lipgloss.Color("#0000AA"),
		ChartPrimary:        lipgloss.Color("#00FFFF"),
		ChartSecondary:      lipgloss.Color("#FFFF00"),
		TitleBarText:        lipgloss.Color("#FFFFFF"),
		TitleBarBackground:  lipgloss.Color("#000000"),
		StatusBarText:       lipgloss.Color("#FFFFFF"),
		StatusBarBackground: lipgloss.Color("#000000"),
	}
}

// Names are the themes a user can choose, in the order help lists them.
func Names() []string { return []string{"dark", "light", "high-contrast"} }

// ByName is the theme called name ("plain" too: no colours).
func ByName(name string) (Theme, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "dark":
		return Dark(), nil
	case "light":
		return Light(), nil
	case "high-contrast", "highcontrast", "contrast":
		return HighContrast(), nil
	case "plain", "none", "mono":
		return Plain(), nil
	}
	return Theme{}, fmt.Errorf("no theme %q: choose %s", name, strings.Join(Names(), ", "))
}

// Choose picks the theme at start: none when NO_COLOR is set (the
// terminal output drops every colour then, so the mono theme's reverse
// video and bold carry the meaning), else the one flag names, else the
// config file's, else Dark. An unknown flag is an error that names the
// choices, with NO_COLOR too.
func Choose(flag, config string, getenv func(string) string) (Theme, error) {
	if flag != "" {
		if _, err := ByName(flag); err != nil {
			return Theme{}, err
		}
	}
	if getenv("NO_COLOR") != "" {
		return Plain(), nil
	}
	if flag != "" {
		return ByName(flag)
	}
	if config != "" {
		return ByName(config)
	}
	return Dark(), nil
}
