// Package format is how berth's CLI writes what it lists and inspects, the
// way the docker CLI does: --format templates with docker's functions
// (json, join, split, lower, upper, title, pad, truncate), "table" formats
// with a header row and columns aligned by a tab writer, "json" for one
// JSON object per row, the row contexts of ps and images (.ID, .Names,
// .Label "k", .Size, ...) and inspect documents. Sizes and durations come
// from internal/units, which the TUI shares.
//
// Every command that prints rows goes through Write, every inspect through
// Inspect, so that templates behave the same everywhere.
package format

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode"
	"unicode/utf8"

	"berth/engine/errdefs"
)

// Format words docker gives a meaning of their own.
const (
	TableKey   = "table" // a table: header row, aligned columns
	JSONKey    = "json"  // one JSON object per row
	RawKey     = "raw"   // "key: value" lines per row
	jsonFormat = "{{json .}}"
)

// IsTable reports whether f is a table format ("table" or "table TEMPLATE").
func IsTable(f string) bool { return strings.HasPrefix(f, TableKey) }

// Header names the columns of a table: the title of each field. A table's
// header row is its template executed on the Header, as docker does.
type Header map[string]string

// Label is the title of a {{.Label "name"}} column: the last dotted part of
// the label's name, dashes and underscores as spaces (docker's rule).
func (h Header) Label(name string) string {
	parts := strings.Split(name, ".")
	return strings.NewReplacer("-", " ", "_", " ").Replace(parts[len(parts)-1])
}

// funcs are docker's template functions.
func funcs() template.FuncMap {
	return template.FuncMap{
		"json":     toJSON,
		"split":    strings.Split,
		"join":     strings.Join,
		"title":    title,
		"lower":    strings.ToLower,
		"upper":    strings.ToUpper,
		"pad":      pad,
		"truncate": truncate,
	}
}

// headerFuncs replace the functions that would garble a header cell: the
// header keeps the column's title (pad still applies, for alignment).
func headerFuncs() template.FuncMap {
	same := func(v string) string { return v }
	sameWith := func(v, _ string) string { return v }
	return template.FuncMap{
		"json":     same,
		"split":    sameWith,
		"join":     sameWith,
		"title":    same,
		"lower":    same,
		"upper":    same,
		"truncate": func(v string, _ int) string { return v },
	}
}

// toJSON is docker's json: compact, HTML characters left alone.
func toJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// title upper-cases the first letter of each word, as docker's
// strings.Title: a word starts after anything but a letter, a digit or _.
func title(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		start := isSeparator(prev)
		prev = r
		if start {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

func isSeparator(r rune) bool {
	if r <= unicode.MaxASCII {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false
	}
	return unicode.IsSpace(r)
}

// pad surrounds a non-empty s with spaces.
func pad(s string, before, after int) string {
	if s == "" {
		return s
	}
	return strings.Repeat(" ", before) + s + strings.Repeat(" ", after)
}

// truncate keeps the first n bytes of s.
func truncate(s string, n int) string {
	if len(s) < n || n < 0 {
		return s
	}
	return s[:n]
}

// Parse parses a template with docker's functions.
func Parse(text string) (*template.Template, error) {
	t, err := template.New("").Funcs(funcs()).Parse(text)
	if err != nil {
		return nil, errdefs.InvalidArgument("template parsing error: %v", err)
	}
	return t, nil
}

// prepare turns a --format value into the template to run: "table" taken
// off (table reports it), "json" made {{json .}}, and the escapes \t and \n
// typed on a command line made tabs and newlines.
func prepare(f string) (text string, table bool) {
	switch {
	case IsTable(f):
		f, table = f[len(TableKey):], true
	case f == JSONKey:
		f = jsonFormat
	}
	f = strings.Trim(f, " ")
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(f), table
}

// Write prints rows through the --format value f, as docker's formatter
// does: each row is the template's output and a newline; a table gets a
// header row (the template run on header) and columns aligned with three
// spaces between them. On an error nothing is printed.
func Write[R any](w io.Writer, f string, header Header, rows []R) error {
	text, table := prepare(f)
	t, err := Parse(text)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	for _, r := range rows {
		if err := t.Execute(&body, r); err != nil {
			return errdefs.InvalidArgument("template parsing error: %v", err)
		}
		body.WriteByte('\n')
	}
	if !table {
		_, err := body.WriteTo(w)
		return err
	}
	var head bytes.Buffer
	if ht, err := t.Clone(); err == nil {
		// As docker, a header the template cannot render is left out.
		ht.Funcs(headerFuncs()).Execute(&head, header)
	}
	// The tab writer writes cell by cell: gather the table, then write it
	// at once (one system call, not one per cell).
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 10, 1, 3, ' ', 0)
	head.WriteByte('\n')
	head.WriteTo(tw)
	body.WriteTo(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = out.WriteTo(w)
	return err
}

// Stream parses the --format value f once, for rows printed one at a time
// as they come (events): the function writes a row and a newline. A table
// has no meaning there: nothing aligns rows not yet seen.
func Stream(f string) (func(w io.Writer, row any) error, error) {
	text, table := prepare(f)
	if table {
		return nil, errdefs.InvalidArgument("a table format needs every row at once: use json or a template")
	}
	t, err := Parse(text)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer, row any) error {
		var b bytes.Buffer
		if err := t.Execute(&b, row); err != nil {
			return errdefs.InvalidArgument("template parsing error: %v", err)
		}
		b.WriteByte('\n')
		_, err := b.WriteTo(w)
		return err
	}, nil
}

// Ellipsis shortens s to n characters, the last one "…" (docker's
// Ellipsis, counting characters rather than terminal cells).
func Ellipsis(s string, n int) string {
	switch {
	case n <= 0:
		return ""
	case utf8.RuneCountInString(s) <= n:
		return s
	case n == 1:
		r, _ := utf8.DecodeRuneInString(s)
		return string(r)
	}
	return string([]rune(s)[:n-1]) + "…"
}
