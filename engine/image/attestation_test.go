package image_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/internal/testimage"
)

// attestation is what buildx attaches to an image in an index: an OCI
// manifest whose one layer is an in-toto statement (JSON, not a tar) about
// subject, with the platform unknown/unknown in its index entry.
func attestation(t *testing.T, subject v1.Hash) (v1.Image, v1.Hash) {
	t.Helper()
	stmt := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2",`+
		`"subject":[{"name":"pkg:docker/app@latest","digest":{"sha256":%q}}],"predicate":{"builder":{"id":"berth-test"}}}`, subject.Hex)
	layer := static.NewLayer([]byte(stmt), "application/vnd.in-toto+json")
	base := mutate.MediaType(mutate.ConfigMediaType(empty.Image, types.OCIConfigJSON), types.OCIManifestSchema1)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer,
		Annotations: map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "unknown", "unknown"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	diffID, _ := layer.DiffID()
	return img, diffID
}

func TestPullIndexWithAttestations(t *testing.T) {
	e := newEnv(t)
	amd := testimage.Busybox(t)
	arm := testimage.Image(t, testimage.BusyboxConfig, testimage.Layer(t, testimage.Tar(testimage.Entry{Name: "arch", Body: "arm64"})))
	armCF, _ := arm.ConfigFile()
	armCF = armCF.DeepCopy()
	armCF.Architecture = "arm64"
	arm, err := mutate.ConfigFile(arm, armCF)
	if err != nil {
		t.Fatal(err)
	}
	amdDigest, _ := amd.Digest()
	armDigest, _ := arm.Digest()
	amdAtt, amdAttLayer := attestation(t, amdDigest)
	armAtt, _ := attestation(t, armDigest)
	attEntry := func(img v1.Image, subject v1.Hash) mutate.IndexAddendum {
		return mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{
				"vnd.docker.reference.type":   "attestation-manifest",
				"vnd.docker.reference.digest": subject.String(),
			}}}
	}
	// buildx's order: the images, then their attestations. One attestation
	// first as well, so that taking the first entry is caught.
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		attEntry(armAtt, armDigest),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		attEntry(amdAtt, amdDigest),
	)
	ref, err := name.ParseReference(e.reg.Host + "/attested:latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	amdID, _ := amd.ConfigName()
	armID, _ := arm.ConfigName()

	t.Run("unknown/unknown names the platforms there are", func(t *testing.T) {
		_, _, err := e.pull(ref.String(), image.PullOptions{Platform: "unknown/unknown"})
		if !errdefs.IsNotFound(err) {
			t.Fatalf("pull --platform unknown/unknown: %v, want a not-found error", err)
		}
		want := "no image for platform unknown/unknown in " + e.reg.Host + "/attested:latest: it has linux/amd64, linux/arm64"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
		if list, _ := e.svc.List(context.Background()); len(list) != 0 {
			t.Errorf("images after the refused pull: %+v", list)
		}
		if _, err := os.Stat(filepath.Join(e.root, "snapshots", amdAttLayer.Hex)); !os.IsNotExist(err) {
			t.Errorf("the attestation was unpacked: %v", err)
		}
	})
	t.Run("default platform is linux/amd64", func(t *testing.T) {
		res, _, err := e.pull(ref.String(), image.PullOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ID != amdID.String() {
			t.Errorf("default pull picked %s, want the linux/amd64 image %s", res.ID, amdID)
		}
		in, err := e.svc.Inspect(context.Background(), ref.String())
		if err != nil || in.Os != "linux" || in.Architecture != "amd64" {
			t.Errorf("inspect: %s/%s %v", in.Os, in.Architecture, err)
		}
	})
	t.Run("linux/arm64", func(t *testing.T) {
		res, _, err := e.pull(ref.String(), image.PullOptions{Platform: "linux/arm64"})
		if err != nil || res.ID != armID.String() {
			t.Errorf("--platform linux/arm64 picked %s (%v), want %s", res.ID, err, armID)
		}
	})
	t.Run("an index of attestations only", func(t *testing.T) {
		only := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), attEntry(amdAtt, amdDigest))
		ref2, _ := name.ParseReference(e.reg.Host + "/attonly:latest")
		if err := remote.WriteIndex(ref2, only); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.pull(ref2.String(), image.PullOptions{Platform: "unknown/unknown"})
		if !errdefs.IsNotFound(err) || !strings.Contains(err.Error(), "no runnable image") {
			t.Errorf("pull of an index of attestations: %v", err)
		}
	})
	if l := e.leftovers(); len(l) > 0 {
		t.Errorf("leftovers: %v", l)
	}
}
