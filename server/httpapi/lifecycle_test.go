package httpapi_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"watchword/server/mail/smtpsink"
	"watchword/wasm/api"
)

var sixDigitsRE = regexp.MustCompile(`\b\d{6}\b`)

// codeMail waits for a mail to addr whose subject contains subj and whose
// six-digit code is not one of seen, and returns that code.
func (e *env) codeMail(addr, subj string, seen ...string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := e.sink.WaitFor(ctx, addr, func(m smtpsink.Message) bool {
		c := sixDigitsRE.FindString(m.Text)
		if !strings.Contains(m.Subject, subj) || c == "" {
			return false
		}
		for _, s := range seen {
			if c == s {
				return false
			}
		}
		return true
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return sixDigitsRE.FindString(m.Text)
}

// otherCode returns a six-digit code that is not c.
func otherCode(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

// TestTOTPDisable: turning the authenticator app off needs the account
// password, removes the secret and the recovery codes, and sign-in no
// longer asks for a second step.
func TestTOTPDisable(t *testing.T) {
	e := newEnv(t)
	const email, password = "tess@example.org", "Tess7Password"
	tk := e.activeAccount(email, password)

	var enrol api.TOTPEnrolment
	e.must(e.do("POST", "/api/v1/account/totp", tk.AccessToken, nil), 200, &enrol)
	code, _ := totp.GenerateCode(enrol.Secret, e.clock.Now())
	var rc api.RecoveryCodes
	e.must(e.do("POST", "/api/v1/account/totp/confirm", tk.AccessToken, api.CodeRequest{Code: code}), 200, &rc)
	if r := e.do("POST", "/api/v1/account/totp", tk.AccessToken, nil); r.status != 409 {
		t.Fatalf("second enrolment while on: %d %s", r.status, r.body)
	}

	for name, pw := range map[string]string{"wrong password": "Wrong7Password", "no password": ""} {
		t.Run(name, func(t *testing.T) {
			if r := e.do("POST", "/api/v1/account/totp/disable", tk.AccessToken, api.PasswordRequest{Password: pw}); r.status != 403 || r.errCode() != api.CodeForbidden {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var info api.AccountInfo
			e.must(e.do("GET", "/api/v1/account", tk.AccessToken, nil), 200, &info)
			if !info.TwoStep.TOTP {
				t.Fatal("the authenticator app went off without the password")
			}
		})
	}
	if r := e.do("POST", "/api/v1/account/totp/disable", "", api.PasswordRequest{Password: password}); r.status != 401 {
		t.Fatalf("disable without a session: %d", r.status)
	}

	var info api.AccountInfo
	e.must(e.do("POST", "/api/v1/account/totp/disable", tk.AccessToken, api.PasswordRequest{Password: password}), 200, &info)
	if info.TwoStep.TOTP {
		t.Fatalf("still on: %s", mustJSON(info))
	}
	var out api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
	if out.Tokens == nil || out.TwoStep != nil {
		t.Fatalf("sign-in after turning TOTP off: %s", mustJSON(out))
	}

	// Enrolling again makes a new secret; the old recovery codes are gone.
	var again api.TOTPEnrolment
	e.must(e.do("POST", "/api/v1/account/totp", tk.AccessToken, nil), 200, &again)
	if again.Secret == enrol.Secret {
		t.Fatal("the old secret was handed out again")
	}
	e.clock.Advance(30 * time.Second)
	code, _ = totp.GenerateCode(again.Secret, e.clock.Now())
	e.must(e.do("POST", "/api/v1/account/totp/confirm", tk.AccessToken, api.CodeRequest{Code: code}), 200, nil)
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
	if out.TwoStep == nil {
		t.Fatal("no second step after enrolling again")
	}
	if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "recovery", Code: rc.Codes[1]}); r.status != 401 {
		t.Fatalf("a recovery code of the old secret: %d %s", r.status, r.body)
	}
}

// TestCodeResend: a resent email code replaces the old one, waits for the
// cool-down, and keeps the challenge's failure count.
func TestCodeResend(t *testing.T) {
	e := newEnv(t)
	const email, password = "rhea@example.org", "Rhea7Password"
	tk := e.activeAccount(email, password)
	e.must(e.do("PUT", "/api/v1/account/two-step", tk.AccessToken, api.TwoStepSettings{EmailCodes: true}), 200, nil)

	var out api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
	ch := out.TwoStep
	if ch == nil || ch.Method != api.MethodEmail || ch.MaskedTarget != "r***@example.org" {
		t.Fatalf("challenge %s", mustJSON(out))
	}
	first := e.codeMail(email, "security code")

	t.Run("cool-down", func(t *testing.T) {
		r := e.do("POST", "/api/v1/sessions/resend", "", api.ResendRequest{ChallengeID: ch.ChallengeID, Method: "email"})
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("%d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
		}
	})
	t.Run("method the account does not have", func(t *testing.T) {
		e.clock.Advance(2 * time.Second)
		if r := e.do("POST", "/api/v1/sessions/resend", "", api.ResendRequest{ChallengeID: ch.ChallengeID, Method: "sms"}); r.status != 422 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("unknown challenge", func(t *testing.T) {
		if r := e.do("POST", "/api/v1/sessions/resend", "", api.ResendRequest{ChallengeID: hexID(1), Method: "email"}); r.status != 401 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})

	wrong := otherCode(first)
	for i := 0; i < 4; i++ {
		if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: ch.ChallengeID, Method: "email", Code: wrong}); r.status != 401 {
			t.Fatalf("wrong code %d: %d", i, r.status)
		}
	}
	e.clock.Advance(2 * time.Second)
	var re api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions/resend", "", api.ResendRequest{ChallengeID: ch.ChallengeID, Method: "email"}), 200, &re)
	if re.TwoStep == nil || re.TwoStep.ChallengeID != ch.ChallengeID || !re.TwoStep.ResendAfter.After(ch.ResendAfter) {
		t.Fatalf("resend answered %s", mustJSON(re))
	}
	second := e.codeMail(email, "security code", first)
	if second == first {
		t.Fatal("the resend mailed the same code")
	}
	// The replaced code is dead; this is the fifth and last failure.
	if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: ch.ChallengeID, Method: "email", Code: first}); r.status != 401 {
		t.Fatalf("replaced code: %d %s", r.status, r.body)
	}
	// Five failures across the resend: the right new code is refused too.
	if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: ch.ChallengeID, Method: "email", Code: second}); r.status != 429 {
		t.Fatalf("right code after five failures: %d %s", r.status, r.body)
	}

	// A fresh sign-in: the resent code works, once.
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
	seen := []string{first, second}
	seen = append(seen, e.codeMail(email, "security code", seen...))
	e.clock.Advance(2 * time.Second)
	e.must(e.do("POST", "/api/v1/sessions/resend", "", api.ResendRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "email"}), 200, nil)
	code := e.codeMail(email, "security code", seen...)
	e.must(e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "email", Code: code}), 200, &out)
	if out.Tokens == nil {
		t.Fatal("no tokens")
	}
	if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "email", Code: code}); r.status != 401 {
		t.Fatalf("code used twice: %d", r.status)
	}
}

