// Package storagetest is the conformance suite every vaultsync.Storage
// passes: the memory store, the file store, and the bridge's store over
// chrome.storage.local (run under GOOS=js GOARCH=wasm). Call Run from a test
// with a function that opens the store under test; reopen, when not nil,
// closes and reopens it on the same data, to check durability.
package storagetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"watchword/wasm/vaultsync"
)

// Run runs the suite. open returns an empty store; reopen (optional)
// returns the same store after a restart.
func Run(t *testing.T, open func(t *testing.T) vaultsync.Storage, reopen func(t *testing.T, s vaultsync.Storage) vaultsync.Storage) {
	ctx := context.Background()
	all := func(t *testing.T, s vaultsync.Storage, prefix string) map[string]string {
		t.Helper()
		m := make(map[string]string)
		if err := s.Scan(ctx, prefix, func(k string, v []byte) error {
			m[k] = string(v)
			return nil
		}); err != nil {
			t.Fatalf("scan %q: %v", prefix, err)
		}
		return m
	}
	t.Run("missing key", func(t *testing.T) {
		s := open(t)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, vaultsync.ErrNoValue) {
			t.Fatalf("get missing key: %v, want ErrNoValue", err)
		}
	})
	t.Run("batch put, overwrite, delete", func(t *testing.T) {
		s := open(t)
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"a/1": []byte("x"), "a/2": {}, "b/1": {0, 255}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"a/1": []byte("y")}, Delete: []string{"b/1", "never"}}); err != nil {
			t.Fatal(err)
		}
		v, err := s.Get(ctx, "a/1")
		if err != nil || string(v) != "y" {
			t.Fatalf("a/1 = %q, %v", v, err)
		}
		v, err = s.Get(ctx, "a/2")
		if err != nil || len(v) != 0 {
			t.Fatalf("empty value a/2 = %q, %v", v, err)
		}
		if got := all(t, s, "a/"); !maps.Equal(got, map[string]string{"a/1": "y", "a/2": ""}) {
			t.Fatalf("scan a/ = %v", got)
		}
		if got := all(t, s, "b/"); len(got) != 0 {
			t.Fatalf("deleted key still scanned: %v", got)
		}
	})
	t.Run("put and delete of one key in a batch deletes", func(t *testing.T) {
		s := open(t)
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"k": []byte("v")}, Delete: []string{"k"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "k"); !errors.Is(err, vaultsync.ErrNoValue) {
			t.Fatalf("get: %v, want ErrNoValue", err)
		}
	})
	t.Run("values are copied", func(t *testing.T) {
		s := open(t)
		b := []byte("abc")
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"k": b}}); err != nil {
			t.Fatal(err)
		}
		b[0] = 'X'
		v, _ := s.Get(ctx, "k")
		v[1] = 'Y'
		if v2, _ := s.Get(ctx, "k"); string(v2) != "abc" {
			t.Fatalf("stored value changed through a caller's slice: %q", v2)
		}
	})
	t.Run("scan stops at an error", func(t *testing.T) {
		s := open(t)
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"p/1": nil, "p/2": nil}}); err != nil {
			t.Fatal(err)
		}
		stop := errors.New("stop")
		n := 0
		err := s.Scan(ctx, "p/", func(string, []byte) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("scan returned %v after %d calls", err, n)
		}
	})
	if reopen == nil {
		return
	}
	t.Run("durable across a restart", func(t *testing.T) {
		s := open(t)
		want := make(map[string]string)
		for i := range 50 {
			var b vaultsync.Batch
			b.Put = map[string][]byte{fmt.Sprintf("e/%03d", i): []byte(fmt.Sprint(i))}
			if i%3 == 0 && i > 0 {
				b.Delete = []string{fmt.Sprintf("e/%03d", i-1)}
				delete(want, fmt.Sprintf("e/%03d", i-1))
			}
			want[fmt.Sprintf("e/%03d", i)] = fmt.Sprint(i)
			if err := s.Write(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		s = reopen(t, s)
		got := all(t, s, "")
		if !maps.Equal(got, want) {
			t.Fatalf("after restart: %d keys, want %d (%v)", len(got), len(want), slices.Sorted(maps.Keys(got))[:3])
		}
	})
}
