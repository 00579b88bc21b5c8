package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"watchword/server"
	"watchword/server/postgres"
	"watchword/server/sqlite"
	"watchword/wasm/api"
)

// TestMaintain runs the clean-up loop the binary starts, on both stores,
// and checks through the Store interface that it removes what has expired
// at once and again on a later pass: unconfirmed accounts, tokens,
// sessions, counters and stored push answers, keeping what is still live.
func TestMaintain(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) server.Store
	}{
		{"sqlite", func(t *testing.T) server.Store {
			st, err := sqlite.OpenTemp()
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"postgres", openTestPostgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.open(t)
			t.Cleanup(func() { st.Close() })
			testMaintain(t, st)
		})
	}
}

func testMaintain(t *testing.T, st server.Store) {
	ctx := t.Context()
	real := time.Now().UTC().Truncate(time.Microsecond)
	// The loop's clock runs 30 days ahead: everything made with a shorter
	// lifetime than that has expired for it, longer lifetimes have not.
	later := real.Add(30 * 24 * time.Hour)
	clock := func() time.Time { return later }

	kept := newTestAccount(t, st, real, true)
	unconfirmed := newTestAccount(t, st, real, false)
	must(t, st.PutToken(ctx, &server.Token{Hash: randomBytes(32), AccountID: kept.ID, Purpose: server.PurposeReset,
		CreatedAt: real, ExpiresAt: real.Add(time.Hour)}))
	live := newTestSession(t, st, kept.ID, real, 60*24*time.Hour)
	newTestSession(t, st, kept.ID, real, time.Hour)
	if _, err := st.Hit(ctx, "first-pass", real, real.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	push := &api.PushRequest{IdempotencyKey: "k1", Changes: []api.Change{{ID: randomHex(api.IDSize), Ciphertext: []byte("sealed")}}}
	first, err := st.Push(ctx, kept.ID, push, real)
	if err != nil {
		t.Fatal(err)
	}

	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		maintain(lctx, st, 50*time.Millisecond, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { stop(); <-done }()

	eventually(t, "the first pass", func() bool {
		_, errAcct := st.AccountByID(ctx, unconfirmed.ID)
		_, errTok := st.LatestToken(ctx, kept.ID, server.PurposeReset)
		n, _ := st.Count(ctx, "first-pass", real)
		sessions, _ := st.Sessions(ctx, kept.ID)
		return errors.Is(errAcct, server.ErrNotFound) && errors.Is(errTok, server.ErrNotFound) && n == 0 &&
			len(sessions) == 1 && sessions[0].ID == live.ID
	})
	if _, err := st.AccountByID(ctx, kept.ID); err != nil {
		t.Fatalf("the confirmed account went too: %v", err)
	}
	// A later pass, not only the one at start. It also means the first pass
	// has run to its end: a pass prunes table by table, and the conditions
	// above can hold before it reaches the stored push answers.
	if _, err := st.Hit(ctx, "second-pass", real, real.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a later pass", func() bool {
		n, _ := st.Count(ctx, "second-pass", real)
		return n == 0
	})
	// The stored answer to k1 is gone, so the same key is applied anew:
	// the entry is already at revision 1, so its base revision 0 loses.
	again, err := st.Push(ctx, kept.ID, push, real)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Results[0].Accepted || again.Results[0].Accepted || again.Results[0].Current == nil {
		t.Fatalf("the answer to k1 was kept: first %+v, again %+v", first.Results[0], again.Results[0])
	}
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not clean up within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

func newTestAccount(t *testing.T, st server.Store, now time.Time, activated bool) *server.Account {
	t.Helper()
	a := &server.Account{ID: randomHex(16), Email: randomHex(6) + "@example.test", PasswordHash: "h", CreatedAt: now}
	if activated {
		a.ActivatedAt = now
	}
	must(t, st.CreateAccount(t.Context(), a))
	return a
}

func newTestSession(t *testing.T, st server.Store, accountID string, now time.Time, life time.Duration) *server.Session {
	t.Helper()
	x := &server.Session{ID: randomHex(16), AccountID: accountID, DeviceName: "laptop",
		AccessHash: randomBytes(32), AccessExpiresAt: now.Add(min(life, 15*time.Minute)),
		RefreshHash: randomBytes(32), RefreshExpiresAt: now.Add(life), CreatedAt: now, LastSeenAt: now}
	must(t, st.CreateSession(t.Context(), x))
	return x
}

// openTestPostgres opens a store in a schema of its own, dropped at the
// end. Without a database it skips, unless WATCHWORD_TEST_POSTGRES or
// CI=true says one is required.
func openTestPostgres(t *testing.T) server.Store {
	base := os.Getenv("WATCHWORD_TEST_POSTGRES")
	required := base != "" || os.Getenv("CI") == "true"
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	schema := "wwmaint_" + randomHex(6)
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		if required {
			t.Fatalf("PostgreSQL is required (WATCHWORD_TEST_POSTGRES or CI=true) but did not answer: %v", err)
		}
		t.Skipf("PostgreSQL not reachable (%v); set WATCHWORD_TEST_POSTGRES to run this test", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return st
}
