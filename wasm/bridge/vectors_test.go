package bridge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest/vectors"
)

// Package vault's ciphertext test vectors are replayed here through the
// bridge's methods, as the extension calls them: vaultLoad then entriesOpen
// (binary batch and JSON pull records) and entrySeal for entries. Vault-key
// vectors need a master password, which the core never takes: package
// kdfhost replays them through kdf.wasm's entry point. The replay is written once against
// bridgeCall; TestVectorsThroughBridge drives it through Core.Call, and
// TestVectorsThroughJS (GOOS=js) through the registered global object's
// Promise-returning functions.

// bridgeCall calls one bridge method with Go arguments (a string, or a
// []byte that JavaScript receives as a Uint8Array). It returns what the
// method resolved with as JSON (nil for undefined), or its rejection.
type bridgeCall func(t *testing.T, method string, args ...any) (json.RawMessage, *api.Error)

// coreCall calls c.Call directly.
func coreCall(c *Core) bridgeCall {
	return func(t *testing.T, method string, args ...any) (json.RawMessage, *api.Error) {
		t.Helper()
		res, apiErr := c.Call(method, goArgs(args))
		if apiErr != nil {
			return nil, apiErr
		}
		switch r := res.(type) {
		case nil:
			return nil, nil
		case JSON:
			return json.RawMessage(r), nil
		case string, bool:
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			return b, nil
		default:
			t.Fatalf("%s resolved with a %T, which this replay does not expect", method, res)
			return nil, nil
		}
	}
}

func TestVectorsThroughBridge(t *testing.T) {
	for _, v := range entryVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			replayEntry(t, v, coreCall(NewCore()))
		})
	}
}

