package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"watchword/wasm/api"
)

func hexID(n byte) string {
	return strings.Repeat("0", 30) + string("0123456789abcdef"[n>>4]) + string("0123456789abcdef"[n&15])
}

func testHeader() api.VaultHeader {
	return api.VaultHeader{VaultID: hexID(0xaa), WrappedKey: []byte("wrapped-key-bytes"), KDF: api.KDFParams{
		Algorithm: api.KDFArgon2id, Salt: make([]byte, api.KDFSaltSize), MemoryKiB: api.DefaultKDFMemoryKiB, Time: api.DefaultKDFTime, Threads: api.DefaultKDFThreads}}
}

// TestRegistrationToSync walks the whole path through the HTTP API:
// register → activation mail over SMTP → activate → profile → sign in →
// TOTP on → sign in with TOTP → vault header → push → pull, with the event
// stream announcing the new revision.
func TestRegistrationToSync(t *testing.T) {
	e := newEnv(t)
	const email, password = "Ada@Example.org", "Correct7Horse"

	var reg api.RegisterResponse
	e.must(e.do("POST", "/api/v1/accounts", "", e.registerReq(email, password)), 202, &reg)
	if reg.Status != "check_email" {
		t.Fatalf("register answered %+v", reg)
	}
	m := e.mailTo("ada@example.org", "Confirm")
	tok := e.linkToken(m, "/activate")

	// Before activation: sign-in works, the vault does not.
	early := e.signIn(email, password)
	if early.Activated {
		t.Fatal("tokens say activated before the link was used")
	}
	if r := e.do("GET", "/api/v1/vault/revision", early.AccessToken, nil); r.status != 403 || r.errCode() != api.CodeNotActivated {
		t.Fatalf("vault before activation: %d %s", r.status, r.body)
	}

	var info api.AccountInfo
	e.must(e.do("POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: tok}), 200, &info)
	if !info.Activated || info.Email != "ada@example.org" {
		t.Fatalf("activate answered %+v", info)
	}
	if r := e.do("POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: tok}); r.status != 404 {
		t.Fatalf("second use of the activation link: %d %s", r.status, r.body)
	}

	tk := e.signIn(email, password)
	if !tk.Activated {
		t.Fatal("tokens say not activated")
	}
	// Profile: a country is required and must be real.
	for name, p := range map[string]api.Profile{
		"no country":      {TimeZone: "Europe/Berlin"},
		"unknown country": {Country: "XX"},
		"bad zone":        {Country: "DE", TimeZone: "Mars/Olympus"},
	} {
		t.Run("profile/"+name, func(t *testing.T) {
			if r := e.do("PUT", "/api/v1/account/profile", tk.AccessToken, p); r.status != 422 || r.errCode() != api.CodeInvalid {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	e.must(e.do("PUT", "/api/v1/account/profile", tk.AccessToken, api.Profile{Country: "DE", TimeZone: "Europe/Berlin", DateFormat: "dd.mm.yyyy"}), 200, &info)
	if info.Profile.Country != "DE" {
		t.Fatalf("profile not saved: %+v", info)
	}

	// TOTP enrolment.
	var enrol api.TOTPEnrolment
	e.must(e.do("POST", "/api/v1/account/totp", tk.AccessToken, nil), 200, &enrol)
	code, _ := totp.GenerateCode(enrol.Secret, e.clock.Now())
	var rc api.RecoveryCodes
	e.must(e.do("POST", "/api/v1/account/totp/confirm", tk.AccessToken, api.CodeRequest{Code: code}), 200, &rc)
	if len(rc.Codes) != 10 {
		t.Fatalf("%d recovery codes", len(rc.Codes))
	}

	// Sign-in now needs the second step; the code just used is refused.
	var out api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password, DeviceName: "laptop"}), 200, &out)
	if out.TwoStep == nil || out.Tokens != nil || out.TwoStep.Method != api.MethodTOTP {
		t.Fatalf("sign-in with TOTP on answered %s", mustJSON(out))
	}
	ch := out.TwoStep.ChallengeID
	if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: ch, Method: "totp", Code: code}); r.status != 401 {
		t.Fatalf("replayed TOTP code: %d %s", r.status, r.body)
	}
	e.clock.Advance(30 * time.Second)
	next, _ := totp.GenerateCode(enrol.Secret, e.clock.Now())
	e.must(e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: ch, Method: "totp", Code: next}), 200, &out)
	if out.Tokens == nil {
		t.Fatal("verify gave no tokens")
	}
	dev := out.Tokens

	// A recovery code works once.
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
	e.must(e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "recovery", Code: strings.ToUpper(rc.Codes[0])}), 200, nil)
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}), 200, &out)
	if r := e.do("POST", "/api/v1/sessions/verify", "", api.VerifyRequest{ChallengeID: out.TwoStep.ChallengeID, Method: "recovery", Code: rc.Codes[0]}); r.status != 401 {
		t.Fatalf("reused recovery code: %d %s", r.status, r.body)
	}

	// Vault: header, then events, push and pull.
	if r := e.do("GET", "/api/v1/vault", dev.AccessToken, nil); r.status != 404 {
		t.Fatalf("header before upload: %d %s", r.status, r.body)
	}
	e.must(e.do("PUT", "/api/v1/vault", dev.AccessToken, testHeader()), 200, nil)
	var hdr api.VaultHeader
	e.must(e.do("GET", "/api/v1/vault", dev.AccessToken, nil), 200, &hdr)
	if hdr.VaultID != testHeader().VaultID {
		t.Fatalf("header %+v", hdr)
	}

	events := e.openEvents(dev.AccessToken)
	if rev := events.next(t); rev != 0 {
		t.Fatalf("first event revision %d, want 0", rev)
	}
	push := api.PushRequest{IdempotencyKey: "push-1", Changes: []api.Change{
		{ID: hexID(1), Ciphertext: []byte("ciphertext one")},
		{ID: hexID(2), Ciphertext: []byte("ciphertext two")},
	}}
	var pr api.PushResponse
	e.must(e.do("POST", "/api/v1/vault/entries", dev.AccessToken, push), 200, &pr)
	if len(pr.Results) != 2 || !pr.Results[0].Accepted || !pr.Results[1].Accepted || pr.Revision == 0 {
		t.Fatalf("push answered %s", mustJSON(pr))
	}
	if rev := events.next(t); rev != pr.Revision {
		t.Fatalf("event revision %d, want %d", rev, pr.Revision)
	}
	// A retried push returns the first answer and applies nothing.
	var again api.PushResponse
	e.must(e.do("POST", "/api/v1/vault/entries", dev.AccessToken, push), 200, &again)
	if mustJSON(again) != mustJSON(pr) {
		t.Fatalf("retried push answered %s, first %s", mustJSON(again), mustJSON(pr))
	}
	// A stale base revision is refused with the current copy.
	var conflict api.PushResponse
	e.must(e.do("POST", "/api/v1/vault/entries", dev.AccessToken, api.PushRequest{IdempotencyKey: "push-2",
		Changes: []api.Change{{ID: hexID(1), BaseRevision: 0, Ciphertext: []byte("stale")}}}), 200, &conflict)
	if conflict.Results[0].Accepted || conflict.Results[0].Current == nil || string(conflict.Results[0].Current.Ciphertext) != "ciphertext one" {
		t.Fatalf("stale push answered %s", mustJSON(conflict))
	}

	var pull api.PullResponse
	e.must(e.do("GET", "/api/v1/vault/entries?since=0", tk.AccessToken, nil), 200, &pull)
	if pull.Revision != pr.Revision || len(pull.Entries) != 2 || string(pull.Entries[1].Ciphertext) != "ciphertext two" {
		t.Fatalf("pull answered %s", mustJSON(pull))
	}
	var rev api.RevisionResponse
	e.must(e.do("GET", "/api/v1/vault/revision", tk.AccessToken, nil), 200, &rev)
	if rev.Revision != pr.Revision {
		t.Fatalf("revision %d, want %d", rev.Revision, pr.Revision)
	}

	// Devices: list, sign one out, sign out everywhere.
	var devs api.DevicesResponse
	e.must(e.do("GET", "/api/v1/sessions", dev.AccessToken, nil), 200, &devs)
	if len(devs.Devices) < 3 {
		t.Fatalf("%d devices", len(devs.Devices))
	}
	e.must(e.do("DELETE", "/api/v1/sessions/"+early.SessionID, dev.AccessToken, nil), 204, nil)
	if r := e.do("GET", "/api/v1/account", early.AccessToken, nil); r.status != 401 {
		t.Fatalf("signed-out device still works: %d", r.status)
	}
	e.must(e.do("DELETE", "/api/v1/sessions", dev.AccessToken, nil), 204, nil)
	for _, tok := range []string{dev.AccessToken, tk.AccessToken} {
		if r := e.do("GET", "/api/v1/account", tok, nil); r.status != 401 {
			t.Fatalf("after sign out everywhere: %d", r.status)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// eventStream reads "revision" events from GET /api/v1/vault/events.
type eventStream struct {
	revs chan int64
}

func (e *env) openEvents(token string) *eventStream {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/vault/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		e.t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &eventStream{revs: make(chan int64, 16)}
	go func() {
		defer res.Body.Close()
		defer close(s.revs)
		sc := bufio.NewScanner(res.Body)
		var event string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "revision":
				var n int64
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &n)
				s.revs <- n
			case line == "":
				event = ""
			}
		}
	}()
	return s
}

func (s *eventStream) next(t *testing.T) int64 {
	t.Helper()
	select {
	case r, ok := <-s.revs:
		if !ok {
			t.Fatal("event stream ended")
		}
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return 0
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
