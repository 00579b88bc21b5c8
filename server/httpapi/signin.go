package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"watchword/server"
	"watchword/server/mail"
	"watchword/wasm/api"
)

// methodUnlock is the challenge method of an emailed code that lets the
// owner past a sign-in cool-down (together with the password).
const methodUnlock = "unlock"

var (
	errBadCode     = api.Errorf(api.CodeUnauthorized, "the code is not right or has expired")
	errCooledDown  = api.Errorf(api.CodeRateLimited, "too many sign-in attempts for this address; ask for a sign-in code by email to continue")
	totpValidation = totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
)

// signInResult is a successful password check: either the account (no
// second factor) or a two-step challenge.
type signInResult struct {
	account *server.Account
	twoStep *api.TwoStepChallenge
}

// signIn checks email and account password with throttling. Every failure
// that could tell whether the address exists is errGeneric.
func (s *Server) signIn(ctx context.Context, ip string, req *api.SignInRequest) (*signInResult, error) {
	email, err := normEmail(req.Email)
	if err != nil {
		return nil, errGeneric
	}
	if len(req.Password) > maxPassword || req.Password == "" {
		return nil, errGeneric
	}
	if ok, err := s.hit(ctx, "signin-ip:"+ip, time.Hour, s.lim.SignInPerIPPerHour); err != nil {
		return nil, err
	} else if !ok {
		return nil, rateLimited(time.Hour, "too many sign-in attempts from this network; try again later")
	}
	key := emailKey("signin:", email)
	unlocking := req.UnlockChallenge != "" || req.UnlockCode != ""
	if !unlocking {
		// Counting the attempt before checking the password makes the limit
		// exact under concurrent bursts: attempt 101 is refused even while
		// the first hundred are still being verified.
		ok, err := s.hit(ctx, key, 24*time.Hour, s.lim.SignInFailuresPerDay)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &retryAfterError{errCooledDown, time.Hour}
		}
	}
	acct, err := s.store.AccountByEmail(ctx, email)
	if errors.Is(err, server.ErrNotFound) {
		s.cfg.Hasher.Dummy(req.Password) // same cost as a real check
		return nil, errGeneric
	}
	if err != nil {
		return nil, err
	}
	if unlocking {
		if _, err := s.useCode(ctx, req.UnlockChallenge, methodUnlock, req.UnlockCode, acct.ID); err != nil {
			s.cfg.Hasher.Dummy(req.Password)
			return nil, errGeneric
		}
	}
	ok, err := s.cfg.Hasher.Verify(acct.PasswordHash, req.Password)
	if err != nil {
		return nil, fmt.Errorf("verify account password: %w", err)
	}
	if !ok {
		return nil, errGeneric
	}
	if err := s.store.ResetCounter(ctx, key); err != nil {
		return nil, err
	}
	if s.cfg.Hasher.NeedsRehash(acct.PasswordHash) {
		if h, err := s.cfg.Hasher.Hash(req.Password); err == nil {
			acct.PasswordHash = h
			if err := s.store.UpdateAccount(ctx, acct); err != nil {
				return nil, err
			}
		}
	}
	if !acct.TwoStep() {
		return &signInResult{account: acct}, nil
	}
	ch, err := s.newChallenge(ctx, acct, req.DeviceName)
	if err != nil {
		return nil, err
	}
	return &signInResult{twoStep: ch}, nil
}

// methods lists the second factors an account can use now.
func (s *Server) methods(acct *server.Account) []string {
	var m []string
	if acct.TOTPEnabled {
		m = append(m, api.MethodTOTP)
	}
	if acct.SMSCodes && acct.Phone != "" && s.cfg.SMS != nil {
		m = append(m, api.MethodSMS)
	}
	if acct.EmailCodes {
		m = append(m, api.MethodEmail)
	}
	if acct.TOTPEnabled {
		m = append(m, api.MethodRecovery)
	}
	return m
}

// newChallenge opens a two-step challenge, sending a code at once when the
// preferred method is email or SMS.
func (s *Server) newChallenge(ctx context.Context, acct *server.Account, device string) (*api.TwoStepChallenge, error) {
	methods := s.methods(acct)
	if len(methods) == 0 {
		// SMS was the only factor and SMS is not configured: email is the
		// fallback that always reaches the owner.
		methods = []string{api.MethodEmail}
	}
	now := s.now()
	ch := &server.Challenge{
		ID: newID(), AccountID: acct.ID, Method: methods[0], CreatedAt: now,
		ExpiresAt: now.Add(challengeTTL), DeviceName: deviceName(device),
	}
	var code string
	if ch.Method == api.MethodEmail || ch.Method == api.MethodSMS {
		code = newCode()
		ch.CodeHash = codeHash(ch.ID, code)
		ch.SentAt = now
	}
	if err := s.store.PutChallenge(ctx, ch); err != nil {
		return nil, fmt.Errorf("store challenge: %w", err)
	}
	if code != "" {
		s.sendCode(acct, ch.Method, code)
	}
	return s.challengeView(acct, ch, methods), nil
}