// entryVectors are the vectors of entry ciphertexts, the ones the core
// opens.
func entryVectors(t *testing.T) []vectors.Vector {
	t.Helper()
	var out []vectors.Vector
	for _, v := range vectors.Load(t) {
		if v.Kind == vectors.KindEntry {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		t.Fatal("no entry vectors: the replay would prove nothing")
	}
	return out
}

// mustResolve fails the test when a call rejected.
func mustResolve(t *testing.T, call bridgeCall, method string, args ...any) json.RawMessage {
	t.Helper()
	res, rej := call(t, method, args...)
	if rej != nil {
		t.Fatalf("%s rejected: %v", method, rej)
	}
	return res
}

// mustReject fails the test unless a call rejected with code and a message.
func mustReject(t *testing.T, call bridgeCall, code api.Code, method string, args ...any) {
	t.Helper()
	res, rej := call(t, method, args...)
	if rej == nil {
		t.Fatalf("%s resolved with %s, want a %s rejection", method, res, code)
	}
	if rej.Code != code || rej.Message == "" {
		t.Fatalf("%s rejected with %q (%q), want code %s", method, rej.Code, rej.Message, code)
	}
}

// sameJSON reports whether two JSON texts hold the same value. Key order
// may differ: a value that went through JSON.parse and JSON.stringify comes
// back with integer-like keys first.
func sameJSON(t *testing.T, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("JSON %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("JSON %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

type openResult struct {
	Entries []json.RawMessage `json:"entries"`
	Failed  []struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	} `json:"failed"`
	Report struct {
		Entries int `json:"entries"`
	} `json:"report"`
}

// editedName is the name the entrySeal replay gives the entry; the edit
// leaves every other field, known or not, as it was.
const editedName = "Sealed through the bridge"

func replayEntry(t *testing.T, v vectors.Vector, call bridgeCall) {
	vaultID, entryID := v.Field(t, vectors.FieldVaultID), v.Field(t, vectors.FieldEntryID)
	vaultKey, ct := v.Hex(t, vectors.FieldVaultKey), v.Hex(t, vectors.FieldCiphertext)

	header, err := json.Marshal(api.VaultHeader{VaultID: vaultID})
	if err != nil {
		t.Fatal(err)
	}
	if res := mustResolve(t, call, "vaultLoad", string(header), base64.StdEncoding.EncodeToString(vaultKey)); res != nil {
		t.Fatalf("vaultLoad resolved with %s, want undefined", res)
	}

	// The plaintext the vector expects, as the vault renders it; nil for a
	// vector that must not open.
	var want *vault.Entry
	if v.Expect == vectors.ExpectSuccess {
		if want, err = vault.ParseEntry(entryID, v.Hex(t, vectors.FieldPlaintext)); err != nil {
			t.Fatalf("the vector's plaintext does not parse: %v", err)
		}
	}

	pull, err := json.Marshal([]api.Entry{{ID: entryID, Revision: 1, Ciphertext: ct}})
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []struct {
		name string
		arg  any
	}{
		{"binary batch", AppendBatch(nil, []vault.Sealed{{ID: entryID, Ciphertext: ct}})},
		{"pull records", string(pull)},
	} {
		t.Run("entriesOpen "+form.name, func(t *testing.T) {
			checkOpened(t, mustResolve(t, call, "entriesOpen", form.arg), entryID, want)
		})
	}

	t.Run("entrySeal", func(t *testing.T) {
		form := `{"id":"` + entryID + `","fields":{"name":"` + editedName + `"}}`
		stored := base64.StdEncoding.EncodeToString(ct) // as storage.local keeps it
		if want == nil {
			// An edit must open the entry first, and refuse what does not.
			mustReject(t, call, api.CodeDecrypt, "entrySeal", form, stored)
			return
		}
		// The vault decides what the edit makes of the entry (a type this
		// version does not know is read-only); the bridge must agree.
		edited := want.Clone()
		if err := vault.DefaultSchema().ApplyEdit(edited, []byte(form), time.Now()); err != nil {
			mustReject(t, call, api.CodeOf(err), "entrySeal", form, stored)
			return
		}
		var sealed sealedJSON
		if err := json.Unmarshal(mustResolve(t, call, "entrySeal", form, stored), &sealed); err != nil {
			t.Fatal(err)
		}
		if sealed.ID != entryID {
			t.Fatalf("entrySeal sealed entry %s, want %s", sealed.ID, entryID)
		}
		// Open what the bridge sealed with the vault itself: the plaintext
		// must be the vector's with the edit applied, byte for byte, fields
		// this version does not know included. Only the time of the edit
		// is the bridge's own.
		k, err := vault.NewKey(vaultID, vaultKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.OpenEntry(entryID, sealed.Ciphertext)
		if err != nil {
			t.Fatalf("the bridge's ciphertext does not open: %v", err)
		}
		edited = want.Clone()
		if err := vault.DefaultSchema().ApplyEdit(edited, []byte(form), got.Time(vault.TagModified)); err != nil {
			t.Fatal(err)
		}
		gotPT, _ := got.MarshalBinary()
		wantPT, _ := edited.MarshalBinary()
		if !bytes.Equal(gotPT, wantPT) {
			t.Fatalf("sealed plaintext %x, want %x", gotPT, wantPT)
		}
		// And the bridge opens its own ciphertext to the same entry.
		batch := AppendBatch(nil, []vault.Sealed{{ID: entryID, Ciphertext: sealed.Ciphertext}})
		checkOpened(t, mustResolve(t, call, "entriesOpen", batch), entryID, edited)
	})
}

// checkOpened checks entriesOpen's result for one entry: want rendered as
// the vault renders it, or, with want nil, a decrypt_failed failure.
func checkOpened(t *testing.T, res json.RawMessage, entryID string, want *vault.Entry) {
	t.Helper()
	var o openResult
	if err := json.Unmarshal(res, &o); err != nil {
		t.Fatalf("entriesOpen result %s: %v", res, err)
	}
	if want == nil {
		if len(o.Entries) != 0 || len(o.Failed) != 1 || o.Failed[0].ID != entryID || o.Failed[0].Code != string(api.CodeDecrypt) {
			t.Fatalf("entriesOpen = %s, want entry %s failed with %s", res, entryID, api.CodeDecrypt)
		}
		return
	}
	if len(o.Entries) != 1 || len(o.Failed) != 0 || o.Report.Entries != 1 {
		t.Fatalf("entriesOpen = %s, want the entry opened", res)
	}
	if wantJSON := vault.DefaultSchema().AppendJSON(nil, want); !sameJSON(t, o.Entries[0], wantJSON) {
		t.Fatalf("entry JSON = %s, want %s", o.Entries[0], wantJSON)
	}
}
