package testimage

import (
	"bytes"
	"encoding/json"
)

// ObjectKeys lists the keys of a JSON object in the order they are
// written: inspect documents are compared with Docker's key order.
func ObjectKeys(t TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%v", err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%v", err)
		}
	}
	return keys
}