func (s *Server) challengeView(acct *server.Account, ch *server.Challenge, methods []string) *api.TwoStepChallenge {
	v := &api.TwoStepChallenge{ChallengeID: ch.ID, Method: ch.Method, Methods: methods, ExpiresAt: ch.ExpiresAt.UTC()}
	switch ch.Method {
	case api.MethodEmail:
		v.MaskedTarget = maskEmail(acct.Email)
		v.ResendAfter = ch.SentAt.Add(s.lim.ResendCooldown).UTC()
	case api.MethodSMS:
		v.MaskedTarget = maskPhone(acct.Phone)
		v.ResendAfter = ch.SentAt.Add(s.lim.ResendCooldown).UTC()
	}
	return v
}

func maskEmail(e string) string {
	local, domain, _ := strings.Cut(e, "@")
	if local == "" {
		return "***@" + domain
	}
	return local[:1] + "***@" + domain
}

func maskPhone(p string) string {
	if len(p) < 5 {
		return "•••"
	}
	return p[:3] + strings.Repeat("•", len(p)-5) + p[len(p)-2:]
}

func (s *Server) sendCode(acct *server.Account, method, code string) {
	text := code + " is your Watchword security code. It expires in 10 minutes. Never share it."
	switch method {
	case api.MethodSMS:
		phone := acct.Phone
		s.background("sms", func(ctx context.Context) error { return s.cfg.SMS.Send(ctx, phone, text) })
	case methodUnlock:
		s.mail(mail.Message{To: acct.Email, Subject: "Your Watchword sign-in code",
			Text: "There were too many sign-in attempts for your account, so signing in needs a code too.\n\n" +
				text + "\n\nEnter it with your account password. If you did not try to sign in, someone else may know or be guessing your\n" +
				"account password: consider changing it.\n"})
	default:
		s.mail(mail.Message{To: acct.Email, Subject: "Your Watchword security code",
			Text: text + "\n\nIf you did not try to sign in, change your account password.\n"})
	}
}

// useCode checks a code for a challenge and consumes the challenge when it
// is right. Attempts are counted before the comparison, so a burst of
// concurrent guesses gets exactly Limits.CodeAttempts comparisons. When
// accountID is set the challenge must belong to it.
func (s *Server) useCode(ctx context.Context, id, method, code, accountID string) (*server.Challenge, error) {
	if !api.ValidID(id) || code == "" || len(code) > 64 {
		return nil, errBadCode
	}
	ch, err := s.store.Challenge(ctx, id)
	if errors.Is(err, server.ErrNotFound) {
		return nil, errBadCode
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(ch.ExpiresAt) || (accountID != "" && ch.AccountID != accountID) {
		return nil, errBadCode
	}
	if (method == methodUnlock) != (ch.Method == methodUnlock) {
		return nil, errBadCode // an unlock code is no second factor, and vice versa
	}
	n, err := s.store.Hit(ctx, "code:"+id, now, ch.ExpiresAt.Add(time.Minute))
	if err != nil {
		return nil, err
	}
	if n > int64(s.lim.CodeAttempts) {
		// The challenge stays until it expires so that every further
		// attempt gets this same answer.
		return nil, rateLimited(0, "too many wrong codes; start signing in again")
	}
	ok, err := s.checkCode(ctx, ch, method, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		if _, err := s.store.FailChallenge(ctx, id); err != nil && !errors.Is(err, server.ErrNotFound) {
			return nil, err
		}
		return nil, errBadCode
	}
	// Deleting is what makes the challenge single-use: of two concurrent
	// right answers only the one that deletes it wins.
	if err := s.store.DeleteChallenge(ctx, id); errors.Is(err, server.ErrNotFound) {
		return nil, errBadCode
	} else if err != nil {
		return nil, err
	}
	return ch, nil
}

func (s *Server) checkCode(ctx context.Context, ch *server.Challenge, method, code string) (bool, error) {
	switch method {
	case api.MethodEmail, api.MethodSMS, methodUnlock:
		if ch.Method != method || len(ch.CodeHash) == 0 || !sixDigits(code) {
			return false, nil
		}
		return equalHash(codeHash(ch.ID, code), ch.CodeHash), nil
	case api.MethodTOTP, api.MethodRecovery:
		acct, err := s.store.AccountByID(ctx, ch.AccountID)
		if errors.Is(err, server.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !acct.TOTPEnabled {
			return false, nil
		}
		if method == api.MethodRecovery {
			return s.store.UseRecoveryCode(ctx, acct.ID, recoveryCodeHash(acct.ID, normRecovery(code)))
		}
		return s.checkTOTP(ctx, acct, code)
	}
	return false, nil
}

// checkTOTP accepts the code of the current 30-second step or one step
// either side (clock drift), and records the step so it is never accepted
// again.
func (s *Server) checkTOTP(ctx context.Context, acct *server.Account, code string) (bool, error) {
	if !sixDigits(code) || acct.TOTPSecret == "" {
		return false, nil
	}
	now := s.now()
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(acct.TOTPSecret, t, totpValidation)
		if err != nil {
			return false, fmt.Errorf("totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s.store.UseTOTPStep(ctx, acct.ID, t.Unix()/30)
		}
	}
	return false, nil
}

func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func normRecovery(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "-", ""))
}

