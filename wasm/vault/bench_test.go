package vault_test

import (
	"testing"

	"watchword/wasm/vault"
)

// BenchmarkDeriveKey unlocks a vault with the default Argon2id settings
// (m=64 MiB, t=3, p=4): the cost of typing the master password.
func BenchmarkDeriveKey(b *testing.B) {
	kdf, err := vault.NewKDFParams()
	if err != nil {
		b.Fatal(err)
	}
	h, _, err := vault.Create("correct horse battery staple", kdf)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := vault.Unlock(h, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func sealedLogins(b *testing.B, k *vault.Key, n int) []vault.Sealed {
	b.Helper()
	entries := make([]*vault.Entry, n)
	for i := range entries {
		entries[i] = loginEntry(entryID(i), i)
	}
	sealed, err := k.SealEntries(entries)
	if err != nil {
		b.Fatal(err)
	}
	return sealed
}

// BenchmarkOpenEntries10k opens and decodes 10,000 typical logins: the
// unlock path.
func BenchmarkOpenEntries10k(b *testing.B) {
	k := testKey(b, testVaultID, 1)
	sealed := sealedLogins(b, k, 10000)
	total := 0
	for _, s := range sealed {
		total += len(s.Ciphertext)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range k.OpenEntries(sealed) {
			if o.Err != nil {
				b.Fatal(o.Err)
			}
		}
	}
}

// BenchmarkOpenEntries10kJSON is the whole unlock path as the popup sees it:
// open, decode and write the vault as JSON.
func BenchmarkOpenEntries10kJSON(b *testing.B) {
	k := testKey(b, testVaultID, 1)
	sealed := sealedLogins(b, k, 10000)
	s := vault.DefaultSchema()
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out = s.AppendVaultJSON(out[:0], k.OpenEntries(sealed))
	}
	b.ReportMetric(float64(len(out)), "json-bytes")
}

// BenchmarkSeal encodes and seals one typical login.
func BenchmarkSeal(b *testing.B) {
	k := testKey(b, testVaultID, 1)
	e := loginEntry(testEntryID, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.SealEntry(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealEntries10k seals 10,000 logins in one call (an import).
func BenchmarkSealEntries10k(b *testing.B) {
	k := testKey(b, testVaultID, 1)
	entries := make([]*vault.Entry, 10000)
	for i := range entries {
		entries[i] = loginEntry(entryID(i), i)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.SealEntries(entries); err != nil {
			b.Fatal(err)
		}
	}
}
