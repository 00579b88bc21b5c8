package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"watchword/server"
	"watchword/server/postgres"
)

const defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testPostgres is the database of the PostgreSQL pass; empty on the SQLite
// pass.
var testPostgres string

// TestMain runs every HTTP test on SQLite, then once more on PostgreSQL
// when WATCHWORD_TEST_POSTGRES is set or CI is "true" (then with the
// default URL). A database that was asked for and does not answer fails the
// run; it is never skipped.
func TestMain(m *testing.M) {
	code := m.Run()
	u := os.Getenv("WATCHWORD_TEST_POSTGRES")
	if u == "" && os.Getenv("CI") == "true" {
		u = defaultTestPostgres
	}
	if u == "" {
		os.Exit(code)
	}
	if err := pingPostgres(u); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: PostgreSQL at %s is required (WATCHWORD_TEST_POSTGRES or CI=true) but does not answer: %v\n", redact(u), err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "=== the HTTP tests again, on PostgreSQL at %s\n", redact(u))
	testPostgres = u
	if pc := m.Run(); pc != 0 {
		code = pc
	}
	os.Exit(code)
}

func pingPostgres(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}

// requirePostgres returns the test database URL for tests that only make
// sense on PostgreSQL (several instances on one database). They run on the
// PostgreSQL pass; on the SQLite pass they skip, unless CI is "true", where
// the PostgreSQL pass is mandatory anyway.
func requirePostgres(t *testing.T) string {
	t.Helper()
	if testPostgres == "" {
		t.Skip("runs on the PostgreSQL pass (set WATCHWORD_TEST_POSTGRES)")
	}
	return testPostgres
}

// freshSchema creates a schema for one test, dropped when it ends, and
// returns a URL whose search_path selects it.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := testPostgres
	b := make([]byte, 8)
	rand.Read(b)
	schema := "wwhttp_" + hex.EncodeToString(b)
	ctx := context.Background()
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema
	}
	p, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", redact(base), err)
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}

func openPostgres(t *testing.T, u string) server.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
