package image

// Registry authentication and token realms.
//
// A registry that wants a token answers 401 with a Bearer challenge naming
// its token server, the realm: `Bearer realm="https://auth.example/token",
// service="registry"`. The client asks the realm for a token, sending the
// registry's credentials (HTTP Basic), and shows the token to the registry.
//
// Who is asked. Docker (distribution's token handler, with moby's static
// credential store) and Podman (containers/image) ask whatever realm the
// registry names, on any host, port and scheme, with the registry's
// credentials. go-containerregistry v0.22.1 (validateRealmURL in
// transport/bearer.go) refuses a realm whose host is an IP literal in a
// private, loopback or link-local range unless it is exactly the registry's
// host:port, and refuses an http realm unless the registry itself answered
// over plain HTTP. That breaks the usual LAN setup (registry on
// 192.168.1.5:5000, token server on 192.168.1.5:5001 or 10.0.0.3:8443), and
// its refusal is an untyped error.
//
// berth follows Docker, with two exceptions, both refused with an error that
// names the realm and the reason:
//   - a realm on a link-local, multicast or unspecified IP literal
//     (169.254.0.0/16, fe80::/10, 0.0.0.0, ...) or spelled as a number that is
//     not a dotted IP address ("2852039166", "0xa9fea9fe"): cloud metadata
//     services live there, never token servers, and what they answer would
//     be shown to the registry as a token. Host names are not resolved for
//     this check.
//   - a plain-HTTP realm when the registry uses TLS and berth has
//     credentials for it (unless the realm is on loopback): the password
//     would cross the network in clear while the registry itself is
//     encrypted. Without credentials nothing secret is sent, so it is asked.
//
// How. go-containerregistry's handshake (transport.NewWithContext) stays the
// path for every registry it accepts; when it fails with neither an HTTP
// status nor a network error, berth pings the registry again and, for a
// Bearer challenge whose realm berth accepts, does the token exchange itself
// (tokenTransport), handing go-containerregistry a transport that already
// authenticates.

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"berth/engine/errdefs"
)

// maxTokenBody bounds a token server's answer held in memory.
const maxTokenBody = 64 << 10

// connect authenticates once to the registry; the manifest and blob requests
// of this pull share the resulting transport.
func (s *Service) connect(ctx context.Context, r Ref) (http.RoundTripper, error) {
	repo := r.ref.Context()
	auth, err := s.keychain.Resolve(repo)
	if err != nil {
		return nil, errdefs.Wrap(errdefs.ErrUnauthorized, err, "reading credentials for %s: %v: check ~/.docker/config.json", repo.RegistryStr(), err)
	}
	scopes := []string{repo.Scope(transport.PullScope)}
	tr, err := transport.NewWithContext(ctx, repo.Registry, auth, s.transport, scopes)
	if err == nil || ctx.Err() != nil || !handshakeRefused(err) {
		return tr, err
	}
	ch, perr := transport.Ping(ctx, repo.Registry, s.transport)
	if perr != nil || !strings.EqualFold(ch.Scheme, "bearer") || ch.Parameters["realm"] == "" {
		return nil, errdefs.Wrap(errdefs.ErrUnavailable, err, "registry %s: authentication handshake failed (%s): check the registry's auth configuration",
			repo.RegistryStr(), shortReason(err))
	}
	return s.tokenConnect(ctx, r, auth, ch, scopes)
}

// handshakeRefused tells go-containerregistry's own refusals (a realm it
// will not ask, a token answer it cannot read) from what the registry or the
// network said: those already are the answer.
func handshakeRefused(err error) bool {
	var te *transport.Error
	var ne net.Error
	return !errors.As(err, &te) && !errors.As(err, &ne)
}

