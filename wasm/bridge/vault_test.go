package bridge

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

// call runs a method and fails the test on error.
func call(t testing.TB, c *Core, method string, args ...any) Result {
	t.Helper()
	res, err := c.Call(method, goArgs(args))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return res
}

// callErr runs a method that must fail and returns its code.
func callErr(t *testing.T, c *Core, method string, args ...any) api.Code {
	t.Helper()
	res, err := c.Call(method, goArgs(args))
	if err == nil {
		t.Fatalf("%s succeeded with %v, want an error", method, res)
	}
	return err.Code
}

func decodeResult(t *testing.T, r Result, v any) {
	t.Helper()
	j, ok := r.(JSON)
	if !ok {
		t.Fatalf("result is %T, want JSON", r)
	}
	if err := json.Unmarshal(j, v); err != nil {
		t.Fatalf("result %s: %v", j, err)
	}
}

// lowCost is the cheapest KDF setting the floors allow; vaulttest.FastKDF
// cuts the real work further without changing the code path.
const lowCost = `{"m":16384,"t":2,"p":1}`

type opened struct {
	Entries []struct {
		ID     string         `json:"id"`
		Type   string         `json:"type"`
		Fields map[string]any `json:"fields"`
	} `json:"entries"`
	Failed []struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	} `json:"failed"`
	Report struct {
		Entries int `json:"entries"`
	} `json:"report"`
}

// keyResult is what kdf.wasm hands the extension for a new vault: the
// header to store and the vault key, in base64, that vaultLoad takes.
type keyResult struct {
	Header   *api.VaultHeader `json:"header,omitempty"`
	VaultKey string           `json:"vaultKey"`
}

// createVault makes a vault as kdf.wasm does (the core never sees a master
// password), at the cheapest cost.
func createVault(t testing.TB, password string) keyResult {
	t.Helper()
	vaulttest.FastKDF(t)
	kdf, err := vault.NewKDFParams()
	if err != nil {
		t.Fatal(err)
	}
	kdf.MemoryKiB, kdf.Time, kdf.Threads = api.MinKDFMemoryKiB, api.MinKDFTime, api.MinKDFThreads
	h, k, err := vault.Create(password, kdf)
	if err != nil {
		t.Fatal(err)
	}
	return keyResult{Header: &h, VaultKey: base64.StdEncoding.EncodeToString(k.Bytes())}
}

// loadVault arms c with kr's vault, as the extension does after an unlock.
func loadVault(t testing.TB, c *Core, kr keyResult) {
	t.Helper()
	hj, err := json.Marshal(kr.Header)
	if err != nil {
		t.Fatal(err)
	}
	if res := call(t, c, "vaultLoad", string(hj), kr.VaultKey); res != nil {
		t.Fatalf("vaultLoad resolved with %v", res)
	}
}

// newVault is a core unlocked with a new vault.
func newVault(t testing.TB) (*Core, keyResult) {
	t.Helper()
	c := NewCore()
	kr := createVault(t, "correct horse")
	loadVault(t, c, kr)
	return c, kr
}

