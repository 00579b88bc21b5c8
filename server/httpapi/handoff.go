package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"watchword/server"
	"watchword/wasm/api"
)

// Hand-offs: a browser that is already signed in (a portal session, or an
// identity provider's answer) passes the extension a one-time code, which the
// extension exchanges for device tokens. The code is a 256-bit token stored
// hashed with purpose auto-connect, living a couple of minutes.

func (s *Server) newHandoff(ctx context.Context, acct *server.Account, ttl time.Duration, source string) (string, error) {
	tok, hash := newToken()
	now := s.now()
	if err := s.store.PutToken(ctx, &server.Token{
		Hash: hash, AccountID: acct.ID, Purpose: server.PurposeAutoConnect, Data: source,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}); err != nil {
		return "", fmt.Errorf("store hand-off code: %w", err)
	}
	return tok, nil
}

// apiAutoConnect answers a signed-in portal browser session (cookie) with a
// fresh one-time code for "continue as <email>".
func (s *Server) apiAutoConnect(w http.ResponseWriter, r *http.Request) {
	ps, err := s.portalSession(r)
	if err != nil {
		writeError(w, r, errNoSession)
		return
	}
	if !sameOriginOrAbsent(r, s) {
		writeError(w, r, api.Errorf(api.CodeForbidden, "cross-site request refused"))
		return
	}
	code, err := s.newHandoff(r.Context(), ps.account, autoConnectTTL, "portal")
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.AutoConnect{Email: ps.account.Email, Code: code, ExpiresAt: s.now().Add(autoConnectTTL).UTC()})
}

// apiExchange trades a hand-off code for device tokens, once.
func (s *Server) apiExchange(w http.ResponseWriter, r *http.Request) {
	var req api.TokenRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if !validTokenSyntax(req.Token) {
		writeError(w, r, errBadLink)
		return
	}
	t, err := s.store.ConsumeToken(r.Context(), hashToken(req.Token), server.PurposeAutoConnect, s.now())
	if errors.Is(err, server.ErrNotFound) {
		writeError(w, r, errBadLink)
		return
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	acct, err := s.store.AccountByID(r.Context(), t.AccountID)
	if errors.Is(err, server.ErrNotFound) {
		writeError(w, r, errBadLink)
		return
	} else if err != nil {
		writeError(w, r, err)
		return
	}
	s.writeTokens(w, r, acct, req.DeviceName)
}
