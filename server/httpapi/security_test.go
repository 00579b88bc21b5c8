package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"watchword/wasm/api"
)

var requestIDs = regexp.MustCompile(`"request_id":"[0-9a-f]+"`)

// answer is what a client can observe, request id removed.
func answer(r resp) string {
	h := r.header.Clone()
	h.Del("Date")
	h.Del("X-Request-Id")
	var keys []string
	for k, v := range h {
		keys = append(keys, k+": "+strings.Join(v, ","))
	}
	return fmt.Sprintf("%d %v %s", r.status, sortStrings(keys), requestIDs.ReplaceAllString(string(r.body), ""))
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

var challengeIDs = regexp.MustCompile(`"challenge_id":"[0-9a-f]{32}"`)

// TestEnumeration: every prelogin answer is the same for a registered
// address and an unknown one.
func TestEnumeration(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("known@example.org", "Known7Password")
	e.must(e.do("POST", "/api/v1/accounts", "", e.registerReq("pending@example.org", "Pending7Password")), 202, nil)

	cases := []struct {
		name string
		req  func(email string) resp
	}{
		{"register", func(a string) resp { return e.do("POST", "/api/v1/accounts", "", e.registerReq(a, "Another7Password")) }},
		{"register weak password", func(a string) resp { return e.do("POST", "/api/v1/accounts", "", e.registerReq(a, "weak")) }},
		{"sign-in", func(a string) resp {
			return e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: a, Password: "Wrong7Password"})
		}},
		{"resend", func(a string) resp { return e.do("POST", "/api/v1/accounts/resend", "", api.EmailRequest{Email: a}) }},
		{"password reset", func(a string) resp { return e.do("POST", "/api/v1/password-reset", "", api.EmailRequest{Email: a}) }},
		{"unlock", func(a string) resp { return e.do("POST", "/api/v1/sessions/unlock", "", api.EmailRequest{Email: a}) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, known := range []string{"known@example.org", "pending@example.org"} {
				a := answer(c.req(known))
				u := answer(c.req("nobody-" + strings.Split(known, "@")[0] + "@example.org"))
				a, u = challengeIDs.ReplaceAllString(a, ""), challengeIDs.ReplaceAllString(u, "")
				if a != u {
					t.Errorf("%s:\nknown   %s\nunknown %s", known, a, u)
				}
			}
		})
	}
	// The owner of the registered address was told, by mail.
	e.mailTo("known@example.org", "tried to create")
}

// TestBruteForce: 150 concurrent wrong passwords meet exactly 100 password
// checks; 50 concurrent wrong codes meet exactly 5 code checks.
func TestBruteForce(t *testing.T) {
	e := newEnv(t)
	const email, password = "target@example.org", "Target7Password"
	e.activeAccount(email, password)

	statuses := func(n int, f func() resp) map[int]int {
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f()
				mu.Lock()
				got[r.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return got
	}

	t.Run("passwords", func(t *testing.T) {
		got := statuses(150, func() resp {
			return e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: "Wrong7Password"})
		})
		if got[401] != 100 || got[429] != 50 {
			t.Fatalf("statuses %v, want 100×401 and 50×429", got)
		}
		// Cooled down: the right password alone is refused too...
		if r := e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}); r.status != 429 {
			t.Fatalf("right password during cool-down: %d %s", r.status, r.body)
		}
		// ...but the owner gets in with an emailed code and the password.
		var u api.UnlockResponse
		e.must(e.do("POST", "/api/v1/sessions/unlock", "", api.EmailRequest{Email: email}), 202, &u)
		m := e.mailTo(email, "sign-in code")
		code := regexp.MustCompile(`\b\d{6}\b`).FindString(m.Text)
		if r := e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password, UnlockChallenge: u.ChallengeID, UnlockCode: "000000"}); r.status != 401 && code != "000000" {
			t.Fatalf("wrong unlock code: %d", r.status)
		}
		e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password, UnlockChallenge: u.ChallengeID, UnlockCode: code}), 200, nil)
	})

	t.Run("codes", func(t *testing.T) {
		tk := e.signIn(email, password)
		e.must(e.do("PUT", "/api/v1/account/two-step", tk.AccessToken, api.TwoStepSettings{EmailCodes: true}), 200, nil)
		var out api.SignInResponse
		e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
		if out.TwoStep == nil || out.TwoStep.Method != api.MethodEmail {
			t.Fatalf("no email challenge: %s", mustJSON(out))
		}
		m := e.mailTo(email, "security code")
		right := regexp.MustCompile(`\b\d{6}\b`).FindString(m.Text)
		wrong := "000000"
		if right == wrong {
			wrong = "000001"
		}
		got := statuses(50, func() resp {
			return e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "email", Code: wrong})
		})
		if got[401] != 5 || got[429] != 45 {
			t.Fatalf("statuses %v, want 5×401 and 45×429", got)
		}
		// The challenge is gone: even the right code no longer works.
		if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "email", Code: right}); r.status == 200 {
			t.Fatal("right code accepted after the attempts ran out")
		}
	})
}

