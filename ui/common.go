package ui

import "berth/themes"

// Common is what every component shares, passed down rather than held in
// globals: the styles of the theme in use and the shared keys.
type Common struct {
	Styles *themes.Styles
	Keys   *KeyMap
}

// NewCommon builds the styles of theme and the default keymap.
func NewCommon(theme themes.Theme) Common {
	st := themes.New(theme)
	km := DefaultKeyMap()
	return Common{Styles: &st, Keys: &km}
}

// Component is a screen or a part of one: soft-serve's component shape. Each
// view keeps its concrete Update (returning itself) and adds its own key help.
type Component interface {
	SetSize(width, height int)
	View() string
	// KeyGroups are the keys the component handles, for the help overlay.
	KeyGroups() []KeyGroup
}