// TestRefreshExpiry: a refresh token works until its expiry and not after;
// a rotated pair starts a new lifetime.
func TestRefreshExpiry(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("rex@example.org", "Rex7Password1")
	old := e.signIn("rex@example.org", "Rex7Password1")
	life := old.RefreshExpiresAt.Sub(old.AccessExpiresAt)
	if life < 24*time.Hour {
		t.Fatalf("refresh token lives only %v past the access token", life)
	}

	// Just before expiry the token rotates.
	fresh := e.signIn("rex@example.org", "Rex7Password1")
	e.clock.Advance(time.Until(fresh.RefreshExpiresAt) - time.Minute)
	var out api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: fresh.RefreshToken}), 200, &out)
	if !out.Tokens.RefreshExpiresAt.After(fresh.RefreshExpiresAt) {
		t.Fatalf("rotation did not extend the refresh lifetime: %v", out.Tokens.RefreshExpiresAt)
	}
	e.must(e.do("GET", "/api/v1/account", out.Tokens.AccessToken, nil), 200, nil)

	// old was issued earlier: it is past its expiry now.
	e.clock.Advance(2 * time.Minute)
	if r := e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: old.RefreshToken}); r.status != 401 || r.errCode() != api.CodeUnauthorized {
		t.Fatalf("expired refresh token: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/account", old.AccessToken, nil); r.status != 401 {
		t.Fatalf("access token of an expired session: %d", r.status)
	}
	// The rotated session is unaffected.
	e.must(e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: out.Tokens.RefreshToken}), 200, nil)
}

