package bridge

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/match"
	"watchword/wasm/vault"
)

type decideAnswer struct {
	Refused string `json:"refused"`
	Matches []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Username string `json:"username"`
		Verdict  string `json:"verdict"`
		Reason   string `json:"reason"`
		Origin   string `json:"origin"`
	} `json:"matches"`
}

// sealForms seals edit forms in c's vault and returns them as a batch.
func sealForms(t *testing.T, c *Core, forms ...string) ([]byte, []string) {
	t.Helper()
	var sealed []vault.Sealed
	var ids []string
	for _, form := range forms {
		var s sealedJSON
		decodeResult(t, call(t, c, "entrySeal", form), &s)
		sealed = append(sealed, vault.Sealed{ID: s.ID, Ciphertext: s.Ciphertext})
		ids = append(ids, s.ID)
	}
	return AppendBatch(nil, sealed), ids
}

func loginForm(name, user, password string, urls ...string) string {
	var us []map[string]string
	for _, u := range urls {
		rule := "domain"
		if i := strings.Index(u, " "); i > 0 {
			u, rule = u[:i], u[i+1:]
		}
		us = append(us, map[string]string{"url": u, "match": rule})
	}
	b, _ := json.Marshal(map[string]any{"type": "login", "fields": map[string]any{
		"name": name, "username": user, "password": password, "urls": us,
	}})
	return string(b)
}

func decide(t *testing.T, c *Core, req string) decideAnswer {
	t.Helper()
	var d decideAnswer
	decodeResult(t, call(t, c, "matchDecide", req), &d)
	return d
}

