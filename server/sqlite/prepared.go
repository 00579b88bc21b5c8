package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtKey names one prepared statement: a query on one of the two pools.
type stmtKey struct {
	db *sql.DB
	q  string
}

// stmtCache holds the statements of the hot paths (authentication, pull,
// revision probe, push). database/sql keeps one prepared copy per
// connection, so SQLite parses and plans each of these queries once per
// connection rather than on every call: under load, parsing had been an
// eighth of the server's CPU.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[stmtKey]*sql.Stmt
	closed bool
}

// readQueries and writeQueries are prepared at Open, on the reader pool
// and on the writer connection. Preparing later would take a connection
// from the pool, and a transaction that needed one while holding the
// writer's only connection (or the last reader) would wait for itself.
var (
	readQueries  = []string{qSessionByAccess, qAccountByID, qRevision, qPullEntries}
	writeQueries = []string{qRevision, qPushAnswer, qInsertState, qUpdateState, qInsertAnswer,
		qEntryRevision, qEntry, qUpsertEntry}
)

// prepareAll prepares queries on db.
func (c *stmtCache) prepareAll(ctx context.Context, db *sql.DB, queries []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts == nil {
		c.stmts = make(map[stmtKey]*sql.Stmt)
	}
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %.40q: %w", q, err)
		}
		c.stmts[stmtKey{db, q}] = st
	}
	return nil
}

// prepared returns db's prepared statement for q.
func (s *Store) prepared(db *sql.DB, q string) (*sql.Stmt, error) {
	c := &s.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, sql.ErrConnDone
	}
	st := c.stmts[stmtKey{db, q}]
	if st == nil {
		return nil, fmt.Errorf("statement %.40q is not prepared at Open", q)
	}
	return st, nil
}

// queryRow runs a one-row query through its prepared statement.
func (s *Store) queryRow(ctx context.Context, db *sql.DB, q string, args ...any) *sql.Row {
	st, err := s.prepared(db, q)
	if err != nil {
		// Not reached (every queryRow query is prepared at Open); the
		// unprepared query answers the same.
		return db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txStmt is the prepared statement for q bound to tx (the writer's, or a
// reader's snapshot).
func (s *Store) txStmt(ctx context.Context, db *sql.DB, tx *sql.Tx, q string) (*sql.Stmt, error) {
	st, err := s.prepared(db, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// closeStmts closes every prepared statement; later calls prepare none.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var first error
	for k, st := range c.stmts {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.stmts, k)
	}
	return first
}
