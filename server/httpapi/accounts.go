package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"watchword/server"
	"watchword/server/mail"
	"watchword/server/pow"
	"watchword/wasm/api"
	"watchword/wasm/policy"
)

// maxPassword bounds an account password before hashing: Argon2id's cost
// does not grow with the input, but there is no reason to accept megabytes.
const maxPassword = 1024

var checkEmail = api.RegisterResponse{Status: "check_email"}

// normEmail trims and lower-cases an address and checks it is a plain
// addr-spec (no display name, no comments) of sane length.
func normEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	bad := api.Errorf(api.CodeInvalid, "enter a valid email address")
	if e == "" || len(e) > 254 || !utf8.ValidString(e) || strings.ContainsAny(e, " \t\r\n<>()\",;\\") {
		return "", bad
	}
	a, err := netmail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", bad
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(local) > 64 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", bad
	}
	return e, nil
}

// emailKey names an address in counter keys without storing it in clear.
func emailKey(prefix, email string) string {
	h := sha256.Sum256([]byte(email))
	return prefix + hex.EncodeToString(h[:16])
}

// checkPassword enforces the account-password policy; the ids of the failed
// rules go in Details so clients can tick their checklist.
func checkPassword(email, password string) error {
	if len(password) > maxPassword {
		return api.Errorf(api.CodeInvalid, "the password is longer than %d bytes", maxPassword)
	}
	if !utf8.ValidString(password) {
		return api.Errorf(api.CodeBadRequest, "the password is not valid UTF-8")
	}
	res := policy.Check(policy.Account(), password, policy.Context{Email: email})
	if !res.OK {
		e := api.Errorf(api.CodeInvalid, "the password does not meet the account password rules")
		e.Details = append(res.Failed(), res.Unchecked()...)
		return e
	}
	return nil
}

// hit counts one event under key in a window starting with the first event
// and reports whether the count is still within limit.
func (s *Server) hit(ctx context.Context, key string, window time.Duration, limit int) (bool, error) {
	now := s.now()
	n, err := s.store.Hit(ctx, key, now, now.Add(window))
	if err != nil {
		return false, fmt.Errorf("count %s: %w", strings.SplitN(key, ":", 2)[0], err)
	}
	return n <= int64(limit), nil
}

func (s *Server) accountPolicy(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, policy.Account())
}

func (s *Server) powChallenge(w http.ResponseWriter, r *http.Request) {
	c := s.cfg.PoW.Issue()
	writeJSON(w, http.StatusOK, api.PoWChallenge{Challenge: c.Token, Difficulty: c.Difficulty, ExpiresAt: c.ExpiresAt.UTC()})
}

// usePoW verifies a solution and makes its challenge single-use.
func (s *Server) usePoW(ctx context.Context, sol api.PoWSolution) error {
	if len(sol.Challenge) > pow.MaxTokenLen || len(sol.Nonce) > pow.MaxNonceLen {
		return api.Errorf(api.CodeInvalid, "the proof of work is malformed")
	}
	c, err := s.cfg.PoW.Verify(sol.Challenge, sol.Nonce)
	switch {
	case errors.Is(err, pow.ErrExpired):
		return api.Errorf(api.CodeInvalid, "the proof of work has expired; fetch a new challenge")
	case err != nil:
		return api.Errorf(api.CodeInvalid, "the proof of work is not valid")
	}
	n, err := s.store.Hit(ctx, "pow:"+c.ID, s.now(), c.ExpiresAt.Add(time.Minute))
	if err != nil {
		return fmt.Errorf("record proof of work: %w", err)
	}
	if n > 1 {
		return api.Errorf(api.CodeInvalid, "this proof of work was already used; fetch a new challenge")
	}
	return nil
}