// TestTokens: reused, expired, wrong-purpose, other-account and forged-Host
// tokens are all refused.
func TestTokens(t *testing.T) {
	e := newEnv(t)
	a := e.activeAccount("alice@example.org", "Alice7Password")
	b := e.activeAccount("bob@example.org", "Bob7Password")

	t.Run("refresh rotation and reuse", func(t *testing.T) {
		var r1 api.SignInResponse
		e.must(e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: a.RefreshToken}), 200, &r1)
		if r := e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: a.RefreshToken}); r.status != 401 {
			t.Fatalf("reused refresh token: %d", r.status)
		}
		// The reuse revoked the device: the rotated tokens die too.
		if r := e.do("GET", "/api/v1/account", r1.Tokens.AccessToken, nil); r.status != 401 {
			t.Fatalf("access after reuse: %d", r.status)
		}
		if r := e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: r1.Tokens.RefreshToken}); r.status != 401 {
			t.Fatalf("refresh after reuse: %d", r.status)
		}
	})
	t.Run("access token expiry", func(t *testing.T) {
		tk := e.signIn("bob@example.org", "Bob7Password")
		e.must(e.do("GET", "/api/v1/account", tk.AccessToken, nil), 200, nil)
		e.clock.Advance(16 * time.Minute)
		defer e.clock.Advance(-16 * time.Minute)
		if r := e.do("GET", "/api/v1/account", tk.AccessToken, nil); r.status != 401 {
			t.Fatalf("expired access token: %d", r.status)
		}
	})
	t.Run("wrong purpose", func(t *testing.T) {
		e.must(e.do("POST", "/api/v1/password-reset", "", api.EmailRequest{Email: "bob@example.org"}), 202, nil)
		reset := e.linkToken(e.mailTo("bob@example.org", "Reset"), "/reset/confirm")
		if r := e.do("POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: reset}); r.status != 404 {
			t.Fatalf("reset token used for activation: %d", r.status)
		}
		if r := e.do("POST", "/api/v1/sessions/exchange", "", api.TokenRequest{Token: reset}); r.status != 404 {
			t.Fatalf("reset token used as hand-off: %d", r.status)
		}
		if r := e.do("GET", "/api/v1/account", reset, nil); r.status != 401 {
			t.Fatalf("reset token used as access token: %d", r.status)
		}
		if r := e.do("GET", "/api/v1/account", b.RefreshToken, nil); r.status != 401 {
			t.Fatalf("refresh token used as access token: %d", r.status)
		}
		// Still good for its purpose (not burned by the misuse).
		e.must(e.do("POST", "/api/v1/password-reset/confirm", "", api.PasswordResetConfirm{Token: reset, Password: "Bob8Password"}), 204, nil)
		if r := e.do("POST", "/api/v1/password-reset/confirm", "", api.PasswordResetConfirm{Token: reset, Password: "Bob9Password"}); r.status != 404 {
			t.Fatalf("reset link reused: %d", r.status)
		}
		// Every device was signed out by the reset.
		if r := e.do("GET", "/api/v1/account", b.AccessToken, nil); r.status != 401 {
			t.Fatalf("old session after reset: %d", r.status)
		}
		e.signIn("bob@example.org", "Bob8Password")
	})
	t.Run("other account", func(t *testing.T) {
		alice := e.signIn("alice@example.org", "Alice7Password")
		bob := e.signIn("bob@example.org", "Bob8Password")
		if r := e.do("DELETE", "/api/v1/sessions/"+bob.SessionID, alice.AccessToken, nil); r.status != 404 {
			t.Fatalf("signing out another account's device: %d", r.status)
		}
		e.must(e.do("GET", "/api/v1/account", bob.AccessToken, nil), 200, nil)
		// Vaults are per account.
		e.must(e.do("PUT", "/api/v1/vault", alice.AccessToken, testHeader()), 200, nil)
		e.must(e.do("POST", "/api/v1/vault/entries", alice.AccessToken, api.PushRequest{IdempotencyKey: "k", Changes: []api.Change{{ID: hexID(9), Ciphertext: []byte("alice's")}}}), 200, nil)
		var pull api.PullResponse
		e.must(e.do("GET", "/api/v1/vault/entries", bob.AccessToken, nil), 200, &pull)
		if len(pull.Entries) != 0 {
			t.Fatalf("bob sees %d entries of alice", len(pull.Entries))
		}
	})
	t.Run("forged host header", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.url+"/api/v1/password-reset", strings.NewReader(`{"email":"alice@example.org"}`))
		req.Host = "evil.example"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-Host", "evil.example")
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		m := e.mailTo("alice@example.org", "Reset")
		if strings.Contains(m.Text, "evil.example") {
			t.Fatalf("mail links follow the Host header: %s", m.Text)
		}
		e.linkToken(m, "/reset/confirm") // checks the link is under the public URL
	})
	t.Run("garbage tokens", func(t *testing.T) {
		for _, tok := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("é", 20)} {
			if r := e.do("POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: tok}); r.status != 404 {
				t.Errorf("activate %q: %d", tok, r.status)
			}
			if r := e.do("GET", "/api/v1/account", tok, nil); r.status != 401 {
				t.Errorf("bearer %q: %d", tok, r.status)
			}
		}
	})
}

