package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// DefaultDiscoveryTimeout bounds discovery in New when Config.DiscoveryTimeout
// is zero.
const DefaultDiscoveryTimeout = 10 * time.Second

// ErrInvalidToken is wrapped by every refusal of the provider's ID token.
var ErrInvalidToken = errors.New("invalid id token")

// Config describes one identity provider.
type Config struct {
	// Name identifies the provider in URLs and storage ("google"): 1 to 32
	// lower-case letters, digits or dashes.
	Name string
	// Issuer is the issuer URL; discovery reads
	// Issuer + "/.well-known/openid-configuration".
	Issuer       string
	ClientID     string
	ClientSecret string // must be kept secret
	// RedirectURL is this server's callback, registered with the provider.
	RedirectURL string
	// Scopes to ask for besides "openid" (always included); nil means
	// "email" and "profile".
	Scopes []string
	// HTTPClient talks to the provider; nil means one with a 10 s timeout.
	HTTPClient *http.Client
	// DiscoveryTimeout bounds New; 0 means DefaultDiscoveryTimeout.
	DiscoveryTimeout time.Duration
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time
}

// Identity is who the provider says signed in. Issuer and Subject together
// identify the person; Email may change and is trustworthy only when
// EmailVerified.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
}

// Provider is one discovered identity provider. It is safe for concurrent
// use.
type Provider struct {
	name     string
	issuer   string
	client   *http.Client
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

// New checks c and fetches the provider's discovery document.
func New(ctx context.Context, c Config) (*Provider, error) {
	if !validName(c.Name) {
		return nil, fmt.Errorf("oidc provider name %q: want 1 to 32 of a-z, 0-9, -", c.Name)
	}
	if err := checkURL(c.Issuer); err != nil {
		return nil, fmt.Errorf("oidc provider %s: issuer: %w", c.Name, err)
	}
	if err := checkURL(c.RedirectURL); err != nil {
		return nil, fmt.Errorf("oidc provider %s: redirect url: %w", c.Name, err)
	}
	if c.ClientID == "" {
		return nil, fmt.Errorf("oidc provider %s: no client id", c.Name)
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	timeout := c.DiscoveryTimeout
	if timeout == 0 {
		timeout = DefaultDiscoveryTimeout
	}
	dctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, client), timeout)
	defer cancel()
	op, err := gooidc.NewProvider(dctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc provider %s: discovery: %w", c.Name, err)
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = []string{"email", "profile"}
	}
	scopes = append([]string{gooidc.ScopeOpenID}, slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == gooidc.ScopeOpenID })...)
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &Provider{
		name:   c.Name,
		issuer: c.Issuer,
		client: client,
		oauth: oauth2.Config{
			ClientID:     c.ClientID,
			ClientSecret: c.ClientSecret,
			Endpoint:     op.Endpoint(),
			RedirectURL:  c.RedirectURL,
			Scopes:       scopes,
		},
		verifier: op.Verifier(&gooidc.Config{ClientID: c.ClientID, Now: now}),
	}, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q: want an absolute URL without credentials or fragment", s)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" {
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("%q: want https (http only on a loopback host)", s)
}

// Name returns the provider's configured name.
func (p *Provider) Name() string { return p.name }

// Issuer returns the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// AuthURL returns the provider's authorization URL to send the browser to.
// state and nonce should come from RandomToken, verifier from
// GenerateVerifier; only the verifier's S256 challenge is sent.
func (p *Provider) AuthURL(state, nonce, verifier string) string {
	return p.oauth.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
}

// Exchange trades the authorization code for tokens and returns the
// verified identity. nonce and verifier are the ones given to AuthURL for
// this sign-in.
func (p *Provider) Exchange(ctx context.Context, code, verifier, nonce string) (*Identity, error) {
	if code == "" || verifier == "" || nonce == "" {
		return nil, fmt.Errorf("oidc %s: exchange: missing code, verifier or nonce", p.name)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.client)
	ctx = gooidc.ClientContext(ctx, p.client)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("oidc %s: exchange code: %w", p.name, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("oidc %s: %w: the token response has no id_token", p.name, ErrInvalidToken)
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("oidc %s: %w: %v", p.name, ErrInvalidToken, err)
	}
	// Constant time, as the nonce is a secret bound to this sign-in.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("oidc %s: %w: nonce does not match", p.name, ErrInvalidToken)
	}
	var claims struct {
		AZP           string          `json:"azp"`
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("oidc %s: %w: %v", p.name, ErrInvalidToken, err)
	}
	// OpenID Connect Core 3.1.3.7: with several audiences, the authorized
	// party must be us.
	if (len(idt.Audience) > 1 || claims.AZP != "") && claims.AZP != p.oauth.ClientID {
		return nil, fmt.Errorf("oidc %s: %w: authorized party %q is not this client", p.name, ErrInvalidToken, claims.AZP)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("oidc %s: %w: %v", p.name, ErrInvalidToken, err)
		}
	}
	if idt.Subject == "" || len(idt.Subject) > 255 {
		return nil, fmt.Errorf("oidc %s: %w: subject missing or over 255 characters", p.name, ErrInvalidToken)
	}
	verified, err := parseBool(claims.EmailVerified)
	if err != nil {
		return nil, fmt.Errorf("oidc %s: %w: email_verified: %v", p.name, ErrInvalidToken, err)
	}
	return &Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email, EmailVerified: verified && claims.Email != ""}, nil
}

// parseBool reads a JSON boolean; some providers send "true" as a string.
func parseBool(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, errors.New("not a boolean")
	}
	return strconv.ParseBool(s)
}

// GenerateVerifier returns a new PKCE code verifier (RFC 7636, 32 random
// bytes). Keep it server-side with the state.
func GenerateVerifier() string { return oauth2.GenerateVerifier() }

// RandomToken returns 32 random bytes, base64url-encoded: for state and
// nonce values, which must be unguessable.
func RandomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