// tokenConnect checks the challenge's realm, fetches a first token and
// returns a transport that shows it to the registry.
func (s *Service) tokenConnect(ctx context.Context, r Ref, auth authn.Authenticator, ch *transport.Challenge, scopes []string) (http.RoundTripper, error) {
	reg := r.ref.Context().Registry
	raw := ch.Parameters["realm"]
	realm, err := url.Parse(raw)
	if err != nil {
		return nil, errdefs.PermissionDenied("registry %s names token realm %q, which is not a URL: fix the registry's token auth configuration", reg.RegistryStr(), raw)
	}
	cfg, err := authn.Authorization(ctx, auth)
	if err != nil {
		return nil, errdefs.Wrap(errdefs.ErrUnauthorized, err, "reading credentials for %s: %v: check ~/.docker/config.json", reg.RegistryStr(), shortReason(err))
	}
	user, pass := credentials(cfg)
	pol := realmPolicy{registry: reg.RegistryStr(), tlsRegistry: !ch.Insecure,
		withCredentials: user != "" || pass != "" || cfg.IdentityToken != ""}
	if err := pol.check(realm); err != nil {
		return nil, err
	}
	scheme := "https"
	if ch.Insecure {
		scheme = "http"
	}
	base := transport.NewUserAgent(s.transport, "")
	t := &tokenTransport{
		inner:    base,
		registry: reg.RegistryStr(),
		scheme:   scheme,
		name:     r.Familiar(),
		realm:    realm,
		service:  ch.Parameters["service"],
		scopes:   scopes,
		user:     user,
		pass:     pass,
		cfg:      cfg,
	}
	t.client = &http.Client{Transport: base, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return pol.check(req.URL)
	}}
	if err := t.refresh(ctx, "", ""); err != nil {
		return nil, err
	}
	// A non-Bearer challenge with anonymous auth makes go-containerregistry
	// wrap t as an already authenticated transport: no second handshake.
	return transport.FromToken(reg, authn.Anonymous, t, &transport.Challenge{}, &transport.Token{})
}

// credentials returns the user and password of cfg, decoding the "auth"
// field of a Docker config entry when the keychain left it encoded.
func credentials(cfg *authn.AuthConfig) (user, pass string) {
	if cfg.Username != "" || cfg.Auth == "" {
		return cfg.Username, cfg.Password
	}
	b, err := base64.StdEncoding.DecodeString(cfg.Auth)
	if err != nil {
		return "", ""
	}
	user, pass, _ = strings.Cut(string(b), ":")
	return user, pass
}

// realmPolicy decides which token servers berth asks (see the comment at the
// top of this file).
type realmPolicy struct {
	registry        string // host[:port]
	tlsRegistry     bool   // the registry answered over https
	withCredentials bool   // a token request would carry secrets
}

func (p realmPolicy) check(realm *url.URL) error {
	const fix = "fix the realm in the registry's token auth configuration"
	refuse := func(why, fix string) error {
		return errdefs.PermissionDenied("registry %s names token realm %q: %s: %s", p.registry, realm.Redacted(), why, fix)
	}
	if realm.Scheme != "http" && realm.Scheme != "https" {
		return refuse("berth asks token servers over http or https only", fix)
	}
	host := realm.Hostname()
	if host == "" {
		return refuse("it names no host", fix)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil && numericHost(host) {
		return refuse("its host is a number but not a dotted IP address, a spelling that can hide a link-local address", fix)
	}
	if err == nil {
		addr = addr.Unmap()
		if addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
			return refuse("berth does not ask link-local, multicast or unspecified addresses for tokens (cloud metadata services live there)", fix)
		}
	}
	if realm.Scheme == "http" && p.tlsRegistry && p.withCredentials && !((err == nil && addr.IsLoopback()) || host == "localhost") {
		return refuse("the registry uses TLS but the realm is plain HTTP, and berth does not send the credentials for "+p.registry+" unencrypted",
			"serve the token server over https")
	}
	return nil
}

// numericHost reports a host whose last label starts with a digit: no DNS
// name ends so, but C resolvers read "2852039166" or "0xa9.0xfe.0xa9.0xfe"
// as IPv4 addresses.
func numericHost(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	return last != "" && last[0] >= '0' && last[0] <= '9'
}