// TestBadInput: malformed requests get a clear 4xx and store nothing.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	tk := e.activeAccount("carol@example.org", "Carol7Password")
	e.must(e.do("PUT", "/api/v1/vault", tk.AccessToken, testHeader()), 200, nil)

	big := bytes.Repeat([]byte("a"), 40<<20)
	cases := []struct {
		name, method, path, ctype string
		body                      any
		status                    int
		code                      api.Code
	}{
		{"oversized register", "POST", "/api/v1/accounts", "application/json", `{"email":"` + strings.Repeat("a", 20000) + `"}`, 413, api.CodeTooLarge},
		{"oversized push", "POST", "/api/v1/vault/entries", "application/json", big, 413, api.CodeTooLarge},
		{"malformed json", "POST", "/api/v1/vault/entries", "application/json", `{"idempotency_key":`, 400, api.CodeBadRequest},
		{"two values", "POST", "/api/v1/vault/entries", "application/json", `{"idempotency_key":"a","changes":[]} {}`, 400, api.CodeBadRequest},
		{"unknown field", "POST", "/api/v1/vault/entries", "application/json", `{"idempotency_key":"a","changez":[]}`, 400, api.CodeBadRequest},
		{"invalid utf-8", "POST", "/api/v1/sessions", "application/json", "{\"email\":\"\xff\xfe@example.org\",\"password\":\"x\"}", 400, api.CodeBadRequest},
		{"wrong content type", "POST", "/api/v1/vault/entries", "text/plain", `{}`, 415, api.CodeUnsupportedMedia},
		{"no content type", "POST", "/api/v1/sessions", "", `{}`, 415, api.CodeUnsupportedMedia},
		{"form to api", "POST", "/api/v1/accounts", "application/x-www-form-urlencoded", "email=a", 415, api.CodeUnsupportedMedia},
		{"no idempotency key", "POST", "/api/v1/vault/entries", "application/json", api.PushRequest{Changes: []api.Change{{ID: hexID(1), Ciphertext: []byte("x")}}}, 400, api.CodeBadRequest},
		{"bad entry id", "POST", "/api/v1/vault/entries", "application/json", api.PushRequest{IdempotencyKey: "k1", Changes: []api.Change{{ID: "../../etc", Ciphertext: []byte("x")}}}, 422, api.CodeInvalid},
		{"upper-case id", "POST", "/api/v1/vault/entries", "application/json", api.PushRequest{IdempotencyKey: "k2", Changes: []api.Change{{ID: strings.ToUpper(hexID(0xab)), Ciphertext: []byte("x")}}}, 422, api.CodeInvalid},
		{"too many changes", "POST", "/api/v1/vault/entries", "application/json", manyChanges(api.MaxPushChanges + 1), 413, api.CodeTooLarge},
		{"entry too large", "POST", "/api/v1/vault/entries", "application/json", api.PushRequest{IdempotencyKey: "k3", Changes: []api.Change{{ID: hexID(3), Ciphertext: make([]byte, api.MaxEntryCiphertext+1)}}}, 413, api.CodeTooLarge},
		{"negative base", "POST", "/api/v1/vault/entries", "application/json", api.PushRequest{IdempotencyKey: "k4", Changes: []api.Change{{ID: hexID(4), BaseRevision: -1, Ciphertext: []byte("x")}}}, 422, api.CodeInvalid},
		{"huge page", "GET", "/api/v1/vault/entries?limit=1000000000", "", nil, 413, api.CodeTooLarge},
		{"negative page", "GET", "/api/v1/vault/entries?limit=-1", "", nil, 400, api.CodeBadRequest},
		{"garbage since", "GET", "/api/v1/vault/entries?since=abc", "", nil, 400, api.CodeBadRequest},
		{"overflowing since", "GET", "/api/v1/vault/entries?since=99999999999999999999999", "", nil, 400, api.CodeBadRequest},
		{"weak kdf", "PUT", "/api/v1/vault", "application/json", weakHeader(), 422, api.CodeInvalid},
		{"unknown endpoint", "GET", "/api/v1/nothing", "", nil, 404, api.CodeNotFound},
		{"wrong method", "DELETE", "/api/v1/vault/revision", "", nil, 405, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.doCT(c.method, c.path, tk.AccessToken, c.ctype, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.body)
			}
			if c.code != "" {
				var er api.ErrorResponse
				if err := jsonUnmarshal(r.body, &er); err != nil || er.Error.Code != c.code || er.Error.Message == "" || er.RequestID == "" {
					t.Fatalf("body %.300s, want code %s with a message and request id", r.body, c.code)
				}
			}
		})
	}
	var pull api.PullResponse
	e.must(e.do("GET", "/api/v1/vault/entries", tk.AccessToken, nil), 200, &pull)
	if pull.Revision != 0 || len(pull.Entries) != 0 {
		t.Fatalf("bad input stored something: %s", mustJSON(pull))
	}
	var hdr api.VaultHeader
	e.must(e.do("GET", "/api/v1/vault", tk.AccessToken, nil), 200, &hdr)
	if hdr.KDF.MemoryKiB != api.DefaultKDFMemoryKiB {
		t.Fatal("weak KDF parameters were stored")
	}
}

