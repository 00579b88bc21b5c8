package argon2host

import (
	"bytes"
	"encoding/hex"
	"errors"
	"runtime"
	"testing"

	"golang.org/x/crypto/argon2"

	"watchword/wasm/vault"
	"watchword/wasm/vault/argon2kernel"
)

// The kernel in this browser derives what x/crypto derives, at small costs
// and at the vault's default one, and the 64 MiB of the default cost never
// reach Go's heap.
func TestBrowserKernel(t *testing.T) {
	m, err := compiled()
	if err != nil {
		t.Fatal(err)
	}
	r := Runner{Start: func() (Instance, error) { return newJSInstance(m) }}
	for _, c := range []struct {
		t, m uint32
		p    uint8
		n    uint32
	}{{1, 8, 1, 32}, {2, 16 * 1024 / 16, 1, 32}, {3, 1000, 4, 64}, {1, 257, 3, 16}} {
		pw, salt := []byte("correct horse battery staple"), []byte("watchword salt 16")
		got, err := argon2kernel.IDKey(r, pw, salt, c.t, c.m, c.p, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if want := argon2.IDKey(pw, salt, c.t, c.m, c.p, c.n); !bytes.Equal(got, want) {
			t.Errorf("t=%d m=%d p=%d: %x, x/crypto %x", c.t, c.m, c.p, got, want)
		}
	}

	// The default cost, against x/crypto's answer computed natively (running
	// it here would grow this program's heap by the 64 MiB measured below).
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := argon2kernel.IDKey(r, []byte("correct horse battery staple"), []byte("watchword salt 16"), 3, 64*1024, 4, 32)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if hex.EncodeToString(got) != "7244aaed351dc0cd2ce04cca33a8798099b4697419a07e7581ede3456325a643" {
		t.Errorf("m=64 MiB t=3 p=4: %x", got)
	}
	if grew := int64(after.Sys) - int64(before.Sys); grew > 8<<20 {
		t.Errorf("Go's memory grew by %d MiB in a 64 MiB derivation", grew>>20)
	}
}

// Install routes vault's derivations through the kernel: a vault made with
// it opens with x/crypto's Argon2id, and the other way round.
func TestInstall(t *testing.T) {
	params, err := vault.NewKDFParams()
	if err != nil {
		t.Fatal(err)
	}
	params.MemoryKiB, params.Time, params.Threads = 16*1024, 2, 1 // the floors
	h, k, err := vault.Create("correct horse battery staple", params)
	if err != nil {
		t.Fatal(err)
	}
	Install()
	if _, err := compiled(); err != nil {
		t.Fatalf("the kernel does not compile here, so Install fell back to Go: %v", err)
	}
	defer vault.UseArgon2ID(nil)
	k2, err := vault.Unlock(h, "correct horse battery staple")
	if err != nil || !k.Equal(k2) {
		t.Fatalf("unlock through the kernel: %v", err)
	}
	if _, err := vault.Unlock(h, "not the password"); !errors.Is(err, vault.ErrWrongPassword) {
		t.Fatalf("a wrong password through the kernel: %v", err)
	}
}
