package views

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/network"
	"berth/engine/volume"
	"berth/ui"
)

// Optional abilities of the engine the command line uses, checked with a
// type assertion (*engine.Engine has them).
type (
	tagEngine interface {
		TagImage(ctx context.Context, src, dst string) error
	}
	imagePruneEngine interface {
		PruneImages(ctx context.Context, all bool) (image.PruneReport, error)
	}
)

// moreCommands are the command line's verbs beyond the everyday ones:
// opening an object's tabs by name, tag, networks, volumes and prune.
func moreCommands() []command {
	ctr := func(a *App, _ []string, _ string) []string { return a.containerRefs() }
	img := func(a *App, _ []string, _ string) []string { return a.imageRefs() }
	anyObj := func(a *App, _ []string, _ string) []string {
		return slices.Concat(a.containerRefs(), a.imageRefs(), a.networkRefs(), a.volumeRefs())
	}
	return []command{
		tabVerb("logs", "a container's logs", "Logs", paneContainers, firstArg(ctr)),
		tabVerb("stats", "a container's CPU, memory and I/O", "Stats", paneContainers, firstArg(ctr)),
		tabVerb("top", "a container's processes", "Top", paneContainers, firstArg(ctr)),
		tabVerb("inspect", "any object's JSON", "Inspect", -1, firstArg(anyObj)),
		tabVerb("history", "an image's history", "History", paneImages, firstArg(img)),
		tabVerb("layers", "an image's layers and files", "Layers", paneImages, firstArg(img)),
		{name: "tag", usage: "SRC DST", help: "tag an image", complete: firstArg(img), run: cmdTag},
		{name: "network", usage: "create|rm|prune …", help: "networks", complete: completeObjectVerb("network"), run: cmdNetwork},
		{name: "volume", usage: "create|rm|prune …", help: "volumes", complete: completeObjectVerb("volume"), run: cmdVolume},
		{name: "prune", usage: "containers|images [-a]|networks|volumes", help: "remove what nothing uses (asks first)",
			complete: firstArg(func(*App, []string, string) []string { return []string{"containers", "images", "networks", "volumes"} }), run: cmdPrune},
	}
}

// tabVerb opens tab title of the object named by the argument: in pane
// (or, for -1, the first pane that lists it).
func tabVerb(name, help, title string, pane int, complete func(*App, []string, string) []string) command {
	return command{name: name, usage: "NAME", help: help, complete: complete,
		run: func(a *App, args []string) (tea.Cmd, error) {
			if len(args) != 1 {
				return nil, errdefs.InvalidArgument(":%s takes one name: :%s web (tab completes names)", name, name)
			}
			panes := []int{pane}
			if pane < 0 {
				panes = []int{paneContainers, paneImages, paneNetworks, paneVolumes}
			}
			for _, i := range panes {
				if o, ok := a.panes[i].(objectFinder); ok && o.showObject(args[0]) {
					a.active, a.showPulls = i, false
					return o.openDetail(title), nil
				}
			}
			what := map[int]string{paneContainers: "container", paneImages: "image"}[pane]
			if what == "" {
				what = "container, image, network or volume"
			}
			return nil, errdefs.NotFound(":%s: no %s %q is listed: tab completes names", name, what, args[0])
		}}
}

// objectFinder is a list pane that can put its cursor on an object by
// name or ID and open the object's tabs.
type objectFinder interface {
	showObject(ref string) bool
	openDetail(title string) tea.Cmd
}

// showObject puts the cursor on the row of ref (its name, reference, or
// the start of its ID), clearing a filter that hides it; false when it is
// not listed.
func (p *listPane[R]) showObject(ref string) bool {
	match := func(r R) bool {
		c, ok := any(r).(idCopier)
		if !ok {
			return false
		}
		name, id := c.copyID()
		id = strings.TrimPrefix(id, "sha256:")
		if ir, ok := any(r).(imageRow); ok && ir.Tag == "latest" && ir.Repo == ref {
			return true
		}
		return name == ref || len(ref) >= 3 && strings.HasPrefix(id, strings.TrimPrefix(ref, "sha256:"))
	}
	if !slices.ContainsFunc(p.shown, match) && slices.ContainsFunc(p.all, match) && p.filter.Clear() {
		p.apply()
	}
	for i, r := range p.shown {
		if match(r) {
			p.table.SetCursor(i)
			return true
		}
	}
	return false
}

