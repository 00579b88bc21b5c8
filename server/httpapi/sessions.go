package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"watchword/server"
	"watchword/wasm/api"
)

const maxDeviceName = 100

// deviceName tidies a client-chosen device name for the device list.
func deviceName(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s))
	if s == "" {
		return "Unnamed device"
	}
	for utf8.RuneCountInString(s) > maxDeviceName {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// startSession creates a device session and returns its tokens.
func (s *Server) startSession(ctx context.Context, acct *server.Account, device string) (*api.Tokens, error) {
	now := s.now()
	access, accessHash := newToken()
	refresh, refreshHash := newToken()
	sess := &server.Session{
		ID:               newID(),
		AccountID:        acct.ID,
		DeviceName:       deviceName(device),
		AccessHash:       accessHash,
		AccessExpiresAt:  now.Add(accessTTL),
		RefreshHash:      refreshHash,
		RefreshExpiresAt: now.Add(refreshTTL),
		CreatedAt:        now,
		LastSeenAt:       now,
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return &api.Tokens{
		AccessToken: access, AccessExpiresAt: sess.AccessExpiresAt,
		RefreshToken: refresh, RefreshExpiresAt: sess.RefreshExpiresAt,
		SessionID: sess.ID, AccountID: acct.ID, Email: acct.Email, Activated: acct.Activated(),
	}, nil
}

func (s *Server) apiRefresh(w http.ResponseWriter, r *http.Request) {
	var req api.RefreshRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if !validTokenSyntax(req.RefreshToken) {
		writeError(w, r, errNoSession)
		return
	}
	now := s.now()
	access, accessHash := newToken()
	refresh, refreshHash := newToken()
	next := server.SessionTokens{
		AccessHash: accessHash, AccessExpiresAt: now.Add(accessTTL),
		RefreshHash: refreshHash, RefreshExpiresAt: now.Add(refreshTTL),
	}
	sess, err := s.store.RotateRefresh(r.Context(), hashToken(req.RefreshToken), next, now)
	switch {
	case errors.Is(err, server.ErrRefreshReused):
		logger(r).Warn("refresh token reused; device signed out")
		writeError(w, r, errNoSession)
		return
	case errors.Is(err, server.ErrNotFound):
		writeError(w, r, errNoSession)
		return
	case err != nil:
		writeError(w, r, err)
		return
	}
	if sess.Portal {
		// Portal sessions never hand out refresh tokens; treat as unknown.
		writeError(w, r, errNoSession)
		return
	}
	acct, err := s.store.AccountByID(r.Context(), sess.AccountID)
	if errors.Is(err, server.ErrNotFound) {
		writeError(w, r, errNoSession)
		return
	} else if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.SignInResponse{Tokens: &api.Tokens{
		AccessToken: access, AccessExpiresAt: next.AccessExpiresAt,
		RefreshToken: refresh, RefreshExpiresAt: next.RefreshExpiresAt,
		SessionID: sess.ID, AccountID: acct.ID, Email: acct.Email, Activated: acct.Activated(),
	}})
}

func (s *Server) apiDevices(w http.ResponseWriter, r *http.Request) {
	a := authOf(r)
	list, err := s.store.Sessions(r.Context(), a.account.ID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := api.DevicesResponse{Devices: []api.Device{}}
	for _, x := range list {
		out.Devices = append(out.Devices, api.Device{
			SessionID: x.ID, DeviceName: x.DeviceName, CreatedAt: x.CreatedAt,
			LastSeenAt: x.LastSeenAt, Current: x.ID == a.session.ID, Portal: x.Portal,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiSignOut(w http.ResponseWriter, r *http.Request) {
	a := authOf(r)
	if err := s.store.DeleteSession(r.Context(), a.account.ID, a.session.ID); err != nil && !errors.Is(err, server.ErrNotFound) {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSignOutDevice(w http.ResponseWriter, r *http.Request) {
	a := authOf(r)
	id := r.PathValue("id")
	err := s.store.DeleteSession(r.Context(), a.account.ID, id)
	if errors.Is(err, server.ErrNotFound) {
		writeError(w, r, api.Errorf(api.CodeNotFound, "no such device"))
		return
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSignOutAll(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteSessions(r.Context(), authOf(r).account.ID); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
