package views

import (
	"context"
	"encoding/json"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// inspectTab is the Inspect tab of any object: its inspect document as
// JSON, coloured by token kind, with a cursor line, folding of objects and
// arrays, and search with n/N.
type inspectTab struct {
	env    *env
	load   func(ctx context.Context, eng Engine) (any, error)
	keys   inspectKeys
	paints ui.Themed[*jsonPaints]

	gen     int // of the last load asked for
	loading bool
	root    *jsonNode
	text    string // the document, indented: what y copies
	lines   []jsonLine
	err     error

	cursor, offset int
	search         textinput.Model
	searching      bool   // the query is being typed
	query          string // the query searched for
	matches        []*jsonNode
	match          int // index in matches of the current one

	width, height int
}

type inspectKeys struct {
	Move, Page, Ends, Fold, Collapse, Expand, FoldAll, UnfoldAll, Search, Next, Prev ui.Binding
}

// inspectLoadedMsg is the document of tab's load gen, parsed.
type inspectLoadedMsg struct {
	tab  *inspectTab
	gen  int
	root *jsonNode
	text string
	err  error
}

func newInspectTab(e *env, load func(ctx context.Context, eng Engine) (any, error)) *inspectTab {
	t := &inspectTab{env: e, load: load, search: ui.NewTextInput(e.Styles, "/", "search"), keys: e.tabKeys().inspect}
	return t
}

// Title is the tab's name.
// paint is the JSON's paints in the theme.
func (t *inspectTab) paint() *jsonPaints { return t.paints.Get(t.env.Styles, newJSONPaints) }

func (t *inspectTab) Title() string { return "Inspect" }

// Open loads the document again: it shows the object as it is now.
func (t *inspectTab) Open() tea.Cmd {
	t.gen++
	t.loading = true
	tab, gen, eng, ctx, load := t, t.gen, t.env.eng, t.env.ctx, t.load
	return func() tea.Msg {
		v, err := load(ctx, eng)
		if err != nil {
			return inspectLoadedMsg{tab: tab, gen: gen, err: err}
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return inspectLoadedMsg{tab: tab, gen: gen, err: err}
		}
		root, err := parseJSON(b)
		return inspectLoadedMsg{tab: tab, gen: gen, root: root, text: string(b), err: err}
	}
}

// Close drops a load under way.
func (t *inspectTab) Close() {
	t.gen++
	t.loading = false
	t.searching = false
	t.search.Blur()
}

// SetSize sets the size of the body.
func (t *inspectTab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
}

// Update takes the tab's loads.
func (t *inspectTab) Update(msg tea.Msg) tea.Cmd {
	m, ok := msg.(inspectLoadedMsg)
	if !ok || m.tab != t || m.gen != t.gen {
		return nil
	}
	t.loading = false
	t.err = m.err
	if m.err != nil {
		return nil
	}
	t.text = m.text
	t.setRoot(m.root)
	return nil
}

// CopyText is the document, for y.
func (t *inspectTab) CopyText() (string, string) { return "the inspect JSON", t.text }

// setRoot shows a new document, keeping the folds and the cursor's place
// of the one before when it is a reload.
func (t *inspectTab) setRoot(root *jsonNode) {
	if t.root != nil {
		folded := map[string]bool{}
		for _, n := range jsonNodes(t.root) {
			if n.folded {
				folded[nodePath(n)] = true
			}
		}
		for _, n := range jsonNodes(root) {
			n.folded = folded[nodePath(n)]
		}
	}
	t.root = root
	t.relines()
	t.find()
}

// nodePath names n by its keys and indexes from the root.
func nodePath(n *jsonNode) string {
	var parts []string
	for ; n.parent != nil; n = n.parent {
		k := n.key
		if k == "" {
			for i, s := range n.parent.kids {
				if s == n {
					k = itoa(i)
				}
			}
		}
		parts = append(parts, k)
	}
	return strings.Join(parts, "\x00")
}

// relines lays the lines out again after folding.
func (t *inspectTab) relines() {
	var at *jsonNode
	if t.cursor < len(t.lines) {
		at = t.lines[t.cursor].node
	}
	t.lines = jsonLines(t.root)
	t.moveTo(at)
}

// moveTo puts the cursor on n's first line.
func (t *inspectTab) moveTo(n *jsonNode) {
	for i, l := range t.lines {
		if l.node == n && !l.close {
			t.cursor = i
			break
		}
	}
	t.clamp()
}

func (t *inspectTab) clamp() {
	t.cursor, t.offset = ui.FollowCursor(t.cursor, t.offset, len(t.lines), t.bodyHeight())
}

// bodyHeight is the lines of JSON shown: the search line takes one.
func (t *inspectTab) bodyHeight() int {
	if t.searching {
		return max(t.height-1, 1)
	}
	return max(t.height, 1)
}

// Capturing: the query is being typed.
func (t *inspectTab) Capturing() bool { return t.searching }

// Key moves, folds and searches.
func (t *inspectTab) Key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if t.searching {
		return t.searchKey(msg), true
	}
	if t.root == nil {
		return nil, false
	}
	k, km := t.keys, t.env.Keys
	cur := t.lines[t.cursor]
	switch {
	case km.Top.Matches(msg):
		t.cursor = 0
	case km.Bottom.Matches(msg):
		t.cursor = len(t.lines) - 1
	case km.Up.Matches(msg):
		t.cursor--
	case km.Down.Matches(msg):
		t.cursor++
	case km.PageUp.Matches(msg):
		t.cursor -= t.bodyHeight()
	case km.PageDown.Matches(msg):
		t.cursor += t.bodyHeight()
	case k.Fold.Matches(msg):
		n := cur.node
		if !n.container() || len(n.kids) == 0 {
			n = n.parent
		}
		if n != nil && n.parent != nil {
			n.folded = !n.folded
			t.relines()
			t.moveTo(n)
		}
	case k.Collapse.Matches(msg):
		n := cur.node
		if n.container() && !n.folded && len(n.kids) > 0 && n.parent != nil {
			n.folded = true
			t.relines()
		} else if n.parent != nil {
			t.moveTo(n.parent)
		}
	case k.Expand.Matches(msg):
		if n := cur.node; n.folded {
			n.folded = false
			t.relines()
		} else if n.container() && len(n.kids) > 0 && !cur.close {
			t.cursor++
		}
	case k.FoldAll.Matches(msg), k.UnfoldAll.Matches(msg):
		setFolded(t.root, k.FoldAll.Matches(msg))
		t.relines()
	case k.Search.Matches(msg):
		t.searching = true
		t.search.SetValue(t.query)
		t.search.CursorEnd()
		t.clamp()
		return t.search.Focus(), true
	case (k.Next.Matches(msg) || k.Prev.Matches(msg)) && t.query != "":
		if len(t.matches) == 0 {
			return ui.Infof("No match for %q", t.query), true
		}
		step := 1
		if k.Prev.Matches(msg) {
			step = len(t.matches) - 1
		}
		t.jump((t.match + step) % len(t.matches))
	case km.Back.Matches(msg) && t.query != "":
		t.query, t.matches = "", nil
	default:
		return nil, false
	}
	t.clamp()
	return nil, true
}

