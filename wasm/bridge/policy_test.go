package bridge

import (
	"strings"
	"testing"
	"unicode/utf8"

	"watchword/wasm/api"
)

func TestPolicyMethods(t *testing.T) {
	c := NewCore()
	account := string(call(t, c, "policyDefault", "account").(JSON))

	t.Run("check lists every rule", func(t *testing.T) {
		var res struct {
			OK    bool `json:"ok"`
			Rules []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"rules"`
		}
		decodeResult(t, call(t, c, "policyCheck", account, "short", "ann@example.org"), &res)
		if res.OK || len(res.Rules) != 5 {
			t.Fatalf("policyCheck(short) = %+v", res)
		}
		decodeResult(t, call(t, c, "policyCheck", account, "Tr0ub4dor-and-more"), &res)
		if !res.OK {
			t.Fatalf("policyCheck(good) = %+v", res)
		}
	})
	t.Run("generate a password for a policy", func(t *testing.T) {
		pw := call(t, c, "generate", `{"password":{"length":16,"lower":true,"upper":true,"digits":true},"policy":`+account+`}`).(string)
		if utf8.RuneCountInString(pw) != 16 {
			t.Fatalf("generated %q", pw)
		}
	})
	t.Run("generate a passphrase", func(t *testing.T) {
		pp := call(t, c, "generate", `{"passphrase":{"words":4,"separator":"."}}`).(string)
		if n := len(strings.Split(pp, ".")); n != 4 {
			t.Fatalf("generated %q with %d words", pp, n)
		}
	})

	errs := []struct {
		name   string
		method string
		args   []any
		code   api.Code
	}{
		{"unknown built-in policy", "policyDefault", []any{"admin"}, api.CodeBadRequest},
		{"malformed policy", "policyCheck", []any{`{"id":""}`, "pw"}, api.CodeBadRequest},
		{"password not a string", "policyCheck", []any{account, []byte("pw")}, api.CodeBadRequest},
		{"neither password nor passphrase", "generate", []any{`{}`}, api.CodeBadRequest},
		{"both password and passphrase", "generate", []any{`{"password":{"length":8,"lower":true},"passphrase":{"words":4}}`}, api.CodeBadRequest},
		{"impossible options", "generate", []any{`{"password":{"length":2,"lower":true}}`}, api.CodeInvalid},
		{"options that cannot meet the policy", "generate", []any{`{"password":{"length":16,"lower":true},"policy":` + account + `}`}, api.CodeInvalid},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			if code := callErr(t, c, tt.method, tt.args...); code != tt.code {
				t.Fatalf("code = %s, want %s", code, tt.code)
			}
		})
	}
}
