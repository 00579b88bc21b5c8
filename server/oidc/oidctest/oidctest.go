package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is who the provider signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
}

// Misbehaviour makes issued ID tokens wrong in one way.
type Misbehaviour int

const (
	Behave             Misbehaviour = iota // correct tokens
	WrongNonce                             // nonce is not the one asked for
	WrongAudience                          // aud is another client
	ExtraAudience                          // aud also names another client, azp absent
	Expired                                // exp is in the past
	BadSignature                           // signed by a key not in the JWKS (same key id)
	WrongIssuer                            // iss is another issuer
	BadAccessTokenHash                     // at_hash does not match the access token
	NoIDToken                              // the token response has no id_token
)

// Options configure a Server.
type Options struct {
	ClientID     string // default "watchword-test"
	ClientSecret string // default "watchword-test-secret"
	// RedirectURL is the only redirect URI the client may use; required.
	RedirectURL string
	User        User // default subject "user-1", email "user@example.org", verified
	// Addr is the loopback address to listen on; default 127.0.0.1 and a
	// free port. A provider that signs anyone in at once must never be
	// reachable from another machine, so other addresses are refused.
	Addr string
}

// Server is a running test provider.
type Server struct {
	srv  *httptest.Server
	opts Options
	key  *ecdsa.PrivateKey
	bad  *ecdsa.PrivateKey // signs BadSignature tokens
	kid  string

	mu        sync.Mutex
	user      User
	misbehave Misbehaviour
	codes     map[string]grant
	tokenReqs int
}

type grant struct {
	nonce, challenge, redirect string
	user                       User
	expires                    time.Time
}

// Start runs a provider on 127.0.0.1 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewServer runs a provider on 127.0.0.1 until Close.
func NewServer(opts Options) (*Server, error) {
	if opts.RedirectURL == "" {
		return nil, errors.New("oidctest: RedirectURL is required")
	}
	if opts.ClientID == "" {
		opts.ClientID = "watchword-test"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "watchword-test-secret"
	}
	if opts.User == (User{}) {
		opts.User = User{Subject: "user-1", Email: "user@example.org", EmailVerified: true}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	bad, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, key: key, bad: bad, kid: randomString(8), user: opts.User, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.srv = httptest.NewUnstartedServer(mux)
	if opts.Addr != "" {
		host, _, err := net.SplitHostPort(opts.Addr)
		if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("oidctest: %q is not a loopback address", opts.Addr)
		}
		l, err := net.Listen("tcp", opts.Addr)
		if err != nil {
			return nil, err
		}
		s.srv.Listener.Close()
		s.srv.Listener = l
	}
	s.srv.Start()
	return s, nil
}

// Close stops the provider.
func (s *Server) Close() { s.srv.Close() }

// Issuer returns the issuer URL (http://127.0.0.1:port).
func (s *Server) Issuer() string { return s.srv.URL }

// ClientID returns the registered client id.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret returns the registered client secret.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// SetUser changes who the next authorization signs in.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

// Misbehave makes tokens issued from now on wrong in the way m says.
func (s *Server) Misbehave(m Misbehaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.misbehave = m
}

// TokenRequests returns how many token requests succeeded.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenReqs
}

// Authorize plays the browser: it opens authURL and returns the code and
// state the provider redirects back with (to the registered redirect URL).
func (s *Server) Authorize(authURL string) (code, state string, err error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", "", fmt.Errorf("authorize: status %s", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", "", err
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return "", "", fmt.Errorf("authorize: %s: %s", e, q.Get("error_description"))
	}
	loc.RawQuery = ""
	if loc.String() != s.opts.RedirectURL {
		return "", "", fmt.Errorf("authorize redirected to %s", loc)
	}
	return q.Get("code"), q.Get("state"), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{
		"issuer":                                s.srv.URL,
		"authorization_endpoint":                s.srv.URL + "/authorize",
		"token_endpoint":                        s.srv.URL + "/token",
		"jwks_uri":                              s.srv.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: string(jose.ES256), Use: "sig",
	}}})
}

// authorize signs the configured user in at once. Errors in the client's
// request are shown (not redirected) when the redirect URI is wrong, as
// RFC 6749 section 4.1.2.1 requires.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	if q.Get("redirect_uri") != s.opts.RedirectURL {
		http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		return
	}
	fail := func(code, desc string) {
		u, _ := url.Parse(s.opts.RedirectURL)
		u.RawQuery = url.Values{"error": {code}, "error_description": {desc}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only code")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "openid is required")
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "PKCE with S256 is required")
		return
	case q.Get("nonce") == "" || q.Get("state") == "":
		fail("invalid_request", "state and nonce are required")
		return
	}
	code := randomString(24)
	s.mu.Lock()
	s.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"),
		user: s.user, expires: time.Now().Add(time.Minute)}
	s.mu.Unlock()
	u, _ := url.Parse(s.opts.RedirectURL)
	u.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	tokenError := func(status int, code, desc string) {
		writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	if err := r.ParseForm(); err != nil {
		tokenError(400, "invalid_request", "bad form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		// RFC 6749 section 2.3.1: basic credentials are form-encoded first.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		tokenError(401, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(400, "unsupported_grant_type", "only authorization_code")
		return
	}
	s.mu.Lock()
	code := r.PostForm.Get("code")
	g, ok := s.codes[code]
	delete(s.codes, code) // single use, even when the rest fails
	misbehave := s.misbehave
	s.mu.Unlock()
	if !ok || time.Now().After(g.expires) {
		tokenError(400, "invalid_grant", "unknown, used or expired code")
		return
	}
	if r.PostForm.Get("redirect_uri") != g.redirect {
		tokenError(400, "invalid_grant", "redirect_uri does not match")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(400, "invalid_grant", "PKCE verifier does not match")
		return
	}
	access := randomString(32)
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 300}
	if misbehave != NoIDToken {
		idt, err := s.idToken(g, access, misbehave)
		if err != nil {
			tokenError(500, "server_error", err.Error())
			return
		}
		resp["id_token"] = idt
	}
	s.mu.Lock()
	s.tokenReqs++
	s.mu.Unlock()
	writeJSON(w, 200, resp)
}

func (s *Server) idToken(g grant, access string, m Misbehaviour) (string, error) {
	now := time.Now()
	ath := sha256.Sum256([]byte(access))
	claims := map[string]any{
		"iss":            s.srv.URL,
		"sub":            g.user.Subject,
		"aud":            s.opts.ClientID,
		"iat":            now.Unix(),
		"exp":            now.Add(5 * time.Minute).Unix(),
		"nonce":          g.nonce,
		"at_hash":        base64.RawURLEncoding.EncodeToString(ath[:16]),
		"email":          g.user.Email,
		"email_verified": g.user.EmailVerified,
	}
	key := s.key
	switch m {
	case WrongNonce:
		claims["nonce"] = "not-" + g.nonce
	case WrongAudience:
		claims["aud"] = "another-client"
	case ExtraAudience:
		claims["aud"] = []string{s.opts.ClientID, "another-client"}
	case Expired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case BadSignature:
		key = s.bad
	case WrongIssuer:
		claims["iss"] = "https://issuer.invalid"
	case BadAccessTokenHash:
		claims["at_hash"] = base64.RawURLEncoding.EncodeToString(make([]byte, 16))
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: s.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
