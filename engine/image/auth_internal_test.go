package image

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"berth/engine/errdefs"
)

func TestRealmPolicy(t *testing.T) {
	cases := []struct {
		realm     string
		tls       bool // the registry speaks TLS
		creds     bool
		wantWords string // "" when the realm is asked
	}{
		// What Docker asks and go-containerregistry refuses.
		{realm: "http://192.168.1.5:5001/token", creds: true},
		{realm: "https://10.0.0.3:8443/auth", tls: true, creds: true},
		{realm: "https://[fd00::3]:8443/auth", tls: true, creds: true},
		{realm: "http://127.0.0.2:5001/token", tls: true, creds: true}, // loopback: nothing crosses a network
		{realm: "http://localhost:5001/token", tls: true, creds: true},
		{realm: "http://auth.lan/token", tls: true}, // anonymous: no secret to leak
		{realm: "https://auth.docker.io/token", tls: true, creds: true},
		// Refused.
		{realm: "http://auth.lan/token", tls: true, creds: true, wantWords: "plain HTTP"},
		{realm: "http://169.254.169.254/latest", wantWords: "link-local"},
		{realm: "http://[fe80::1%25eth0]:80/x", wantWords: "link-local"},
		{realm: "http://[::ffff:169.254.169.254]/x", wantWords: "link-local"},
		{realm: "http://0.0.0.0:5001/x", wantWords: "unspecified"},
		{realm: "http://224.0.0.1/x", wantWords: "multicast"},
		{realm: "http://2852039166/x", wantWords: "not a dotted IP address"},
		{realm: "http://0xa9.0xfe.0xa9.0xfe/x", wantWords: "not a dotted IP address"},
		{realm: "http://0251.0376.0251.0376/x", wantWords: "not a dotted IP address"},
		{realm: "ftp://auth.lan/x", wantWords: "http or https only"},
		{realm: "/token", wantWords: "http or https only"},
		{realm: "https:///token", wantWords: "no host"},
	}
	for _, tc := range cases {
		t.Run(tc.realm, func(t *testing.T) {
			u, err := url.Parse(tc.realm)
			if err != nil {
				t.Fatal(err)
			}
			err = realmPolicy{registry: "reg.lan:5000", tlsRegistry: tc.tls, withCredentials: tc.creds}.check(u)
			switch {
			case tc.wantWords == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.wantWords != "" && err == nil:
				t.Errorf("asked, want refused for %q", tc.wantWords)
			case err != nil && (!errdefs.IsPermissionDenied(err) || !strings.Contains(err.Error(), tc.wantWords) ||
				!strings.Contains(err.Error(), `registry reg.lan:5000 names token realm "`)):
				t.Errorf("error %q: want a permission error naming the registry, the realm and %q", err, tc.wantWords)
			}
		})
	}
}

func TestParseChallenges(t *testing.T) {
	cases := []struct {
		in   string
		want []challenge
	}{
		{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`,
			[]challenge{{"Bearer", map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/busybox:pull"}}}},
		{`bearer realm="http://10.0.0.3:8443/t", scope="repository:a/b:pull,push"`,
			[]challenge{{"bearer", map[string]string{"realm": "http://10.0.0.3:8443/t", "scope": "repository:a/b:pull,push"}}}},
		{`Basic realm="x", Bearer realm="y",error=insufficient_scope`,
			[]challenge{{"Basic", map[string]string{"realm": "x"}}, {"Bearer", map[string]string{"realm": "y", "error": "insufficient_scope"}}}},
		{`Bearer Realm="a\"b\\c"`, []challenge{{"Bearer", map[string]string{"realm": `a"b\c`}}}},
		{`Negotiate`, []challenge{{"Negotiate", map[string]string{}}}},
		{``, nil},
		{`="x"`, nil},
	}
	for _, tc := range cases {
		if got := parseChallenges(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseChallenges(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if scope, ok := bearerScope([]string{`Basic realm="x"`, `Bearer realm="y",scope="repository:a:pull"`}); !ok || scope != "repository:a:pull" {
		t.Errorf("bearerScope = %q %v", scope, ok)
	}
	if _, ok := bearerScope([]string{`Basic realm="x"`}); ok {
		t.Error("bearerScope found a Bearer challenge in a Basic one")
	}
}

func TestRunnable(t *testing.T) {
	img := func(os, arch string, ann map[string]string) v1.Descriptor {
		return v1.Descriptor{MediaType: types.OCIManifestSchema1, Platform: &v1.Platform{OS: os, Architecture: arch}, Annotations: ann}
	}
	att := map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
	cases := []struct {
		name string
		d    v1.Descriptor
		want bool
	}{
		{"image", img("linux", "amd64", nil), true},
		{"docker schema 2 image", v1.Descriptor{MediaType: types.DockerManifestSchema2, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}, true},
		{"buildx attestation", img("unknown", "unknown", att), false},
		{"attestation annotation on a real platform", img("linux", "amd64", att), false},
		{"unknown platform without annotation", img("unknown", "unknown", nil), false},
		{"no platform", v1.Descriptor{MediaType: types.OCIManifestSchema1}, false},
		{"nested index", v1.Descriptor{MediaType: types.OCIImageIndex, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}, false},
	}
	for _, tc := range cases {
		if got := runnable(tc.d); got != tc.want {
			t.Errorf("%s: runnable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
