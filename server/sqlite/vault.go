package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"watchword/wasm/api"
)

// idempotencyTTL is how long the first answer to a push is kept for retries
// with the same key. Clients retry within minutes; a day covers a device
// that went offline mid-push and came back the next morning.
const idempotencyTTL = 24 * time.Hour

// VaultHeader returns the account's vault header; server.ErrNotFound before
// the first upload.
func (s *Store) VaultHeader(ctx context.Context, accountID string) (*api.VaultHeader, error) {
	var h api.VaultHeader
	err := s.r.QueryRowContext(ctx, `SELECT vault_id, wrapped_key, kdf_alg, kdf_salt, kdf_memory_kib, kdf_time, kdf_threads
		FROM vault_headers WHERE account_id = ?`, accountID).Scan(
		&h.VaultID, &h.WrappedKey, &h.KDF.Algorithm, &h.KDF.Salt, &h.KDF.MemoryKiB, &h.KDF.Time, &h.KDF.Threads)
	if err != nil {
		return nil, storeErr("vault header", err)
	}
	return &h, nil
}

// PutVaultHeader stores (or replaces) the account's vault header as given;
// the HTTP layer has validated it.
func (s *Store) PutVaultHeader(ctx context.Context, accountID string, h api.VaultHeader) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO vault_headers
		(account_id, vault_id, wrapped_key, kdf_alg, kdf_salt, kdf_memory_kib, kdf_time, kdf_threads)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET vault_id = excluded.vault_id, wrapped_key = excluded.wrapped_key,
			kdf_alg = excluded.kdf_alg, kdf_salt = excluded.kdf_salt, kdf_memory_kib = excluded.kdf_memory_kib,
			kdf_time = excluded.kdf_time, kdf_threads = excluded.kdf_threads`,
		accountID, h.VaultID, nonNil(h.WrappedKey), h.KDF.Algorithm, nonNil(h.KDF.Salt), h.KDF.MemoryKiB, h.KDF.Time, h.KDF.Threads)
	return storeErr("put vault header", err)
}

// nonNil keeps a NOT NULL BLOB column satisfied by an empty value.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Queries of the hot paths, prepared once per connection (see stmtCache).
const (
	qRevision    = `SELECT revision FROM vault_state WHERE account_id = ?`
	qPullEntries = `SELECT id, revision, deleted, ciphertext FROM entries
		WHERE account_id = ? AND revision > ? ORDER BY revision LIMIT ?`
	qPushAnswer    = `SELECT answer FROM push_answers WHERE account_id = ? AND key = ?`
	qInsertState   = `INSERT INTO vault_state (account_id, revision) VALUES (?, 0)`
	qUpdateState   = `UPDATE vault_state SET revision = ? WHERE account_id = ?`
	qInsertAnswer  = `INSERT INTO push_answers (account_id, key, answer, created_at) VALUES (?, ?, ?, ?)`
	qEntryRevision = `SELECT revision FROM entries WHERE account_id = ? AND id = ?`
	qEntry         = `SELECT id, revision, deleted, ciphertext FROM entries WHERE account_id = ? AND id = ?`
	qUpsertEntry   = `INSERT INTO entries (account_id, id, revision, deleted, ciphertext)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, id) DO UPDATE SET revision = excluded.revision,
			deleted = excluded.deleted, ciphertext = excluded.ciphertext`
)

// Revision returns the account's current revision (0 before the first push).
func (s *Store) Revision(ctx context.Context, accountID string) (int64, error) {
	var rev int64
	err := s.queryRow(ctx, s.r, qRevision, accountID).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, storeErr("revision", err)
}

// Pull returns up to limit entries with revision > since, oldest first.
// Every accepted change has its own revision, so (account, revision) names
// one entry version and "revision > last seen" pages without skipping or
// repeating. The current revision and the entries are read in one snapshot.
func (s *Store) Pull(ctx context.Context, accountID string, since int64, limit int) (*api.PullResponse, error) {
	limit, err := api.PullPage(since, limit)
	if err != nil {
		return nil, err
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, storeErr("pull", err)
	}
	defer tx.Rollback()
	out := &api.PullResponse{Entries: []api.Entry{}}
	revStmt, err := s.txStmt(ctx, s.r, tx, qRevision)
	if err != nil {
		return nil, storeErr("pull", err)
	}
	err = revStmt.QueryRowContext(ctx, accountID).Scan(&out.Revision)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, storeErr("pull", err)
	}
	entries, err := s.txStmt(ctx, s.r, tx, qPullEntries)
	if err != nil {
		return nil, storeErr("pull", err)
	}
	rows, err := entries.QueryContext(ctx, accountID, since, limit+1)
	if err != nil {
		return nil, storeErr("pull", err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(out.Entries) == limit {
			out.More = true
			break
		}
		var e api.Entry
		if err := rows.Scan(&e.ID, &e.Revision, &e.Deleted, &e.Ciphertext); err != nil {
			return nil, storeErr("pull", err)
		}
		out.Entries = append(out.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("pull", err)
	}
	return out, nil
}

// Push applies req in one IMMEDIATE transaction: the idempotency check,
// every compare-and-swap, the revision counter and the stored answer commit
// together or not at all. Each accepted change takes the next revision.
// A rejected change carries the server's copy in Current (nil when the entry
// does not exist on the server at all).
func (s *Store) Push(ctx context.Context, accountID string, req *api.PushRequest, now time.Time) (*api.PushResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var resp *api.PushResponse
	var grew bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		resp, grew = nil, false
		if req.IdempotencyKey != "" {
			var answer []byte
			st, err := s.txStmt(ctx, s.w, tx, qPushAnswer)
			if err != nil {
				return err
			}
			err = st.QueryRowContext(ctx, accountID, req.IdempotencyKey).Scan(&answer)
			if err == nil {
				resp = new(api.PushResponse)
				if err := json.Unmarshal(answer, resp); err != nil {
					return fmt.Errorf("decode stored answer: %w", err)
				}
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		st, err := s.preparePush(ctx, tx)
		if err != nil {
			return err
		}
		var rev int64
		err = st.state.QueryRowContext(ctx, accountID).Scan(&rev)
		if errors.Is(err, sql.ErrNoRows) {
			// First push: the INSERT's foreign key proves the account exists.
			_, err = st.insertState.ExecContext(ctx, accountID)
		}
		if err != nil {
			return err
		}
		start := rev
		resp = &api.PushResponse{Results: make([]api.ChangeResult, 0, len(req.Changes))}
		written := make(map[string]*api.Entry) // entries this push wrote, by id
		for _, c := range req.Changes {
			cur, err := st.entryRevision(ctx, accountID, c.ID, written)
			if err != nil {
				return err
			}
			if cur != c.BaseRevision {
				current, err := st.currentEntry(ctx, accountID, c.ID, written)
				if err != nil {
					return err
				}
				resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID, Current: current})
				continue
			}
			rev++
			e := &api.Entry{ID: c.ID, Revision: rev, Deleted: c.Deleted, Ciphertext: c.Ciphertext}
			if c.Deleted {
				e.Ciphertext = nil // a tombstone keeps no ciphertext
			}
			_, err = st.upsert.ExecContext(ctx, accountID, e.ID, e.Revision, e.Deleted, e.Ciphertext)
			if err != nil {
				return err
			}
			written[c.ID] = e
			resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID, Accepted: true, Revision: rev})
		}
		resp.Revision = rev
		if rev != start {
			grew = true
			if _, err := st.updateState.ExecContext(ctx, rev, accountID); err != nil {
				return err
			}
		}
		if req.IdempotencyKey == "" {
			return nil
		}
		answer, err := json.Marshal(resp)
		if err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		_, err = st.insertAnswer.ExecContext(ctx, accountID, req.IdempotencyKey, answer, now.UnixMicro())
		return err
	})
	if err != nil {
		return nil, storeErr("push", err)
	}
	if grew {
		s.watch.Publish(accountID, resp.Revision)
	}
	return resp, nil
}

// pushStmts are a push's statements, bound to its transaction.
type pushStmts struct {
	state, insertState, updateState, insertAnswer *sql.Stmt
	revision, entry, upsert                       *sql.Stmt
}

func (s *Store) preparePush(ctx context.Context, tx *sql.Tx) (*pushStmts, error) {
	var st pushStmts
	var err error
	bind := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var stmt *sql.Stmt
		stmt, err = s.txStmt(ctx, s.w, tx, q)
		return stmt
	}
	st.state = bind(qRevision)
	st.insertState = bind(qInsertState)
	st.updateState = bind(qUpdateState)
	st.insertAnswer = bind(qInsertAnswer)
	st.revision = bind(qEntryRevision)
	st.entry = bind(qEntry)
	st.upsert = bind(qUpsertEntry)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// entryRevision returns the entry's current revision, 0 when it does not
// exist, preferring what this push already wrote.
func (st *pushStmts) entryRevision(ctx context.Context, accountID, id string, written map[string]*api.Entry) (int64, error) {
	if e, ok := written[id]; ok {
		return e.Revision, nil
	}
	var rev int64
	err := st.revision.QueryRowContext(ctx, accountID, id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, err
}

// currentEntry returns the server's copy of an entry for a rejected change,
// nil when there is none.
func (st *pushStmts) currentEntry(ctx context.Context, accountID, id string, written map[string]*api.Entry) (*api.Entry, error) {
	if e, ok := written[id]; ok {
		c := *e
		return &c, nil
	}
	var e api.Entry
	err := st.entry.QueryRowContext(ctx, accountID, id).Scan(&e.ID, &e.Revision, &e.Deleted, &e.Ciphertext)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// Watch returns a channel that receives the account's revision each time a
// push makes it grow, here or in another process sharing the file (noticed
// within a second), until ctx ends or the store closes; then the channel is
// closed. It does not send the revision current at the call.
func (s *Store) Watch(ctx context.Context, accountID string) (<-chan int64, error) {
	return s.watch.Watch(ctx, accountID, func(ctx context.Context) (int64, error) { return s.Revision(ctx, accountID) })
}
