package image

import (
	"strings"
	"unicode"

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
	if err := checkGrammar(s, r.Context(), out); err != nil {
		return Ref{}, err
	}
	return out, nil
}

// maxNameLen bounds the full repository name, registry included, as Docker
// does.
const maxNameLen = 255

// checkGrammar refuses what Docker's reference grammar refuses but
// go-containerregistry lets through ("a//b", "-a", "a..b", "busybox:-x",
// "bücher.de/x", names over 255 characters): such a name would reach a
// registry or the store as given.
func checkGrammar(s string, repo name.Repository, r Ref) error {
	if reg := repo.RegistryStr(); !validRegistry(reg) {
		return errdefs.InvalidArgument("invalid reference %q: registry %q is not a host name or [IPv6] address with an optional port", s, reg)
	}
	for part := range strings.SplitSeq(repo.RepositoryStr(), "/") {
		if !validPathPart(part) {
			return errdefs.InvalidArgument("invalid reference %q: each part of the repository path must be lower-case letters and digits joined by \".\", \"_\", \"__\" or dashes, not %q", s, part)
		}
	}
	if len(r.Repo) > maxNameLen {
		return errdefs.InvalidArgument("invalid reference %q: the repository name is longer than %d characters", s, maxNameLen)
	}
	if r.Tag != "" && !validTag(r.Tag) {
		return errdefs.InvalidArgument("invalid reference %q: a tag is up to 128 letters, digits, \"_\", \".\" and \"-\", and starts with a letter, digit or \"_\"", s)
	}
	return nil
}

// validPathPart: runs of [a-z0-9] joined by ".", "_", "__" or dashes.
func validPathPart(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); {
		if isLowerAlnum(p[i]) {
			i++
			continue
		}
		j := i
		for j < len(p) && !isLowerAlnum(p[j]) {
			j++
		}
		sep := p[i:j]
		if i == 0 || j == len(p) || (sep != "." && sep != "_" && sep != "__" && strings.Trim(sep, "-") != "") {
			return false
		}
		i = j
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// validRegistry: a host name (labels of letters, digits and inner dashes)
// or a bracketed IPv6 address, then an optional :port.
func validRegistry(reg string) bool {
	host, port := reg, ""
	if i := strings.LastIndexByte(reg, ':'); i >= 0 && !strings.Contains(reg[i:], "]") {
		host, port = reg[:i], reg[i+1:]
		if !isDigits(port) {
			return false
		}
	}
	if inner, ok := strings.CutPrefix(host, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		return ok && inner != "" && strings.Trim(inner, "0123456789abcdefABCDEF:") == ""
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

// validTag: a word character, then up to 127 word characters, "." or "-".
func validTag(tag string) bool {
	if len(tag) > 128 || tag[0] == '.' || tag[0] == '-' {
		return false
	}
	for i := range len(tag) {
		if c := tag[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// shortReason keeps go-containerregistry's explanation on one printable
// line: it repeats the input as given, control characters included.
func shortReason(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, msg)
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

// Familiar shortens a full name as Docker does, to a name that parses back
// to the same: docker.io/library/x → x, docker.io/u/x → u/x. A nested path
// keeps library/ (docker.io/library/a/b → library/a/b, as a/b is
// docker.io/a/b), and a path whose first part would read as a registry
// keeps docker.io/ (docker.io/a.b/x, docker.io/localhost/x).
func Familiar(full string) string {
	rest, ok := strings.CutPrefix(full, hubRegistryName+"/")
	if !ok {
		return full
	}
	if first, _, nested := strings.Cut(rest, "/"); nested && (first == "localhost" || strings.ContainsAny(first, ".:")) {
		return full
	}
	if short, ok := strings.CutPrefix(rest, "library/"); ok && !strings.Contains(short, "/") {
		return short
	}
	return rest
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
