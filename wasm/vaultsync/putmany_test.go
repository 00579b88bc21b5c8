package vaultsync

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/vault"
)

// countingStorage counts writes and can be told to fail the next one.
type countingStorage struct {
	Storage
	writes atomic.Int32
	fail   atomic.Bool
}

func (s *countingStorage) Write(ctx context.Context, b Batch) error {
	if s.fail.Swap(false) {
		return errors.New("disk full")
	}
	s.writes.Add(1)
	return s.Storage.Write(ctx, b)
}

// PutMany journals many entries in one storage write; they survive a crash,
// reach the server and another device.
func TestPutManyOneWrite(t *testing.T) {
	a, b, _, _ := pair(t)
	st := &countingStorage{Storage: a.st}
	a.cfg.Storage = st
	a.crash() // reopen on the counting storage
	var puts []Plain
	want := map[string]string{}
	for i := 0; i < 600; i++ {
		id := newID(t)
		name := "entry " + string(rune('a'+i%26)) + id[:6]
		puts = append(puts, Plain{ID: id, Plaintext: login(t, id, t0, map[vault.Tag]string{vault.TagName: name, vault.TagPassword: "p"})})
		want[id] = name
	}
	before := st.writes.Load()
	if err := a.eng.PutMany(context.Background(), puts); err != nil {
		t.Fatal(err)
	}
	if n := st.writes.Load() - before; n != 1 {
		t.Fatalf("PutMany wrote %d times, want once", n)
	}
	if got := a.eng.Status().Pending; got != len(puts) {
		t.Fatalf("pending = %d, want %d", got, len(puts))
	}
	a.crash()
	for id, name := range want {
		if got := a.entry(id).String(vault.TagName); got != name {
			t.Fatalf("after a crash %s is %q, want %q", id, got, name)
		}
	}
	for i := 0; i < 5 && a.eng.Status().Pending > 0; i++ {
		a.mustSync() // several pushes: more than one push's worth of changes
	}
	if p := a.eng.Status().Pending; p != 0 {
		t.Fatalf("%d still pending after syncing", p)
	}
	b.mustSync()
	for id, name := range want {
		if got := b.entry(id).String(vault.TagName); got != name {
			t.Fatalf("the other device has %s as %q, want %q", id, got, name)
		}
	}
}

// A failed write journals none of the entries; bad input is refused before
// anything is written.
func TestPutManyAllOrNothing(t *testing.T) {
	a, _, _, _ := pair(t)
	st := &countingStorage{Storage: a.st}
	a.cfg.Storage = st
	a.crash()
	id1, id2 := newID(t), newID(t)
	puts := []Plain{{ID: id1, Plaintext: login(t, id1, t0, nil)}, {ID: id2, Plaintext: login(t, id2, t0, nil)}}
	st.fail.Store(true)
	if err := a.eng.PutMany(context.Background(), puts); err == nil {
		t.Fatal("PutMany succeeded on a failing disk")
	}
	for _, id := range []string{id1, id2} {
		if _, err := a.eng.Get(id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after a failed write Get(%s) = %v, want not found", id, err)
		}
	}
	if got := a.eng.Status().Pending; got != 0 {
		t.Fatalf("pending = %d after a failed write", got)
	}
	before := st.writes.Load()
	wantCode(t, a.eng.PutMany(context.Background(), []Plain{puts[0], puts[0]}), api.CodeInvalid)
	wantCode(t, a.eng.PutMany(context.Background(), []Plain{puts[0], {ID: "nope", Plaintext: nil}}), api.CodeInvalid)
	if st.writes.Load() != before {
		t.Fatal("a refused PutMany wrote")
	}
	if err := a.eng.PutMany(context.Background(), nil); err != nil {
		t.Fatalf("an empty PutMany: %v", err)
	}
}
