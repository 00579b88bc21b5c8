package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"watchword/server"
	"watchword/server/sqlite"
)

// TestPurgeUnactivated runs the purge loop on a real store with an injected
// clock: an unconfirmed account older than five days goes, with its data;
// a confirmed one and a young one stay; the loop stops with its context.
func TestPurgeUnactivated(t *testing.T) {
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Now()
	var off atomic.Int64
	now := func() time.Time { return start.Add(time.Duration(off.Load())) }

	mk := func(id, email string, activated bool) {
		a := &server.Account{ID: id, Email: email, PasswordHash: "x", CreatedAt: start}
		if activated {
			a.ActivatedAt = start
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	mk("00000000000000000000000000000001", "old@example.org", false)
	mk("00000000000000000000000000000002", "done@example.org", true)
	if err := st.PutToken(ctx, &server.Token{Hash: make([]byte, 32), AccountID: "00000000000000000000000000000001",
		Purpose: server.PurposeActivation, CreatedAt: start, ExpiresAt: start.Add(10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	loop, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	off.Store(int64(4 * 24 * time.Hour))
	go func() {
		defer close(done)
		server.PurgeUnactivated(loop, st, 5*24*time.Hour, 20*time.Millisecond, now, slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	time.Sleep(100 * time.Millisecond)
	if _, err := st.AccountByEmail(ctx, "old@example.org"); err != nil {
		t.Fatalf("purged after 4 days: %v", err)
	}
	off.Store(int64(5*24*time.Hour + time.Minute))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := st.AccountByEmail(ctx, "old@example.org")
		if errors.Is(err, server.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("unconfirmed account not purged after 5 days")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := st.ConsumeToken(ctx, make([]byte, 32), server.PurposeActivation, now()); !errors.Is(err, server.ErrNotFound) {
		t.Fatalf("the purged account's token survived: %v", err)
	}
	if _, err := st.AccountByEmail(ctx, "done@example.org"); err != nil {
		t.Fatalf("confirmed account purged: %v", err)
	}
	// The address is free again.
	if err := st.CreateAccount(ctx, &server.Account{ID: "00000000000000000000000000000003", Email: "old@example.org", PasswordHash: "x", CreatedAt: now()}); err != nil {
		t.Fatalf("register the freed address: %v", err)
	}
	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("purge loop did not stop")
	}
}