// searchKey edits the query: enter searches, esc gives up.
func (t *inspectTab) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		t.searching = false
		t.search.Blur()
		t.query = t.search.Value()
		t.find()
		if t.query != "" && len(t.matches) == 0 {
			return ui.Infof("No match for %q", t.query)
		}
		if len(t.matches) > 0 {
			t.jump(t.firstMatchFrom(t.cursor))
		}
		return nil
	case "esc":
		t.searching = false
		t.search.Blur()
		t.clamp()
		return nil
	}
	var cmd tea.Cmd
	t.search, cmd = t.search.Update(msg)
	return cmd
}

// find lists the nodes whose line holds the query, folded or not.
func (t *inspectTab) find() {
	t.matches, t.match = nil, 0
	if t.query == "" || t.root == nil {
		return
	}
	for _, n := range jsonNodes(t.root) {
		if len(matchRanges(plainText(jsonLine{node: n}.segments(t.paint())), t.query)) > 0 {
			t.matches = append(t.matches, n)
		}
	}
}

// firstMatchFrom is the first match at or after line i, wrapping.
func (t *inspectTab) firstMatchFrom(i int) int {
	order := map[*jsonNode]int{}
	for j, n := range jsonNodes(t.root) {
		order[n] = j
	}
	at := -1
	if i < len(t.lines) {
		at = order[t.lines[i].node]
	}
	for j, m := range t.matches {
		if order[m] >= at {
			return j
		}
	}
	return 0
}