// TestEventsEnd: an event stream says goodbye and ends when the server shuts
// down and when its access token expires.
func TestEventsEnd(t *testing.T) {
	t.Run("token expiry", func(t *testing.T) {
		e := newEnv(t)
		tk := e.activeAccount("eve@example.org", "Eve7Password1")
		e.must(e.do("PUT", "/api/v1/vault", tk.AccessToken, testHeader()), 200, nil)
		e.clock.Advance(time.Until(tk.AccessExpiresAt) - time.Second)
		s := e.openRawEvents(tk.AccessToken)
		s.expect(t, "event: bye", "data: token-expired")
		s.ended(t)
	})
	t.Run("shutdown", func(t *testing.T) {
		e := newEnv(t)
		tk := e.activeAccount("sam@example.org", "Sam7Password1")
		e.must(e.do("PUT", "/api/v1/vault", tk.AccessToken, testHeader()), 200, nil)
		streams := []*rawEvents{e.openRawEvents(tk.AccessToken), e.openRawEvents(tk.AccessToken)}
		for _, s := range streams {
			s.expect(t, "event: revision", "data: 0")
		}
		done := make(chan struct{})
		go func() { e.api.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return while streams were open")
		}
		for _, s := range streams {
			s.expect(t, "event: bye", "data: shutdown")
			s.ended(t)
		}
	})
}

// rawEvents is the line-by-line text of one event stream.
type rawEvents struct {
	lines chan string
}

func (e *env) openRawEvents(token string) *rawEvents {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/vault/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		e.t.Fatalf("events: %d", res.StatusCode)
	}
	s := &rawEvents{lines: make(chan string, 64)}
	go func() {
		defer res.Body.Close()
		defer close(s.lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	return s
}

func (s *rawEvents) expect(t *testing.T, lines ...string) {
	t.Helper()
	for _, want := range lines {
		for {
			select {
			case l, ok := <-s.lines:
				if !ok {
					t.Fatalf("stream ended before %q", want)
				}
				if l == want {
					goto next
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no %q within 10s", want)
			}
		}
	next:
	}
}

func (s *rawEvents) ended(t *testing.T) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-s.lines:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the stream did not end")
		}
	}
}