func TestVaultLifecycle(t *testing.T) {
	c, created := newVault(t)
	if created.Header == nil || !api.ValidID(created.Header.VaultID) || created.Header.KDF.MemoryKiB != 16384 {
		t.Fatalf("created header = %+v", created.Header)
	}
	headerJSON, _ := json.Marshal(created.Header)

	var sealed sealedJSON
	decodeResult(t, call(t, c, "entrySeal", `{"type":"login","fields":{"name":"Example","username":"ann","password":"pw1"}}`), &sealed)

	t.Run("the master password methods are kdf.wasm's, not the core's", func(t *testing.T) {
		for _, m := range []string{"vaultCreate", "vaultUnlock"} {
			if code := callErr(t, NewCore(), m, "correct horse", string(headerJSON)); code != api.CodeBadRequest {
				t.Errorf("%s: code = %s, want bad_request (no such method)", m, code)
			}
		}
	})
	t.Run("a fresh core is locked", func(t *testing.T) {
		if code := callErr(t, NewCore(), "entriesOpen", AppendBatch(nil, []vault.Sealed{{ID: sealed.ID, Ciphertext: sealed.Ciphertext}})); code != api.CodeLocked {
			t.Fatalf("code = %s", code)
		}
	})
	t.Run("vaultLoad re-arms without the password", func(t *testing.T) {
		c3 := NewCore()
		if res := call(t, c3, "vaultLoad", string(headerJSON), created.VaultKey); res != nil {
			t.Fatalf("vaultLoad resolved with %v", res)
		}
		var o opened
		decodeResult(t, call(t, c3, "entriesOpen", AppendBatch(nil, []vault.Sealed{{ID: sealed.ID, Ciphertext: sealed.Ciphertext}})), &o)
		if len(o.Entries) != 1 || o.Entries[0].Fields["password"] != "pw1" {
			t.Fatalf("entriesOpen after vaultLoad = %+v", o)
		}
	})
	t.Run("vaultLock locks", func(t *testing.T) {
		c4 := NewCore()
		call(t, c4, "vaultLoad", string(headerJSON), created.VaultKey)
		call(t, c4, "vaultLock")
		if code := callErr(t, c4, "entrySeal", `{"type":"note"}`); code != api.CodeLocked {
			t.Fatalf("code = %s", code)
		}
	})
}

// vaultSealLocal seals with the unlocked key as device-local data: it opens
// with that key as such, and only when the vault is unlocked.
func TestVaultSealLocal(t *testing.T) {
	c, created := newVault(t)
	const data = `{"entries":[{"id":"a","name":"Bank"}],"failed":0,"unknown":0}`
	res := call(t, c, "vaultSealLocal", data)
	b64, ok := res.(string)
	if !ok {
		t.Fatalf("vaultSealLocal answered %T, want a string", res)
	}
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(created.VaultKey)
	k, err := vault.NewKey(created.Header.VaultID, raw)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.OpenLocal(ct); err != nil || string(got) != data {
		t.Fatalf("OpenLocal = %q, %v", got, err)
	}
	if code := callErr(t, c, "vaultSealLocal"); code != api.CodeBadRequest {
		t.Fatalf("no argument: %s", code)
	}
	call(t, c, "vaultLock")
	if code := callErr(t, c, "vaultSealLocal", data); code != api.CodeLocked {
		t.Fatalf("locked: %s", code)
	}
}

func TestVaultArgumentErrors(t *testing.T) {
	c, created := newVault(t)
	headerJSON, _ := json.Marshal(created.Header)
	tests := []struct {
		name   string
		method string
		args   []any
		code   api.Code
	}{
		{"load with a bad header", "vaultLoad", []any{`{"vault_id":"x"}`, created.VaultKey}, api.CodeBadRequest},
		{"load with a bad key", "vaultLoad", []any{string(headerJSON), "not base64!"}, api.CodeBadRequest},
		{"load with a short key", "vaultLoad", []any{string(headerJSON), base64.StdEncoding.EncodeToString([]byte("short"))}, api.CodeInvalid},
		{"open an empty batch", "entriesOpen", []any{[]byte{}}, api.CodeUnsupported},
		{"open a truncated batch", "entriesOpen", []any{[]byte{batchV1, 'a'}}, api.CodeBadRequest},
		{"open a batch with a bad id", "entriesOpen", []any{append([]byte{batchV1}, strings.Repeat("Z", 32)+"\x00\x00\x00\x00"...)}, api.CodeBadRequest},
		{"open a batch with a long length", "entriesOpen", []any{append([]byte{batchV1}, strings.Repeat("a", 32)+"\x00\x00\x00\x09abc"...)}, api.CodeBadRequest},
		{"open bad JSON", "entriesOpen", []any{`[{"id":1}]`}, api.CodeBadRequest},
		{"seal an unknown type", "entrySeal", []any{`{"type":"spaceship"}`}, api.CodeBadRequest},
		{"seal an unknown field", "entrySeal", []any{`{"type":"login","fields":{"colour":"red"}}`}, api.CodeBadRequest},
		{"seal a bad id", "entrySeal", []any{`{"id":"nope","type":"note"}`}, api.CodeBadRequest},
		{"edit without an id", "entrySeal", []any{`{"type":"note"}`, "AAAA"}, api.CodeBadRequest},
		{"edit a forged ciphertext", "entrySeal", []any{`{"id":"` + strings.Repeat("a", 32) + `"}`, "AAAA"}, api.CodeDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := callErr(t, c, tt.method, tt.args...); code != tt.code {
				t.Fatalf("code = %s, want %s", code, tt.code)
			}
		})
	}
}

