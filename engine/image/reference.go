package image

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"berth/engine/errdefs"
)

// Docker Hub as go-containerregistry names it, and as Docker shows it.
const (
	hubRegistry     = "index.docker.io"
	hubRegistryName = "docker.io"
)

// Ref is a parsed image reference, normalized like Docker's:
// "busybox" is docker.io/library/busybox:latest.
type Ref struct {
	ref    name.Reference
	Repo   string // full repository: "docker.io/library/busybox", "127.0.0.1:5000/big"
	Tag    string // "" for a digest reference
	Digest string // "" for a tag reference
}

// ParseRef parses s as Docker does: a short name resolves to Docker Hub's
// library/ and a missing tag means latest.
func ParseRef(s string) (Ref, error) {
	if s == "" {
		return Ref{}, errdefs.InvalidArgument("empty image reference: name an image, e.g. busybox or busybox:1.36")
	}
	r, err := name.ParseReference(s)
	if err != nil {
		return Ref{}, errdefs.InvalidArgument("invalid reference %q: use NAME[:TAG] or NAME@sha256:DIGEST in lower case (%s)", s, shortReason(err))
	}
	out := Ref{ref: r, Repo: repoName(r.Context())}
	switch v := r.(type) {
	case name.Tag:
		out.Tag = v.TagStr()
	case name.Digest:
		out.Digest = v.DigestStr()
	}
	return out, nil
}

// shortReason keeps go-containerregistry's explanation on one line.
func shortReason(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func repoName(r name.Repository) string {
	reg := r.RegistryStr()
	if reg == hubRegistry {
		reg = hubRegistryName
	}
	return reg + "/" + r.RepositoryStr()
}

// String is the full normalized reference: docker.io/library/busybox:latest.
func (r Ref) String() string {
	if r.Digest != "" {
		return r.Repo + "@" + r.Digest
	}
	return r.Repo + ":" + r.Tag
}

// Familiar is the short form Docker shows: busybox:latest, user/app:1,
// 127.0.0.1:5000/big:latest.
func (r Ref) Familiar() string { return Familiar(r.String()) }

// Path is the repository path without the registry: "library/busybox".
func (r Ref) Path() string { return r.ref.Context().RepositoryStr() }

// Familiar shortens a full name: docker.io/library/x → x, docker.io/u/x → u/x.
func Familiar(full string) string {
	if rest, ok := strings.CutPrefix(full, hubRegistryName+"/"); ok {
		return strings.TrimPrefix(rest, "library/")
	}
	return full
}

// SplitFamiliar splits a full tag name into familiar repository and tag:
// "docker.io/library/busybox:latest" → "busybox", "latest".
func SplitFamiliar(full string) (repo, tag string) {
	f := Familiar(full)
	i := strings.LastIndexByte(f, ':')
	if i < 0 || strings.Contains(f[i:], "/") {
		return f, ""
	}
	return f[:i], f[i+1:]
}
