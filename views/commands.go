package views

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/themes"
	"berth/ui"
)

// command is one verb of the ":" command line: its name and aliases, what
// it takes, what it does, and how its arguments complete. The table of
// them drives parsing and completion; usage and help document each verb
// here, and help's Commands column sums them up (commandsGroup).
type command struct {
	name    string
	aliases []string
	usage   string // the arguments: "REF"
	help    string
	// complete lists candidates for the argument being typed, word, after
	// the arguments prev.
	complete func(a *App, prev []string, word string) []string
	run      func(a *App, args []string) (tea.Cmd, error)
}

// Messages of the command line.
type (
	// cmdDoneMsg says a command's engine call returned: Text is the
	// status on success.
	cmdDoneMsg struct {
		Text string
		Err  error
		// Dialog, if set, opens to show the result (:df).
		Dialog ui.Dialog
		// Next, if set, runs after (:create's second try once its image
		// is pulled).
		Next tea.Cmd
	}
)

// commands is the command table, in the order help lists it.
func commands() []command {
	ctr := func(a *App, _ []string, _ string) []string { return a.containerRefs() }
	img := func(a *App, _ []string, _ string) []string { return a.imageRefs() }
	return append([]command{
		{name: "pull", usage: "REF", help: "pull an image", complete: img, run: cmdPull},
		{name: "run", usage: "[FLAGS] IMAGE [CMD…]", help: "run a container (docker run's flags)", complete: completeRun, run: cmdRun},
		{name: "exec", usage: "NAME [CMD…]", help: "a shell (or CMD) in a pane", complete: firstArg(ctr), run: cmdExec},
		ctrVerb("start", "start containers", "Started", Engine.StartContainer),
		ctrVerb("pause", "pause containers", "Paused", Engine.PauseContainer),
		ctrVerb("unpause", "unpause containers", "Unpaused", Engine.UnpauseContainer),
		{name: "rm", usage: "[-f] NAME…", help: "remove containers", complete: ctr, run: cmdRm},
		{name: "rmi", usage: "[-f] REF…", help: "remove images", complete: img, run: cmdRmi},
		{name: "theme", usage: strings.Join(themes.Names(), "|"), help: "change the colours",
			complete: firstArg(func(*App, []string, string) []string { return themes.Names() }), run: cmdTheme},
		paneVerb("containers", paneContainers), paneVerb("images", paneImages),
		paneVerb("networks", paneNetworks), paneVerb("volumes", paneVolumes), paneVerb("events", paneEvents),
		{name: "help", aliases: []string{"h"}, help: "all keys and commands", run: func(a *App, _ []string) (tea.Cmd, error) {
			a.help, a.helpWhat = true, helpCommands
			return nil, nil
		}},
		{name: "keys", help: "every key's action name, for config.toml", run: func(a *App, _ []string) (tea.Cmd, error) {
			a.help, a.helpWhat = true, helpActions
			return nil, nil
		}},
		{name: "quit", aliases: []string{"q", "q!", "qa"}, help: "quit berth", run: func(a *App, _ []string) (tea.Cmd, error) {
			return a.quit(), nil
		}},
	}, slices.Concat(moreCommands(), verbCommands())...)
}

// firstArg completes only the first argument with f.
func firstArg(f func(a *App, prev []string, word string) []string) func(*App, []string, string) []string {
	return func(a *App, prev []string, word string) []string {
		if len(prev) > 0 {
			return nil
		}
		return f(a, prev, word)
	}
}

func ctrVerb(name, help, done string, call func(Engine, context.Context, string) error) command {
	return command{name: name, usage: "NAME…", help: help,
		complete: func(a *App, _ []string, _ string) []string { return a.containerRefs() },
		run: func(a *App, args []string) (tea.Cmd, error) {
			if len(args) == 0 {
				return nil, errdefs.InvalidArgument(":%s needs a container: :%s NAME (tab completes names)", name, name)
			}
			eng, ctx := a.env.eng, a.env.ctx
			return func() tea.Msg {
				for _, ref := range args {
					if err := call(eng, ctx, ref); err != nil {
						return cmdDoneMsg{Err: fmt.Errorf(":%s %s: %w", name, ref, err)}
					}
				}
				return cmdDoneMsg{Text: done + " " + strings.Join(args, ", ")}
			}, nil
		}}
}

func paneVerb(name string, i int) command {
	return command{name: name, help: "show the " + strings.ToUpper(name[:1]) + name[1:] + " pane",
		run: func(a *App, _ []string) (tea.Cmd, error) {
			a.active, a.showPulls = i, false
			return nil, nil
		}}
}

