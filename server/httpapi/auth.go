package httpapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"

	"watchword/server"
	"watchword/wasm/api"
)

// auth is the signed-in caller of a request.
type auth struct {
	session *server.Session
	account *server.Account
}

func authOf(r *http.Request) *auth {
	a, _ := r.Context().Value(ctxAuth).(*auth)
	return a
}

var errNoSession = api.Errorf(api.CodeUnauthorized, "sign in again: the access token is missing, expired or revoked")

// bearer resolves "Authorization: Bearer <access token>" to a device session
// and its account. Portal cookie sessions are not accepted here: the API is
// for devices. With cached, a token resolved within the auth cache's TTL
// is answered from memory (see authCache for how revocation stays prompt).
func (s *Server) bearer(r *http.Request, cached bool) (*auth, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !validTokenSyntax(tok) {
		return nil, errNoSession
	}
	key := sha256.Sum256([]byte(tok))
	c := s.auth
	if !cached {
		c = nil
	}
	var epoch uint64
	if c != nil {
		if a := c.get(key, s.now()); a != nil {
			return a, nil
		}
		epoch = c.begin()
	}
	now := s.now()
	sess, err := s.store.SessionByAccess(r.Context(), key[:], now)
	if errors.Is(err, server.ErrNotFound) || (err == nil && sess.Portal) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	acct, err := s.store.AccountByID(r.Context(), sess.AccountID)
	if errors.Is(err, server.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	a := &auth{session: sess, account: acct}
	if c != nil && acct.Activated() {
		c.put(key, a, epoch, now)
	}
	return a, nil
}

// authed wraps a handler that needs a device session. The account is read
// fresh from the store: account settings depend on every field of it.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return s.authedWith(false, h)
}

func (s *Server) authedWith(cached bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.bearer(r, cached)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="watchword"`)
			writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxAuth, a)))
	}
}

// vaultAuthed also demands a confirmed address: an account waiting for
// activation keeps its vault on the device only. The caller may come from
// the auth cache: vault handlers rely only on the account's id and its
// activation, which a cached copy has right (activation is never undone;
// a deleted account or a revoked session drops out of the cache).
func (s *Server) vaultAuthed(h http.HandlerFunc) http.HandlerFunc {
	return s.authedWith(true, func(w http.ResponseWriter, r *http.Request) {
		if !authOf(r).account.Activated() {
			writeError(w, r, api.Errorf(api.CodeNotActivated, "confirm your email address to start syncing"))
			return
		}
		h(w, r)
	})
}
