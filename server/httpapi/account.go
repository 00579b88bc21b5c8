package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"watchword/server"
	"watchword/server/mail"
	"watchword/wasm/api"
)

const recoveryCodeCount = 10

func (s *Server) accountInfo(a *server.Account) api.AccountInfo {
	info := api.AccountInfo{
		AccountID: a.ID, Email: a.Email, Activated: a.Activated(), CreatedAt: a.CreatedAt.UTC(),
		MarketingConsent: a.MarketingConsent,
		Profile:          api.Profile{Country: a.Country, TimeZone: a.TimeZone, DateFormat: a.DateFormat},
		TwoStep:          api.TwoStep{TOTP: a.TOTPEnabled, EmailCodes: a.EmailCodes, SMSCodes: a.SMSCodes},
	}
	if a.Phone != "" {
		info.TwoStep.Phone = maskPhone(a.Phone)
	}
	return info
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.accountInfo(authOf(r).account))
}

func (s *Server) apiProfile(w http.ResponseWriter, r *http.Request) {
	var p api.Profile
	if err := decodeJSON(w, r, maxSmallBody, &p); err != nil {
		writeError(w, r, err)
		return
	}
	acct := authOf(r).account
	if err := s.applyProfile(r.Context(), acct, p); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.accountInfo(acct))
}

// validPhone accepts E.164: "+", then 8 to 15 digits, the first not 0.
func validPhone(p string) bool {
	if len(p) < 9 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

func (s *Server) setTwoStep(ctx context.Context, acct *server.Account, t api.TwoStepSettings) error {
	phone := strings.ReplaceAll(strings.TrimSpace(t.Phone), " ", "")
	if t.SMSCodes {
		if s.cfg.SMS == nil {
			return api.Errorf(api.CodeUnsupported, "this server does not send text messages")
		}
		if phone == "" {
			phone = acct.Phone
		}
		if !validPhone(phone) {
			return api.Errorf(api.CodeInvalid, "enter the phone number in international form, e.g. +4915112345678")
		}
	} else if phone != "" && !validPhone(phone) {
		return api.Errorf(api.CodeInvalid, "enter the phone number in international form, e.g. +4915112345678")
	}
	acct.EmailCodes = t.EmailCodes
	acct.SMSCodes = t.SMSCodes
	if phone != "" {
		acct.Phone = phone
	}
	return s.store.UpdateAccount(ctx, acct)
}

func (s *Server) apiTwoStep(w http.ResponseWriter, r *http.Request) {
	var t api.TwoStepSettings
	if err := decodeJSON(w, r, maxSmallBody, &t); err != nil {
		writeError(w, r, err)
		return
	}
	acct := authOf(r).account
	if err := s.setTwoStep(r.Context(), acct, t); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.accountInfo(acct))
}