func cmdPull(a *App, args []string) (tea.Cmd, error) {
	if len(args) != 1 {
		return nil, errdefs.InvalidArgument(":pull takes one image reference: :pull alpine or :pull 127.0.0.1:5000/app:1")
	}
	ref := args[0]
	return func() tea.Msg { return startPullMsg{Ref: ref} }, nil
}

// cutForce takes -f/--force out of args, a copy, and reports whether it was
// there.
func cutForce(args []string) (rest []string, force bool) {
	rest = slices.DeleteFunc(slices.Clone(args), func(s string) bool {
		is := s == "-f" || s == "--force"
		force = force || is
		return is
	})
	return rest, force
}

func cmdRm(a *App, args []string) (tea.Cmd, error) {
	args, force := cutForce(args)
	if len(args) == 0 {
		return nil, errdefs.InvalidArgument(":rm needs a container: :rm NAME, :rm -f NAME for a running one")
	}
	eng, ctx := a.env.eng, a.env.ctx
	return func() tea.Msg {
		for _, ref := range args {
			if err := eng.RemoveContainer(ctx, ref, force); err != nil {
				if errdefs.IsConflict(err) && !force {
					return cmdDoneMsg{Err: fmt.Errorf(":rm %s: %w (:rm -f %s removes it anyway)", ref, err, ref)}
				}
				return cmdDoneMsg{Err: fmt.Errorf(":rm %s: %w", ref, err)}
			}
		}
		return cmdDoneMsg{Text: "Removed " + strings.Join(args, ", ")}
	}, nil
}

func cmdRmi(a *App, args []string) (tea.Cmd, error) {
	args, force := cutForce(args)
	if len(args) == 0 {
		return nil, errdefs.InvalidArgument(":rmi needs an image: :rmi busybox, :rmi -f REF for one in use")
	}
	eng, ctx := a.env.eng, a.env.ctx
	return func() tea.Msg {
		for _, ref := range args {
			if _, err := eng.RemoveImage(ctx, ref, image.RemoveOptions{Force: force}); err != nil {
				if errdefs.IsConflict(err) && !force {
					return cmdDoneMsg{Err: fmt.Errorf(":rmi %s: %w (:rmi -f %s removes it anyway)", ref, err, ref)}
				}
				return cmdDoneMsg{Err: fmt.Errorf(":rmi %s: %w", ref, err)}
			}
		}
		return cmdDoneMsg{Text: "Removed " + strings.Join(args, ", ")}
	}, nil
}

func cmdExec(a *App, args []string) (tea.Cmd, error) {
	if len(args) == 0 {
		return nil, errdefs.InvalidArgument(":exec needs a container: :exec NAME [CMD…] (tab completes names)")
	}
	if !a.sessions.Enabled() {
		return nil, errdefs.InvalidArgument(":exec needs session panes, which this engine lacks: use berth exec -it %s sh", args[0])
	}
	spec := sessionSpec{Kind: sessExec, Ref: args[0], Name: args[0], Cmd: args[1:]}
	return func() tea.Msg { return openSessionMsg{Spec: spec} }, nil
}

func cmdTheme(a *App, args []string) (tea.Cmd, error) {
	if len(args) != 1 {
		return nil, errdefs.InvalidArgument(":theme takes one of %s", strings.Join(themes.Names(), ", "))
	}
	t, err := themes.ByName(args[0])
	if err != nil {
		return nil, errdefs.InvalidArgument(":theme: %v", err)
	}
	if a.noColor && t.Name != themes.Plain().Name {
		return nil, errdefs.InvalidArgument(":theme: NO_COLOR is set, so the terminal gets no colours: start berth without it for themes")
	}
	return tea.Batch(a.setTheme(t), ui.Infof("Theme %s", t.Name)), nil
}

// setTheme redraws everything in t: the styles are shared by pointer, and
// the panes render their rows again (as the clock has them do).
func (a *App) setTheme(t themes.Theme) tea.Cmd {
	*a.env.Styles = themes.New(t)
	a.eventLog.apply()
	return a.broadcast(clockMsg{})
}

// lookup finds the command called name (or an alias).
func lookup(cmds []command, name string) (command, bool) {
	for _, c := range cmds {
		if c.name == name || slices.Contains(c.aliases, name) {
			return c, true
		}
	}
	return command{}, false
}

// execLine runs one line of the command line.
func (a *App) execLine(line string) tea.Cmd {
	words, err := splitWords(line, "")
	if err != nil {
		return ui.ErrorStatus(errdefs.InvalidArgument(":%s: %v: close the quote", line, err))
	}
	if len(words) == 0 {
		return nil
	}
	name := strings.TrimPrefix(words[0], ":")
	c, ok := lookup(a.cmds, name)
	if !ok {
		return ui.ErrorStatus(errdefs.InvalidArgument("no command :%s: %s (tab completes, :help lists them)", name, a.suggestCommand(name)))
	}
	cmd, err := c.run(a, words[1:])
	if err != nil {
		return ui.ErrorStatus(err)
	}
	return cmd
}

