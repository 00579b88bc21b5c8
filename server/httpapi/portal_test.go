package httpapi_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"watchword/server/pow"
	"watchword/wasm/api"
)

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.e.t.Helper()
	res, err := b.c.Get(b.e.url + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

func (b *browser) post(path string, form url.Values, origin string) (*http.Response, string) {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

var powAttr = regexp.MustCompile(`data-pow="([^"]+)"`)

// TestPortal drives the portal pages as a browser does: register with the
// proof of work, confirm from the mail, apply the profile, hand the
// extension a code, and refuse cross-site posts.
func TestPortal(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	res, page := b.get("/register")
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("register page: %d, CSP %q", res.StatusCode, csp)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, " onclick=") {
		t.Fatal("inline script on the register page")
	}
	for _, label := range []string{`<label for="email">`, `<label for="password">`, `<label for="confirm">`, `<label for="marketing">Send me product news and offers by email`} {
		if !strings.Contains(page, label) {
			t.Errorf("register page lacks %s", label)
		}
	}
	token := html.UnescapeString(powAttr.FindStringSubmatch(page)[1])
	nonce, err := pow.Solve(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"email": {"erin@example.org"}, "password": {"Erin7Password"}, "confirm": {"Erin7Password"},
		"statement": {"skipped"}, "statement_version": {"2026-01"}, "pow_challenge": {token}, "pow_nonce": {nonce}}

	t.Run("cross-site post refused", func(t *testing.T) {
		res, _ := b.post("/register", form, "https://evil.example")
		if res.StatusCode != 403 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("password rules", func(t *testing.T) {
		weak := url.Values{}
		for k, v := range form {
			weak[k] = v
		}
		weak.Set("password", "weak")
		weak.Set("confirm", "weak")
		res, page := b.post("/register", weak, e.url)
		if res.StatusCode != 422 || !strings.Contains(page, "does not meet every rule") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})

	res, page = b.post("/register", form, e.url)
	if res.StatusCode != 200 || !strings.Contains(page, "You are registered") {
		t.Fatalf("register: %d %s", res.StatusCode, page)
	}
	tok := e.linkToken(e.mailTo("erin@example.org", "Confirm"), "/activate")
	res, page = b.get("/activate?token=" + tok)
	if res.StatusCode != 200 || !strings.Contains(page, "Confirm my address") || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("activate page: %d", res.StatusCode)
	}
	res, _ = b.post("/activate", url.Values{"token": {tok}}, e.url)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/profile") {
		t.Fatalf("activate: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		cookie = c
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("portal cookie %+v", cookie)
	}

	res, page = b.get("/profile?welcome=1")
	if res.StatusCode != 200 || !strings.Contains(page, `<label for="country">Country/region`) {
		t.Fatalf("profile page: %d", res.StatusCode)
	}
	res, page = b.post("/profile", url.Values{"country": {""}, "time_zone": {"Europe/Berlin"}}, e.url)
	if res.StatusCode != 422 || !strings.Contains(page, "Country/region is required.") {
		t.Fatalf("profile without country: %d", res.StatusCode)
	}
	res, page = b.post("/profile", url.Values{"country": {"FR"}, "time_zone": {"Europe/Paris"}, "date_format": {"dd/mm/yyyy"}}, e.url)
	if res.StatusCode != 200 || !strings.Contains(page, "Saved.") {
		t.Fatalf("profile apply: %d", res.StatusCode)
	}

	// Auto-connect: the signed-in browser hands the extension a code.
	req, _ := http.NewRequest("GET", e.url+"/api/v1/portal/auto-connect", nil)
	ares, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ac api.AutoConnect
	body, _ := io.ReadAll(ares.Body)
	ares.Body.Close()
	e.must(resp{status: ares.StatusCode, body: body}, 200, &ac)
	if ac.Email != "erin@example.org" {
		t.Fatalf("auto-connect %+v", ac)
	}
	var out api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions/exchange", "", api.TokenRequest{Token: ac.Code, DeviceName: "extension"}), 200, &out)
	if out.Tokens == nil || out.Tokens.Email != "erin@example.org" {
		t.Fatalf("exchange %+v", out)
	}
	if r := e.do("POST", "/api/v1/sessions/exchange", "", api.TokenRequest{Token: ac.Code}); r.status != 404 {
		t.Fatalf("hand-off code reused: %d", r.status)
	}
	// The portal cookie is no bearer token, and no browser gets a code without it.
	if r := e.do("GET", "/api/v1/account", cookie.Value, nil); r.status != 401 {
		t.Fatalf("portal cookie as bearer: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/portal/auto-connect", "", nil); r.status != 401 {
		t.Fatalf("auto-connect without cookie: %d", r.status)
	}

	// Sign out, then sign in through the form.
	b.post("/signout", url.Values{}, e.url)
	if res, _ := b.get("/account"); res.StatusCode != 303 {
		t.Fatalf("account page after sign-out: %d", res.StatusCode)
	}
	res, page = b.post("/signin", url.Values{"email": {"erin@example.org"}, "password": {"Wrong7Password"}}, e.url)
	if res.StatusCode != 401 || !strings.Contains(page, "The email address or password is not right.") {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	res, _ = b.post("/signin", url.Values{"email": {"erin@example.org"}, "password": {"Erin7Password"}}, e.url)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/account" {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, page = b.get("/account")
	if res.StatusCode != 200 || !strings.Contains(page, "Signed-in devices") || !strings.Contains(page, "extension") {
		t.Fatalf("account page: %d", res.StatusCode)
	}
}
