package image_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/vishvananda/netlink"

	"berth/engine/content"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/snapshot"
	"berth/engine/store"
	"berth/internal/testimage"
)

// lanAddrs puts n private addresses (10.253.x.y/32) on the loopback link
// for the test, so that a registry and its token server listen where a LAN
// registry would: not on 127.0.0.0/8, which berth and go-containerregistry
// treat apart. (A dummy link of its own would be tidier, but the kernels
// CI runs on may lack the dummy driver; lo is always there.)
func lanAddrs(t *testing.T, n int) []string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: adds addresses to lo (CI runs as root)")
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	// A random /24 in 10.253.0.0/16, so that parallel runs do not meet.
	third := mrand.IntN(256)
	var out []string
	for i := range n {
		ip := fmt.Sprintf("10.253.%d.%d", third, i+1)
		a, err := netlink.ParseAddr(ip + "/32")
		if err != nil {
			t.Fatal(err)
		}
		if err := netlink.AddrAdd(lo, a); err != nil {
			t.Fatalf("adding %s to lo: %v", ip, err)
		}
		t.Cleanup(func() {
			if err := netlink.AddrDel(lo, a); err != nil {
				t.Errorf("removing %s from lo: %v", ip, err)
			}
		})
		out = append(out, ip)
	}
	return out
}

// tokenRegistry is a registry that wants Bearer tokens from a token server
// on another port, as distribution's registry with token auth does.
type tokenRegistry struct {
	Host     string // registry host:port (private address)
	pushHost string // a loopback door to the same storage, without auth
	realm    string

	mu          sync.Mutex
	user, pass  string         // the token server wants these when set
	accessToken bool           // answer {"access_token"} instead of {"token"}
	maxUses     int            // a token works this many times (0: always)
	issued      map[string]int // token -> uses
	tokenReqs   []tokenReq
	regBasic    int // registry requests that carried Basic credentials
	tokenBearer int // token requests that carried a Bearer token
}

type tokenReq struct {
	user    string
	service string
	scopes  []string
}

type tokenRegistryOpts struct {
	regAddr, tokenAddr string
	tls                *tls.Config // the registry speaks TLS with it when set
	tokenTLS           bool        // and so does the token server
	realm              string      // overrides the token server's URL
	realmHost          string      // names the token server by this host name
}

func newTokenRegistry(t *testing.T, o tokenRegistryOpts) *tokenRegistry {
	t.Helper()
	tr := &tokenRegistry{issued: map[string]int{}}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	push := httptest.NewServer(h)
	t.Cleanup(push.Close)
	tr.pushHost = strings.TrimPrefix(push.URL, "http://")

	tokSrv := serveOn(t, o.tokenAddr, o.tls, o.tokenTLS, http.HandlerFunc(tr.serveToken))
	tr.realm = tokSrv.URL + "/token"
	if o.realmHost != "" {
		tr.realm = strings.Replace(tr.realm, o.tokenAddr, o.realmHost, 1)
	}
	if o.realm != "" {
		tr.realm = o.realm
	}
	regSrv := serveOn(t, o.regAddr, o.tls, o.tls != nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.serveRegistry(h, w, r)
	}))
	tr.Host = regSrv.Listener.Addr().String()
	return tr
}

