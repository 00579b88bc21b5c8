package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"watchword/server"
	"watchword/server/internal/broker"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is a server.Store on PostgreSQL. Several server processes may share
// one database: every atomic method is atomic across them, and Watch hears
// the others' pushes through LISTEN/NOTIFY. Create it with Open.
type Store struct {
	pool    *pgxpool.Pool
	channel string // NOTIFY channel, one per schema

	watch     *broker.Broker
	listener  listenState
	stop      context.CancelFunc
	listening sync.WaitGroup
	closeOnce sync.Once
}

var _ server.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string; a search_path parameter selects the schema), applies
// pending schema migrations under an advisory lock (so instances starting
// together migrate once) and starts the notification listener.
//
// The pool holds at most pool_max_conns connections when the URL sets it
// (pgxpool's parameter, e.g. ?pool_max_conns=32), else DefaultMaxConns().
// Each instance has its own pool, plus one connection for LISTEN: size
// PostgreSQL's max_connections for instances × (pool + 1).
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := migrate(ctx, pool, schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	lctx, stop := context.WithCancel(context.Background())
	s := &Store{pool: pool, channel: channelName(schema), watch: broker.New(), stop: stop}
	s.listening.Add(1)
	go s.listen(lctx)
	return s, nil
}

// DefaultMaxConns is the pool size when the URL does not set
// pool_max_conns: four connections per CPU, at least 16. pgxpool's own
// default (the number of CPUs, at least 4) queues requests behind a
// handful of connections as soon as a few wait on the network or on a row
// lock, although the server's CPU is idle; most of a request's time on a
// connection is a round trip, not work.
func DefaultMaxConns() int32 {
	return int32(max(16, 4*runtime.NumCPU()))
}

// channelName derives the NOTIFY channel from the schema: channels are
// per database, and stores in different schemas of one database must not
// hear each other. A hash keeps the name within the 63-byte identifier limit.
func channelName(schema string) string {
	sum := sha256.Sum256([]byte(schema))
	return "watchword_rev_" + hex.EncodeToString(sum[:8])
}

// Close stops the listener, closes every Watch channel and the pool. It is
// safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.watch.Close()
		s.stop()
		s.listening.Wait()
		s.pool.Close()
	})
	return nil
}

// Pool returns the connection pool, for health checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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
		base := path.Base(name)
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

// migrationLockKey is the advisory lock serialising migrations of one schema
// across every process that opens it.
func migrationLockKey(schema string) int64 {
	sum := sha256.Sum256([]byte("watchword migrations " + schema))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// migrate applies pending migrations, each in its own transaction with its
// schema_migrations row, while holding a session advisory lock: a second
// instance starting at the same moment waits, then finds nothing to do.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) (err error) {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	key := migrationLockKey(schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Release()
		return fmt.Errorf("migrate: take lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key); uerr != nil {
			// Never return a connection that may still hold the lock to
			// the pool: closing it releases the lock.
			conn.Conn().Close(context.Background())
		}
		conn.Release()
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this server knows (%d): run a newer server", current, len(ms))
	}
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// SchemaVersion returns the highest migration applied to the schema.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// dbTime maps the zero time to NULL.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// goTime maps NULL to the zero time and returns UTC.
func goTime(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// dbBytes stores an empty slice as NULL.
func dbBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PostgreSQL error codes (Appendix A of the manual).
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// storeErr translates driver errors into the server's sentinels, keeping op
// as context.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, server.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case uniqueViolation:
			return fmt.Errorf("%s: %w", op, server.ErrConflict)
		case foreignKeyViolation:
			return fmt.Errorf("%s: %w", op, server.ErrNotFound)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// oneRow turns "no row changed" into server.ErrNotFound.
func oneRow(op string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return storeErr(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", op, server.ErrNotFound)
	}
	return nil
}