// enrolTOTP makes a new secret; it is not used for sign-in until confirmed.
func (s *Server) enrolTOTP(ctx context.Context, acct *server.Account) (*api.TOTPEnrolment, error) {
	if acct.TOTPEnabled {
		return nil, api.Errorf(api.CodeConflict, "an authenticator app is already set up; turn it off first")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Watchword", AccountName: acct.Email})
	if err != nil {
		return nil, fmt.Errorf("generate totp secret: %w", err)
	}
	acct.TOTPSecret = key.Secret()
	if err := s.store.UpdateAccount(ctx, acct); err != nil {
		return nil, err
	}
	return &api.TOTPEnrolment{Secret: key.Secret(), URI: key.URL()}, nil
}

// confirmTOTP turns the enrolled secret on after one right code and returns
// fresh recovery codes (only their hashes are kept).
func (s *Server) confirmTOTP(ctx context.Context, acct *server.Account, code string) (*api.RecoveryCodes, error) {
	if acct.TOTPEnabled || acct.TOTPSecret == "" {
		return nil, api.Errorf(api.CodeConflict, "start setting up the authenticator app first")
	}
	ok, err := s.hit(ctx, "totp-confirm:"+acct.ID, challengeTTL, s.lim.CodeAttempts*2)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, rateLimited(challengeTTL, "too many wrong codes; try again later")
	}
	if ok, err := s.checkTOTP(ctx, acct, strings.TrimSpace(code)); err != nil {
		return nil, err
	} else if !ok {
		return nil, errBadCode
	}
	codes := make([]string, recoveryCodeCount)
	hashes := make([][]byte, recoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = recoveryCodeHash(acct.ID, normRecovery(codes[i]))
	}
	if err := s.store.SetRecoveryCodes(ctx, acct.ID, hashes); err != nil {
		return nil, err
	}
	// Re-read: UseTOTPStep wrote LastTOTPStep, which UpdateAccount would
	// otherwise overwrite with the stale value.
	fresh, err := s.store.AccountByID(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	fresh.TOTPEnabled = true
	if err := s.store.UpdateAccount(ctx, fresh); err != nil {
		return nil, err
	}
	*acct = *fresh
	return &api.RecoveryCodes{Codes: codes}, nil
}

func (s *Server) apiTOTPEnrol(w http.ResponseWriter, r *http.Request) {
	e, err := s.enrolTOTP(r.Context(), authOf(r).account)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) apiTOTPConfirm(w http.ResponseWriter, r *http.Request) {
	var req api.CodeRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	codes, err := s.confirmTOTP(r.Context(), authOf(r).account, req.Code)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, codes)
}

// checkPasswordAgain is the re-entry demanded before sensitive changes. It
// shares the sign-in counter, so it is no way around the cool-down.
func (s *Server) checkPasswordAgain(ctx context.Context, acct *server.Account, password string) error {
	if len(password) > maxPassword || password == "" {
		return api.Errorf(api.CodeForbidden, "the account password is not right")
	}
	ok, err := s.hit(ctx, emailKey("signin:", acct.Email), 24*time.Hour, s.lim.SignInFailuresPerDay)
	if err != nil {
		return err
	}
	if !ok {
		return errCooledDown
	}
	ok, err = s.cfg.Hasher.Verify(acct.PasswordHash, password)
	if err != nil {
		return fmt.Errorf("verify account password: %w", err)
	}
	if !ok {
		return api.Errorf(api.CodeForbidden, "the account password is not right")
	}
	return s.store.ResetCounter(ctx, emailKey("signin:", acct.Email))
}

func (s *Server) disableTOTP(ctx context.Context, acct *server.Account, password string) error {
	if err := s.checkPasswordAgain(ctx, acct, password); err != nil {
		return err
	}
	acct.TOTPEnabled = false
	acct.TOTPSecret = ""
	if err := s.store.SetRecoveryCodes(ctx, acct.ID, nil); err != nil {
		return err
	}
	return s.store.UpdateAccount(ctx, acct)
}

func (s *Server) apiTOTPDisable(w http.ResponseWriter, r *http.Request) {
	var req api.PasswordRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	acct := authOf(r).account
	if err := s.disableTOTP(r.Context(), acct, req.Password); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.accountInfo(acct))
}

// deleteAccount removes the account and everything it holds after the
// password is entered again.
func (s *Server) deleteAccount(ctx context.Context, acct *server.Account, password string) error {
	if err := s.checkPasswordAgain(ctx, acct, password); err != nil {
		return err
	}
	if err := s.store.DeleteAccount(ctx, acct.ID); err != nil && !errors.Is(err, server.ErrNotFound) {
		return fmt.Errorf("delete account: %w", err)
	}
	s.mail(mail.Message{To: acct.Email, Subject: "Your Watchword account was deleted",
		Text: "Your Watchword account and the encrypted vault stored with it were deleted.\n" +
			"Vaults kept on your devices are not touched.\n"})
	return nil
}

func (s *Server) apiDeleteAccount(w http.ResponseWriter, r *http.Request) {
	var req api.PasswordRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := s.deleteAccount(r.Context(), authOf(r).account, req.Password); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