// serveOn starts an HTTP(S) server on addr:0.
func serveOn(t *testing.T, addr string, cfg *tls.Config, useTLS bool, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS probes of the plain server
	if useTLS {
		srv.TLS = cfg
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func (tr *tokenRegistry) serveRegistry(h http.Handler, w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	tr.mu.Lock()
	if strings.HasPrefix(auth, "Basic ") {
		tr.regBasic++
	}
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	uses, known := tr.issued[tok]
	valid := ok && known && (tr.maxUses == 0 || uses < tr.maxUses)
	if valid {
		tr.issued[tok]++
	}
	tr.mu.Unlock()
	if valid {
		h.ServeHTTP(w, r)
		return
	}
	challenge := fmt.Sprintf(`Bearer realm=%q,service="berth-lan"`, tr.realm)
	if rest, ok := strings.CutPrefix(r.URL.Path, "/v2/"); ok {
		for _, kind := range []string{"/manifests/", "/blobs/"} {
			if i := strings.Index(rest, kind); i > 0 {
				challenge += fmt.Sprintf(`,scope="repository:%s:pull"`, rest[:i])
			}
		}
	}
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
}

func (tr *tokenRegistry) serveToken(w http.ResponseWriter, r *http.Request) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		tr.tokenBearer++
	}
	user, pass, _ := r.BasicAuth()
	q := r.URL.Query()
	tr.tokenReqs = append(tr.tokenReqs, tokenReq{user: user, service: q.Get("service"), scopes: q["scope"]})
	if r.URL.Path != "/token" {
		http.NotFound(w, r)
		return
	}
	if tr.user != "" && (user != tr.user || pass != tr.pass) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`)
		return
	}
	tok := fmt.Sprintf("tok-%d", len(tr.issued)+1)
	tr.issued[tok] = 0
	key := "token"
	if tr.accessToken {
		key = "access_token"
	}
	json.NewEncoder(w).Encode(map[string]any{key: tok, "expires_in": 300})
}

// requireCredentials makes the token server want user:pass.
func (tr *tokenRegistry) requireCredentials(user, pass string) {
	tr.mu.Lock()
	tr.user, tr.pass = user, pass
	tr.mu.Unlock()
}

func (tr *tokenRegistry) requests() ([]tokenReq, int, int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]tokenReq(nil), tr.tokenReqs...), tr.regBasic, tr.tokenBearer
}

// testCA is a CA and a server certificate for ips, and a client transport
// that trusts the CA (as a LAN's own CA in the system's trust store would be).
func testCA(t *testing.T, ips ...string) (*tls.Config, http.RoundTripper) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "berth test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "registry.lan"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, ip := range ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	client := http.DefaultTransport.(*http.Transport).Clone()
	client.TLSClientConfig = &tls.Config{RootCAs: pool}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, client
}

// dockerLogin writes a Docker config with user:pass for host and points
// DOCKER_CONFIG at it, as `docker login` would.
func dockerLogin(t *testing.T, host, user, pass string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	if user == "" {
		return
	}
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPullTokenRealmOnLAN(t *testing.T) {
	addrs := lanAddrs(t, 2)
	regAddr, otherAddr := addrs[0], addrs[1]
	tlsCfg, tlsClient := testCA(t, addrs...)
	bb := testimage.BusyboxLayer(t)
	img := testimage.Image(t, testimage.BusyboxConfig, testimage.Layer(t, bb),
		testimage.Layer(t, testimage.RandomTar(21, 256<<10)), testimage.Layer(t, testimage.RandomTar(22, 256<<10)))
	wantID, _ := img.ConfigName()

	cases := []struct {
		name      string
		opts      tokenRegistryOpts
		transport http.RoundTripper // nil: the default
		login     bool              // credentials in the Docker config
		anonymous bool              // the token server gives tokens to anyone
		wrongPass bool
		access    bool // the token server answers access_token
		maxUses   int
		class     func(error) bool // nil: the pull succeeds
		want      []string         // in the error message
		noToken   bool             // the token server must not be asked
	}{
		{name: "realm on the registry's address, another port", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: regAddr}, login: true},
		{name: "realm on another private address", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr}, login: true, access: true},
		{name: "realm by host name: go-containerregistry's own token flow", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: "127.0.0.1", realmHost: "localhost"}, login: true},
		{name: "tokens expire during the pull", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr}, login: true, maxUses: 3},
		{name: "TLS registry, https realm on another private address", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, tls: tlsCfg, tokenTLS: true},
			transport: tlsClient, login: true},
		{name: "anonymous pull of a TLS registry with a plain-HTTP realm", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, tls: tlsCfg},
			transport: tlsClient, anonymous: true},

		{name: "no credentials", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr}, class: errdefs.IsUnauthorized,
			want: []string{"pull access denied", "token server " + otherAddr, "docker login " + regAddr}},
		{name: "wrong password", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr}, login: true, wrongPass: true,
			class: errdefs.IsUnauthorized, want: []string{"token server " + otherAddr + ":", "answered 401", "check the credentials"}},
		{name: "realm on the cloud metadata address", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, realm: "http://169.254.169.254/latest/meta-data/iam"},
			login: true, class: errdefs.IsPermissionDenied, want: []string{`token realm "http://169.254.169.254/latest/meta-data/iam"`, "link-local"}, noToken: true},
		{name: "realm host spelled as a number", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, realm: "http://2852039166/token"},
			login: true, class: errdefs.IsPermissionDenied, want: []string{`"http://2852039166/token"`, "not a dotted IP address"}, noToken: true},
		{name: "credentials for a TLS registry to a plain-HTTP realm", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, tls: tlsCfg},
			transport: tlsClient, login: true, class: errdefs.IsPermissionDenied, want: []string{"token realm \"http://" + otherAddr, "plain HTTP", "unencrypted"}, noToken: true},
		{name: "untrusted certificate", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, tls: tlsCfg, tokenTLS: true},
			login: true, class: errdefs.IsUnavailable, want: []string{"registry " + regAddr, "presents a certificate berth cannot verify", "unknown authority"}, noToken: true},
		{name: "token server down", opts: tokenRegistryOpts{regAddr: regAddr, tokenAddr: otherAddr, realm: "http://" + otherAddr + ":1/token"},
			login: true, class: errdefs.IsUnavailable, want: []string{"token server " + otherAddr + ":1 is unreachable", "connection refused", "registry " + regAddr}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg := newTokenRegistry(t, tc.opts)
			reg.mu.Lock()
			reg.accessToken, reg.maxUses = tc.access, tc.maxUses
			reg.mu.Unlock()
			if !tc.anonymous {
				reg.requireCredentials("alice", "s3cret")
			}
			pass := "s3cret"
			if tc.wrongPass {
				pass = "guess"
			}
			user := ""
			if tc.login {
				user = "alice"
			}
			dockerLogin(t, reg.Host, user, pass)
			testimage.Push(t, reg.pushHost, "private:latest", img)

			var opts []image.Option
			if tc.transport != nil {
				opts = append(opts, image.WithTransport(tc.transport))
			}
			e := &env{t: t, root: t.TempDir()}
			e.svc = openWith(t, e.root, opts...)
			ref := reg.Host + "/private:latest"
			res, _, err := e.pull(ref, image.PullOptions{})
			reqs, regBasic, tokBearer := reg.requests()
			if regBasic != 0 || tokBearer != 0 {
				t.Errorf("credentials went astray: %d registry requests with Basic credentials, %d token requests with a Bearer token", regBasic, tokBearer)
			}
			if tc.noToken && len(reqs) != 0 {
				t.Errorf("the token server was asked %d times, want never", len(reqs))
			}
			if tc.class != nil {
				t.Logf("error: %v", err)
				if err == nil {
					t.Fatalf("pull succeeded, want an error")
				}
				if !tc.class(err) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q: wrong class or not one line", err)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "registry "+reg.Host+" is unreachable") {
					t.Errorf("error blames the registry's reachability: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("pull %s: %v", ref, err)
			}
			if res.ID != wantID.String() {
				t.Errorf("pulled %s, want %s", res.ID, wantID)
			}
			if len(reqs) == 0 {
				t.Fatal("the token server was never asked")
			}
			for _, r := range reqs {
				if r.user != user || r.service != "berth-lan" || len(r.scopes) == 0 || r.scopes[0] != "repository:private:pull" {
					t.Errorf("token request %+v: want user %q, service berth-lan, scope repository:private:pull", r, user)
				}
			}
			if tc.maxUses > 0 && len(reqs) < 2 {
				t.Errorf("tokens expired after %d uses but only %d were fetched", tc.maxUses, len(reqs))
			}
			// The layers are really there.
			in, err := e.svc.Inspect(context.Background(), ref)
			if err != nil || len(in.RootFS.Layers) != 3 {
				t.Fatalf("inspect: %+v %v", in, err)
			}
		})
	}
}

// openWith opens a service over root with options.
func openWith(t *testing.T, root string, opts ...image.Option) *image.Service {
	t.Helper()
	db, err := store.Open(filepath.Join(root, "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := content.New(filepath.Join(root, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := snapshot.New(filepath.Join(root, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	return image.NewService(db, blobs, snaps, opts...)
}