func manyChanges(n int) api.PushRequest {
	req := api.PushRequest{IdempotencyKey: "many"}
	for i := 0; i < n; i++ {
		req.Changes = append(req.Changes, api.Change{ID: fmt.Sprintf("%032x", i+1), Ciphertext: []byte("x")})
	}
	return req
}

func weakHeader() api.VaultHeader {
	h := testHeader()
	h.KDF.MemoryKiB = 1024
	return h
}

// TestSentinel: the server stores exactly the ciphertext bytes it is given
// and logs no body and no password.
func TestSentinel(t *testing.T) {
	e := newEnv(t)
	const password = "Sentinel7AccountPassword"
	tk := e.activeAccount("dave@example.org", password)
	e.must(e.do("PUT", "/api/v1/vault", tk.AccessToken, testHeader()), 200, nil)
	sentinel := []byte("SENTINEL-PLAINTEXT-7f3a9c")
	ct := append(append([]byte{0x01, 0x02}, sentinel...), 0x03)
	e.must(e.do("POST", "/api/v1/vault/entries", tk.AccessToken, api.PushRequest{IdempotencyKey: "s", Changes: []api.Change{{ID: hexID(7), Ciphertext: ct}}}), 200, nil)

	// A gzip pull returns the same bytes.
	req, _ := http.NewRequest("GET", e.url+"/api/v1/vault/entries?limit=10", nil)
	req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := raw
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(zr)
	}
	var pull api.PullResponse
	if err := jsonUnmarshal(body, &pull); err != nil || len(pull.Entries) != 1 || !bytes.Equal(pull.Entries[0].Ciphertext, ct) {
		t.Fatalf("pull: %v %s", err, body)
	}

	logs := e.logs.String()
	for _, secret := range []string{string(sentinel), password, tk.AccessToken, tk.RefreshToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	if e.dbPath != "" {
		e.store.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(e.dbPath + suffix)
			if err != nil {
				continue
			}
			if bytes.Contains(b, []byte(password)) || bytes.Contains(b, []byte(tk.AccessToken)) {
				t.Errorf("%s holds the account password or an access token", e.dbPath+suffix)
			}
			if suffix == "" && bytes.Count(b, sentinel) == 0 && !bytes.Contains(mustRead(t, e.dbPath+"-wal"), sentinel) {
				t.Errorf("the ciphertext was not stored as given")
			}
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, _ := os.ReadFile(p)
	return b
}
