//go:build !js

package vaultsync_test

import (
	"context"
	"path/filepath"
	"testing"

	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
	"watchword/wasm/vaultsync"
	"watchword/wasm/vaultsync/filestore"
	"watchword/wasm/vaultsync/memserver"
)

// TestJournalSurvivesProcessRestart keeps the device's data in a file: a
// change saved before the process ends is delivered by the next process.
func TestJournalSurvivesProcessRestart(t *testing.T) {
	ctx := context.Background()
	vaulttest.FastKDF(t)
	kdf, err := vault.NewKDFParams()
	if err != nil {
		t.Fatal(err)
	}
	h, k, err := vault.Create("correct horse battery staple", kdf)
	if err != nil {
		t.Fatal(err)
	}
	srv := memserver.New()
	path := filepath.Join(t.TempDir(), "device")
	acct, _ := vault.NewVaultID()
	open := func() (*filestore.Store, *vaultsync.Engine) {
		st, err := filestore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		e, err := vaultsync.Open(ctx, vaultsync.Config{Storage: st, Account: acct, Keyring: k, Merger: vaultsync.EntryMerger{}, Header: &h, Transport: srv.Transport()})
		if err != nil {
			t.Fatal(err)
		}
		return st, e
	}
	st, e := open()
	id, _ := vault.NewEntryID()
	entry := vault.NewEntry(id, vault.TypeNote)
	entry.SetString(vault.TagName, "saved")
	pt, _ := entry.MarshalBinary()
	if err := e.Put(ctx, id, pt); err != nil {
		t.Fatal(err)
	}
	e.Close()
	st.Close() // the process ends before any sync
	st, e = open()
	defer st.Close()
	if e.Pending() != 1 {
		t.Fatalf("pending after restart = %d, want 1", e.Pending())
	}
	if err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if rev, _ := srv.Transport().Revision(ctx); rev != 1 {
		t.Fatalf("server revision = %d, want 1", rev)
	}
	got, err := e.Get(id)
	if err != nil || string(got) != string(pt) {
		t.Fatalf("entry after restart and sync: %v", err)
	}
}
