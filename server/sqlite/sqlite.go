package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"watchword/server"
	"watchword/server/internal/broker"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout is how long a connection waits for another process's write
// lock before failing with SQLITE_BUSY. Within one process writes never
// contend: they share a single connection.
const busyTimeout = 5 * time.Second

// pollInterval is how often Watch checks whether another process wrote to
// the database file.
const pollInterval = time.Second

// Store is a server.Store on one SQLite database file. Create it with Open.
type Store struct {
	// w is the only connection that writes. One connection serialises this
	// process's writes, and its transactions start with BEGIN IMMEDIATE so
	// the write lock is taken up front: a deferred transaction that reads
	// and then writes would fail with SQLITE_BUSY instead of waiting when
	// another process holds the lock.
	w *sql.DB
	// r serves reads. In WAL mode readers see the last committed state and
	// never block the writer or each other.
	r *sql.DB

	stmts   stmtCache // prepared statements of the hot paths
	watch   *broker.Broker
	stop    chan struct{}
	polling sync.WaitGroup
	tempDir string // removed by Close (OpenTemp)

	closeOnce sync.Once
	closeErr  error
}

var _ server.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies any
// pending schema migrations and returns the store. It refuses a database
// whose schema is newer than this build knows.
//
// The database runs in WAL mode with synchronous=NORMAL: a committed
// transaction survives the process being killed (kill -9, a crash), because
// the WAL is written before COMMIT returns; only a power loss or kernel
// crash can lose the last transactions before a checkpoint syncs them.
// synchronous=FULL would close that window at the cost of an fsync per
// commit; for a sync server whose clients keep their own journal of unsent
// changes until acknowledged, NORMAL is the better trade.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite store: %w", err)
		}
	}
	s := &Store{watch: broker.New(), stop: make(chan struct{})}

	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := migrate(context.Background(), w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}

	q = url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	q.Set("_query_only", "1") // a write sent here by mistake fails loudly
	r, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s.r = r
	if err := errors.Join(s.stmts.prepareAll(context.Background(), w, writeQueries),
		s.stmts.prepareAll(context.Background(), r, readQueries)); err != nil {
		s.stmts.close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}

	s.polling.Add(1)
	go s.poll()
	return s, nil
}

// OpenTemp opens a store on a new database file in a fresh temporary
// directory, removed again by Close. It runs exactly the code path of Open
// (WAL, migrations, separate reader connections), which an in-memory
// database could not, so tests exercise what production runs.
func OpenTemp() (*Store, error) {
	dir, err := os.MkdirTemp("", "watchword-sqlite-")
	if err != nil {
		return nil, fmt.Errorf("open temporary sqlite store: %w", err)
	}
	s, err := Open(filepath.Join(dir, "watchword.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.tempDir = dir
	return s, nil
}

// escapePath makes a file path safe inside a file: URI (a '?' or '#' in a
// directory name would otherwise start the query or fragment).
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Close closes every Watch channel and the database. It is safe to call
// more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.watch.Close()
		close(s.stop)
		s.polling.Wait()
		s.closeErr = errors.Join(s.stmts.close(), s.r.Close(), s.w.Close())
		if s.tempDir != "" {
			s.closeErr = errors.Join(s.closeErr, os.RemoveAll(s.tempDir))
		}
	})
	return s.closeErr
}

// migration is one numbered schema step, read from migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must be 1, 2, 3… without gaps", m.name)
		}
	}
	return ms, nil
}

// migrate applies every pending migration, each in its own IMMEDIATE
// transaction together with its schema_migrations row, so a crash leaves the
// schema at a whole version and another process opening the same file
// concurrently waits for the lock and then sees the step applied.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	known := len(ms)
	var current int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d is newer than this server knows (%d): run a newer server", current, known)
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback()
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&done); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if done > 0 {
		return nil // another process applied it while we waited for the lock
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("migration %s: record version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}

// SchemaVersion returns the highest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE on the writer
// connection) and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// dbTime stores t as microseconds since the epoch, or NULL for the zero time.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// goTime is the inverse of dbTime, in UTC.
func goTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// dbBytes stores an empty slice as NULL.
func dbBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// storeErr translates driver errors into the server's sentinels, keeping op
// as context: a broken uniqueness rule is server.ErrConflict, a missing
// account behind a foreign key or a missing row is server.ErrNotFound.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, server.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w", op, server.ErrConflict)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: %w", op, server.ErrNotFound)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// poll notices writes made by other processes sharing the database file
// and tells this process's watchers (this process's own pushes publish
// directly). It asks the writer connection for PRAGMA data_version, which
// changes only when another connection commits: this process's own writes
// all go through that connection, so under load from this process alone the
// check never fires and no revision is re-read. When another process did
// write, the watched accounts' revisions are read in one query per few
// hundred accounts.
func (s *Store) poll() {
	defer s.polling.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	var last int64 = -1
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ids := s.watch.Watched()
		if len(ids) == 0 {
			continue
		}
		var v int64
		if err := s.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			continue // closing, or the file is unavailable: try next tick
		}
		if v == last {
			continue
		}
		last = v
		s.publishRevisions(ctx, ids)
	}
}

// publishRevisions reads the revisions of ids and publishes them.
func (s *Store) publishRevisions(ctx context.Context, ids []string) {
	const chunk = 500 // well under SQLite's limit on bound parameters
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		q := `SELECT account_id, revision FROM vault_state WHERE account_id IN (?` + strings.Repeat(", ?", n-1) + `)`
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return
		}
		for rows.Next() {
			var id string
			var rev int64
			if rows.Scan(&id, &rev) == nil && rev > 0 {
				s.watch.Publish(id, rev)
			}
		}
		rows.Close()
		ids = ids[n:]
	}
}
