package vault_test

import (
	"errors"
	"testing"

	"golang.org/x/crypto/argon2"

	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

// useArgon2ID installs f for the test and restores the previous one after.
func useArgon2ID(t *testing.T, f vault.Argon2ID) {
	t.Helper()
	prev := vault.UseArgon2ID(f)
	t.Cleanup(func() { vault.UseArgon2ID(prev) })
}

// An installed Argon2id is the one every derivation runs; one that agrees
// with x/crypto opens vaults made without it, and the other way round.
func TestUseArgon2ID(t *testing.T) {
	vaulttest.FastKDF(t)
	const pw = "correct horse battery staple"
	h, k, err := vault.Create(pw, testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	useArgon2ID(t, func(password, salt []byte, time, mem uint32, threads uint8, n uint32) ([]byte, error) {
		calls++
		return argon2.IDKey(password, salt, time, mem, threads, n), nil
	})
	k2, err := vault.Unlock(h, pw)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || !k.Equal(k2) {
		t.Fatalf("%d call(s); same key: %v", calls, k.Equal(k2))
	}
	h3, k3, err := vault.Create(pw, testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	vault.UseArgon2ID(nil)
	k4, err := vault.Unlock(h3, pw)
	if err != nil || !k3.Equal(k4) {
		t.Fatalf("a vault made through the installed Argon2id: %v", err)
	}
}

// A broken Argon2id fails the unlock with its own error, never as a wrong
// password and never with a key derived from a short or failed answer.
func TestUseArgon2IDFailures(t *testing.T) {
	vaulttest.FastKDF(t)
	const pw = "correct horse battery staple"
	h, _, err := vault.Create(pw, testParams(t))
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("kernel failed")
	for name, f := range map[string]vault.Argon2ID{
		"an error": func([]byte, []byte, uint32, uint32, uint8, uint32) ([]byte, error) { return nil, boom },
		"too short": func(p, s []byte, t, m uint32, th uint8, n uint32) ([]byte, error) {
			return argon2.IDKey(p, s, t, m, th, n)[:n-1], nil
		},
		"empty": func([]byte, []byte, uint32, uint32, uint8, uint32) ([]byte, error) { return nil, nil },
	} {
		useArgon2ID(t, f)
		_, err := vault.Unlock(h, pw)
		if err == nil || errors.Is(err, vault.ErrWrongPassword) {
			t.Errorf("%s: unlock answered %v, want an error that is not a wrong password", name, err)
		}
		if name == "an error" && !errors.Is(err, boom) {
			t.Errorf("%s: %v does not wrap the cause", name, err)
		}
	}
	// And a different key is a wrong password: the wrapped key does not open.
	useArgon2ID(t, func(p, s []byte, t, m uint32, th uint8, n uint32) ([]byte, error) {
		return argon2.IDKey(append(p, 'x'), s, t, m, th, n), nil
	})
	if _, err := vault.Unlock(h, pw); !errors.Is(err, vault.ErrWrongPassword) {
		t.Errorf("another key: %v, want the wrong-password error", err)
	}
}