// register creates an account, or, when the address is taken, mails its
// owner instead. The caller cannot tell which happened.
func (s *Server) register(ctx context.Context, ip string, req *api.RegisterRequest) error {
	email, err := normEmail(req.Email)
	if err != nil {
		return err
	}
	if err := checkPassword(email, req.Password); err != nil {
		return err
	}
	st := req.Statement
	if st.Decision != api.StatementAccepted && st.Decision != api.StatementSkipped {
		return api.Errorf(api.CodeInvalid, "statement.decision must be %q or %q", api.StatementAccepted, api.StatementSkipped)
	}
	if st.Version == "" || len(st.Version) > 32 {
		return api.Errorf(api.CodeInvalid, "statement.version is required (at most 32 characters)")
	}
	if err := s.usePoW(ctx, req.PoW); err != nil {
		return err
	}
	if ok, err := s.hit(ctx, "reg-ip:"+ip, time.Hour, s.lim.RegisterPerIPPerHour); err != nil {
		return err
	} else if !ok {
		return rateLimited(time.Hour, "too many registrations from this network; try again later")
	}
	if ok, err := s.hit(ctx, emailKey("reg-email:", email), 24*time.Hour, s.lim.RegisterPerEmailPerDay); err != nil {
		return err
	} else if !ok {
		return rateLimited(24*time.Hour, "too many registrations for this address; try again tomorrow")
	}
	// Hash before looking the address up, so both paths cost the same.
	hash, err := s.cfg.Hasher.Hash(req.Password)
	if err != nil {
		return fmt.Errorf("hash account password: %w", err)
	}
	now := s.now()
	acct := &server.Account{
		ID: newID(), Email: email, PasswordHash: hash, CreatedAt: now,
		MarketingConsent: req.MarketingConsent, StatementDecision: st.Decision,
		StatementVersion: st.Version, StatementAt: now,
	}
	err = s.store.CreateAccount(ctx, acct)
	if errors.Is(err, server.ErrConflict) {
		return s.mailExisting(ctx, email)
	}
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	return s.sendActivation(ctx, acct)
}

// mailExisting tells the owner of a registered address that someone tried
// to register it. If the account still waits for activation, a fresh link
// (respecting the cooldown) is more useful.
func (s *Server) mailExisting(ctx context.Context, email string) error {
	acct, err := s.store.AccountByEmail(ctx, email)
	if errors.Is(err, server.ErrNotFound) {
		return nil // deleted in between; nothing to tell
	}
	if err != nil {
		return err
	}
	if !acct.Activated() {
		return s.resendActivation(ctx, acct)
	}
	s.mail(mail.Message{
		To:      acct.Email,
		Subject: "Someone tried to create a Watchword account with your address",
		Text: "Hello,\n\nSomeone (perhaps you) tried to create a Watchword account with this email address.\n" +
			"You already have an account, so nothing was changed.\n\n" +
			"Sign in: " + s.link("/signin", nil) + "\n" +
			"Forgot your account password? " + s.link("/reset", nil) + "\n\n" +
			"If this was not you, you can ignore this message.\n",
	})
	return nil
}

// sendActivation replaces any earlier activation token with a new one and
// mails the link.
func (s *Server) sendActivation(ctx context.Context, acct *server.Account) error {
	if err := s.store.DeleteTokens(ctx, acct.ID, server.PurposeActivation); err != nil {
		return fmt.Errorf("drop old activation tokens: %w", err)
	}
	tok, hash := newToken()
	now := s.now()
	if err := s.store.PutToken(ctx, &server.Token{
		Hash: hash, AccountID: acct.ID, Purpose: server.PurposeActivation,
		CreatedAt: now, ExpiresAt: acct.CreatedAt.Add(activationTTL),
	}); err != nil {
		return fmt.Errorf("store activation token: %w", err)
	}
	s.mail(mail.Message{
		To:      acct.Email,
		Subject: "Confirm your email address for Watchword",
		Text: "Welcome to Watchword.\n\nConfirm your email address to start syncing your vault:\n\n" +
			s.link("/activate", url.Values{"token": {tok}}) + "\n\n" +
			"The link works once. If the address is not confirmed within 5 days, the account is deleted\n" +
			"and the address can be registered again.\n\nIf you did not create this account, ignore this message.\n",
	})
	return nil
}

// resendActivation sends a new link unless one went out within the cooldown.
func (s *Server) resendActivation(ctx context.Context, acct *server.Account) error {
	last, err := s.store.LatestToken(ctx, acct.ID, server.PurposeActivation)
	if err == nil && s.now().Before(last.CreatedAt.Add(s.lim.ResendCooldown)) {
		return nil
	}
	if err != nil && !errors.Is(err, server.ErrNotFound) {
		return err
	}
	return s.sendActivation(ctx, acct)
}

// mailAllowed counts one outgoing mail for an address (known or not, so the
// answer is the same either way).
func (s *Server) mailAllowed(ctx context.Context, email string) error {
	ok, err := s.hit(ctx, emailKey("mail:", email), time.Hour, s.lim.MailsPerEmailPerHour)
	if err != nil {
		return err
	}
	if !ok {
		return rateLimited(time.Hour, "too many messages for this address; try again later")
	}
	return nil
}

func (s *Server) resend(ctx context.Context, raw string) error {
	email, err := normEmail(raw)
	if err != nil {
		return err
	}
	if err := s.mailAllowed(ctx, email); err != nil {
		return err
	}
	acct, err := s.store.AccountByEmail(ctx, email)
	if errors.Is(err, server.ErrNotFound) {
		return nil
	}
	if err != nil || acct.Activated() {
		return err
	}
	return s.resendActivation(ctx, acct)
}

