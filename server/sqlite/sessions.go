package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"watchword/server"
)

const sessionCols = `id, account_id, device_name, access_hash, access_expires_at, refresh_hash,
	prev_refresh_hash, refresh_expires_at, created_at, last_seen_at, portal`

func scanSession(row interface{ Scan(...any) error }) (*server.Session, error) {
	var x server.Session
	var accessExp, refreshExp, created, seen sql.NullInt64
	err := row.Scan(&x.ID, &x.AccountID, &x.DeviceName, &x.AccessHash, &accessExp, &x.RefreshHash,
		&x.PrevRefreshHash, &refreshExp, &created, &seen, &x.Portal)
	if err != nil {
		return nil, err
	}
	x.AccessExpiresAt, x.RefreshExpiresAt = goTime(accessExp), goTime(refreshExp)
	x.CreatedAt, x.LastSeenAt = goTime(created), goTime(seen)
	return &x, nil
}

const qSessionByAccess = `SELECT ` + sessionCols + ` FROM sessions WHERE access_hash = ? AND access_expires_at > ?`

// CreateSession stores a new session. An empty RefreshHash means the
// session cannot be refreshed.
func (s *Store) CreateSession(ctx context.Context, x *server.Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		x.ID, x.AccountID, x.DeviceName, x.AccessHash, dbTime(x.AccessExpiresAt), dbBytes(x.RefreshHash),
		dbBytes(x.PrevRefreshHash), dbTime(x.RefreshExpiresAt), dbTime(x.CreatedAt), dbTime(x.LastSeenAt), x.Portal)
	return storeErr("create session", err)
}

// SessionByAccess returns the session whose access token hash matches and
// has not expired at now.
func (s *Store) SessionByAccess(ctx context.Context, accessHash []byte, now time.Time) (*server.Session, error) {
	x, err := scanSession(s.queryRow(ctx, s.r, qSessionByAccess, accessHash, now.UnixMicro()))
	return x, storeErr("session by access token", err)
}

// RotateRefresh swaps in the next tokens when refreshHash is the session's
// current unexpired refresh token (one conditional UPDATE, so of two
// concurrent rotations with one token only one succeeds). When refreshHash
// is the token rotated away last, the token was copied: the session is
// deleted and server.ErrRefreshReused returned.
func (s *Store) RotateRefresh(ctx context.Context, refreshHash []byte, next server.SessionTokens, now time.Time) (*server.Session, error) {
	if len(refreshHash) == 0 {
		return nil, fmt.Errorf("rotate refresh token: %w", server.ErrNotFound)
	}
	var out *server.Session
	var reused bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		x, err := scanSession(tx.QueryRowContext(ctx, `UPDATE sessions SET
				access_hash = ?, access_expires_at = ?, refresh_hash = ?, prev_refresh_hash = refresh_hash,
				refresh_expires_at = ?, last_seen_at = ?
			WHERE refresh_hash = ? AND refresh_expires_at > ? RETURNING `+sessionCols,
			next.AccessHash, dbTime(next.AccessExpiresAt), dbBytes(next.RefreshHash), dbTime(next.RefreshExpiresAt),
			dbTime(now), refreshHash, now.UnixMicro()))
		if err == nil {
			out = x
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE prev_refresh_hash = ?`, refreshHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			reused = true
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, storeErr("rotate refresh token", err)
	case reused:
		return nil, fmt.Errorf("rotate refresh token: %w", server.ErrRefreshReused)
	case out == nil:
		return nil, fmt.Errorf("rotate refresh token: %w", server.ErrNotFound)
	}
	return out, nil
}

// Sessions lists the account's sessions, oldest first.
func (s *Store) Sessions(ctx context.Context, accountID string) ([]server.Session, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE account_id = ? ORDER BY created_at, id`, accountID)
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
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND account_id = ?`, sessionID, accountID)
	return oneRow("delete session", res, err)
}

// DeleteSessions deletes every session of the account.
func (s *Store) DeleteSessions(ctx context.Context, accountID string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID)
	return storeErr("delete sessions", err)
}
