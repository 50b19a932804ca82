package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"berth/themes"
	"berth/ui"
)

// jsonKind is the kind of a JSON value.
type jsonKind int

const (
	jsonObject jsonKind = iota
	jsonArray
	jsonString
	jsonNumber
	jsonLiteral // true, false, null
)

// jsonNode is one value of a JSON document as inspect shows it: keys in
// their order, objects and arrays foldable.
type jsonNode struct {
	kind   jsonKind
	key    string // the member's name, JSON-quoted; "" in arrays and at the root
	text   string // a scalar as JSON writes it
	kids   []*jsonNode
	parent *jsonNode
	depth  int
	last   bool // no comma after it
	folded bool
}

func (n *jsonNode) container() bool { return n.kind == jsonObject || n.kind == jsonArray }

// parseJSON reads a JSON document into nodes, keeping the members' order.
func parseJSON(b []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	root, err := parseValue(dec, nil, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("inspect document: more than one JSON value")
	}
	root.last = true
	return root, nil
}

func parseValue(dec *json.Decoder, parent *jsonNode, key string, depth int) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("inspect document: %w", err)
	}
	n := &jsonNode{key: key, parent: parent, depth: depth}
	switch v := tok.(type) {
	case json.Delim:
		n.kind = jsonArray
		if v == '{' {
			n.kind = jsonObject
		}
		for dec.More() {
			k := ""
			if n.kind == jsonObject {
				t, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("inspect document: %w", err)
				}
				q, _ := json.Marshal(t.(string))
				k = string(q)
			}
			kid, err := parseValue(dec, n, k, depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, fmt.Errorf("inspect document: %w", err)
		}
		if len(n.kids) > 0 {
			n.kids[len(n.kids)-1].last = true
		}
	case string:
		n.kind = jsonString
		q, _ := json.Marshal(v)
		n.text = string(q)
	case json.Number:
		n.kind, n.text = jsonNumber, v.String()
	case bool:
		n.kind, n.text = jsonLiteral, fmt.Sprint(v)
	case nil:
		n.kind, n.text = jsonLiteral, "null"
	}
	return n, nil
}

// jsonLine is one line of the document as drawn: the opening (or only)
// line of a node, or the closing line of an unfolded object or array.
type jsonLine struct {
	node  *jsonNode
	close bool
}

// jsonLines are the lines of root with folded nodes shut.
func jsonLines(root *jsonNode) []jsonLine {
	var out []jsonLine
	var walk func(n *jsonNode)
	walk = func(n *jsonNode) {
		out = append(out, jsonLine{node: n})
		if n.container() && !n.folded && len(n.kids) > 0 {
			for _, k := range n.kids {
				walk(k)
			}
			out = append(out, jsonLine{node: n, close: true})
		}
	}
	walk(root)
	return out
}

// jsonNodes are all nodes of root in document order, folded or not.
func jsonNodes(root *jsonNode) []*jsonNode {
	var out []*jsonNode
	var walk func(n *jsonNode)
	walk = func(n *jsonNode) {
		out = append(out, n)
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(root)
	return out
}

// setFolded folds (or unfolds) every object and array below the root.
func setFolded(root *jsonNode, folded bool) {
	for _, n := range jsonNodes(root) {
		if n.container() && n != root {
			n.folded = folded && len(n.kids) > 0
		}
	}
}

// unfoldTo opens the ancestors of n so that its line shows.
func unfoldTo(n *jsonNode) {
	for p := n.parent; p != nil; p = p.parent {
		p.folded = false
	}
}

// jsonSeg is a run of a line's text in one style.
type jsonSeg struct {
	text  string
	style ui.Paint
}

// jsonPaints are the JSON styles as paints: a frame draws hundreds of runs.
type jsonPaints struct {
	Key, String, Number, Literal, Punct, Folded, Match, Current ui.Paint
}

func newJSONPaints(st *themes.Styles) *jsonPaints {
	j := st.JSON
	return &jsonPaints{Key: ui.NewPaint(j.Key), String: ui.NewPaint(j.String), Number: ui.NewPaint(j.Number),
		Literal: ui.NewPaint(j.Literal), Punct: ui.NewPaint(j.Punct), Folded: ui.NewPaint(j.Folded),
		Match: ui.NewPaint(j.Match), Current: ui.NewPaint(j.Current)}
}

// segments are the styled runs of line l, indent included.
func (l jsonLine) segments(j *jsonPaints) []jsonSeg {
	n := l.node
	segs := []jsonSeg{{strings.Repeat("  ", n.depth), j.Punct}}
	comma := func() {
		if !n.last {
			segs = append(segs, jsonSeg{",", j.Punct})
		}
	}
	open, shut := "{", "}"
	if n.kind == jsonArray {
		open, shut = "[", "]"
	}
	if l.close {
		segs = append(segs, jsonSeg{shut, j.Punct})
		comma()
		return segs
	}
	if n.key != "" {
		segs = append(segs, jsonSeg{n.key, j.Key}, jsonSeg{": ", j.Punct})
	}
	switch n.kind {
	case jsonString:
		segs = append(segs, jsonSeg{n.text, j.String})
	case jsonNumber:
		segs = append(segs, jsonSeg{n.text, j.Number})
	case jsonLiteral:
		segs = append(segs, jsonSeg{n.text, j.Literal})
	default:
		switch {
		case len(n.kids) == 0:
			segs = append(segs, jsonSeg{open + shut, j.Punct})
		case n.folded:
			what := plural(len(n.kids), "key")
			if n.kind == jsonArray {
				what = plural(len(n.kids), "item")
			}
			segs = append(segs, jsonSeg{open + "…" + shut, j.Punct}, jsonSeg{" " + what, j.Folded})
		default:
			segs = append(segs, jsonSeg{open, j.Punct})
			return segs
		}
	}
	comma()
	return segs
}

// plainText is the line without styles.
func plainText(segs []jsonSeg) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.text)
	}
	return b.String()
}

// matchRanges are the byte ranges of text where q occurs: ignoring case
// when q has no capitals (smart case, as vim and less do).
func matchRanges(text, q string) [][2]int {
	if q == "" {
		return nil
	}
	hay := text
	if strings.ToLower(q) == q {
		if low := strings.ToLower(text); len(low) == len(text) {
			hay = low
		}
	}
	var out [][2]int
	for i := 0; i <= len(hay)-len(q); {
		j := strings.Index(hay[i:], q)
		if j < 0 {
			break
		}
		out = append(out, [2]int{i + j, i + j + len(q)})
		i += j + len(q)
	}
	return out
}

// renderSegs draws segs, the parts inside ranges in match instead.
func renderSegs(segs []jsonSeg, ranges [][2]int, match ui.Paint) string {
	var b strings.Builder
	pos := 0
	for _, s := range segs {
		start, end := pos, pos+len(s.text)
		pos = end
		at := start
		for _, r := range ranges {
			if r[1] <= at || r[0] >= end {
				continue
			}
			lo, hi := max(r[0], at), min(r[1], end)
			if lo > at {
				b.WriteString(s.style.Render(s.text[at-start : lo-start]))
			}
			b.WriteString(match.Render(s.text[lo-start : hi-start]))
			at = hi
		}
		if at < end {
			b.WriteString(s.style.Render(s.text[at-start:]))
		}
	}
	return b.String()
}