// TestPortalTwoStep drives the portal's code page: email code with a wrong
// attempt, a resend, switching to the authenticator app, and the account
// page's actions (connection code, TOTP on and off, email codes, signing a
// device out, signing out everywhere, deleting the account).
func TestPortalTwoStep(t *testing.T) {
	e := newEnv(t)
	const email, password = "paula@example.org", "Paula7Password"
	api1 := e.activeAccount(email, password)
	e.must(e.do("PUT", "/api/v1/account/profile", api1.AccessToken, api.Profile{Country: "NL"}), 200, nil)
	b := e.browser()

	// Sign in without a second factor, then turn on email codes from the page.
	res, _ := b.post("/signin", url.Values{"email": {email}, "password": {password}}, e.url)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/account" {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, page := b.post("/account/email-codes", url.Values{"email_codes": {"yes"}}, e.url)
	if res.StatusCode != 200 || !strings.Contains(page, "Saved.") || !strings.Contains(page, `id="email-codes" name="email_codes" type="checkbox" value="yes" checked`) {
		t.Fatalf("email codes on: %d %s", res.StatusCode, page)
	}

	t.Run("connection code", func(t *testing.T) {
		res, page := b.post("/account/connect", url.Values{}, e.url)
		m := regexp.MustCompile(`<code class="secret">([^<]+)</code>`).FindStringSubmatch(page)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("connect: %d %s", res.StatusCode, page)
		}
		var out api.SignInResponse
		e.must(e.do("POST", "/api/v1/sessions/exchange", "", api.TokenRequest{Token: m[1], DeviceName: "extension"}), 200, &out)
		if out.Tokens.Email != email {
			t.Fatalf("exchange %s", mustJSON(out))
		}
	})

	t.Run("authenticator app", func(t *testing.T) {
		res, page := b.post("/account/totp", url.Values{}, e.url)
		m := regexp.MustCompile(`<code id="totp-secret" class="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(page)
		if res.StatusCode != 200 || m == nil || !strings.Contains(page, `href="otpauth://totp/`) {
			t.Fatalf("enrol: %d %s", res.StatusCode, page)
		}
		secret := m[1]
		res, page = b.post("/account/totp/confirm", url.Values{"code": {"12345"}}, e.url)
		if res.StatusCode != 401 || !strings.Contains(page, secret) {
			t.Fatalf("bad confirm code: %d (the form must stay with the same key)", res.StatusCode)
		}
		code, _ := totp.GenerateCode(secret, e.clock.Now())
		res, page = b.post("/account/totp/confirm", url.Values{"code": {code}}, e.url)
		if res.StatusCode != 200 || !strings.Contains(page, "The authenticator app is on.") || strings.Count(page, `<li><code>`) != 10 {
			t.Fatalf("confirm: %d %s", res.StatusCode, page)
		}
	})

	// A second browser signs in: the code page starts with the app, can
	// switch to email, and takes a resend.
	b2 := e.browser()
	res, page = b2.post("/signin", url.Values{"email": {email}, "password": {password}}, e.url)
	if res.StatusCode != 200 || !strings.Contains(page, "Enter the 6-digit code from your authenticator app.") {
		t.Fatalf("code page: %d %s", res.StatusCode, page)
	}
	chID := regexp.MustCompile(`name="challenge_id" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
	for _, want := range []string{"Send a code by email", "Use a recovery code"} {
		if !strings.Contains(page, want) {
			t.Errorf("code page lacks %q", want)
		}
	}
	res, page = b2.post("/signin/method", url.Values{"challenge_id": {chID}, "method": {"recovery"}}, e.url)
	if res.StatusCode != 200 || !strings.Contains(page, "Enter one of your recovery codes.") {
		t.Fatalf("switch to recovery: %d", res.StatusCode)
	}
	res, page = b2.post("/signin/resend", url.Values{"challenge_id": {chID}, "method": {"email"}}, e.url)
	if res.StatusCode != 200 || !strings.Contains(page, "A new code is on its way.") || !strings.Contains(page, "We sent a 6-digit code to p***@example.org") {
		t.Fatalf("resend by email: %d %s", res.StatusCode, page)
	}
	code := e.codeMail(email, "security code")
	res, page = b2.post("/signin/code", url.Values{"challenge_id": {chID}, "method": {"email"}, "code": {otherCode(code)}}, e.url)
	if res.StatusCode != 401 || !strings.Contains(page, "The code is not right or has expired.") || !strings.Contains(page, chID) {
		t.Fatalf("wrong code: %d %s", res.StatusCode, page)
	}
	res, page = b2.post("/signin/resend", url.Values{"challenge_id": {chID}, "method": {"email"}}, e.url)
	if res.StatusCode != 429 || !strings.Contains(page, "Wait a moment before asking for another code.") {
		t.Fatalf("resend in the cool-down: %d %s", res.StatusCode, page)
	}
	res, _ = b2.post("/signin/code", url.Values{"challenge_id": {chID}, "method": {"email"}, "code": {code}}, e.url)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/account" {
		t.Fatalf("right code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = b2.post("/signin/code", url.Values{"challenge_id": {chID}, "method": {"email"}, "code": {code}}, e.url)
	if res.StatusCode != 401 {
		t.Fatalf("code page after the challenge was used: %d", res.StatusCode)
	}

	t.Run("sign a device out", func(t *testing.T) {
		_, page := b.get("/account")
		ids := regexp.MustCompile(`name="session_id" value="([0-9a-f]{32})"`).FindAllStringSubmatch(page, -1)
		if len(ids) < 2 {
			t.Fatalf("%d other devices listed", len(ids))
		}
		var devs api.DevicesResponse
		e.must(e.do("GET", "/api/v1/sessions", api1.AccessToken, nil), 200, &devs)
		target := ""
		for _, d := range devs.Devices {
			if d.Current {
				target = d.SessionID
			}
		}
		res, page := b.post("/account/devices/signout", url.Values{"session_id": {target}}, e.url)
		if res.StatusCode != 200 || !strings.Contains(page, "The device is signed out.") {
			t.Fatalf("sign out device: %d", res.StatusCode)
		}
		if r := e.do("GET", "/api/v1/account", api1.AccessToken, nil); r.status != 401 {
			t.Fatalf("signed-out device still works: %d", r.status)
		}
		res, page = b.post("/account/devices/signout", url.Values{"session_id": {target}}, e.url)
		if res.StatusCode != 404 || !strings.Contains(page, "That device was already signed out.") {
			t.Fatalf("sign out twice: %d", res.StatusCode)
		}
	})

	t.Run("turn the app off", func(t *testing.T) {
		res, page := b.post("/account/totp/disable", url.Values{"password": {"Wrong7Password"}}, e.url)
		if res.StatusCode != 403 || !strings.Contains(page, "The account password is not right.") {
			t.Fatalf("wrong password: %d", res.StatusCode)
		}
		res, page = b.post("/account/totp/disable", url.Values{"password": {password}}, e.url)
		if res.StatusCode != 200 || !strings.Contains(page, "The authenticator app is off.") || !strings.Contains(page, "Set up an authenticator app") {
			t.Fatalf("disable: %d", res.StatusCode)
		}
	})

	t.Run("sign out everywhere", func(t *testing.T) {
		res, page := b2.post("/account/devices/signout-all", url.Values{}, e.url)
		if res.StatusCode != 200 || !strings.Contains(page, "Every device and browser is signed out.") {
			t.Fatalf("sign out everywhere: %d", res.StatusCode)
		}
		for _, br := range []*browser{b, b2} {
			if res, _ := br.get("/account"); res.StatusCode != 303 {
				t.Fatalf("account page after signing out everywhere: %d", res.StatusCode)
			}
		}
		if res, _ := b.post("/account/connect", url.Values{}, e.url); res.StatusCode != 401 {
			t.Fatalf("action without a session: %d", res.StatusCode)
		}
	})

	t.Run("delete the account", func(t *testing.T) {
		res, page := b.post("/signin", url.Values{"email": {email}, "password": {password}}, e.url)
		if res.StatusCode != 200 || !strings.Contains(page, "We sent a 6-digit code") {
			t.Fatalf("sign in with email codes: %d", res.StatusCode)
		}
		id := regexp.MustCompile(`name="challenge_id" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
		fresh := e.codeMail(email, "security code", code)
		if res, _ := b.post("/signin/code", url.Values{"challenge_id": {id}, "method": {"email"}, "code": {fresh}}, e.url); res.StatusCode != 303 {
			t.Fatalf("code: %d", res.StatusCode)
		}
		res, page = b.post("/account/delete", url.Values{"password": {"Wrong7Password"}}, e.url)
		if res.StatusCode != 403 {
			t.Fatalf("delete with a wrong password: %d", res.StatusCode)
		}
		res, page = b.post("/account/delete", url.Values{"password": {password}}, e.url)
		if res.StatusCode != 200 || !strings.Contains(page, "Your account and the encrypted vault stored here are deleted.") {
			t.Fatalf("delete: %d %s", res.StatusCode, page)
		}
		e.mailTo(email, "deleted")
		if r := e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}); r.status != 401 {
			t.Fatalf("sign-in after deletion: %d", r.status)
		}
	})
}
