package image_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/engine/image"
	"berth/internal/testimage"
)

// TestInspectDockerDocument checks image inspect against what docker 20.10
// prints for an image: its keys in its order, its zero values, and the
// config fields docker reads that go-containerregistry does not keep.
func TestInspectDockerDocument(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l1 := testimage.Tar(testimage.Entry{Name: "a.txt", Body: "a"})
	l2 := testimage.Tar(testimage.Entry{Name: "b.txt", Body: "bb"})
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05.123456789Z",
		"author": "Ann <ann@example.com>", "comment": "Imported from -", "docker_version": "20.10.24",
		"container": "c0ffee",
		"config": map[string]any{"Env": []string{"PATH=/bin"}, "Cmd": []string{"sh"},
			"ExposedPorts": map[string]any{"80/tcp": map[string]any{}}, "Labels": map[string]string{"k": "v"}},
		"container_config": map[string]any{"Cmd": []string{"/bin/sh", "-c", "#(nop) CMD [\"sh\"]"}},
		"rootfs":           map[string]any{"type": "layers", "diff_ids": []string{testimage.Digest(l1), testimage.Digest(l2)}},
	})
	testimage.PushRaw(t, e.reg.Host, "docs:1", cfg,
		testimage.RawLayer{Blob: testimage.Gzip(l1), DiffID: testimage.Digest(l1)},
		testimage.RawLayer{Blob: testimage.Gzip(l2), DiffID: testimage.Digest(l2)})
	if _, _, err := e.pull(e.reg.Host+"/docs:1", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	in, err := e.svc.Inspect(ctx, e.reg.Host+"/docs:1")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Container",
		"ContainerConfig", "DockerVersion", "Author", "Config", "Architecture", "Os", "Size", "VirtualSize",
		"GraphDriver", "RootFS", "Metadata", "Manifest"}
	if got := testimage.ObjectKeys(t, raw); !slices.Equal(got, wantKeys) {
		t.Errorf("keys:\n got %v\nwant %v", got, wantKeys)
	}
	var doc map[string]json.RawMessage
	json.Unmarshal(raw, &doc)
	wantConfigKeys := []string{"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr",
		"ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Image", "Volumes", "WorkingDir",
		"Entrypoint", "OnBuild", "Labels"}
	if got := testimage.ObjectKeys(t, doc["Config"]); !slices.Equal(got, wantConfigKeys) {
		t.Errorf("Config keys:\n got %v\nwant %v", got, wantConfigKeys)
	}
	for _, tc := range []struct{ key, want string }{
		{"Parent", `""`},
		{"Comment", `"Imported from -"`},
		{"Created", `"2024-01-02T03:04:05.123456789Z"`},
		{"Container", `"c0ffee"`},
		{"DockerVersion", `"20.10.24"`},
		{"Author", `"Ann \u003cann@example.com\u003e"`},
		{"RepoTags", `["` + e.reg.Host + `/docs:1"]`},
		{"Metadata", `{"LastTagTime":"0001-01-01T00:00:00Z"}`},
	} {
		if got := string(doc[tc.key]); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.key, got, tc.want)
		}
	}
	if in.Config == nil || in.Config.Entrypoint != nil || in.Config.User != "" || in.Config.Labels["k"] != "v" ||
		len(in.Config.ExposedPorts) != 1 {
		t.Errorf("Config = %+v", in.Config)
	}
	if len(in.ContainerConfig.Cmd) != 3 || in.ContainerConfig.Env != nil {
		t.Errorf("ContainerConfig = %+v", in.ContainerConfig)
	}
	if in.Size != 3 || in.VirtualSize != in.Size {
		t.Errorf("Size %d VirtualSize %d, want 3 (the unpacked files)", in.Size, in.VirtualSize)
	}
	// GraphDriver: the top layer is UpperDir, the others LowerDir, as
	// overlay2 lists an image.
	snap := func(tarBytes []byte) string {
		return filepath.Join(e.root, "snapshots", strings.TrimPrefix(testimage.Digest(tarBytes), "sha256:"), "fs")
	}
	gd := in.GraphDriver
	if gd.Name != "overlay2" || gd.Data["UpperDir"] != snap(l2) || gd.Data["LowerDir"] != snap(l1) {
		t.Errorf("GraphDriver = %+v, want UpperDir %s LowerDir %s", gd, snap(l2), snap(l1))
	}
}
