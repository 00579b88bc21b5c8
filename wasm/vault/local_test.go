package vault_test

import (
	"bytes"
	"errors"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault"
)

func TestLocalRoundTrip(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	for _, pt := range [][]byte{nil, []byte(`{"entries":[]}`), bytes.Repeat([]byte("row,"), 50_000)} {
		ct, err := k.SealLocal(pt)
		if err != nil {
			t.Fatal(err)
		}
		if len(ct) != len(pt)+42 {
			t.Fatalf("sealed %d bytes into %d, want %d", len(pt), len(ct), len(pt)+42)
		}
		got, err := k.OpenLocal(ct)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("opened %q, want %q", got, pt)
		}
		again, _ := k.SealLocal(pt)
		if bytes.Equal(again, ct) {
			t.Fatal("two seals of the same data are equal: the nonce is not fresh")
		}
	}
}

// Each way device-local data can be damaged or misused fails with the one
// decryption error.
func TestLocalRefusesTampering(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	pt := []byte(`{"entries":[{"id":"a","name":"Bank"}]}`)
	ct, err := k.SealLocal(pt)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := k.Seal(testEntryID, pt)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(ct)
		b[i] ^= 1
		return b
	}
	cases := []struct {
		name string
		key  *vault.Key
		ct   []byte
	}{
		{"wrong key", testKey(t, testVaultID, 2), ct},
		{"other vault id", testKey(t, otherID, 1), ct},
		{"flipped version", k, flip(0)},
		{"flipped algorithm", k, flip(1)},
		{"flipped nonce", k, flip(5)},
		{"flipped ciphertext", k, flip(30)},
		{"flipped tag", k, flip(len(ct) - 1)},
		{"truncated", k, ct[:len(ct)-1]},
		{"shorter than the overhead", k, ct[:41]},
		{"empty", k, nil},
		{"an entry ciphertext", k, entry},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.key.OpenLocal(c.ct)
			if !errors.Is(err, vault.ErrDecrypt) {
				t.Fatalf("OpenLocal = %q, %v; want ErrDecrypt", got, err)
			}
		})
	}
	// Nor does device-local data open as an entry.
	if _, err := k.Open(testEntryID, ct); !errors.Is(err, vault.ErrDecrypt) {
		t.Fatalf("device-local data opened as an entry: %v", err)
	}
}

func TestLocalNeedsKey(t *testing.T) {
	k := testKey(t, testVaultID, 1)
	ct, err := k.SealLocal([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	k.Destroy()
	if _, err := k.OpenLocal(ct); api.CodeOf(err) != api.CodeLocked {
		t.Fatalf("open with a destroyed key: %v, want %s", err, api.CodeLocked)
	}
	if _, err := k.SealLocal([]byte("x")); api.CodeOf(err) != api.CodeLocked {
		t.Fatalf("seal with a destroyed key: %v, want %s", err, api.CodeLocked)
	}
}
