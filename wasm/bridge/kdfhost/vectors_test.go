package kdfhost

import (
	"bytes"
	"encoding/base64"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault/vaulttest/vectors"
)

// Package vault's vault-key vectors are replayed here through kdf.wasm's
// entry point, the only place a master password becomes a key: unlock with
// the vector's password and header gives the vector's vault key, and the
// wrong password is refused as such. The replay is written once against
// kdfCall; TestVectorsThroughKDF drives it through [KDF], and
// TestVectorsThroughJS (GOOS=js) through the global [ServeKDF] installs.

// kdfCall answers one JSON request with the result JSON or a rejection.
type kdfCall func(t *testing.T, req []byte) ([]byte, *api.Error)

func TestVectorsThroughKDF(t *testing.T) {
	replayVaultKeys(t, func(t *testing.T, req []byte) ([]byte, *api.Error) {
		out, err := KDF(req)
		if err != nil {
			return nil, asAPIError(err)
		}
		return out, nil
	})
}

func replayVaultKeys(t *testing.T, call kdfCall) {
	n := 0
	for _, v := range vectors.Load(t) {
		if v.Kind != vectors.KindVaultKey {
			continue // entry vectors are replayed through core.wasm's bridge
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			h := v.Header(t)
			req := mustJSON(t, KDFRequest{Op: OpUnlock, Password: string(v.Hex(t, vectors.FieldPassword)), Header: &h})
			out, rej := call(t, req)
			switch v.Expect {
			case vectors.ExpectSuccess:
				if rej != nil {
					t.Fatalf("unlock rejected: %v", rej)
				}
				got, err := base64.StdEncoding.DecodeString(decodeResult(t, out).VaultKey)
				if err != nil {
					t.Fatalf("vaultKey in %s: %v", out, err)
				}
				if want := v.Hex(t, vectors.FieldVaultKey); !bytes.Equal(got, want) {
					t.Fatalf("vault key %x, want %x", got, want)
				}
			case vectors.ExpectWrongPassword:
				if rej == nil || rej.Code != api.CodeWrongPassword || rej.Message == "" {
					t.Fatalf("unlock answered %s, %v; want a wrong_password rejection", out, rej)
				}
			default:
				t.Fatalf("unknown expectation %q", v.Expect)
			}
		})
	}
	if n == 0 {
		t.Fatal("no vault-key vectors: the replay would prove nothing")
	}
}
