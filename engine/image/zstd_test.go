package image_test

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func zstdCompress(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