func cmdTag(a *App, args []string) (tea.Cmd, error) {
	if len(args) != 2 {
		return nil, errdefs.InvalidArgument(":tag takes a source and a new name: :tag busybox mybox:1")
	}
	te, ok := a.env.eng.(tagEngine)
	if !ok {
		return nil, errdefs.InvalidArgument(":tag: this engine cannot tag; use berth tag %s %s", args[0], args[1])
	}
	ctx := a.env.ctx
	return func() tea.Msg {
		if err := te.TagImage(ctx, args[0], args[1]); err != nil {
			return cmdDoneMsg{Err: fmt.Errorf(":tag %s %s: %w", args[0], args[1], err)}
		}
		return cmdDoneMsg{Text: "Tagged " + args[0] + " as " + args[1]}
	}, nil
}

// completeObjectVerb completes :network and :volume: the verb, then the
// names of the objects for rm.
func completeObjectVerb(kind string) func(a *App, prev []string, word string) []string {
	return func(a *App, prev []string, word string) []string {
		if len(prev) == 0 {
			if kind == "network" {
				return []string{"create", "rm", "prune", "connect", "disconnect"}
			}
			return []string{"create", "rm", "prune"}
		}
		if kind == "network" && (prev[0] == "connect" || prev[0] == "disconnect") {
			return completeConnect(a, prev[1:], word)
		}
		if prev[0] != "rm" {
			return nil
		}
		if kind == "network" {
			return a.networkRefs()
		}
		return a.volumeRefs()
	}
}

// splitVerb is a command's first argument, the verb, and the others.
func splitVerb(args []string) (verb string, rest []string) {
	if len(args) == 0 {
		return "", nil
	}
	return args[0], args[1:]
}

func cmdNetwork(a *App, args []string) (tea.Cmd, error) {
	eng, ctx := a.env.eng, a.env.ctx
	verb, rest := splitVerb(args)
	switch verb {
	case "create":
		var o network.CreateOptions
		for i := 0; i < len(rest); i++ {
			switch {
			case rest[i] == "--internal":
				o.Internal = true
			case rest[i] == "--subnet" && i+1 < len(rest):
				i++
				o.Subnet = rest[i]
			case strings.HasPrefix(rest[i], "--subnet="):
				o.Subnet = strings.TrimPrefix(rest[i], "--subnet=")
			case strings.HasPrefix(rest[i], "-") || o.Name != "":
				return nil, errdefs.InvalidArgument(":network create NAME [--subnet CIDR] [--internal]: %q is not one of them", rest[i])
			default:
				o.Name = rest[i]
			}
		}
		if o.Name == "" {
			return nil, errdefs.InvalidArgument(":network create needs a name: :network create appnet --subnet 10.90.0.0/24")
		}
		return func() tea.Msg {
			if _, err := eng.CreateNetwork(ctx, o); err != nil {
				return cmdDoneMsg{Err: fmt.Errorf(":network create %s: %w", o.Name, err)}
			}
			return cmdDoneMsg{Text: "Created network " + o.Name}
		}, nil
	case "rm":
		if len(rest) == 0 {
			return nil, errdefs.InvalidArgument(":network rm needs a network: :network rm appnet")
		}
		return func() tea.Msg {
			for _, n := range rest {
				if _, err := eng.RemoveNetwork(ctx, n); err != nil {
					return cmdDoneMsg{Err: fmt.Errorf(":network rm %s: %w", n, err)}
				}
			}
			return cmdDoneMsg{Text: "Removed network " + strings.Join(rest, ", ")}
		}, nil
	case "prune":
		return cmdPrune(a, []string{"networks"})
	case "connect", "disconnect":
		return cmdNetworkConnect(a, verb, rest)
	}
	return nil, errdefs.InvalidArgument(":network takes create, rm, prune, connect or disconnect: :network connect appnet web")
}

