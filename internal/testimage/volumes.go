package testimage

import (
	"archive/tar"
	"bytes"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The volumes image: busybox, content at /data and Volumes {"/data": {}}.
const (
	// VolumesHello is /data/hello: mode 0640, owned by 1000:1001.
	VolumesHello = "hello from the image\n"
	// VolumesEscape is a symlink that climbs far out of the image's root
	// towards the host's /etc: a volume mounted there must be filled from
	// the image (which has no /etc), never from the host.
	VolumesEscape = "/escape"
)

// VolumesConfig is the volumes image's config.
var VolumesConfig = v1.Config{
	Cmd:     []string{"sh"},
	Env:     BusyboxConfig.Env,
	Volumes: map[string]struct{}{"/data": {}},
}

// Volumes is busybox plus VolumesLayer.
func Volumes(t TB) v1.Image {
	t.Helper()
	return Image(t, VolumesConfig, Layer(t, BusyboxLayer(t)), Layer(t, VolumesLayer()))
}

// VolumesLayer holds /data (0750, 1000:1001) with hello and sub/deep, and
// the /escape symlink.
func VolumesLayer() []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []tar.Header{
		{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 1000, Gid: 1001},
		{Name: "data/hello", Typeflag: tar.TypeReg, Mode: 0o640, Uid: 1000, Gid: 1001, Size: int64(len(VolumesHello))},
		{Name: "data/sub/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "data/sub/deep", Typeflag: tar.TypeReg, Mode: 0o644, Size: 4},
		{Name: "escape", Typeflag: tar.TypeSymlink, Linkname: "../../../../../../../../../../etc", Mode: 0o777},
	} {
		h.ModTime, h.Format = Epoch, tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			panic(err)
		}
		switch h.Name {
		case "data/hello":
			tw.Write([]byte(VolumesHello))
		case "data/sub/deep":
			tw.Write([]byte("deep"))
		}
	}
	tw.Close()
	return buf.Bytes()
}