func TestEntriesOpenBatch(t *testing.T) {
	c, _ := newVault(t)
	var sealed []vault.Sealed
	for _, form := range []string{
		`{"type":"login","fields":{"name":"A","password":"pa"}}`,
		`{"type":"note","fields":{"name":"B","notes":"nb"}}`,
		`{"type":"login","fields":{"name":"C","password":"pc"}}`,
	} {
		var s sealedJSON
		decodeResult(t, call(t, c, "entrySeal", form), &s)
		sealed = append(sealed, vault.Sealed{ID: s.ID, Ciphertext: s.Ciphertext})
	}
	// The third entry is swapped onto the second's id: it must fail alone.
	swapped := append([]vault.Sealed(nil), sealed...)
	swapped[2].ID = sealed[1].ID
	swapped[1].ID = sealed[2].ID

	jsonOf := func(ss []vault.Sealed) string {
		var es []api.Entry
		for i, s := range ss {
			es = append(es, api.Entry{ID: s.ID, Revision: int64(i + 1), Ciphertext: s.Ciphertext})
		}
		es = append(es, api.Entry{ID: strings.Repeat("f", 32), Revision: 9, Deleted: true})
		b, _ := json.Marshal(es)
		return string(b)
	}
	tests := []struct {
		name       string
		arg        any
		wantNames  []string
		wantFailed int
	}{
		{"binary batch", AppendBatch(nil, sealed), []string{"A", "B", "C"}, 0},
		{"JSON of api.Entry with a tombstone", jsonOf(sealed), []string{"A", "B", "C"}, 0},
		{"JSON as bytes", []byte(" " + jsonOf(sealed)), []string{"A", "B", "C"}, 0},
		{"swapped ids fail alone", AppendBatch(nil, swapped), []string{"A"}, 2},
		{"empty batch", []byte{batchV1}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o opened
			decodeResult(t, call(t, c, "entriesOpen", tt.arg), &o)
			var names []string
			for _, e := range o.Entries {
				names = append(names, e.Fields["name"].(string))
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") || len(o.Failed) != tt.wantFailed || o.Report.Entries != len(tt.wantNames) {
				t.Fatalf("entriesOpen = %+v, want names %v and %d failed", o, tt.wantNames, tt.wantFailed)
			}
			for _, f := range o.Failed {
				if f.Code != string(api.CodeDecrypt) {
					t.Fatalf("failed entry %s: code %s, want %s", f.ID, f.Code, api.CodeDecrypt)
				}
			}
		})
	}
}

func TestEntrySealEditKeepsFields(t *testing.T) {
	c, _ := newVault(t)
	var s sealedJSON
	decodeResult(t, call(t, c, "entrySeal", `{"type":"login","fields":{"name":"Site","username":"ann","password":"old"}}`), &s)

	var edited sealedJSON
	ctB64 := base64.StdEncoding.EncodeToString(s.Ciphertext)
	decodeResult(t, call(t, c, "entrySeal", `{"id":"`+s.ID+`","fields":{"password":"new"}}`, ctB64), &edited)
	if edited.ID != s.ID {
		t.Fatalf("edit changed the id: %s → %s", s.ID, edited.ID)
	}
	var o opened
	decodeResult(t, call(t, c, "entriesOpen", AppendBatch(nil, []vault.Sealed{{ID: edited.ID, Ciphertext: edited.Ciphertext}})), &o)
	f := o.Entries[0].Fields
	if f["username"] != "ann" || f["password"] != "new" || f["name"] != "Site" {
		t.Fatalf("edited fields = %v", f)
	}
	if h, ok := f["history"].([]any); !ok || len(h) != 1 {
		t.Fatalf("history = %v, want the old password in it", f["history"])
	}
}
