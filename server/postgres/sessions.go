package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"watchword/server"
)

const sessionCols = `id, account_id, device_name, access_hash, access_expires_at, refresh_hash,
	prev_refresh_hash, refresh_expires_at, created_at, last_seen_at, portal`

func scanSession(row pgx.Row) (*server.Session, error) {
	var x server.Session
	var accessExp, refreshExp, created, seen pgtype.Timestamptz
	err := row.Scan(&x.ID, &x.AccountID, &x.DeviceName, &x.AccessHash, &accessExp, &x.RefreshHash,
		&x.PrevRefreshHash, &refreshExp, &created, &seen, &x.Portal)
	if err != nil {
		return nil, err
	}
	x.AccessExpiresAt, x.RefreshExpiresAt = goTime(accessExp), goTime(refreshExp)
	x.CreatedAt, x.LastSeenAt = goTime(created), goTime(seen)
	return &x, nil
}

// CreateSession stores a new session. An empty RefreshHash means the
// session cannot be refreshed.
func (s *Store) CreateSession(ctx context.Context, x *server.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		x.ID, x.AccountID, x.DeviceName, x.AccessHash, dbTime(x.AccessExpiresAt), dbBytes(x.RefreshHash),
		dbBytes(x.PrevRefreshHash), dbTime(x.RefreshExpiresAt), dbTime(x.CreatedAt), dbTime(x.LastSeenAt), x.Portal)
	return storeErr("create session", err)
}

// SessionByAccess returns the session whose access token hash matches and
// has not expired at now.
func (s *Store) SessionByAccess(ctx context.Context, accessHash []byte, now time.Time) (*server.Session, error) {
	x, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE access_hash = $1 AND access_expires_at > $2`, accessHash, now))
	return x, storeErr("session by access token", err)
}

// RotateRefresh swaps in the next tokens when refreshHash is the session's
// current unexpired refresh token. The conditional UPDATE takes the row
// lock and re-checks after a concurrent rotation, so only one of several
// racing rotations with one token succeeds; the others find the token is now
// the previous one, which is a reuse: the session is deleted and
// server.ErrRefreshReused returned.
func (s *Store) RotateRefresh(ctx context.Context, refreshHash []byte, next server.SessionTokens, now time.Time) (*server.Session, error) {
	if len(refreshHash) == 0 {
		return nil, fmt.Errorf("rotate refresh token: %w", server.ErrNotFound)
	}
	x, err := scanSession(s.pool.QueryRow(ctx, `UPDATE sessions SET
			access_hash = $1, access_expires_at = $2, refresh_hash = $3, prev_refresh_hash = refresh_hash,
			refresh_expires_at = $4, last_seen_at = $5
		WHERE refresh_hash = $6 AND refresh_expires_at > $5 RETURNING `+sessionCols,
		next.AccessHash, dbTime(next.AccessExpiresAt), dbBytes(next.RefreshHash), dbTime(next.RefreshExpiresAt),
		now, refreshHash))
	if err == nil {
		return x, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, storeErr("rotate refresh token", err)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE prev_refresh_hash = $1`, refreshHash)
	if err != nil {
		return nil, storeErr("rotate refresh token", err)
	}
	if tag.RowsAffected() > 0 {
		return nil, fmt.Errorf("rotate refresh token: %w", server.ErrRefreshReused)
	}
	return nil, fmt.Errorf("rotate refresh token: %w", server.ErrNotFound)
}

// Sessions lists the account's sessions, oldest first.
func (s *Store) Sessions(ctx context.Context, accountID string) ([]server.Session, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, storeErr("list sessions", err)
	}
	defer rows.Close()
	var out []server.Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, storeErr("list sessions", err)
		}
		out = append(out, *x)
	}
	return out, storeErr("list sessions", rows.Err())
}

// DeleteSession deletes one of the account's sessions; server.ErrNotFound if
// it is not this account's.
func (s *Store) DeleteSession(ctx context.Context, accountID, sessionID string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1 AND account_id = $2`, sessionID, accountID)
	return oneRow("delete session", tag, err)
}

// DeleteSessions deletes every session of the account.
func (s *Store) DeleteSessions(ctx context.Context, accountID string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID)
	return storeErr("delete sessions", err)
}