// suggestCommand is the nearest command to a mistyped name, or the
// everyday ones.
func (a *App) suggestCommand(name string) string {
	best, bestD := "", 3
	for _, c := range a.cmds {
		if d := editDistance(name, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	if best != "" {
		return "did you mean :" + best + "?"
	}
	return "try :pull, :run, :stop, :logs, :theme or :q"
}

// completeLine is the command line's completer: command names for the
// first word, then what the command takes.
func (a *App) completeLine(line string) (int, []string) {
	start := strings.LastIndexAny(line, " \t") + 1
	word := line[start:]
	words, err := splitWords(line[:start], "")
	if err != nil {
		return start, nil
	}
	var cands []string
	if len(words) == 0 {
		for _, c := range a.cmds {
			cands = append(cands, c.name)
		}
	} else if c, ok := lookup(a.cmds, words[0]); ok && c.complete != nil {
		cands = c.complete(a, words[1:], word)
	}
	var out []string
	for _, s := range cands {
		if strings.HasPrefix(s, word) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return start, out
}

// refs are what the command line completes from the rows pane i lists:
// of gives each row's names.
func refs[R any](a *App, i int, of func(r R) []string) []string {
	p, ok := a.panes[i].(interface{ rows() []R })
	if !ok {
		return nil
	}
	var out []string
	for _, r := range p.rows() {
		out = append(out, of(r)...)
	}
	return out
}

func (a *App) containerRefs() []string {
	return refs(a, paneContainers, func(r containerRow) []string { return []string{r.Ref()} })
}

// imageRefs are repo:tag, and repo alone for :latest.
func (a *App) imageRefs() []string {
	return refs(a, paneImages, func(r imageRow) []string {
		if r.Tag == "latest" {
			return []string{r.Ref(), r.Repo}
		}
		return []string{r.Ref()}
	})
}

func (a *App) networkRefs() []string {
	return refs(a, paneNetworks, func(r networkRow) []string { return []string{r.Name} })
}

func (a *App) volumeRefs() []string {
	return refs(a, paneVolumes, func(r volumeRow) []string { return []string{r.Name} })
}

// commandsGroup is the help's Commands column, from the command table:
// every command with its arguments and what it does.
func (a *App) commandsGroup() ui.KeyGroup {
	g := ui.KeyGroup{Title: "Commands (:, tab completes)"}
	for _, c := range a.cmds {
		g.Keys = append(g.Keys, ui.Bind(strings.TrimSpace(":"+c.name+" "+c.usage), c.help, ""))
	}
	return g
}

// What the help shows (App.helpWhat).
const (
	helpCommands = "commands"
	helpActions  = "actions"
)

// helpContent is the help overlay's title and columns.
func (a *App) helpContent() (string, []ui.KeyGroup) {
	if a.helpWhat == helpActions {
		return "Actions: config.toml [keys] \"PANE.ACTION\" = \"key\"", a.actionGroups()
	}
	return "Keys", a.helpGroups()
}

// actionGroups are the binding tables as the config file names them: one
// column per table, each key with its action's name.
func (a *App) actionGroups() []ui.KeyGroup {
	app, panes := a.keyTables(ui.KeyOverrides{})
	var groups []ui.KeyGroup
	for _, t := range append([]map[string]*ui.Binding{app}, panes...) {
		names := slices.Sorted(maps.Keys(t))
		if len(names) == 0 {
			continue
		}
		prefix, _, _ := strings.Cut(names[0], ".")
		g := ui.KeyGroup{Title: prefix + "."}
		for _, n := range names {
			g.Keys = append(g.Keys, ui.Bind(t[n].Help().Key, strings.TrimPrefix(n, prefix+"."), ""))
		}
		groups = append(groups, g)
	}
	return groups
}

// commandsRoom is the window height from which ? lists the commands too;
// :help always does, first.
const commandsRoom = 40

// withCommands adds the Commands column to the help's groups: first after
// :help, last when the window has room.
func (a *App) withCommands(groups []ui.KeyGroup) []ui.KeyGroup {
	switch {
	case a.helpWhat == helpCommands:
		return append([]ui.KeyGroup{a.commandsGroup()}, groups...)
	case a.height >= commandsRoom:
		return append(groups, a.commandsGroup())
	}
	return groups
}

// commandDone takes a command's result in.
func (a *App) commandDone(msg cmdDoneMsg) tea.Cmd {
	if msg.Err != nil {
		return ui.ErrorStatus(msg.Err)
	}
	if msg.Dialog != nil {
		a.dialog = msg.Dialog
	}
	return tea.Batch(ui.Status(ui.LevelSuccess, msg.Text), msg.Next)
}
