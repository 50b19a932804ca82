package testimage

import (
	"archive/tar"
	"bytes"
	"math/rand/v2"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Wasteful is a busybox image built the way that wastes space: a layer
// downloads a 3 MB archive into /tmp and unpacks a tool from it, the next
// deletes the archive (a whiteout) and rewrites the tool's config. The
// layer browser shows the deletion and the 3 MB it wastes.
func Wasteful(t TB) v1.Image {
	t.Helper()
	fetch := layerTar(
		tarEntry{name: "tmp/", dir: true, mode: 0o1777},
		tarEntry{name: "tmp/toolchain.tar.gz", body: randomBytes(7, 3_000_000)},
		tarEntry{name: "opt/", dir: true},
		tarEntry{name: "opt/tool/", dir: true},
		tarEntry{name: "opt/tool/bin/", dir: true},
		tarEntry{name: "opt/tool/bin/tool", body: randomBytes(8, 500_000), mode: 0o755},
		tarEntry{name: "etc/", dir: true},
		tarEntry{name: "etc/tool.conf", body: []byte("level=1\n")},
	)
	clean := layerTar(
		tarEntry{name: "tmp/", dir: true, mode: 0o1777},
		tarEntry{name: "tmp/.wh.toolchain.tar.gz"},
		tarEntry{name: "etc/", dir: true},
		tarEntry{name: "etc/tool.conf", body: []byte("level=2\n")},
	)
	img := Image(t, BusyboxConfig, Layer(t, BusyboxLayer(t)), Layer(t, fetch), Layer(t, clean))
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	cf = cf.DeepCopy()
	at := v1.Time{Time: Epoch}
	cf.History = []v1.History{
		{Created: at, CreatedBy: "/bin/sh -c #(nop) ADD file:busybox-1.36 in / "},
		{Created: at, CreatedBy: "/bin/sh -c wget -O /tmp/toolchain.tar.gz https://example.com/toolchain.tar.gz && tar -xzf /tmp/toolchain.tar.gz -C /opt && echo level=1 > /etc/tool.conf"},
		{Created: at, CreatedBy: "/bin/sh -c #(nop)  ENV TOOL_HOME=/opt/tool", EmptyLayer: true},
		{Created: at, CreatedBy: "/bin/sh -c rm /tmp/toolchain.tar.gz && echo level=2 > /etc/tool.conf"},
		{Created: at, CreatedBy: "/bin/sh -c #(nop)  CMD [\"sh\"]", EmptyLayer: true},
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	return img
}

type tarEntry struct {
	name string
	dir  bool
	body []byte
	mode int64
}

// layerTar is an uncompressed tar of entries (directories 0755, files
// 0644 unless mode says otherwise; an entry named .wh.* is a whiteout).
func layerTar(entries ...tarEntry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: e.mode, Size: int64(len(e.body)), ModTime: Epoch}
		if e.dir {
			h.Typeflag = tar.TypeDir
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if e.dir {
				h.Mode = 0o755
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		tw.Write(e.body)
	}
	tw.Close()
	return buf.Bytes()
}

// randomBytes are n bytes that do not compress, the same for a seed.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewChaCha8([32]byte{byte(seed), 'w', 'a', 's', 't', 'e'}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
