package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"

	"watchword/server"
	"watchword/wasm/api"
)

// OIDCProvider is one configured OpenID Connect provider (authorization
// code flow with PKCE).
type OIDCProvider interface {
	// ID is the short name used in URLs ("google"); Name is the button text.
	ID() string
	Name() string
	// AuthCodeURL is where to send the browser. verifier is the PKCE code
	// verifier kept with the state: the provider sends only its S256
	// challenge, and the same verifier comes back to Exchange. The
	// callback in the URL is the provider's registered redirect URL, which
	// must be this server's public URL + /oidc/callback.
	AuthCodeURL(state, nonce, verifier string) string
	// Exchange redeems the code with the PKCE verifier, verifies the ID
	// token (signature, issuer, audience, expiry, nonce) and returns who it
	// names.
	Exchange(ctx context.Context, code, verifier, nonce string) (*Identity, error)
}

// Identity is a verified ID token's subject.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
}

// oidcState is kept (hashed token, purpose oidc-state) between start and
// callback. The PKCE verifier and the nonce must be kept secret; they stay
// on the server.
type oidcState struct {
	Provider string `json:"p"`
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
	Redirect string `json:"r,omitempty"` // the extension's identity redirect URL, or empty for the portal
}

func (s *Server) initOIDC() error {
	seen := map[string]bool{}
	for _, p := range s.cfg.OIDC {
		id := p.ID()
		if !regexp.MustCompile(`^[a-z0-9-]{1,32}$`).MatchString(id) || seen[id] {
			return fmt.Errorf("httpapi: OIDC provider id %q must be unique, 1-32 of [a-z0-9-]", id)
		}
		seen[id] = true
	}
	return nil
}

func (s *Server) provider(id string) OIDCProvider {
	for _, p := range s.cfg.OIDC {
		if p.ID() == id {
			return p
		}
	}
	return nil
}

func (s *Server) providerList(redirect string) []api.IdentityProvider {
	out := []api.IdentityProvider{}
	for _, p := range s.cfg.OIDC {
		var q url.Values
		if redirect != "" {
			q = url.Values{"redirect_uri": {redirect}}
		}
		out = append(out, api.IdentityProvider{ID: p.ID(), Name: p.Name(), StartURL: s.link("/oidc/"+p.ID()+"/start", q)})
	}
	return out
}

func (s *Server) apiOIDCProviders(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.IdentityProviders{Providers: s.providerList("")})
}

// extensionRedirect matches the identity redirect URLs browsers give
// extensions (chrome.identity.getRedirectURL, browser.identity): only there
// may a hand-off code be sent.
var extensionRedirect = regexp.MustCompile(`^https://[a-z0-9]{32}\.chromiumapp\.org/[A-Za-z0-9._~/-]*$|^https://[0-9a-f]{40}\.extensions\.allizom\.org/[A-Za-z0-9._~/-]*$`)

