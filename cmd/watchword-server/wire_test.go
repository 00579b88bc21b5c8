package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"watchword/server/oidc/oidctest"
	"watchword/server/pow"
	"watchword/server/sms"
	"watchword/wasm/api"
)

// startWith runs the binary with extra flags.
func startWith(t *testing.T, bin, data, addr string, extra ...string) *proc {
	t.Helper()
	p := &proc{base: "http://" + addr, log: &syncBuf{}}
	args := append([]string{"-addr", addr, "-data", data, "-pow-difficulty", "1"}, extra...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), "WATCHWORD_DATABASE_URL=")
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(p.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start:\n%s", p.log)
	return nil
}

// activeAccount registers and confirms an account through the binary's
// outbox and signs in.
func activeAccount(t *testing.T, p *proc, data, email, password string) *api.Tokens {
	t.Helper()
	var ch api.PoWChallenge
	if _, err := call(t, p.base, "GET", "/api/v1/pow", "", nil, &ch); err != nil {
		t.Fatal(err)
	}
	nonce, _ := pow.Solve(context.Background(), ch.Challenge)
	if st, err := call(t, p.base, "POST", "/api/v1/accounts", "", api.RegisterRequest{Email: email, Password: password,
		Statement: api.StatementDecision{Decision: "skipped", Version: "1"}, PoW: api.PoWSolution{Challenge: ch.Challenge, Nonce: nonce}}, nil); st != 202 {
		t.Fatalf("register: %d %v", st, err)
	}
	token := activationToken(t, filepath.Join(data, "outbox"))
	if st, _ := call(t, p.base, "POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: token}, nil); st != 200 {
		t.Fatalf("activate: %d", st)
	}
	var si api.SignInResponse
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}, &si); st != 200 || si.Tokens == nil {
		t.Fatalf("sign in: %d", st)
	}
	return si.Tokens
}

// smsReceiver is an SMS gateway on 127.0.0.1 that checks the bearer token
// and the signature and keeps each message.
type smsReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	msgs   []map[string]string
	failed []string
	got    chan struct{}
}

func newSMSReceiver(t *testing.T, token string, key []byte) *smsReceiver {
	r := &smsReceiver{got: make(chan struct{}, 16)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.Header.Get("Authorization") != "Bearer "+token {
			r.failed = append(r.failed, "bearer token")
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if err := sms.VerifySignature(key, req.Header.Get("Watchword-Signature"), body, time.Now(), time.Minute); err != nil {
			r.failed = append(r.failed, "signature: "+err.Error())
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil || req.Header.Get("Content-Type") != "application/json" {
			r.failed = append(r.failed, "body")
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		r.msgs = append(r.msgs, m)
		r.got <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *smsReceiver) next(t *testing.T) map[string]string {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(10 * time.Second):
		r.mu.Lock()
		defer r.mu.Unlock()
		t.Fatalf("no text message within 10s (refused: %v)", r.failed)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgs[len(r.msgs)-1]
}

// TestSMSSignIn: with -sms-webhook the server offers codes by text message,
// POSTs them signed to the gateway, and accepts the code once.
func TestSMSSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server binary")
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	recv := newSMSReceiver(t, "gateway-token", key)
	bin := binary(t)
	data := t.TempDir()
	p := startWith(t, bin, data, freeAddr(t), "-sms-webhook", recv.srv.URL+"/send",
		"-sms-webhook-token", "gateway-token", "-sms-webhook-key", hex.EncodeToString(key))

	const email, password, phone = "sid@example.org", "Sid7Password", "+4915112345678"
	tk := activeAccount(t, p, data, email, password)
	if st, _ := call(t, p.base, "PUT", "/api/v1/account/two-step", tk.AccessToken, api.TwoStepSettings{SMSCodes: true, Phone: "+49 151 12345678"}, nil); st != 200 {
		t.Fatalf("turn SMS codes on: %d", st)
	}
	var out api.SignInResponse
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}, &out); st != 200 || out.TwoStep == nil {
		t.Fatalf("sign in: %d %+v", st, out)
	}
	if out.TwoStep.Method != api.MethodSMS || !strings.HasPrefix(out.TwoStep.MaskedTarget, "+49") || strings.Contains(out.TwoStep.MaskedTarget, "12345678") {
		t.Fatalf("challenge %+v", out.TwoStep)
	}
	m := recv.next(t)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(m["message"])
	if m["to"] != phone || code == "" {
		t.Fatalf("text message %v", m)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "sms", Code: wrong}, nil); st != 401 {
		t.Fatalf("wrong code: %d", st)
	}
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "email", Code: code}, nil); st != 401 {
		t.Fatalf("SMS code as an email code: %d", st)
	}
	var done api.SignInResponse
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "sms", Code: code}, &done); st != 200 || done.Tokens == nil {
		t.Fatalf("right code: %d", st)
	}
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "sms", Code: code}, nil); st != 401 {
		t.Fatalf("code used twice: %d", st)
	}
	if strings.Contains(p.log.String(), code) {
		t.Fatal("the log holds the code")
	}
}