var errBadLink = api.Errorf(api.CodeNotFound, "this link is not valid any more; ask for a new one")

// activate consumes an activation token and confirms the address.
func (s *Server) activate(ctx context.Context, token string) (*server.Account, error) {
	if !validTokenSyntax(token) {
		return nil, errBadLink
	}
	t, err := s.store.ConsumeToken(ctx, hashToken(token), server.PurposeActivation, s.now())
	if errors.Is(err, server.ErrNotFound) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	acct, err := s.store.AccountByID(ctx, t.AccountID)
	if errors.Is(err, server.ErrNotFound) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	if !acct.Activated() {
		acct.ActivatedAt = s.now()
		if err := s.store.UpdateAccount(ctx, acct); err != nil {
			return nil, fmt.Errorf("activate account: %w", err)
		}
	}
	return acct, nil
}

func (s *Server) requestReset(ctx context.Context, raw string) error {
	email, err := normEmail(raw)
	if err != nil {
		return err
	}
	if err := s.mailAllowed(ctx, email); err != nil {
		return err
	}
	acct, err := s.store.AccountByEmail(ctx, email)
	if errors.Is(err, server.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.store.DeleteTokens(ctx, acct.ID, server.PurposeReset); err != nil {
		return err
	}
	tok, hash := newToken()
	now := s.now()
	if err := s.store.PutToken(ctx, &server.Token{
		Hash: hash, AccountID: acct.ID, Purpose: server.PurposeReset, CreatedAt: now, ExpiresAt: now.Add(resetTTL),
	}); err != nil {
		return fmt.Errorf("store reset token: %w", err)
	}
	s.mail(mail.Message{
		To:      acct.Email,
		Subject: "Reset your Watchword account password",
		Text: "Someone (perhaps you) asked to reset the account password of your Watchword account.\n\n" +
			"Choose a new account password here (the link works once, for one hour):\n\n" +
			s.link("/reset/confirm", url.Values{"token": {tok}}) + "\n\n" +
			"Your vault is encrypted with your master password, which this does not change.\n" +
			"If you did not ask for this, ignore this message.\n",
	})
	return nil
}

// resetPassword sets a new account password from a reset link, signs every
// device out and clears the sign-in cool-down.
func (s *Server) resetPassword(ctx context.Context, token, password string) (*server.Account, error) {
	if !validTokenSyntax(token) {
		return nil, errBadLink
	}
	// The policy cannot be checked against the address before the token is
	// known; check the rules now so a typo does not burn the link.
	if err := checkPassword("", password); err != nil {
		return nil, err
	}
	hash, err := s.cfg.Hasher.Hash(password)
	if err != nil {
		return nil, fmt.Errorf("hash account password: %w", err)
	}
	t, err := s.store.ConsumeToken(ctx, hashToken(token), server.PurposeReset, s.now())
	if errors.Is(err, server.ErrNotFound) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	acct, err := s.store.AccountByID(ctx, t.AccountID)
	if errors.Is(err, server.ErrNotFound) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	acct.PasswordHash = hash
	if !acct.Activated() {
		acct.ActivatedAt = s.now() // the link proves the address
	}
	if err := s.store.UpdateAccount(ctx, acct); err != nil {
		return nil, fmt.Errorf("set account password: %w", err)
	}
	if err := s.store.DeleteSessions(ctx, acct.ID); err != nil {
		return nil, fmt.Errorf("sign out devices: %w", err)
	}
	if err := s.store.ResetCounter(ctx, emailKey("signin:", acct.Email)); err != nil {
		return nil, err
	}
	return acct, nil
}

// mail sends in the background; the log line names the purpose, never the
// link.
func (s *Server) mail(m mail.Message) {
	s.background("mail", func(ctx context.Context) error { return s.cfg.Mailer.Send(ctx, m) })
}

// API handlers for the prelogin account endpoints.

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) {
	var req api.RegisterRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := s.register(r.Context(), clientIP(r), &req); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, checkEmail)
}

func (s *Server) apiResend(w http.ResponseWriter, r *http.Request) {
	var req api.EmailRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := s.resend(r.Context(), req.Email); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, checkEmail)
}

func (s *Server) apiActivate(w http.ResponseWriter, r *http.Request) {
	var req api.TokenRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	acct, err := s.activate(r.Context(), req.Token)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.accountInfo(acct))
}

func (s *Server) apiResetRequest(w http.ResponseWriter, r *http.Request) {
	var req api.EmailRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := s.requestReset(r.Context(), req.Email); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, checkEmail)
}

func (s *Server) apiResetConfirm(w http.ResponseWriter, r *http.Request) {
	var req api.PasswordResetConfirm
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if _, err := s.resetPassword(r.Context(), req.Token, req.Password); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
