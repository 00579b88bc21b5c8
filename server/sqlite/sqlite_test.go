package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"watchword/server"
	"watchword/server/storetest"
	"watchword/wasm/api"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "watchword.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) server.Store { return openTest(t) })
}

func TestOpenTemp(t *testing.T) {
	s, err := OpenTemp()
	if err != nil {
		t.Fatalf("OpenTemp: %v", err)
	}
	dir := s.tempDir
	if v, err := s.SchemaVersion(t.Context()); err != nil || v == 0 {
		t.Fatalf("SchemaVersion: %d, %v", v, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Close left the temporary directory behind: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestReopenKeepsData checks that acknowledged writes and idempotency
// records survive closing and reopening the file, and that migrations run
// again as a no-op.
func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watchword.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	a := &server.Account{ID: strings.Repeat("ab", 16), Email: "r@example.test", PasswordHash: "h", CreatedAt: time.Unix(1, 0).UTC()}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	req := &api.PushRequest{IdempotencyKey: "k1", Changes: []api.Change{{ID: strings.Repeat("01", 16), Ciphertext: []byte("c")}}}
	first, err := s.Push(ctx, a.ID, req, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	again, err := s.Push(ctx, a.ID, req, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if again.Revision != first.Revision || !again.Results[0].Accepted || again.Results[0].Revision != first.Results[0].Revision {
		t.Fatalf("retry after restart answered %+v, want %+v", again, first)
	}
	if rev, _ := s.Revision(ctx, a.ID); rev != 1 {
		t.Fatalf("revision after restart and retry: %d, want 1", rev)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watchword.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "newer than this server knows") {
		t.Fatalf("Open of a newer schema: %v, want a refusal", err)
	}
}

func TestPragmas(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.w, "journal_mode", "wal"},
		{s.w, "synchronous", "1"}, // NORMAL
		{s.w, "foreign_keys", "1"},
		{s.w, "busy_timeout", "5000"},
		{s.r, "foreign_keys", "1"},
		{s.r, "query_only", "1"},
	}
	for _, tc := range tests {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			if err := tc.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
}

// TestWatchAcrossProcesses opens the same file twice (as two server
// processes would) and checks a push through one reaches a watcher of the
// other.
func TestWatchAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watchword.db")
	s1, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a := &server.Account{ID: strings.Repeat("cd", 16), Email: "w@example.test", PasswordHash: "h", CreatedAt: time.Unix(1, 0).UTC()}
	if err := s1.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	ch, err := s2.Watch(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s1.Push(ctx, a.ID, &api.PushRequest{IdempotencyKey: "k", Changes: []api.Change{{ID: strings.Repeat("02", 16), Ciphertext: []byte("c")}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	storetest.WaitRevision(t, ch, resp.Revision)
}

func TestWatchClosedStore(t *testing.T) {
	s, err := OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := s.Watch(t.Context(), strings.Repeat("ef", 16))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("a value arrived instead of the close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not close the watch channel")
	}
	if _, err := s.Watch(t.Context(), "x"); err == nil {
		t.Fatal("Watch on a closed store succeeded")
	}
}

func TestPrune(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &server.Account{ID: strings.Repeat("12", 16), Email: "p@example.test", PasswordHash: "h", CreatedAt: now}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.PutToken(ctx, &server.Token{Hash: []byte("old"), AccountID: a.ID, Purpose: server.PurposeReset, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutToken(ctx, &server.Token{Hash: []byte("new"), AccountID: a.ID, Purpose: server.PurposeReset, CreatedAt: now, ExpiresAt: now.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
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
	if n != 4 { // both tokens, the counter, the push answer
		t.Fatalf("Prune removed %d rows, want 4", n)
	}
	// With its answer pruned, the key is new again: the change is now stale.
	resp, err := s.Push(ctx, a.ID, req, now.Add(25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Results[0].Accepted {
		t.Fatal("a pruned answer was still returned")
	}
	var left int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM tokens`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("tokens left: %d, %v", left, err)
	}
}

func BenchmarkPush(b *testing.B) { storetest.BenchmarkPush(b, openTest(b)) }
func BenchmarkPull(b *testing.B) { storetest.BenchmarkPull(b, openTest(b)) }