// TestOIDCSignIn: a provider configured with -oidc appears in the list, and
// a sign-in runs end to end against a real provider on 127.0.0.1
// (discovery, authorization with PKCE S256, token endpoint, JWKS); a
// provider whose ID tokens are wrong in any way is refused.
func TestOIDCSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server binary")
	}
	addr := freeAddr(t)
	public := "http://" + addr
	idp := oidctest.Start(t, oidctest.Options{RedirectURL: public + "/oidc/callback",
		User: oidctest.User{Subject: "sub-42", Email: "Olga@Example.org", EmailVerified: true}})
	bin := binary(t)
	data := t.TempDir()
	spec := strings.Join([]string{"testidp", "Test Identity", idp.Issuer(), idp.ClientID(), idp.ClientSecret()}, "|")
	p := startWith(t, bin, data, addr, "-oidc", spec)

	var list api.IdentityProviders
	if st, _ := call(t, p.base, "GET", "/api/v1/oidc/providers", "", nil, &list); st != 200 || len(list.Providers) != 1 {
		t.Fatalf("providers: %d %+v", st, list)
	}
	start := list.Providers[0].StartURL
	if list.Providers[0].Name != "Test Identity" || !strings.HasPrefix(start, public+"/oidc/testidp/start") {
		t.Fatalf("provider %+v", list.Providers[0])
	}

	// signInFrom plays the browser: a start URL, the provider's
	// authorization, back to the callback; signIn starts as the portal does.
	signInFrom := func(t *testing.T, from string) (*http.Client, *http.Response) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(from)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		auth, err := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != 302 || err != nil || !strings.HasPrefix(auth.String(), idp.Issuer()) {
			t.Fatalf("start: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		q := auth.Query()
		if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("nonce") == "" || q.Get("redirect_uri") != public+"/oidc/callback" {
			t.Fatalf("authorization request %v", q)
		}
		code, state, err := idp.Authorize(auth.String())
		if err != nil {
			t.Fatal(err)
		}
		res, err = c.Get(public + "/oidc/callback?" + url.Values{"code": {code}, "state": {state}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return c, res
	}
	signIn := func(t *testing.T) (*http.Client, *http.Response) {
		t.Helper()
		return signInFrom(t, start)
	}

	c, res := signIn(t)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/profile" {
		t.Fatalf("callback: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), p.log)
	}
	res, err := c.Get(public + "/account")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "olga@example.org") {
		t.Fatalf("account page after the provider's sign-in: %d", res.StatusCode)
	}
	// The second sign-in finds the linked account.
	if _, res := signIn(t); res.StatusCode != 303 {
		t.Fatalf("second sign-in: %d", res.StatusCode)
	}

	for name, m := range map[string]oidctest.Misbehaviour{
		"wrong nonce": oidctest.WrongNonce, "wrong audience": oidctest.WrongAudience, "extra audience": oidctest.ExtraAudience,
		"expired": oidctest.Expired, "bad signature": oidctest.BadSignature, "wrong issuer": oidctest.WrongIssuer,
		"bad access token hash": oidctest.BadAccessTokenHash, "no id token": oidctest.NoIDToken,
	} {
		t.Run(name, func(t *testing.T) {
			idp.Misbehave(m)
			defer idp.Misbehave(oidctest.Behave)
			c, res := signIn(t)
			if res.StatusCode != 401 {
				t.Fatalf("callback: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			u, _ := url.Parse(public)
			if len(c.Jar.Cookies(u)) != 0 {
				t.Fatal("a refused sign-in set a cookie")
			}
		})
	}

	// A sign-in the extension starts (chrome.identity.launchWebAuthFlow)
	// ends at its identity redirect: with a one-time code the extension
	// exchanges for tokens, or, when refused, with the reason.
	t.Run("from the extension", func(t *testing.T) {
		const redirect = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/oidc"
		extStart := list.Providers[0].StartURL + "?" + url.Values{"redirect_uri": {redirect}}.Encode()
		back := func(t *testing.T) url.Values {
			t.Helper()
			_, res := signInFrom(t, extStart)
			loc, err := url.Parse(res.Header.Get("Location"))
			if res.StatusCode != 302 || err != nil || loc.Scheme+"://"+loc.Host+loc.Path != redirect {
				t.Fatalf("callback: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			return loc.Query()
		}
		q := back(t)
		var signed api.SignInResponse
		if st, err := call(t, p.base, "POST", "/api/v1/sessions/exchange", "", map[string]string{"token": q.Get("code"), "device_name": "test"}, &signed); st != 200 || signed.Tokens == nil || signed.Tokens.Email != "olga@example.org" {
			t.Fatalf("exchange: %d %v %+v", st, err, signed)
		}
		idp.Misbehave(oidctest.BadSignature)
		defer idp.Misbehave(oidctest.Behave)
		q = back(t)
		if q.Get("code") != "" || q.Get("error") != "access_denied" || q.Get("error_description") != "The provider's answer could not be verified." {
			t.Fatalf("refused sign-in came back with %v", q)
		}
	})

	t.Run("state used twice", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, _ := c.Get(start)
		res.Body.Close()
		code, state, err := idp.Authorize(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		cb := public + "/oidc/callback?" + url.Values{"code": {code}, "state": {state}}.Encode()
		if res, _ := c.Get(cb); res.StatusCode != 303 {
			t.Fatalf("first: %d", res.StatusCode)
		}
		if res, _ := c.Get(cb); res.StatusCode != 400 {
			t.Fatalf("replayed callback: %d", res.StatusCode)
		}
	})
}

// syncBuf is a log buffer written by the child process's pipe goroutine and
// read by the test.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
