package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"watchword/server"
	"watchword/server/storetest"
	"watchword/wasm/api"
)

const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testDB returns the database URL to test against. Without a reachable
// database the tests skip, unless CI=true or WATCHWORD_TEST_POSTGRES is set:
// then a missing PostgreSQL is a failure, not a silent pass.
func testDB(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WATCHWORD_TEST_POSTGRES")
	required := u != "" || os.Getenv("CI") == "true"
	if u == "" {
		u = defaultTestURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if required {
			t.Fatalf("PostgreSQL at %s is required (CI=true or WATCHWORD_TEST_POSTGRES set) but unreachable: %v", redact(u), err)
		}
		t.Skipf("PostgreSQL not reachable at %s (%v); set WATCHWORD_TEST_POSTGRES to a postgres:// URL to run these tests", redact(u), err)
	}
	return u
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}

// freshSchema creates a schema of its own for one test (dropped when the
// test ends) and returns a URL whose search_path selects it, so tests and
// packages running in parallel never see each other's rows.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := testDB(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "wwtest_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema)
}

func withSearchPath(t testing.TB, base, schema string) string {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		p, err := url.Parse(base)
		if err != nil {
			t.Fatalf("parse %s: %v", redact(base), err)
		}
		q := p.Query()
		q.Set("search_path", schema)
		p.RawQuery = q.Encode()
		return p.String()
	}
	return base + " search_path=" + schema
}

func openURL(t testing.TB, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testDB(t)
	storetest.Run(t, func(t *testing.T) server.Store { return openURL(t, freshSchema(t)) })
}

func newAccount(t *testing.T, s server.Store) *server.Account {
	b := make([]byte, 16)
	rand.Read(b)
	a := &server.Account{ID: hex.EncodeToString(b), Email: hex.EncodeToString(b[:6]) + "@example.test", PasswordHash: "h", CreatedAt: time.Now().UTC()}
	if err := s.CreateAccount(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func pushOne(t *testing.T, s server.Store, accountID string) *api.PushResponse {
	b := make([]byte, api.IDSize)
	rand.Read(b)
	resp, err := s.Push(t.Context(), accountID, &api.PushRequest{IdempotencyKey: hex.EncodeToString(b),
		Changes: []api.Change{{ID: hex.EncodeToString(b), Ciphertext: []byte("c")}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestWatchAcrossInstances pushes through one store and expects the
// notification at a watcher of another store on the same database, as two
// server instances behind a load balancer would.
func TestWatchAcrossInstances(t *testing.T) {
	u := freshSchema(t)
	s1, s2 := openURL(t, u), openURL(t, u)
	a := newAccount(t, s1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch, err := s2.Watch(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		storetest.WaitRevision(t, ch, pushOne(t, s1, a.ID).Revision)
	}

	t.Run("OtherSchemaQuiet", func(t *testing.T) {
		// A store on another schema of the same database uses another
		// channel: it must not hear these pushes.
		s3 := openURL(t, freshSchema(t))
		if s3.channel == s1.channel {
			t.Fatalf("two schemas share the channel %s", s1.channel)
		}
	})
}

// TestListenerReconnects kills the listener's backend and checks that a push
// made while it was down still reaches the watcher once it reconnects.
func TestListenerReconnects(t *testing.T) {
	u := freshSchema(t)
	s1, s2 := openURL(t, u), openURL(t, u)
	a := newAccount(t, s1)
	ch, err := s2.Watch(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitListening(t, s2)
	pid := s2.listener.pid.Load()
	if _, err := s1.pool.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, int32(pid)); err != nil {
		t.Fatal(err)
	}
	rev := pushOne(t, s1, a.ID).Revision
	storetest.WaitRevision(t, ch, rev)
	waitListening(t, s2)
	if s2.listener.pid.Load() == pid {
		t.Fatal("the listener still reports the terminated backend")
	}
	storetest.WaitRevision(t, ch, pushOne(t, s1, a.ID).Revision)
}

func waitListening(t *testing.T, s *Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.ListenErr() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("listener not up after 10s: %v", s.ListenErr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConcurrentOpen starts several stores on one empty schema at once: the
// advisory lock must let exactly one migrate and the rest find it done.
func TestConcurrentOpen(t *testing.T) {
	u := freshSchema(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*Store, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), u)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	v, err := stores[0].SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := loadMigrations()
	if v != len(ms) {
		t.Fatalf("schema version %d, want %d", v, len(ms))
	}
	var rows int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil || rows != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%v), want %d", rows, err, len(ms))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	u := freshSchema(t)
	s := openURL(t, u)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES (999)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "newer than this server knows") {
		t.Fatalf("Open of a newer schema: %v, want a refusal", err)
	}
}

func TestPrune(t *testing.T) {
	s := openURL(t, freshSchema(t))
	ctx := t.Context()
	now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAccount(t, s)
	for i, exp := range []time.Duration{time.Hour, 3 * time.Hour, 48 * time.Hour} {
		if err := s.PutToken(ctx, &server.Token{Hash: []byte{byte(i)}, AccountID: a.ID, Purpose: server.PurposeReset, CreatedAt: now, ExpiresAt: now.Add(exp)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Hit(ctx, "k", now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	req := &api.PushRequest{IdempotencyKey: "k", Changes: []api.Change{{ID: strings.Repeat("03", 16), Ciphertext: []byte("c")}}}
	if _, err := s.Push(ctx, a.ID, req, now); err != nil {
		t.Fatal(err)
	}
	n, err := s.Prune(ctx, now.Add(25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 { // two expired tokens, the counter, the push answer
		t.Fatalf("Prune removed %d rows, want 4", n)
	}
	if _, err := s.ConsumeToken(ctx, []byte{2}, server.PurposeReset, now.Add(25*time.Hour)); err != nil {
		t.Fatalf("the unexpired token was pruned: %v", err)
	}
}

func BenchmarkPush(b *testing.B) {
	storetest.BenchmarkPush(b, openURL(b, freshSchema(b)))
}

func BenchmarkPull(b *testing.B) {
	storetest.BenchmarkPull(b, openURL(b, freshSchema(b)))
}
