package vaultsync

import (
	"context"
	"fmt"
	"testing"
	"time"

	"watchword/wasm/vault"
)

// BenchmarkOpenView10k measures unlocking a device that holds 10,000
// logins: the engine loads its records from storage (Open), then every
// entry is decrypted (View). Run under GOOS=js GOARCH=wasm too, where the
// core does this on unlock. view-of-1 is the part of it a list patch
// needs for one changed entry.
func BenchmarkOpenView10k(b *testing.B) {
	ctx := context.Background()
	h, k := testVault(b)
	st := NewMemoryStorage()
	cfg := Config{Storage: st, Account: LocalAccount, Keyring: k, Merger: EntryMerger{}, Header: &h}
	eng, err := Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i := range 10_000 {
		e := vault.NewEntry(newID(b), vault.TypeLogin)
		ids = append(ids, e.ID)
		e.SetString(vault.TagName, fmt.Sprintf("Example site %d", i))
		e.SetURLs([]vault.URL{{URL: fmt.Sprintf("https://login.example%d.com/signin", i)}})
		e.SetTime(vault.TagModified, time.Unix(1_700_000_000, 0))
		pt, err := e.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		if err := eng.Put(ctx, e.ID, pt); err != nil {
			b.Fatal(err)
		}
	}
	eng.Close()
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			e, err := Open(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			e.Close()
		}
	})
	e, err := Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.Run("view", func(b *testing.B) {
		for b.Loop() {
			if v := e.View(); len(v.Items) != 10_000 {
				b.Fatalf("view has %d items", len(v.Items))
			}
		}
	})
	// What a list patch opens after a sync round brought one entry.
	b.Run("view-of-1", func(b *testing.B) {
		for b.Loop() {
			if v := e.ViewOf(ids[:1]); len(v.Items) != 1 {
				b.Fatalf("view has %d items", len(v.Items))
			}
		}
	})
}
