package views

// logsView is the log view of the Logs tab open in the containers pane.
func (h *harness) logsView() *logsView {
	h.t.Helper()
	v, ok := focusedTab[*logsView](h.containers().detail)
	if !ok {
		h.t.Fatalf("no Logs tab open:\n%s", h.screen())
	}
	return v
}

// layersTab is the Layers tab open in the images pane, if any.
func (h *harness) layersTab() (*layersTab, bool) {
	return focusedTab[*layersTab](h.images().detail)
}

// mustLayersTab is the Layers tab open in the images pane.
func (h *harness) mustLayersTab() *layersTab {
	h.t.Helper()
	t, ok := h.layersTab()
	if !ok {
		h.t.Fatalf("no Layers tab open:\n%s", h.screen())
	}
	return t
}

// focusedTab is d's open tab if it has the focus and is a T.
func focusedTab[T detailTab](d *detailArea) (T, bool) {
	var zero T
	if d == nil || !d.focused || !d.opened || d.active >= len(d.tabs) {
		return zero, false
	}
	t, ok := d.tabs[d.active].(T)
	return t, ok
}
