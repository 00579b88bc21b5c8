package vault

import (
	"bytes"
	"errors"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault/internal/hook"
	"watchword/wasm/vault/vaulttest/vectors"
)

// TestVectors replays every vector of package vectors. They are embedded
// there, not read from disk, so the same test runs under GOOS=js GOARCH=wasm
// in a browser, where there is no file system; the bridge replays the very
// same bytes through its JavaScript entry points.
func TestVectors(t *testing.T) {
	for _, v := range vectors.Load(t) {
		t.Run(v.Name, func(t *testing.T) {
			switch v.Kind {
			case vectors.KindEntry:
				replayEntryVector(t, v)
			case vectors.KindVaultKey:
				replayVaultKeyVector(t, v)
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
		})
	}
}

func replayEntryVector(t *testing.T, v vectors.Vector) {
	k, err := NewKey(v.Field(t, vectors.FieldVaultID), v.Hex(t, vectors.FieldVaultKey))
	if err != nil {
		t.Fatal(err)
	}
	entryID, ct := v.Field(t, vectors.FieldEntryID), v.Hex(t, vectors.FieldCiphertext)
	dst := make([]byte, 0, len(ct))
	pt, err := k.AppendOpen(dst, entryID, ct)
	switch v.Expect {
	case vectors.ExpectSuccess:
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		want := v.Hex(t, vectors.FieldPlaintext)
		if !bytes.Equal(pt, want) {
			t.Fatalf("plaintext %x, want %x", pt, want)
		}
		e, err := ParseEntry(entryID, pt)
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		if enc, _ := e.MarshalBinary(); !bytes.Equal(enc, want) {
			t.Fatalf("re-encoded plaintext %x, want %x", enc, want)
		}
		// Sealing again with the same randomness (entry key, then the two
		// nonces) must give the same bytes.
		c, _ := parseEntryCiphertext(ct)
		rnd := bytes.NewReader(bytes.Join([][]byte{v.Hex(t, vectors.FieldEntryKey), c.keyBox[:nonceSize], c.box[:nonceSize]}, nil))
		old := hook.SetRand(rnd)
		again, err := k.Seal(entryID, want)
		hook.SetRand(old)
		if err != nil || !bytes.Equal(again, ct) {
			t.Fatalf("seal again: %x, %v; want %x", again, err, ct)
		}
	case vectors.ExpectDecryptError:
		if err == nil {
			t.Fatalf("opened: %x", pt)
		}
		if !errors.Is(err, ErrDecrypt) || api.CodeOf(err) != api.CodeDecrypt {
			t.Fatalf("open: %v, want ErrDecrypt", err)
		}
		if len(pt) != 0 || !bytes.Equal(dst[:cap(dst)], make([]byte, cap(dst))) {
			t.Fatal("a failed open left bytes in the output buffer")
		}
	default:
		t.Fatalf("unknown expectation %q", v.Expect)
	}
}

func replayVaultKeyVector(t *testing.T, v vectors.Vector) {
	h := v.Header(t)
	k, err := Unlock(h, string(v.Hex(t, vectors.FieldPassword)))
	switch v.Expect {
	case vectors.ExpectSuccess:
		if err != nil {
			t.Fatalf("unlock: %v", err)
		}
		if !bytes.Equal(k.Bytes(), v.Hex(t, vectors.FieldVaultKey)) {
			t.Fatal("unlocked a different vault key")
		}
	case vectors.ExpectWrongPassword:
		if !errors.Is(err, ErrWrongPassword) || api.CodeOf(err) != api.CodeWrongPassword {
			t.Fatalf("unlock: %v, want ErrWrongPassword", err)
		}
	default:
		t.Fatalf("unknown expectation %q", v.Expect)
	}
}