func TestMatchMethods(t *testing.T) {
	c, _ := newVault(t)
	batch, ids := sealForms(t, c,
		loginForm("Site", "ann", "pw-site", "https://site.test/login"),
		loginForm("Alice", "alice", "pw-alice", "https://alice.github.io/"),
		loginForm("Dev", "dev", "pw-dev", "http://127.0.0.1:8001/"),
		loginForm("Never", "nobody", "pw-never", "https://site.test/ never"),
		`{"type":"note","fields":{"name":"Note","notes":"https://site.test/"}}`,
		loginForm("Host only", "ops", "pw-ops", "https://admin.site.test/ host"),
	)
	var loaded loadResult
	decodeResult(t, call(t, c, "matchLoad", batch), &loaded)
	if loaded.Logins != 5 || loaded.Failed != 0 {
		t.Fatalf("matchLoad = %+v, want 5 logins", loaded)
	}

	tests := []struct {
		name    string
		req     string
		refused string
		want    []string // id index:verdict[:reason]
	}{
		{"same registrable domain", `{"frame":{"url":"https://www.site.test/x"}}`, "", []string{"0:allow"}},
		{"host rule", `{"frame":{"url":"https://admin.site.test/"}}`, "", []string{"0:allow", "5:allow"}},
		{"another site", `{"frame":{"url":"https://evil.test/#site.test"}}`, "", nil},
		{"lookalike suffix", `{"frame":{"url":"https://site.test.evil.test/"}}`, "", nil},
		{"private suffix neighbour", `{"frame":{"url":"https://bob.github.io/"}}`, "", nil},
		{"http downgrade asks", `{"frame":{"url":"http://site.test/"}}`, "", []string{"0:confirm:insecure_page"}},
		{"http downgrade with consent", `{"frame":{"url":"http://site.test/"},"consent":{"insecure":true}}`, "", []string{"0:allow"}},
		{"cross-origin frame asks", `{"frame":{"url":"https://site.test/f","topUrl":"https://other.test/"}}`, "", []string{"0:confirm:cross_origin_frame"}},
		{"cross-origin frame with consent", `{"frame":{"url":"https://site.test/f","topUrl":"https://other.test/"},"consent":{"frameOrigin":"https://site.test"}}`, "", []string{"0:allow"}},
		{"form posting elsewhere asks", `{"frame":{"url":"https://site.test/","formAction":"https://evil.test/steal"}}`, "", []string{"0:confirm:form_action"}},
		{"loopback port must match", `{"frame":{"url":"http://127.0.0.1:8002/"}}`, "", nil},
		{"loopback same port", `{"frame":{"url":"http://127.0.0.1:8001/login"}}`, "", []string{"2:allow"}},
		{"sandboxed frame", `{"frame":{"url":"https://site.test/","sandboxed":true}}`, "opaque_frame", nil},
		{"srcdoc frame", `{"frame":{"url":"about:srcdoc","srcdoc":true}}`, "opaque_frame", nil},
		{"about:blank", `{"frame":{"url":"about:blank"}}`, "opaque_frame", nil},
		{"data URL", `{"frame":{"url":"data:text/html,<form>"}}`, "opaque_frame", nil},
		{"blob URL", `{"frame":{"url":"blob:https://site.test/1234"}}`, "opaque_frame", nil},
		{"user-info", `{"frame":{"url":"https://site.test@evil.test/"}}`, "unsupported_page", nil},
		{"trailing dot", `{"frame":{"url":"https://site.test./"}}`, "unsupported_page", nil},
		{"restricted to one id", fmt.Sprintf(`{"frame":{"url":"https://admin.site.test/"},"ids":[%q]}`, ids[5]), "", []string{"5:allow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decide(t, c, tt.req)
			if d.Refused != tt.refused {
				t.Fatalf("refused = %q, want %q", d.Refused, tt.refused)
			}
			var got []string
			for _, m := range d.Matches {
				k := -1
				for i, id := range ids {
					if id == m.ID {
						k = i
					}
				}
				s := fmt.Sprintf("%d:%s", k, m.Verdict)
				if m.Reason != "" {
					s += ":" + m.Reason
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("matches = %v, want %v", got, tt.want)
			}
			for _, m := range d.Matches {
				if strings.Contains(fmt.Sprint(m), "pw-") {
					t.Fatalf("a password reached the answer: %+v", m)
				}
			}
		})
	}

	t.Run("labels", func(t *testing.T) {
		d := decide(t, c, `{"frame":{"url":"https://site.test/"}}`)
		if len(d.Matches) != 1 || d.Matches[0].Name != "Site" || d.Matches[0].Username != "ann" {
			t.Fatalf("matches = %+v", d.Matches)
		}
	})
	t.Run("cross-origin prompt names the frame", func(t *testing.T) {
		d := decide(t, c, `{"frame":{"url":"https://login.site.test:8443/f","topUrl":"https://other.test/"}}`)
		if len(d.Matches) != 1 || d.Matches[0].Origin != "https://login.site.test:8443" {
			t.Fatalf("matches = %+v", d.Matches)
		}
	})
}

func TestMatchDecideNeedsLoadedVault(t *testing.T) {
	const req = `{"frame":{"url":"https://site.test/"}}`
	t.Run("locked", func(t *testing.T) {
		if code := callErr(t, NewCore(), "matchDecide", req); code != api.CodeLocked {
			t.Fatalf("code = %s, want locked", code)
		}
		if code := callErr(t, NewCore(), "matchLoad", []byte{batchV1}); code != api.CodeLocked {
			t.Fatalf("code = %s, want locked", code)
		}
	})
	c, kr := newVault(t)
	t.Run("not loaded", func(t *testing.T) {
		if code := callErr(t, c, "matchDecide", req); code != api.CodeNotFound {
			t.Fatalf("code = %s, want not_found", code)
		}
	})
	batch, _ := sealForms(t, c, loginForm("Site", "ann", "pw", "https://site.test/"))
	call(t, c, "matchLoad", batch)
	if d := decide(t, c, req); len(d.Matches) != 1 {
		t.Fatalf("after load: %+v", d)
	}
	t.Run("lock forgets the logins", func(t *testing.T) {
		call(t, c, "vaultLock")
		if code := callErr(t, c, "matchDecide", req); code != api.CodeLocked {
			t.Fatalf("code = %s, want locked", code)
		}
		header, _ := json.Marshal(kr.Header)
		call(t, c, "vaultLoad", string(header), kr.VaultKey)
		if code := callErr(t, c, "matchDecide", req); code != api.CodeNotFound {
			t.Fatalf("after reloading the key: code = %s, want not_found", code)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for _, bad := range []any{nil, `{"frame":`, `{"frame":{"uri":"x"}}`, 42} {
			if code := callErr(t, c, "matchDecide", bad); code != api.CodeBadRequest {
				t.Fatalf("matchDecide(%v) code = %s, want bad_request", bad, code)
			}
		}
	})
}

// TestIndexAgreesWithDecide checks that looking only at the page's site
// bucket answers exactly what match.Decide answers over every login.
func TestIndexAgreesWithDecide(t *testing.T) {
	hosts := []string{"site.test", "www.site.test", "evil.test", "site.test.evil.test", "alice.github.io",
		"bob.github.io", "127.0.0.1:8001", "127.0.0.1:8002", "localhost:3000", "xn--pypal-4ve.test", "co.uk", "a.co.uk"}
	rules := []match.Rule{match.RuleDomain, match.RuleHost, match.RulePrefix, match.RuleNever}
	var opened []vault.Opened
	var all []*login
	n := 0
	for _, h := range hosts {
		for _, scheme := range []string{"http", "https"} {
			for _, r := range rules {
				e := vault.NewEntry(fmt.Sprintf("%032x", n), vault.TypeLogin)
				m, _ := vault.ParseMatch(map[match.Rule]string{match.RuleDomain: "domain", match.RuleHost: "host", match.RulePrefix: "prefix", match.RuleNever: "never"}[r])
				u := scheme + "://" + h + "/app"
				e.SetURLs([]vault.URL{{URL: u, Match: m}})
				opened = append(opened, vault.Opened{ID: e.ID, Entry: e})
				all = append(all, &login{id: e.ID, saved: []match.Saved{{URL: u, Rule: r}}})
				n++
			}
		}
	}
	ix, failed := newLoginIndex(nil, opened)
	if failed != 0 || ix.count != len(all) {
		t.Fatalf("index of %d logins, %d failed", ix.count, failed)
	}
	matched := 0
	for _, page := range hosts {
		for _, scheme := range []string{"http", "https"} {
			for _, path := range []string{"/", "/app/x", "/apple"} {
				f := match.Frame{URL: scheme + "://" + page + path}
				t.Run(f.URL, func(t *testing.T) {
					var want []string
					for _, l := range all {
						if d := match.Decide(l.saved, f, match.Consent{}); d.Reason != match.ReasonNoMatch {
							want = append(want, l.id+string(d.Verdict))
						}
					}
					var got []string
					res := ix.decide(f, match.Consent{}, nil)
					for _, m := range res.Matches {
						got = append(got, m.ID+string(m.Verdict))
					}
					if strings.Join(got, ",") != strings.Join(want, ",") {
						t.Fatalf("index = %v, Decide over all = %v", got, want)
					}
					matched += len(got)
				})
			}
		}
	}
	if matched < len(hosts) {
		t.Fatalf("only %d matches over every page: the table does not exercise matching", matched)
	}
}
