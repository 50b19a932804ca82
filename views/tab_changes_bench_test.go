package views

import (
	"fmt"
	"testing"

	"berth/engine/container"
	"berth/themes"
	"berth/ui"
)

// BenchmarkChangesTab is a Changes tab's load and first frame at 200x60
// for a container that changed 10,000 paths (a package install).
func BenchmarkChangesTab(b *testing.B) {
	st := themes.New(themes.Dark())
	changes := make([]container.Change, 10_000)
	kinds := []container.ChangeKind{container.Added, container.Changed, container.Deleted}
	for i := range changes {
		changes[i] = container.Change{Kind: kinds[i%3], Path: fmt.Sprintf("/usr/lib/python3/site-packages/pkg%d/module%d.py", i/50, i)}
	}
	b.ResetTimer()
	for b.Loop() {
		t := ui.NewTable(&st, changesColumns)
		t.SetSize(198, 55)
		t.SetRows(changeRows(&st, changes))
		if t.View() == "" {
			b.Fatal("no frame")
		}
	}
}
