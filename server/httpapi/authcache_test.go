package httpapi_test

import (
	"testing"
	"time"

	"watchword/server/httpapi"
	"watchword/wasm/api"
)

// TestAuthCacheRevocation: vault routes may answer a known access token
// from memory, but every way of ending a session through this instance
// ends it at once, and one ended through another instance sharing the
// database ends here within the cache's TTL.
func TestAuthCacheRevocation(t *testing.T) {
	const probe = "/api/v1/vault/revision"
	// warm makes the token known to the instance's cache.
	warm := func(e *env, token string) {
		t.Helper()
		for i := 0; i < 2; i++ {
			e.must(e.do("GET", probe, token, nil), 200, nil)
		}
	}
	refused := func(e *env, token, when string) {
		t.Helper()
		if r := e.do("GET", probe, token, nil); r.status != 401 || r.errCode() != api.CodeUnauthorized {
			t.Fatalf("%s: status %d %s, want 401", when, r.status, r.body)
		}
	}

	t.Run("sign out this device", func(t *testing.T) {
		e := newEnv(t)
		tok := e.activeAccount("ana@example.org", "Ana7Password")
		warm(e, tok.AccessToken)
		e.must(e.do("DELETE", "/api/v1/sessions/current", tok.AccessToken, nil), 204, nil)
		refused(e, tok.AccessToken, "after signing out")
	})
	t.Run("sign out everywhere", func(t *testing.T) {
		e := newEnv(t)
		one := e.activeAccount("ben@example.org", "Ben7Password")
		two := e.signIn("ben@example.org", "Ben7Password")
		warm(e, one.AccessToken)
		warm(e, two.AccessToken)
		e.must(e.do("DELETE", "/api/v1/sessions", one.AccessToken, nil), 204, nil)
		refused(e, one.AccessToken, "the device that signed out")
		refused(e, two.AccessToken, "the other device")
	})
	t.Run("refresh replaces the access token", func(t *testing.T) {
		e := newEnv(t)
		old := e.activeAccount("cy@example.org", "Cy7Password1")
		warm(e, old.AccessToken)
		var out api.SignInResponse
		e.must(e.do("POST", "/api/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: old.RefreshToken}), 200, &out)
		refused(e, old.AccessToken, "the rotated-away token")
		warm(e, out.Tokens.AccessToken)
	})
	t.Run("access token expiry", func(t *testing.T) {
		e := newEnv(t)
		tok := e.activeAccount("di@example.org", "Di7Password1")
		warm(e, tok.AccessToken)
		e.clock.Advance(16 * time.Minute)
		refused(e, tok.AccessToken, "after the access token expired")
	})

	// Two instances on one store: b is not told about a's sign-out.
	for _, tc := range []struct {
		name  string
		ttl   time.Duration
		stale bool // b still accepts the token right after a's sign-out
	}{
		{"another instance within the TTL", 0, true},
		{"another instance without the cache", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, path := openTestStore(t)
			a := newEnvOn(t, st, path)
			b := newEnvOn(t, st, path, func(c *httpapi.Config) { c.AuthCacheTTL = tc.ttl })
			tok := a.activeAccount("eve@example.org", "Eve7Password")
			warm(b, tok.AccessToken)
			a.must(a.do("DELETE", "/api/v1/sessions/current", tok.AccessToken, nil), 204, nil)
			refused(a, tok.AccessToken, "on the instance that signed out")
			if !tc.stale {
				refused(b, tok.AccessToken, "on the other instance")
				return
			}
			b.must(b.do("GET", probe, tok.AccessToken, nil), 200, nil)
			b.clock.Advance(httpapi.DefaultAuthCacheTTL)
			refused(b, tok.AccessToken, "on the other instance after the TTL")
		})
	}
}
