package views

import (
	"context"

	"berth/engine/errdefs"
	"berth/internal/config"
	"berth/themes"
)

// Options are the TUI's settings from the command line.
type Options struct {
	// Theme is --theme: dark, light or high-contrast; "" for the config
	// file's (or dark).
	Theme string
	// ConfigPath is the settings file; "" for the default
	// ($XDG_CONFIG_HOME/berth/config.toml, else ~/.config/berth/config.toml).
	ConfigPath string
}

// newConfiguredApp builds the app with the theme and keys that o, the
// environment and the config file choose. A bad --theme is an error; a bad
// config file is not: berth starts with the defaults for what is wrong in
// it and says so in the status bar.
func newConfiguredApp(ctx context.Context, eng Engine, o Options, getenv func(string) string) (*App, error) {
	path := o.ConfigPath
	if path == "" {
		path = config.DefaultPath(getenv)
	}
	cfg, cfgErr := config.Load(path)
	cfgTheme := cfg.Theme
	if cfgErr == nil && cfgTheme != "" {
		if _, err := themes.ByName(cfgTheme); err != nil {
			cfgErr = cfg.Errorf(cfg.ThemeLine, "", "theme: %v", err)
			cfgTheme = ""
		}
	}
	theme, err := themes.Choose(o.Theme, cfgTheme, getenv)
	if err != nil {
		return nil, errdefs.InvalidArgument("--theme: %v", err)
	}
	app := NewApp(ctx, eng, theme)
	app.noColor = getenv("NO_COLOR") != ""
	if cfgErr == nil {
		app.mouseOff = !cfg.Mouse
		cfgErr = app.applyKeys(cfg)
	}
	app.startup = configStatus(cfgErr)
	return app, nil
}