// tokenTransport sends requests to the registry over the scheme the ping
// found, with a bearer token from the realm; other hosts (blob storage the
// registry redirects to) get the request untouched. A 401 with a Bearer
// challenge fetches a new token (with the challenge's scope) and retries
// once.
type tokenTransport struct {
	inner    http.RoundTripper
	client   *http.Client // for the realm
	registry string       // host[:port]
	scheme   string       // of the registry
	name     string       // familiar reference, for messages
	realm    *url.URL
	service  string
	user     string
	pass     string
	cfg      *authn.AuthConfig

	mu     sync.Mutex
	scopes []string
	token  string
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sameHost(req.URL.Host, t.registry, req.URL.Scheme) {
		return t.inner.RoundTrip(req)
	}
	t.mu.Lock()
	used := t.token
	t.mu.Unlock()
	resp, err := t.inner.RoundTrip(t.authorized(req, used))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	scope, ok := bearerScope(resp.Header.Values("WWW-Authenticate"))
	if !ok || (req.Body != nil && req.GetBody == nil) {
		return resp, nil
	}
	resp.Body.Close()
	if err := t.refresh(req.Context(), used, scope); err != nil {
		return nil, err
	}
	retry := req
	if req.Body != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		retry = req.Clone(req.Context())
		retry.Body = body
	}
	t.mu.Lock()
	tok := t.token
	t.mu.Unlock()
	return t.inner.RoundTrip(t.authorized(retry, tok))
}

// authorized is a copy of req with the registry's scheme and the token.
func (t *tokenTransport) authorized(req *http.Request, token string) *http.Request {
	out := req.Clone(req.Context())
	out.URL.Scheme = t.scheme
	if token != "" {
		out.Header.Set("Authorization", "Bearer "+token)
	}
	return out
}

// refresh fetches a token for the scopes plus scope. Requests that failed
// with token used find a newer token already fetched by another one and
// take it, unless their challenge asks for a scope not yet held.
func (t *tokenTransport) refresh(ctx context.Context, used, scope string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if scope != "" && !slices.Contains(t.scopes, scope) {
		// Some token servers read only the first scope: the new one leads.
		t.scopes = append([]string{scope}, t.scopes...)
	} else if t.token != used {
		return nil
	}
	tok, err := t.fetch(ctx, t.scopes)
	if err != nil {
		return err
	}
	t.token = tok
	return nil
}

// fetch asks the realm for a token: the registry token of the credentials
// as is, an identity token through OAuth2 (POST, falling back to GET where
// the server has no OAuth2 endpoint), else GET with Basic credentials.
func (t *tokenTransport) fetch(ctx context.Context, scopes []string) (string, error) {
	if t.cfg.RegistryToken != "" {
		return t.cfg.RegistryToken, nil
	}
	if t.cfg.IdentityToken != "" {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.cfg.IdentityToken},
			"client_id": {"berth"}, "scope": {strings.Join(scopes, " ")}}
		if t.service != "" {
			form.Set("service", t.service)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.realm.String(), strings.NewReader(form.Encode()))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		tok, status, err := t.do(req)
		if status != http.StatusNotFound {
			return tok, err
		}
	}
	u := *t.realm
	q := u.Query()
	if t.service != "" {
		q.Set("service", t.service)
	}
	for _, s := range scopes {
		q.Add("scope", s)
	}
	if t.user != "" {
		q.Set("account", t.user)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	if t.user != "" || t.pass != "" {
		req.SetBasicAuth(t.user, t.pass)
	}
	tok, _, err := t.do(req)
	return tok, err
}