func randomString() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) oidcFail(w http.ResponseWriter, r *http.Request, status int, text string) {
	s.render(w, r, status, "message", page{Title: "Sign-in did not work", Data: messageData{Text: text, Link: "/signin", LinkText: "Back to sign in"}})
}

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	p := s.provider(r.PathValue("provider"))
	if p == nil {
		s.oidcFail(w, r, http.StatusNotFound, "This sign-in provider is not configured.")
		return
	}
	redirect := r.URL.Query().Get("redirect_uri")
	if redirect != "" && !extensionRedirect.MatchString(redirect) {
		s.oidcFail(w, r, http.StatusBadRequest, "The redirect address is not one this server hands sign-ins to.")
		return
	}
	st := oidcState{Provider: p.ID(), Verifier: randomString(), Nonce: randomString(), Redirect: redirect}
	data, _ := json.Marshal(st)
	tok, hash := newToken()
	now := s.now()
	if err := s.store.PutToken(r.Context(), &server.Token{Hash: hash, Purpose: server.PurposeOIDCState, Data: string(data),
		CreatedAt: now, ExpiresAt: now.Add(oidcStateTTL)}); err != nil {
		logger(r).Error("store oidc state", slog.String("err", err.Error()))
		s.oidcFail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
		return
	}
	http.Redirect(w, r, p.AuthCodeURL(tok, st.Nonce, st.Verifier), http.StatusFound)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if !validTokenSyntax(state) {
		s.oidcFail(w, r, http.StatusBadRequest, "The sign-in answer is not valid. Start again.")
		return
	}
	t, err := s.store.ConsumeToken(r.Context(), hashToken(state), server.PurposeOIDCState, s.now())
	if err != nil {
		s.oidcFail(w, r, http.StatusBadRequest, "The sign-in took too long or was already used. Start again.")
		return
	}
	var st oidcState
	if err := json.Unmarshal([]byte(t.Data), &st); err != nil {
		s.oidcFail(w, r, http.StatusBadRequest, "The sign-in answer is not valid. Start again.")
		return
	}
	// From here on the state says who asked. A sign-in the extension
	// started goes back to its identity redirect even when it fails, with
	// the reason, so the extension can say what went wrong instead of
	// leaving its sign-in window on this server's error page.
	fail := func(status int, text string) {
		if st.Redirect == "" {
			s.oidcFail(w, r, status, text)
			return
		}
		u, _ := url.Parse(st.Redirect)
		u.RawQuery = url.Values{"error": {"access_denied"}, "error_description": {text}}.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	p := s.provider(st.Provider)
	if p == nil {
		fail(http.StatusBadRequest, "This sign-in provider is not configured any more.")
		return
	}
	if e := q.Get("error"); e != "" || q.Get("code") == "" {
		fail(http.StatusUnauthorized, "The provider did not sign you in.")
		return
	}
	id, err := p.Exchange(r.Context(), q.Get("code"), st.Verifier, st.Nonce)
	if err != nil {
		logger(r).Warn("oidc exchange failed", slog.String("provider", p.ID()), slog.String("err", err.Error()))
		fail(http.StatusUnauthorized, "The provider's answer could not be verified.")
		return
	}
	acct, err := s.accountForIdentity(r.Context(), id)
	if err != nil {
		msg, status := message(r, err)
		fail(status, msg)
		return
	}
	if st.Redirect != "" {
		code, err := s.newHandoff(r.Context(), acct, exchangeTTL, "oidc:"+p.ID())
		if err != nil {
			fail(http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
			return
		}
		u, _ := url.Parse(st.Redirect)
		u.RawQuery = url.Values{"code": {code}}.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	s.finishPortalSignIn(w, r, acct)
}

// accountForIdentity finds the account linked to the identity. An identity
// seen for the first time is linked to the account with its address when
// the provider vouches for the address, or gets a new, already confirmed
// account.
func (s *Server) accountForIdentity(ctx context.Context, id *Identity) (*server.Account, error) {
	acct, err := s.store.AccountByIdentity(ctx, id.Issuer, id.Subject)
	if err == nil {
		return acct, nil
	}
	if !errors.Is(err, server.ErrNotFound) {
		return nil, err
	}
	if !id.EmailVerified {
		return nil, api.Errorf(api.CodeForbidden, "the provider did not confirm your email address")
	}
	email, err := normEmail(id.Email)
	if err != nil {
		return nil, api.Errorf(api.CodeInvalid, "the provider gave no usable email address")
	}
	acct, err = s.store.AccountByEmail(ctx, email)
	if errors.Is(err, server.ErrNotFound) {
		// A password nobody knows: the account signs in through the
		// provider, or sets a password by the reset link.
		hash, err := s.cfg.Hasher.Hash(randomString())
		if err != nil {
			return nil, err
		}
		now := s.now()
		acct = &server.Account{ID: newID(), Email: email, PasswordHash: hash, CreatedAt: now, ActivatedAt: now,
			StatementDecision: api.StatementSkipped, StatementVersion: s.cfg.StatementVersion, StatementAt: now}
		if err := s.store.CreateAccount(ctx, acct); err != nil {
			return nil, fmt.Errorf("create account: %w", err)
		}
	} else if err != nil {
		return nil, err
	} else if !acct.Activated() {
		// Whoever registered the address without confirming it may not be
		// its owner: the provider just proved who is, so the unconfirmed
		// password and any sessions made with it are dropped.
		hash, err := s.cfg.Hasher.Hash(randomString())
		if err != nil {
			return nil, err
		}
		acct.PasswordHash = hash
		acct.ActivatedAt = s.now()
		if err := s.store.UpdateAccount(ctx, acct); err != nil {
			return nil, err
		}
		if err := s.store.DeleteSessions(ctx, acct.ID); err != nil {
			return nil, err
		}
	}
	if err := s.store.LinkIdentity(ctx, id.Issuer, id.Subject, acct.ID); err != nil {
		return nil, fmt.Errorf("link identity: %w", err)
	}
	return acct, nil
}