// resendCode sends a new code for a challenge, by the same or another method.
// The failure count stays.
func (s *Server) resendCode(ctx context.Context, id, method string) (*api.TwoStepChallenge, error) {
	if !api.ValidID(id) || (method != api.MethodEmail && method != api.MethodSMS) {
		return nil, api.Errorf(api.CodeInvalid, "a code can be resent by email or sms")
	}
	ch, err := s.store.Challenge(ctx, id)
	if errors.Is(err, server.ErrNotFound) {
		return nil, errBadCode
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(ch.ExpiresAt) || ch.Method == methodUnlock {
		return nil, errBadCode
	}
	acct, err := s.store.AccountByID(ctx, ch.AccountID)
	if err != nil {
		return nil, errBadCode
	}
	methods := s.methods(acct)
	if len(methods) == 0 {
		methods = []string{api.MethodEmail}
	}
	if !slices.Contains(methods, method) {
		return nil, api.Errorf(api.CodeInvalid, "this account has no %s codes", method)
	}
	if !ch.SentAt.IsZero() && now.Before(ch.SentAt.Add(s.lim.ResendCooldown)) {
		return nil, rateLimited(ch.SentAt.Add(s.lim.ResendCooldown).Sub(now), "wait a moment before asking for another code")
	}
	if ok, err := s.hit(ctx, "resend:"+id, challengeTTL+time.Minute, 5); err != nil {
		return nil, err
	} else if !ok {
		return nil, rateLimited(0, "too many codes sent; start signing in again")
	}
	code := newCode()
	if err := s.store.ResendChallenge(ctx, id, method, codeHash(id, code), now); err != nil {
		return nil, err
	}
	ch.Method, ch.SentAt = method, now
	s.sendCode(acct, method, code)
	return s.challengeView(acct, ch, methods), nil
}

// unlock mails a code that lets the owner past a sign-in cool-down. The
// answer has the same shape for unknown addresses.
func (s *Server) unlock(ctx context.Context, raw string) (string, error) {
	email, err := normEmail(raw)
	if err != nil {
		return "", err
	}
	if err := s.mailAllowed(ctx, email); err != nil {
		return "", err
	}
	id := newID()
	acct, err := s.store.AccountByEmail(ctx, email)
	if errors.Is(err, server.ErrNotFound) {
		return id, nil
	}
	if err != nil {
		return "", err
	}
	now := s.now()
	code := newCode()
	if err := s.store.PutChallenge(ctx, &server.Challenge{
		ID: id, AccountID: acct.ID, Method: methodUnlock, CodeHash: codeHash(id, code),
		SentAt: now, CreatedAt: now, ExpiresAt: now.Add(challengeTTL),
	}); err != nil {
		return "", err
	}
	s.sendCode(acct, methodUnlock, code)
	return id, nil
}

// API handlers.

func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request) {
	var req api.SignInRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	res, err := s.signIn(r.Context(), clientIP(r), &req)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if res.twoStep != nil {
		writeJSON(w, http.StatusOK, api.SignInResponse{TwoStep: res.twoStep})
		return
	}
	s.writeTokens(w, r, res.account, req.DeviceName)
}

func (s *Server) writeTokens(w http.ResponseWriter, r *http.Request, acct *server.Account, device string) {
	t, err := s.startSession(r.Context(), acct, device)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.SignInResponse{Tokens: t})
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	var req api.VerifyRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	switch req.Method {
	case api.MethodTOTP, api.MethodEmail, api.MethodSMS, api.MethodRecovery:
	default:
		writeError(w, r, api.Errorf(api.CodeInvalid, "method must be totp, email, sms or recovery"))
		return
	}
	ch, err := s.useCode(r.Context(), req.ChallengeID, req.Method, req.Code, "")
	if err != nil {
		writeError(w, r, err)
		return
	}
	acct, err := s.store.AccountByID(r.Context(), ch.AccountID)
	if err != nil {
		writeError(w, r, errBadCode)
		return
	}
	s.writeTokens(w, r, acct, ch.DeviceName)
}

func (s *Server) apiResendCode(w http.ResponseWriter, r *http.Request) {
	var req api.ResendRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	v, err := s.resendCode(r.Context(), req.ChallengeID, req.Method)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.SignInResponse{TwoStep: v})
}

func (s *Server) apiUnlock(w http.ResponseWriter, r *http.Request) {
	var req api.EmailRequest
	if err := decodeJSON(w, r, maxSmallBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	id, err := s.unlock(r.Context(), req.Email)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, api.UnlockResponse{ChallengeID: id})
}
