// Command berth is a terminal workstation for containers with its own engine.
//
//	berth            full-screen TUI
//	berth VERB ...   docker-style CLI (pull, images, run, ps, ...)
//	berth init       libcontainer's re-exec inside a new container (internal)
package main

import (
	"context"
	"os"

	"github.com/opencontainers/runc/libcontainer"
	_ "github.com/opencontainers/runc/libcontainer/nsenter" // joins namespaces before Go starts, for init

	"berth/cli"
	"berth/engine"
	"berth/views"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		// libcontainer re-executes /proc/self/exe init inside the new
		// container; Init never returns.
		libcontainer.Init()
	}
	if len(os.Args) > 1 && os.Args[1] == "monitor" {
		os.Exit(engine.MonitorMain(os.Args[2:]))
	}
	os.Exit(cli.Main(os.Args[1:], func(ctx context.Context, eng *engine.Engine, o cli.TUIOptions) error {
		return views.Run(ctx, eng, views.Options{Theme: o.Theme})
	}))
}