// do sends one token request and reads the token from the answer.
func (t *tokenTransport) do(req *http.Request) (string, int, error) {
	server := t.realm.Host
	resp, err := t.client.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return "", 0, errdefs.Wrap(errdefs.ErrCanceled, req.Context().Err(), "pull of %s canceled", t.name)
		}
		var ue *url.Error
		if errors.As(err, &ue) && errdefs.Classified(ue.Err) {
			return "", 0, ue.Err // a redirect the realm policy refused
		}
		return "", 0, errdefs.Wrap(errdefs.ErrUnavailable, err, "token server %s is unreachable (%s): check that it runs and that registry %s names it correctly",
			server, netReason(err), t.registry)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		how := "log in to " + t.registry + " (docker login " + t.registry + ") and retry"
		if t.user != "" || t.cfg.IdentityToken != "" {
			how = "check the credentials for " + t.registry + " (docker login " + t.registry + ")"
		}
		return "", resp.StatusCode, errdefs.Unauthorized("pull access denied for %s: token server %s answered %d: the repository does not exist or needs credentials: %s",
			t.name, server, resp.StatusCode, how)
	case resp.StatusCode != http.StatusOK:
		return "", resp.StatusCode, errdefs.Unavailable("token server %s of registry %s answered %d for %s: retry later", server, t.registry, resp.StatusCode, t.name)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody+1))
	if err != nil {
		return "", resp.StatusCode, errdefs.Wrap(errdefs.ErrUnavailable, err, "token server %s of registry %s: reading its answer: %s: retry", server, t.registry, netReason(err))
	}
	var tr struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	switch err := json.Unmarshal(body, &tr); {
	case len(body) > maxTokenBody:
		return "", resp.StatusCode, errdefs.Unavailable("token server %s of registry %s answered more than %d KiB: it is not a token server", server, t.registry, maxTokenBody>>10)
	case err != nil:
		return "", resp.StatusCode, errdefs.Unavailable("token server %s of registry %s answered with something that is not a token (%s): check the realm the registry names", server, t.registry, shortReason(err))
	case tr.Token == "" && tr.AccessToken == "":
		return "", resp.StatusCode, errdefs.Unavailable("token server %s of registry %s answered without a token: check the token server", server, t.registry)
	}
	return firstNonEmpty(tr.Token, tr.AccessToken), resp.StatusCode, nil
}

// sameHost compares two host[:port]s, a missing port being the scheme's.
func sameHost(a, b, scheme string) bool {
	return withPort(a, scheme) == withPort(b, scheme)
}

func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "443"
	if scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// bearerScope finds a Bearer challenge among WWW-Authenticate values and
// returns its scope parameter ("" when it has none).
func bearerScope(values []string) (string, bool) {
	for _, v := range values {
		for _, c := range parseChallenges(v) {
			if strings.EqualFold(c.scheme, "bearer") {
				return c.params["scope"], true
			}
		}
	}
	return "", false
}

type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenges reads one WWW-Authenticate value (RFC 9110 section 11.6.1):
// challenges of a scheme and comma-separated key=value or key="quoted"
// parameters; a quoted value may hold commas and backslash escapes.
func parseChallenges(v string) []challenge {
	var out []challenge
	s := v
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out
		}
		tok, rest := token(s)
		if tok == "" {
			return out // not a token: stop rather than guess
		}
		r := strings.TrimLeft(rest, " \t")
		if strings.HasPrefix(r, "=") && len(out) > 0 {
			// key=value of the current challenge
			r = strings.TrimLeft(r[1:], " \t")
			var val string
			if strings.HasPrefix(r, `"`) {
				val, r = quoted(r)
			} else {
				val, r = token(r)
			}
			out[len(out)-1].params[strings.ToLower(tok)] = val
			s = r
			continue
		}
		out = append(out, challenge{scheme: tok, params: map[string]string{}})
		s = rest
	}
}

// token splits off the leading run of RFC 9110 token characters.
func token(s string) (string, string) {
	i := strings.IndexFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// quoted reads a quoted string at the start of s.
func quoted(s string) (string, string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// netReason is the short reason of a network error: the failed operation
// and address when there is one.
func netReason(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return "cannot resolve " + dnsErr.Name
	case errors.As(err, &opErr):
		return opErr.Error()
	}
	return shortReason(err)
}

// certError finds a certificate the client could not verify.
func certError(err error) (*tls.CertificateVerificationError, bool) {
	var ce *tls.CertificateVerificationError
	return ce, errors.As(err, &ce)
}
