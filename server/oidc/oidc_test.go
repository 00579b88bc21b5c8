package oidc_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"watchword/server/oidc"
	"watchword/server/oidc/oidctest"
)

const redirect = "http://127.0.0.1:8080/oidc/callback"

func setup(t *testing.T, user oidctest.User) (*oidctest.Server, *oidc.Provider) {
	t.Helper()
	op := oidctest.Start(t, oidctest.Options{RedirectURL: redirect, User: user})
	p, err := oidc.New(context.Background(), oidc.Config{
		Name: "test", Issuer: op.Issuer(), ClientID: op.ClientID(), ClientSecret: op.ClientSecret(), RedirectURL: redirect,
	})
	if err != nil {
		t.Fatal(err)
	}
	return op, p
}

type flow struct{ state, nonce, verifier, code string }

// signIn runs the browser part of one sign-in.
func signIn(t *testing.T, op *oidctest.Server, p *oidc.Provider) flow {
	t.Helper()
	f := flow{state: oidc.RandomToken(), nonce: oidc.RandomToken(), verifier: oidc.GenerateVerifier()}
	authURL := p.AuthURL(f.state, f.nonce, f.verifier)
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") != f.nonce || q.Get("state") != f.state ||
		strings.Contains(authURL, f.verifier) || q.Get("scope") != "openid email profile" {
		t.Fatalf("AuthURL = %s", authURL)
	}
	code, state, err := op.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if state != f.state {
		t.Fatalf("state came back as %q", state)
	}
	f.code = code
	return f
}

func TestExchange(t *testing.T) {
	user := oidctest.User{Subject: "248289761001", Email: "jane@example.org", EmailVerified: true}
	op, p := setup(t, user)
	f := signIn(t, op, p)
	id, err := p.Exchange(context.Background(), f.code, f.verifier, f.nonce)
	if err != nil {
		t.Fatal(err)
	}
	want := oidc.Identity{Issuer: op.Issuer(), Subject: "248289761001", Email: "jane@example.org", EmailVerified: true}
	if *id != want {
		t.Errorf("Identity = %+v, want %+v", *id, want)
	}
	// The code is single-use.
	if _, err := p.Exchange(context.Background(), f.code, f.verifier, f.nonce); err == nil {
		t.Error("a code was exchanged twice")
	}

	op.SetUser(oidctest.User{Subject: "u2", Email: "u2@example.org"})
	f = signIn(t, op, p)
	id, err = p.Exchange(context.Background(), f.code, f.verifier, f.nonce)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u2" || id.EmailVerified {
		t.Errorf("unverified user: %+v", *id)
	}
}

func TestExchangeRefusesMisbehaviour(t *testing.T) {
	tests := []struct {
		name string
		m    oidctest.Misbehaviour
	}{
		{"wrong nonce", oidctest.WrongNonce},
		{"wrong audience", oidctest.WrongAudience},
		{"extra audience without azp", oidctest.ExtraAudience},
		{"expired", oidctest.Expired},
		{"bad signature", oidctest.BadSignature},
		{"wrong issuer", oidctest.WrongIssuer},
		{"bad access token hash", oidctest.BadAccessTokenHash},
		{"no id token", oidctest.NoIDToken},
	}
	op, p := setup(t, oidctest.User{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op.Misbehave(tt.m)
			defer op.Misbehave(oidctest.Behave)
			f := signIn(t, op, p)
			id, err := p.Exchange(context.Background(), f.code, f.verifier, f.nonce)
			if !errors.Is(err, oidc.ErrInvalidToken) {
				t.Errorf("Exchange = %+v, %v; want ErrInvalidToken", id, err)
			}
			t.Log(err)
		})
	}
	// After all that, a well-behaved sign-in still works.
	f := signIn(t, op, p)
	if _, err := p.Exchange(context.Background(), f.code, f.verifier, f.nonce); err != nil {
		t.Errorf("Exchange after misbehaviour: %v", err)
	}
}

