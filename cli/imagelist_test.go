package cli

import (
	"context"
	"slices"
	"testing"
	"time"

	"berth/cli/format"
	"berth/engine/image"
)

func TestImageFilterApply(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	list := []image.Summary{
		{ID: "sha256:a", RepoTags: []string{"busybox:1.36", "busybox:latest", "mybox:1"}, RepoDigests: []string{"busybox@sha256:d1"}, Created: t0},
		{ID: "sha256:b", RepoTags: []string{"127.0.0.1:5000/big:latest"}, Created: t0.Add(time.Hour)},
		{ID: "sha256:c", RepoDigests: []string{"alpine@sha256:d2"}, Created: t0.Add(2 * time.Hour)},
		{ID: "sha256:d", Created: t0.Add(3 * time.Hour)}, // dangling
	}
	yes, no := true, false
	tests := []struct {
		name string
		flt  imageFilter
		want []string // "ID tags… @digests…"
	}{
		{"none", imageFilter{}, []string{"a busybox:1.36 busybox:latest mybox:1 @busybox@sha256:d1", "b 127.0.0.1:5000/big:latest", "c @alpine@sha256:d2", "d"}},
		{"repository", imageFilter{references: []string{"busybox"}}, []string{"a busybox:1.36 busybox:latest @busybox@sha256:d1"}},
		{"tag pattern", imageFilter{references: []string{"busybox:1*"}}, []string{"a busybox:1.36"}},
		{"two patterns", imageFilter{references: []string{"mybox", "alp*"}}, []string{"a mybox:1", "c @alpine@sha256:d2"}},
		{"star stops at a slash", imageFilter{references: []string{"*big"}}, nil},
		{"with the registry", imageFilter{references: []string{"127.0.0.1:5000/*"}}, []string{"b 127.0.0.1:5000/big:latest"}},
		{"dangling", imageFilter{dangling: &yes}, []string{"c @alpine@sha256:d2", "d"}},
		{"not dangling", imageFilter{dangling: &no}, []string{"a busybox:1.36 busybox:latest mybox:1 @busybox@sha256:d1", "b 127.0.0.1:5000/big:latest", "c @alpine@sha256:d2"}},
		{"before", imageFilter{before: t0.Add(2 * time.Hour)}, []string{"a busybox:1.36 busybox:latest mybox:1 @busybox@sha256:d1", "b 127.0.0.1:5000/big:latest"}},
		{"since", imageFilter{since: t0.Add(time.Hour)}, []string{"c @alpine@sha256:d2", "d"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.flt.apply(context.Background(), nil, slices.Clone(list))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				n := s.ID[len("sha256:"):]
				for _, tag := range s.RepoTags {
					n += " " + tag
				}
				for _, d := range s.RepoDigests {
					n += " @" + d
				}
				names = append(names, n)
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("got %q\nwant %q", names, tc.want)
			}
		})
	}
}

func TestMatchLabels(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": ""}
	for _, tc := range []struct {
		want []string
		ok   bool
	}{
		{[]string{"app"}, true},
		{[]string{"app=web"}, true},
		{[]string{"app=db"}, false},
		{[]string{"tier="}, true},
		{[]string{"app", "tier"}, true},
		{[]string{"app", "missing"}, false}, // every label asked must match, as docker's
	} {
		if got := matchLabels(labels, tc.want); got != tc.ok {
			t.Errorf("matchLabels(%v) = %v", tc.want, got)
		}
	}
}

func TestReferencePattern(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                                 "busybox",
		"busybox:1.36":                            "busybox:1.36",
		"docker.io/library/busybox":               "busybox",
		"docker.io/library/busybox:latest":        "busybox:latest",
		"127.0.0.1:5000/big":                      "127.0.0.1:5000/big",
		"127.0.0.1:5000/big:1":                    "127.0.0.1:5000/big:1",
		"busy*":                                   "busy*",
		"index.docker.io/user/app@sha256:" + "ab": "index.docker.io/user/app@sha256:ab", // not a valid digest: as typed
	} {
		if got := referencePattern(in); got != want {
			t.Errorf("referencePattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{psFormat("", false, false), format.ContainerTable},
		{psFormat("table", false, true), format.ContainerTable + `\t{{.Size}}`},
		{psFormat("{{.Names}}", true, false), "{{.ID}}"},
		{psFormat("{{.Names}}", false, true), "{{.Names}}"},
		{psFormat("raw", false, true), format.ContainerRaw + "size: {{.Size}}\n"},
		{imagesFormat("", false), format.ImageTable},
		{imagesFormat("table", true), format.ImageTableDigests},
		{imagesFormat(`table {{.ID}}`, true), `table {{.ID}}\t{{.Digest}}`},
		{imagesFormat(`table {{.Digest}}`, true), `table {{.Digest}}`},
		{imagesFormat(`{{.ID}}`, true), `{{.ID}}`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
