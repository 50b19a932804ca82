package views

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/engine/image"
	"berth/internal/units"
	"berth/ui"
)

// none is what Docker shows for a missing repository or tag.
const none = "<none>"

// imageRow is one line of the images table: one per tag, or one for an image
// without tags. Pure data, built by imageRows.
type imageRow struct {
	Repo    string
	Tag     string
	ID      string // full "sha256:<hex>"
	Created time.Time
	Size    int64
}

// Ref is what names this row to the engine: "repo:tag", or the image ID for
// an untagged image.
func (r imageRow) Ref() string {
	if r.Repo == none || r.Tag == none {
		return r.ID
	}
	return r.Repo + ":" + r.Tag
}

// Key identifies the row across refreshes.
func (r imageRow) Key() string { return r.ID + " " + r.Repo + ":" + r.Tag }

// imageRows turns summaries into rows: one per tag; an image without tags
// (dangling) gives one row <none> <none>.
func imageRows(imgs []image.Summary) []imageRow {
	var rows []imageRow
	for _, img := range imgs {
		row := imageRow{ID: img.ID, Created: img.Created, Size: img.Size}
		tagged := false
		for _, rt := range img.RepoTags {
			repo, tag := splitRepoTag(rt)
			if repo == none && tag == none {
				continue
			}
			row.Repo, row.Tag = repo, tag
			rows = append(rows, row)
			tagged = true
		}
		if !tagged {
			row.Repo, row.Tag = none, none
			rows = append(rows, row)
		}
	}
	return rows
}

// splitRepoTag splits "127.0.0.1:5000/big:latest" at the tag's colon, the
// last one after the last slash.
func splitRepoTag(rt string) (repo, tag string) {
	slash := strings.LastIndexByte(rt, '/')
	if i := strings.LastIndexByte(rt, ':'); i > slash {
		return rt[:i], rt[i+1:]
	}
	return rt, none
}

// humanSize is a size as docker and berth's CLI write it: "4.27MB".
func humanSize(n int64) string { return units.HumanSize(n) }

// humanCreated is the age docker and berth's CLI show: "3 days ago"; empty
// for a zero time.
func humanCreated(t, now time.Time) string { return units.Ago(t, now) }

// Sort columns of the images table, in the order `s` cycles through them.
const (
	colRepo = iota
	colTag
	colID
	colCreated
	colSize
	numImageCols
)

var imageColumns = []ui.Column{
	colRepo:    {Title: "REPOSITORY", Width: 12, Flex: 3},
	colTag:     {Title: "TAG", Width: 8, Flex: 1, Max: 24},
	colID:      {Title: "IMAGE ID", Width: 12},
	colCreated: {Title: "CREATED", Width: 18}, // "About a minute ago"
	colSize:    {Title: "SIZE", Width: 8, Right: true},
}

// defaultDesc is the direction a column sorts in when `s` selects it: names
// A→Z, dates newest first, sizes largest first.
func defaultDesc(col int) bool { return col == colCreated || col == colSize }

// sortImageRows sorts rows in place by col, ties broken by repository, tag
// and ID so that the order is stable across refreshes. "<none>" names come
// last in either direction: they are never what one looks for.
func sortImageRows(rows []imageRow, col int, desc bool) {
	dir := func(c int) int {
		if desc {
			return -c
		}
		return c
	}
	slices.SortStableFunc(rows, func(a, b imageRow) int {
		var c int
		switch col {
		case colRepo:
			c = cmpName(a.Repo, b.Repo, dir)
		case colTag:
			c = cmpName(a.Tag, b.Tag, dir)
		case colID:
			c = dir(cmp.Compare(a.ID, b.ID))
		case colCreated:
			c = dir(a.Created.Compare(b.Created))
		case colSize:
			c = dir(cmp.Compare(a.Size, b.Size))
		}
		if c != 0 {
			return c
		}
		keep := func(c int) int { return c }
		return cmp.Or(cmpName(a.Repo, b.Repo, keep), cmpName(a.Tag, b.Tag, keep), cmp.Compare(a.ID, b.ID))
	})
}

// cmpName compares names case-insensitively in the direction dir gives,
// "<none>" after every name whatever the direction.
func cmpName(a, b string, dir func(int) int) int {
	switch {
	case a == b:
		return 0
	case a == none:
		return 1
	case b == none:
		return -1
	}
	return dir(cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b)))
}

// filterImageRows keeps the rows whose repository, tag or ID contains q,
// ignoring case. An empty q keeps all.
func filterImageRows(rows []imageRow, q string) []imageRow {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return rows
	}
	q = strings.TrimPrefix(q, "sha256:")
	var out []imageRow
	for _, r := range rows {
		hex := strings.TrimPrefix(r.ID, "sha256:")
		if strings.Contains(strings.ToLower(r.Repo), q) || strings.Contains(strings.ToLower(r.Tag), q) ||
			strings.HasPrefix(hex, q) || strings.Contains(strings.ToLower(r.Repo+":"+r.Tag), q) {
			out = append(out, r)
		}
	}
	return out
}

// imageTableRows renders rows into table cells.
func imageTableRows(rows []imageRow, now time.Time) []ui.Row {
	out := make([]ui.Row, len(rows))
	for i, r := range rows {
		out[i] = ui.Row{
			Key:   r.Key(),
			Cells: []string{r.Repo, r.Tag, image.ShortID(r.ID), humanCreated(r.Created, now), humanSize(r.Size)},
			Dim:   []bool{r.Repo == none, r.Tag == none},
		}
	}
	return out
}

// plural is "1 image", "2 images".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// cutImageRef shortens an image reference to w cells, keeping what tells
// images apart: the registry goes first ("…/team/app:1.2"), then the path
// from its start ("…/app:1.2"), then the end of the name ("ap…:1.2"); the
// tag (or digest) is cut only when nothing else is left.
func cutImageRef(ref string, w int) string {
	if ui.Width(ref) <= w {
		return ref
	}
	name, tag := ref, ""
	if i := strings.LastIndex(ref, "@"); i > 0 {
		name, tag = ref[:i], ref[i:]
	} else if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i:]
	}
	parts := strings.Split(name, "/")
	// Drop path elements from the start, the registry first, while the
	// rest does not fit; the last element stays.
	for len(parts) > 1 {
		parts = parts[1:]
		s := ui.Ellipsis + "/" + strings.Join(parts, "/") + tag
		if ui.Width(s) <= w {
			return s
		}
	}
	last := parts[0]
	if room := w - ui.Width(tag); room >= 2 {
		return ui.Truncate(last, room) + tag
	}
	return ui.Truncate(last+tag, w)
}