// jump unfolds what hides match i and puts the cursor on it.
func (t *inspectTab) jump(i int) {
	t.match = i
	n := t.matches[i]
	unfoldTo(n)
	t.lines = jsonLines(t.root)
	t.moveTo(n)
	// Show a little of what follows the match.
	h := t.bodyHeight()
	if t.cursor-t.offset > h-3 && h > 6 {
		t.offset = min(t.cursor-h+3, max(len(t.lines)-h, 0))
	}
}

// View draws the visible lines, the cursor's highlighted, the matches
// marked, and the search line while typing.
func (t *inspectTab) View() string {
	st := t.env.Styles
	switch {
	case t.err != nil:
		return st.Error.Render(" " + oneLine(t.err.Error()))
	case t.root == nil:
		return st.Table.Empty.Render(" Loading…")
	}
	h := t.bodyHeight()
	out := make([]string, 0, h+1)
	var current *jsonNode
	if t.match < len(t.matches) {
		current = t.matches[t.match]
	}
	for i := t.offset; i < len(t.lines) && i < t.offset+h; i++ {
		l := t.lines[i]
		segs := l.segments(t.paint())
		segs[0].text = " " + segs[0].text // the frame's inner margin
		if i == t.cursor {
			out = append(out, st.JSON.Cursor.Render(ui.Fit(plainText(segs), t.width)))
			continue
		}
		var ranges [][2]int
		if !l.close {
			ranges = matchRanges(plainText(segs), t.query)
		}
		match := t.paint().Match
		if l.node == current {
			match = t.paint().Current
		}
		out = append(out, ui.Truncate(renderSegs(segs, ranges, match), t.width))
	}
	body := strings.Join(out, "\n")
	if t.searching {
		body = ui.Block(body, t.width, h) + "\n" + t.search.View()
	}
	return body
}

// Info is the frame's right side: the line, or the match.
func (t *inspectTab) Info() string {
	switch {
	case t.root == nil:
		return ""
	case t.query != "" && len(t.matches) == 0:
		return "no match for " + t.query
	case t.query != "":
		return "match " + itoa(t.match+1) + "/" + itoa(len(t.matches))
	}
	return "line " + itoa(t.cursor+1) + "/" + itoa(len(t.lines))
}

// KeyGroups are the tab's keys.
func (t *inspectTab) KeyGroups() []ui.KeyGroup {
	k := t.keys
	next, prev := k.Next, k.Prev
	if t.query == "" {
		next.SetDisabled("no search")
		prev.SetDisabled("no search")
	}
	return []ui.KeyGroup{{Title: "Inspect", Keys: []ui.Binding{k.Move, k.Page, k.Ends, k.Fold, k.Collapse, k.Expand, k.FoldAll, k.UnfoldAll, k.Search, next, prev}}}
}

// ShortHelp are the keys the status bar suggests.
func (t *inspectTab) ShortHelp() []ui.Binding {
	return []ui.Binding{t.keys.Fold, t.keys.Search, t.keys.Next}
}
