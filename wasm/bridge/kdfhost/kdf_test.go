package kdfhost

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

// lowCost is the cheapest setting the floors allow; vaulttest.FastKDF makes
// the derivation itself cheap while the real code path runs.
var lowCost = &KDFCost{MemoryKiB: ptr[uint32](api.MinKDFMemoryKiB), Time: ptr[uint32](api.MinKDFTime), Threads: ptr[uint8](1)}

func ptr[T any](v T) *T { return &v }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeResult(t *testing.T, b []byte) KDFResult {
	t.Helper()
	var r KDFResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	return r
}

func TestKDFRoundTrip(t *testing.T) {
	vaulttest.FastKDF(t)
	out, err := KDF(mustJSON(t, KDFRequest{Op: OpCreate, Password: "correct horse battery staple", KDF: lowCost}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	created := decodeResult(t, out)
	if created.Header == nil || created.VaultKey == "" {
		t.Fatalf("create gave %s, want a header and a key", out)
	}
	if created.Header.KDF.MemoryKiB != api.MinKDFMemoryKiB || created.Header.KDF.Threads != 1 {
		t.Errorf("create kept kdf %v, want the requested cost", created.Header.KDF)
	}

	out, err = KDF(mustJSON(t, KDFRequest{Op: OpUnlock, Password: "correct horse battery staple", Header: created.Header}))
	if err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if got := decodeResult(t, out); got.VaultKey != created.VaultKey || got.Header != nil {
		t.Fatalf("unlock gave %s, want only the created key", out)
	}

	out, err = KDF(mustJSON(t, KDFRequest{Op: OpChange, Password: "correct horse battery staple", NewPassword: "a new passphrase here", Header: created.Header}))
	if err != nil {
		t.Fatalf("change: %v", err)
	}
	changed := decodeResult(t, out)
	if changed.Header == nil || changed.VaultKey != "" {
		t.Fatalf("change gave %s, want only a header", out)
	}
	raw, _ := base64.StdEncoding.DecodeString(created.VaultKey)
	want, err := vault.NewKey(created.Header.VaultID, raw)
	if err != nil {
		t.Fatal(err)
	}
	k, err := vault.Unlock(*changed.Header, "a new passphrase here")
	if err != nil {
		t.Fatalf("the changed header does not open with the new password: %v", err)
	}
	if !k.Equal(want) {
		t.Error("the changed header wraps another key")
	}
	if _, err := vault.Unlock(*changed.Header, "correct horse battery staple"); !errors.Is(err, vault.ErrWrongPassword) {
		t.Errorf("the old password on the changed header: %v, want a wrong password", err)
	}
}

// Unlock opens the device-local list it is handed with the key it derives;
// a list that does not open (damaged, another vault's, not base64) is left
// out and the unlock still succeeds.
func TestKDFUnlockOpensLocalList(t *testing.T) {
	vaulttest.FastKDF(t)
	const pw = "correct horse battery staple"
	seal := func(req KDFRequest, data string) string {
		t.Helper()
		out, err := KDF(mustJSON(t, req))
		if err != nil {
			t.Fatal(err)
		}
		r := decodeResult(t, out)
		raw, _ := base64.StdEncoding.DecodeString(r.VaultKey)
		k, err := vault.NewKey(r.Header.VaultID, raw)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := k.SealLocal([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(ct)
	}
	out, err := KDF(mustJSON(t, KDFRequest{Op: OpCreate, Password: pw, KDF: lowCost}))
	if err != nil {
		t.Fatal(err)
	}
	created := decodeResult(t, out)
	raw, _ := base64.StdEncoding.DecodeString(created.VaultKey)
	k, _ := vault.NewKey(created.Header.VaultID, raw)
	ct, _ := k.SealLocal([]byte(`{"entries":[{"id":"x","name":"Bank"}],"failed":0,"unknown":0}`))
	good := base64.StdEncoding.EncodeToString(ct)
	flipped := bytes.Clone(ct)
	flipped[len(flipped)/2] ^= 1
	other := seal(KDFRequest{Op: OpCreate, Password: pw, KDF: lowCost}, `{"entries":[]}`)

	for _, tt := range []struct{ name, list, want string }{
		{"sealed by this vault", good, `{"entries":[{"id":"x","name":"Bank"}],"failed":0,"unknown":0}`},
		{"none", "", ""},
		{"a flipped bit", base64.StdEncoding.EncodeToString(flipped), ""},
		{"another vault's", other, ""},
		{"not base64", "%%%", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, list, err := KDFLocal(mustJSON(t, KDFRequest{Op: OpUnlock, Password: pw, Header: created.Header}), tt.list)
			if err != nil {
				t.Fatalf("unlock: %v", err)
			}
			got := decodeResult(t, out)
			if got.VaultKey != created.VaultKey || list != tt.want {
				t.Fatalf("unlock gave key %v, list %q; want the key and %q", got.VaultKey == created.VaultKey, list, tt.want)
			}
		})
	}
	// The wrong password opens nothing, list or not.
	if _, list, err := KDFLocal(mustJSON(t, KDFRequest{Op: OpUnlock, Password: "wrong", Header: created.Header}), good); api.CodeOf(err) != api.CodeWrongPassword || list != "" {
		t.Fatalf("wrong password with a list: %q, %v", list, err)
	}
	// Only an unlock opens it.
	if _, list, err := KDFLocal(mustJSON(t, KDFRequest{Op: OpChange, Password: pw, NewPassword: "another passphrase", Header: created.Header}), good); err != nil || list != "" {
		t.Fatalf("change with a list: %q, %v", list, err)
	}
}

// TestKDFWire holds the hand-written reader and writer to encoding/json's
// reading of the same types: what JavaScript sends is read the same, and
// what kdf.wasm answers is what encoding/json would write.
func TestKDFWire(t *testing.T) {
	vaulttest.FastKDF(t)
	out, err := KDF([]byte(`{"op":"create","password":"correct horse battery staple","kdf":{"m":16384,"t":null,"p":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	res := decodeResult(t, out)
	if res.Header == nil || res.Header.KDF.MemoryKiB != 16384 || res.Header.KDF.Time != api.DefaultKDFTime || res.Header.KDF.Threads != 1 || res.VaultKey == "" {
		t.Fatalf("create answered %s", out)
	}
	if want := mustJSON(t, res); !bytes.Equal(out, want) {
		t.Errorf("answer\n%s\nencoding/json writes\n%s", out, want)
	}
	out, err = KDF(mustJSON(t, KDFRequest{Op: OpUnlock, Password: "correct horse battery staple", Header: res.Header}))
	if err != nil {
		t.Fatal(err)
	}
	unlocked := decodeResult(t, out)
	if unlocked.VaultKey != res.VaultKey || unlocked.Header != nil {
		t.Errorf("unlock answered %s", out)
	}
	if want := mustJSON(t, unlocked); !bytes.Equal(out, want) {
		t.Errorf("answer\n%s\nencoding/json writes\n%s", out, want)
	}
}

func TestKDFErrors(t *testing.T) {
	vaulttest.FastKDF(t)
	out, err := KDF(mustJSON(t, KDFRequest{Op: OpCreate, Password: "correct horse battery staple", KDF: lowCost}))
	if err != nil {
		t.Fatal(err)
	}
	h := decodeResult(t, out).Header
	badID := *h
	badID.VaultID = "nope"
	tests := []struct {
		name string
		req  string
		code api.Code
	}{
		{"not JSON", `{"op":`, api.CodeBadRequest},
		{"unknown field", `{"op":"unlock","pasword":"x"}`, api.CodeBadRequest},
		{"trailing data", `{"op":"create","password":"x"} {}`, api.CodeBadRequest},
		{"unknown op", `{"op":"derive","password":"x"}`, api.CodeBadRequest},
		{"too large", `{"op":"create","password":"` + strings.Repeat("x", maxRequest) + `"}`, api.CodeTooLarge},
		{"create without password", `{"op":"create","password":""}`, api.CodeInvalid},
		{"create below the floor", `{"op":"create","password":"x","kdf":{"m":1024}}`, api.CodeInvalid},
		{"create above the ceiling", `{"op":"create","password":"x","kdf":{"t":1000}}`, api.CodeInvalid},
		{"unlock without header", `{"op":"unlock","password":"x"}`, api.CodeBadRequest},
		{"unlock with a null header", `{"op":"unlock","password":"x","header":null}`, api.CodeBadRequest},
		{"a header that is not an object", `{"op":"unlock","password":"x","header":"h"}`, api.CodeBadRequest},
		{"lanes out of range", `{"op":"create","password":"x","kdf":{"p":256}}`, api.CodeBadRequest},
		{"a negative cost", `{"op":"create","password":"x","kdf":{"m":-1}}`, api.CodeBadRequest},
		{"an unknown cost", `{"op":"create","password":"x","kdf":{"mem":65536}}`, api.CodeBadRequest},
		{"a number for the password", `{"op":"create","password":1}`, api.CodeBadRequest},
		{"a key in another case", `{"OP":"create","password":"x"}`, api.CodeBadRequest},
		{"unlock with a bad id", string(mustJSON(t, KDFRequest{Op: OpUnlock, Password: "x", Header: &badID})), api.CodeBadRequest},
		{"unlock with the wrong password", string(mustJSON(t, KDFRequest{Op: OpUnlock, Password: "wrong", Header: h})), api.CodeWrongPassword},
		{"change with the wrong password", string(mustJSON(t, KDFRequest{Op: OpChange, Password: "wrong", NewPassword: "y", Header: h})), api.CodeWrongPassword},
		{"change to an empty password", string(mustJSON(t, KDFRequest{Op: OpChange, Password: "correct horse battery staple", Header: h})), api.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := KDF([]byte(tt.req))
			if err == nil {
				t.Fatalf("KDF succeeded with %s", out)
			}
			if got := api.CodeOf(err); got != tt.code {
				t.Errorf("code %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

// export-key derives an export file's key: fresh settings to write one,
// the file's own to open it (the same password and settings give the same
// key, another password another), and the answer is what encoding/json
// would write.
func TestKDFExportKey(t *testing.T) {
	vaulttest.FastKDF(t)
	out, err := KDF(mustJSON(t, KDFRequest{Op: OpExportKey, Password: "an export passphrase", KDF: lowCost}))
	if err != nil {
		t.Fatal(err)
	}
	fresh := decodeResult(t, out)
	if fresh.Params == nil || fresh.Params.Validate() != nil || len(fresh.Params.Salt) != api.KDFSaltSize || fresh.ExportKey == "" || fresh.VaultKey != "" || fresh.Header != nil {
		t.Fatalf("export-key answered %s", out)
	}
	if want := mustJSON(t, fresh); !bytes.Equal(out, want) {
		t.Errorf("answer\n%s\nencoding/json writes\n%s", out, want)
	}
	if raw, _ := base64.StdEncoding.DecodeString(fresh.ExportKey); len(raw) != vault.KeySize {
		t.Fatalf("the key is %d bytes", len(raw))
	}
	again, err := KDF(mustJSON(t, KDFRequest{Op: OpExportKey, Password: "an export passphrase", Params: fresh.Params}))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeResult(t, again); got.ExportKey != fresh.ExportKey {
		t.Fatal("the file's settings and password derived another key")
	}
	other, _ := KDF(mustJSON(t, KDFRequest{Op: OpExportKey, Password: "another passphrase", Params: fresh.Params}))
	if decodeResult(t, other).ExportKey == fresh.ExportKey {
		t.Fatal("another password derived the same key")
	}
	low := *fresh.Params
	low.MemoryKiB = 1024
	for name, req := range map[string]KDFRequest{
		"no password":       {Op: OpExportKey, KDF: lowCost},
		"below the floor":   {Op: OpExportKey, Password: "x", Params: &low},
		"params and a cost": {Op: OpExportKey, Password: "x", Params: fresh.Params, KDF: lowCost},
	} {
		if out, err := KDF(mustJSON(t, req)); err == nil {
			t.Errorf("%s: answered %s", name, out)
		}
	}
}