func TestExchangeRefusesWrongInputs(t *testing.T) {
	op, p := setup(t, oidctest.User{})
	tests := []struct {
		name   string
		change func(*flow)
	}{
		{"other verifier", func(f *flow) { f.verifier = oidc.GenerateVerifier() }},
		{"other nonce", func(f *flow) { f.nonce = oidc.RandomToken() }},
		{"unknown code", func(f *flow) { f.code = "forged" }},
		{"empty verifier", func(f *flow) { f.verifier = "" }},
		{"empty nonce", func(f *flow) { f.nonce = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := signIn(t, op, p)
			tt.change(&f)
			if id, err := p.Exchange(context.Background(), f.code, f.verifier, f.nonce); err == nil {
				t.Errorf("Exchange succeeded: %+v", *id)
			}
		})
	}
	t.Run("wrong client secret", func(t *testing.T) {
		bad, err := oidc.New(context.Background(), oidc.Config{
			Name: "test", Issuer: op.Issuer(), ClientID: op.ClientID(), ClientSecret: "wrong", RedirectURL: redirect,
		})
		if err != nil {
			t.Fatal(err)
		}
		f := signIn(t, op, bad)
		if _, err := bad.Exchange(context.Background(), f.code, f.verifier, f.nonce); err == nil {
			t.Error("Exchange with a wrong client secret succeeded")
		}
	})
}

func TestNew(t *testing.T) {
	op := oidctest.Start(t, oidctest.Options{RedirectURL: redirect})
	good := oidc.Config{Name: "test", Issuer: op.Issuer(), ClientID: "c", RedirectURL: redirect}
	mod := func(f func(*oidc.Config)) oidc.Config { c := good; f(&c); return c }

	// A server that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	tests := []struct {
		name string
		cfg  oidc.Config
		want string
	}{
		{"bad name", mod(func(c *oidc.Config) { c.Name = "Google!" }), "name"},
		{"http issuer", mod(func(c *oidc.Config) { c.Issuer = "http://accounts.example.com" }), "issuer"},
		{"http redirect", mod(func(c *oidc.Config) { c.RedirectURL = "http://vault.example.com/cb" }), "redirect"},
		{"no client id", mod(func(c *oidc.Config) { c.ClientID = "" }), "client id"},
		{"issuer mismatch", mod(func(c *oidc.Config) { c.Issuer = strings.Replace(op.Issuer(), "127.0.0.1", "localhost", 1) }), "discovery"},
		{"silent issuer", mod(func(c *oidc.Config) {
			c.Issuer = "http://" + ln.Addr().String()
			c.DiscoveryTimeout = 200 * time.Millisecond
		}), "discovery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := oidc.New(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one mentioning %q", err, tt.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("New took %v", time.Since(start))
			}
		})
	}
	p, err := oidc.New(context.Background(), mod(func(c *oidc.Config) { c.Scopes = []string{"email", "openid"} }))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(p.AuthURL("s", "n", oidc.GenerateVerifier()))
	if u.Query().Get("scope") != "openid email" || p.Name() != "test" || p.Issuer() != op.Issuer() {
		t.Errorf("scope %q name %q issuer %q", u.Query().Get("scope"), p.Name(), p.Issuer())
	}
}

func TestAuthorizeRefusesBadRequests(t *testing.T) {
	op, p := setup(t, oidctest.User{})
	authURL := p.AuthURL("state", "nonce", oidc.GenerateVerifier())
	tests := []struct {
		name string
		edit func(url.Values)
	}{
		{"no PKCE", func(q url.Values) { q.Del("code_challenge") }},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }},
		{"no openid scope", func(q url.Values) { q.Set("scope", "email") }},
		{"other redirect", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:9999/evil") }},
		{"other client", func(q url.Values) { q.Set("client_id", "evil") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := url.Parse(authURL)
			q := u.Query()
			tt.edit(q)
			u.RawQuery = q.Encode()
			if _, _, err := op.Authorize(u.String()); err == nil {
				t.Error("Authorize succeeded")
			}
		})
	}
	resp, err := http.Get(op.Issuer() + "/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery: %v", err)
	}
	resp.Body.Close()
}
