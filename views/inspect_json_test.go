package views

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"berth/themes"
	"berth/ui"
)

const sampleDoc = `{"Id":"abc","Count":3,"Ok":true,"Gone":null,"Tags":["a","b"],"Empty":{},"Nested":{"Inner":{"Deep":"RUNNING"}}}`

func linesText(st *themes.Styles, root *jsonNode) []string {
	var out []string
	p := newJSONPaints(st)
	for _, l := range jsonLines(root) {
		out = append(out, plainText(l.segments(p)))
	}
	return out
}

func TestParseJSONKeepsOrderAndKinds(t *testing.T) {
	root, err := parseJSON([]byte(sampleDoc))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range root.kids {
		keys = append(keys, k.key)
	}
	if got := strings.Join(keys, " "); got != `"Id" "Count" "Ok" "Gone" "Tags" "Empty" "Nested"` {
		t.Errorf("keys %s: the document's order is lost", got)
	}
	kinds := []jsonKind{jsonString, jsonNumber, jsonLiteral, jsonLiteral, jsonArray, jsonObject, jsonObject}
	for i, k := range root.kids {
		if k.kind != kinds[i] {
			t.Errorf("%s is kind %d, want %d", k.key, k.kind, kinds[i])
		}
	}
	if _, err := parseJSON([]byte(`{"a":1} {}`)); err == nil {
		t.Error("two documents parsed as one")
	}
	if _, err := parseJSON([]byte(`{"a":`)); err == nil {
		t.Error("a cut document parsed")
	}
}

func TestJSONLinesAndFolding(t *testing.T) {
	st := themes.New(themes.Plain())
	root, _ := parseJSON([]byte(sampleDoc))
	want := []string{
		`{`,
		`  "Id": "abc",`,
		`  "Count": 3,`,
		`  "Ok": true,`,
		`  "Gone": null,`,
		`  "Tags": [`,
		`    "a",`,
		`    "b"`,
		`  ],`,
		`  "Empty": {},`,
		`  "Nested": {`,
		`    "Inner": {`,
		`      "Deep": "RUNNING"`,
		`    }`,
		`  }`,
		`}`,
	}
	if got := linesText(&st, root); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Fold all: objects and arrays below the root shut, the empty one
	// stays {}.
	setFolded(root, true)
	got := strings.Join(linesText(&st, root), "\n")
	for _, w := range []string{`  "Tags": […] 2 items,`, `  "Empty": {},`, `  "Nested": {…} 1 key`} {
		if !strings.Contains(got, w) {
			t.Errorf("folded, no %q in:\n%s", w, got)
		}
	}
	// A match deep inside shows once its ancestors unfold.
	deep := root.kids[6].kids[0].kids[0]
	unfoldTo(deep)
	if got := strings.Join(linesText(&st, root), "\n"); !strings.Contains(got, `"Deep": "RUNNING"`) || !strings.Contains(got, `"Tags": […]`) {
		t.Errorf("unfoldTo opened the wrong nodes:\n%s", got)
	}
}

// Each token kind is drawn in its theme's style.
func TestJSONColoursByKind(t *testing.T) {
	st := themes.New(themes.Dark())
	root, _ := parseJSON([]byte(sampleDoc))
	p := newJSONPaints(&st)
	style := func(key string) map[string]ui.Paint {
		for _, k := range root.kids {
			if k.key == key {
				out := map[string]ui.Paint{}
				for _, s := range (jsonLine{node: k}).segments(p) {
					out[s.text] = s.style
				}
				return out
			}
		}
		t.Fatalf("no %s", key)
		return nil
	}
	same := func(a ui.Paint, b lipgloss.Style) bool { return a.Render("x") == b.Render("x") }
	cases := []struct {
		key, text string
		want      lipgloss.Style
	}{
		{`"Id"`, `"Id"`, st.JSON.Key},
		{`"Id"`, `"abc"`, st.JSON.String},
		{`"Count"`, `3`, st.JSON.Number},
		{`"Ok"`, `true`, st.JSON.Literal},
		{`"Gone"`, `null`, st.JSON.Literal},
		{`"Count"`, `,`, st.JSON.Punct},
	}
	for _, c := range cases {
		got, ok := style(c.key)[c.text]
		if !ok || !same(got, c.want) {
			t.Errorf("%s of %s: not in its style", c.text, c.key)
		}
	}
	if same(p.Key, st.JSON.String) || same(p.Number, st.JSON.String) {
		t.Error("the dark theme draws keys, strings and numbers alike")
	}
}

func TestMatchRanges(t *testing.T) {
	tests := []struct {
		text, q string
		want    [][2]int
	}{
		{`"Status": "running"`, "run", [][2]int{{11, 14}}},
		{`"Deep": "RUNNING"`, "run", [][2]int{{9, 12}}}, // lowercase: any case
		{`"Deep": "RUNNING"`, "Run", nil},               // a capital: exact case
		{`aaaa`, "aa", [][2]int{{0, 2}, {2, 4}}},        // not overlapping
		{`x`, "", nil},
	}
	for _, tc := range tests {
		got := matchRanges(tc.text, tc.q)
		if len(got) != len(tc.want) {
			t.Errorf("matchRanges(%q, %q) = %v, want %v", tc.text, tc.q, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("matchRanges(%q, %q) = %v, want %v", tc.text, tc.q, got, tc.want)
			}
		}
	}
}

// A match across two segments is marked in both, the rest keeps its
// style.
func TestRenderSegsMarksMatches(t *testing.T) {
	mark := ui.NewPaint(lipgloss.NewStyle().Reverse(true))
	plain := ui.NewPaint(lipgloss.NewStyle())
	segs := []jsonSeg{{`"Key"`, plain}, {`: `, plain}, {`"val"`, plain}}
	got := renderSegs(segs, [][2]int{{3, 8}}, mark)
	want := `"Ke` + mark.Render(`y"`) + mark.Render(`: `) + mark.Render(`"`) + `val"`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
