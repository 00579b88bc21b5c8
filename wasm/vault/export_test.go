package vault

import (
	"bytes"
	"errors"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault/internal/hook"
)

func exportKDF(t *testing.T) api.KDFParams {
	t.Helper()
	old := hook.SetKDFCost(&hook.Cost{MemoryKiB: 64, Time: 1})
	t.Cleanup(func() { hook.SetKDFCost(old) })
	kdf, err := NewKDFParams()
	if err != nil {
		t.Fatal(err)
	}
	kdf.MemoryKiB, kdf.Time, kdf.Threads = api.MinKDFMemoryKiB, api.MinKDFTime, api.MinKDFThreads
	return kdf
}

func TestExportSealOpen(t *testing.T) {
	kdf := exportKDF(t)
	raw, err := DeriveExportKey("an export passphrase", kdf)
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewExportKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	header, payload := []byte(`{"format":"x","kdf":1}`), []byte("entries go here")
	sealed, err := k.Seal(header, payload)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, payload) {
		t.Fatal("the payload is in the clear")
	}
	got, err := k.Open(header, sealed)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// The same password and settings derive the same key; NFKC applies.
	again, _ := DeriveExportKey("an export passphrase", kdf)
	if !bytes.Equal(again, raw) {
		t.Fatal("the same password and settings derived another key")
	}
	// The key is not the vault's wrapping key for the same password.
	wk, _ := deriveWrappingKey("an export passphrase", kdf)
	if bytes.Equal(wk[:], raw) {
		t.Fatal("the export key equals the wrapping key of the same password")
	}

	other, _ := DeriveExportKey("another passphrase", kdf)
	ok2, _ := NewExportKey(other)
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for name, try := range map[string]func() ([]byte, error){
		"another password":  func() ([]byte, error) { return ok2.Open(header, sealed) },
		"an altered header": func() ([]byte, error) { return k.Open([]byte(`{"format":"x","kdf":2}`), sealed) },
		"a flipped bit":     func() ([]byte, error) { return k.Open(header, flipped) },
		"truncated":         func() ([]byte, error) { return k.Open(header, sealed[:len(sealed)-1]) },
		"empty":             func() ([]byte, error) { return k.Open(header, nil) },
	} {
		if out, err := try(); !errors.Is(err, ErrExportPassword) || out != nil {
			t.Errorf("%s: %q, %v; want ErrExportPassword", name, out, err)
		}
	}
	future := bytes.Clone(sealed)
	future[0] = 9
	if _, err := k.Open(header, future); api.CodeOf(err) != api.CodeUnsupported {
		t.Errorf("a newer format: %v, want unsupported", err)
	}
}

func TestExportKeyRefusals(t *testing.T) {
	kdf := exportKDF(t)
	if _, err := DeriveExportKey("", kdf); api.CodeOf(err) != api.CodeInvalid {
		t.Errorf("empty password: %v", err)
	}
	low := kdf
	low.MemoryKiB = 1024
	if _, err := DeriveExportKey("pw", low); api.CodeOf(err) != api.CodeInvalid {
		t.Errorf("below the floor: %v", err)
	}
	if _, err := NewExportKey([]byte("short")); api.CodeOf(err) != api.CodeInvalid {
		t.Errorf("short key: %v", err)
	}
}
