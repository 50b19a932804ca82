package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// benchLayer is a tar of 5 files of 40 MB of random data.
func benchLayer(b *testing.B) []byte {
	b.Helper()
	rng := rand.NewChaCha8([32]byte{1})
	var ents []ent
	for i := range 5 {
		data := make([]byte, 40<<20)
		_, _ = rng.Read(data)
		ents = append(ents, reg(fmt.Sprintf("dir/file%d", i), string(data)))
	}
	return tarBytes(b, ents...)
}

// BenchmarkUnpack is the whole Unpack of a 200 MB layer from memory:
// write, syncfs (the data reaches the disk) and rename.
func BenchmarkUnpack(b *testing.B) {
	stream := benchLayer(b)
	s := newStore(b)
	b.SetBytes(200 << 20)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := testID(i)
		if _, err := s.Unpack(context.Background(), id, bytes.NewReader(stream)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Remove(id); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkApply is Apply alone (no syncfs): how fast entries reach the
// page cache, from memory or from a pipe (as from a decompressor in
// another goroutine or process).
func BenchmarkApply(b *testing.B) {
	stream := benchLayer(b)
	for _, source := range []string{"memory", "pipe"} {
		b.Run(source, func(b *testing.B) {
			s := newStore(b)
			b.SetBytes(200 << 20)
			for b.Loop() {
				r, wait := benchSource(b, source, stream)
				p, err := s.Begin(testID(1))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Apply(context.Background(), r); err != nil {
					b.Fatal(err)
				}
				wait()
				b.StopTimer()
				p.Abort()
				b.StartTimer()
			}
		})
	}
}

// benchSource returns the stream as a reader of the given kind and a
// function that waits for any writer to finish.
func benchSource(b *testing.B, kind string, stream []byte) (io.Reader, func()) {
	if kind == "memory" {
		return bytes.NewReader(stream), func() {}
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = pw.Write(stream)
		pw.Close()
	}()
	return pr, func() {
		_, _ = io.Copy(io.Discard, pr)
		<-done
		pr.Close()
	}
}
