package vault_test

import (
	"bytes"
	"errors"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

func testParams(t *testing.T) api.KDFParams {
	t.Helper()
	p, err := vault.NewKDFParams()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCreateUnlock(t *testing.T) {
	vaulttest.FastKDF(t)
	h, k, err := vault.Create("correct horse battery staple", testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	if !api.ValidID(h.VaultID) || h.VaultID != k.VaultID() {
		t.Fatalf("vault id %q, key's %q", h.VaultID, k.VaultID())
	}
	if len(h.WrappedKey) != 74 {
		t.Fatalf("wrapped key is %d bytes, want 74", len(h.WrappedKey))
	}
	k2, err := vault.Unlock(h, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !k.Equal(k2) {
		t.Fatal("unlocked key differs from the created one")
	}

	tests := []struct {
		name     string
		header   func(api.VaultHeader) api.VaultHeader
		password string
		code     api.Code
	}{
		{"wrong password", nil, "correct horse battery stapler", api.CodeWrongPassword},
		{"empty password", nil, "", api.CodeWrongPassword},
		{"truncated password", nil, "correct horse", api.CodeWrongPassword},
		{"other vault id", func(h api.VaultHeader) api.VaultHeader {
			h.VaultID = "00112233445566778899aabbccddeeff"
			return h
		}, "correct horse battery staple", api.CodeWrongPassword},
		{"flipped bit", func(h api.VaultHeader) api.VaultHeader {
			h.WrappedKey = bytes.Clone(h.WrappedKey)
			h.WrappedKey[40] ^= 1
			return h
		}, "correct horse battery staple", api.CodeWrongPassword},
		{"truncated key", func(h api.VaultHeader) api.VaultHeader {
			h.WrappedKey = h.WrappedKey[:73]
			return h
		}, "correct horse battery staple", api.CodeWrongPassword},
		{"unknown version", func(h api.VaultHeader) api.VaultHeader {
			h.WrappedKey = bytes.Clone(h.WrappedKey)
			h.WrappedKey[0] = 2
			return h
		}, "correct horse battery staple", api.CodeUnsupported},
		{"kdf below the floor", func(h api.VaultHeader) api.VaultHeader {
			h.KDF.MemoryKiB = api.MinKDFMemoryKiB - 1
			return h
		}, "correct horse battery staple", api.CodeInvalid},
		{"kdf above the ceiling", func(h api.VaultHeader) api.VaultHeader {
			h.KDF.Time = api.MaxKDFTime + 1
			return h
		}, "correct horse battery staple", api.CodeInvalid},
		{"other kdf", func(h api.VaultHeader) api.VaultHeader {
			h.KDF.Algorithm = "scrypt"
			return h
		}, "correct horse battery staple", api.CodeUnsupported},
		{"bad vault id", func(h api.VaultHeader) api.VaultHeader {
			h.VaultID = "x"
			return h
		}, "correct horse battery staple", api.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hh := h
			if tt.header != nil {
				hh = tt.header(h)
			}
			_, err := vault.Unlock(hh, tt.password)
			if got := api.CodeOf(err); got != tt.code {
				t.Fatalf("Unlock: %v (code %s), want code %s", err, got, tt.code)
			}
			if tt.code == api.CodeWrongPassword && !errors.Is(err, vault.ErrWrongPassword) {
				t.Fatalf("Unlock: %v is not ErrWrongPassword", err)
			}
		})
	}
}

func TestPasswordNormalisation(t *testing.T) {
	vaulttest.FastKDF(t)
	// "é" composed (U+00E9) and decomposed (e + U+0301), and a full-width
	// "Ａ" (U+FF21), which NFKC folds to "A".
	h, _, err := vault.Create("caf\u00e9 \uff21", testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.Unlock(h, "cafe\u0301 A"); err != nil {
		t.Fatalf("Unlock with the decomposed form: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	vaulttest.FastKDF(t)
	h, k, err := vault.Create("old password", testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := vault.NewEntryID()
	ct, err := k.Seal(id, []byte("kept"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.ChangePassword(h, "not the old password", "new password"); !errors.Is(err, vault.ErrWrongPassword) {
		t.Fatalf("ChangePassword with a wrong old password: %v", err)
	}
	nh, err := vault.ChangePassword(h, "old password", "new password")
	if err != nil {
		t.Fatal(err)
	}
	if nh.VaultID != h.VaultID || bytes.Equal(nh.KDF.Salt, h.KDF.Salt) {
		t.Fatal("the vault id changed or the salt was reused")
	}
	if _, err := vault.Unlock(nh, "old password"); !errors.Is(err, vault.ErrWrongPassword) {
		t.Fatalf("the old password still opens the new header: %v", err)
	}
	k2, err := vault.Unlock(nh, "new password")
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k2.Open(id, ct)
	if err != nil || string(pt) != "kept" {
		t.Fatalf("entry after a password change: %q, %v", pt, err)
	}
}

func TestCreateRefuses(t *testing.T) {
	vaulttest.FastKDF(t)
	weak := testParams(t)
	weak.Time = 1
	tests := []struct {
		name     string
		password string
		kdf      api.KDFParams
		code     api.Code
	}{
		{"empty password", "", testParams(t), api.CodeInvalid},
		{"weak kdf", "password", weak, api.CodeInvalid},
		{"short salt", "password", api.KDFParams{Algorithm: api.KDFArgon2id, Salt: []byte("salt"), MemoryKiB: api.DefaultKDFMemoryKiB, Time: 3, Threads: 4}, api.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := vault.Create(tt.password, tt.kdf)
			if got := api.CodeOf(err); got != tt.code {
				t.Fatalf("Create: %v, want code %s", err, tt.code)
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	vaulttest.FastKDF(t)
	_, k, err := vault.Create("password", testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := vault.NewKey(k.VaultID(), k.Bytes())
	if err != nil || !k.Equal(k2) {
		t.Fatalf("NewKey from the parts: %v", err)
	}
	if _, err := vault.NewKey(k.VaultID(), k.Bytes()[:31]); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("NewKey with a short key: %v", err)
	}
	if _, err := vault.NewKey("ABC", k.Bytes()); api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("NewKey with a bad id: %v", err)
	}
	k2.Destroy()
	if _, err := k2.Seal("00112233445566778899aabbccddeeff", nil); api.CodeOf(err) != api.CodeLocked {
		t.Fatalf("Seal after Destroy: %v", err)
	}
}
