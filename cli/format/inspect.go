package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"berth/engine/errdefs"
)

// Inspect prints inspect documents as docker inspect does: an indented
// JSON array without a format, a compact one with "json", otherwise each
// document through the template, one result per line. A template runs on
// the typed document first (numbers stay integers, times print as Docker's
// strings); when that fails, as for a JSON name such as .Id that is not a
// Go field name, it runs on the document's JSON with a missing key an
// error, as docker falls back. Unlike ps and images, docker passes \t in
// an inspect template through as typed, and so does berth.
//
// A document the template fails on is reported in the returned error; the
// others are still printed.
func Inspect(w io.Writer, f string, docs []any) error {
	if docs == nil {
		docs = []any{}
	}
	switch f {
	case "":
		b, err := json.MarshalIndent(docs, "", "    ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case JSONKey:
		b, err := json.Marshal(docs)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	t, err := Parse(f)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	var errs []error
	for _, d := range docs {
		var one bytes.Buffer
		if err := t.Execute(&one, d); err != nil {
			one.Reset()
			if err := executeRaw(&one, f, d); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		one.WriteByte('\n')
		one.WriteTo(&out)
	}
	if _, err := out.WriteTo(w); err != nil {
		return err
	}
	if len(errs) > 0 {
		return errdefs.Wrap(errdefs.ErrInvalidArgument, errs[0], "%v", errors.Join(errs...))
	}
	return nil
}

// executeRaw runs the template on d's JSON: objects as maps, a missing key
// an error. Docker leaves numbers as json.Number strings there, which
// printf "%d" refuses; berth makes whole numbers int64 (they print the
// same) and leaves the others as written.
func executeRaw(w io.Writer, f string, d any) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	raw = integers(raw)
	t, err := Parse(f)
	if err != nil {
		return err
	}
	if err := t.Option("missingkey=error").Execute(w, raw); err != nil {
		return errdefs.InvalidArgument("template parsing error: %v", err)
	}
	return nil
}

// integers replaces the whole json.Numbers in v by int64s.
func integers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = integers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = integers(e)
		}
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
	}
	return v
}
