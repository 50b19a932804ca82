package ui

import (
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/colorprofile"
)

// ColorProfile is the colour profile of the terminal that out writes to,
// found without running `tmux info`, and, when tmux could raise it to true
// colour, a function that asks tmux (colorprofile.Detect in full). Asking
// takes about 5 ms; bubbletea's own detection does it before its first
// frame, so the caller gives bubbletea the first answer and the second
// one when it comes, off the start-up path.
func ColorProfile(out io.Writer, environ []string) (colorprofile.Profile, func() colorprofile.Profile) {
	isTmux := func(kv string) bool { return strings.HasPrefix(kv, "TMUX=") }
	quick := colorprofile.Detect(out, slices.DeleteFunc(slices.Clone(environ), isTmux))
	if quick >= colorprofile.TrueColor || !slices.ContainsFunc(environ, isTmux) {
		return quick, nil
	}
	return quick, func() colorprofile.Profile { return colorprofile.Detect(out, environ) }
}