func cmdVolume(a *App, args []string) (tea.Cmd, error) {
	eng, ctx := a.env.eng, a.env.ctx
	verb, rest := splitVerb(args)
	switch verb {
	case "create":
		if len(rest) > 1 {
			return nil, errdefs.InvalidArgument(":volume create takes one name (or none, for a generated one)")
		}
		o := volume.CreateOptions{}
		if len(rest) == 1 {
			o.Name = rest[0]
		}
		return func() tea.Msg {
			v, err := eng.CreateVolume(ctx, o)
			if err != nil {
				return cmdDoneMsg{Err: fmt.Errorf(":volume create %s: %w", o.Name, err)}
			}
			return cmdDoneMsg{Text: "Created volume " + v.Name}
		}, nil
	case "rm":
		rest, force := cutForce(rest)
		if len(rest) == 0 {
			return nil, errdefs.InvalidArgument(":volume rm needs a volume: :volume rm data (-f if a stopped container has it)")
		}
		return func() tea.Msg {
			for _, n := range rest {
				if err := eng.RemoveVolume(ctx, n, force); err != nil {
					return cmdDoneMsg{Err: fmt.Errorf(":volume rm %s: %w", n, err)}
				}
			}
			return cmdDoneMsg{Text: "Removed volume " + strings.Join(rest, ", ")}
		}, nil
	case "prune":
		return cmdPrune(a, []string{"volumes"})
	}
	return nil, errdefs.InvalidArgument(":volume takes create, rm or prune: :volume create data")
}

// cmdPrune asks first, as the CLI does, then removes what nothing uses.
func cmdPrune(a *App, args []string) (tea.Cmd, error) {
	eng, ctx := a.env.eng, a.env.ctx
	what := ""
	all := false
	for _, s := range args {
		switch s {
		case "-a", "--all":
			all = true
		default:
			what = s
		}
	}
	var body string
	var run func() tea.Msg
	switch what {
	case "containers":
		var err error
		if body, run, err = pruneContainers(a); err != nil {
			return nil, err
		}
	case "images":
		pe, ok := eng.(imagePruneEngine)
		if !ok {
			return nil, errdefs.InvalidArgument(":prune images: this engine cannot; use berth image prune")
		}
		body = "Remove every dangling image (untagged, used by no container)?"
		if all {
			body = "Remove every image no container uses, tagged or not?"
		}
		run = func() tea.Msg {
			r, err := pe.PruneImages(ctx, all)
			if err != nil {
				return cmdDoneMsg{Err: fmt.Errorf(":prune images: %w", err)}
			}
			return cmdDoneMsg{Text: fmt.Sprintf("Pruned %s, %s reclaimed", plural(len(r.Removed), "image reference"), humanSize(r.SpaceReclaimed))}
		}
	case "networks":
		body = "Remove every network no container is on?"
		run = func() tea.Msg {
			names, err := eng.PruneNetworks(ctx)
			if err != nil {
				return cmdDoneMsg{Err: fmt.Errorf(":prune networks: %w", err)}
			}
			return cmdDoneMsg{Text: "Pruned " + plural(len(names), "network")}
		}
	case "volumes":
		body = "Remove every anonymous volume no container uses?"
		if all {
			body = "Remove every volume no container uses, named ones too?"
		}
		run = func() tea.Msg {
			r, err := eng.PruneVolumes(ctx, all, volume.Filters{})
			if err != nil {
				return cmdDoneMsg{Err: fmt.Errorf(":prune volumes: %w", err)}
			}
			return cmdDoneMsg{Text: fmt.Sprintf("Pruned %s, %s reclaimed", plural(len(r.Removed), "volume"), humanSize(r.Space))}
		}
	default:
		return nil, errdefs.InvalidArgument(":prune takes containers, images [-a], networks or volumes [-a]")
	}
	a.dialog = ui.NewConfirm(a.env.Styles, "Prune "+what, body, run)
	return nil, nil
}
