package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	err := s.pool.QueryRow(ctx, `SELECT vault_id, wrapped_key, kdf_alg, kdf_salt, kdf_memory_kib, kdf_time, kdf_threads
		FROM vault_headers WHERE account_id = $1`, accountID).Scan(
		&h.VaultID, &h.WrappedKey, &h.KDF.Algorithm, &h.KDF.Salt, &h.KDF.MemoryKiB, &h.KDF.Time, &h.KDF.Threads)
	if err != nil {
		return nil, storeErr("vault header", err)
	}
	return &h, nil
}

// PutVaultHeader stores (or replaces) the account's vault header as given;
// the HTTP layer has validated it.
func (s *Store) PutVaultHeader(ctx context.Context, accountID string, h api.VaultHeader) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO vault_headers
		(account_id, vault_id, wrapped_key, kdf_alg, kdf_salt, kdf_memory_kib, kdf_time, kdf_threads)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (account_id) DO UPDATE SET vault_id = excluded.vault_id, wrapped_key = excluded.wrapped_key,
			kdf_alg = excluded.kdf_alg, kdf_salt = excluded.kdf_salt, kdf_memory_kib = excluded.kdf_memory_kib,
			kdf_time = excluded.kdf_time, kdf_threads = excluded.kdf_threads`,
		accountID, h.VaultID, nonNil(h.WrappedKey), h.KDF.Algorithm, nonNil(h.KDF.Salt),
		int64(h.KDF.MemoryKiB), int64(h.KDF.Time), int32(h.KDF.Threads))
	return storeErr("put vault header", err)
}

// nonNil keeps a NOT NULL bytea column satisfied by an empty value.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Revision returns the account's current revision (0 before the first push).
func (s *Store) Revision(ctx context.Context, accountID string) (int64, error) {
	var rev int64
	err := s.pool.QueryRow(ctx, `SELECT revision FROM vault_state WHERE account_id = $1`, accountID).Scan(&rev)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return rev, storeErr("revision", err)
}

// Pull returns up to limit entries with revision > since, oldest first.
// Every accepted change has its own revision, so "revision > last seen"
// pages without skipping or repeating. The current revision and the page
// come from one statement, hence one snapshot: the revision never runs
// ahead of entries the page could not see.
func (s *Store) Pull(ctx context.Context, accountID string, since int64, limit int) (*api.PullResponse, error) {
	limit, err := api.PullPage(since, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT COALESCE(st.revision, 0), e.id, e.revision, e.deleted, e.ciphertext
		FROM (SELECT 1) AS one
		LEFT JOIN vault_state st ON st.account_id = $1
		LEFT JOIN LATERAL (
			SELECT id, revision, deleted, ciphertext FROM entries
			WHERE account_id = $1 AND revision > $2 ORDER BY revision LIMIT $3
		) e ON true
		ORDER BY e.revision`, accountID, since, limit+1)
	if err != nil {
		return nil, storeErr("pull", err)
	}
	defer rows.Close()
	out := &api.PullResponse{Entries: []api.Entry{}}
	for rows.Next() {
		var id *string
		var rev *int64
		var deleted *bool
		var ct []byte
		if err := rows.Scan(&out.Revision, &id, &rev, &deleted, &ct); err != nil {
			return nil, storeErr("pull", err)
		}
		if id == nil {
			continue // no entries: the one row carries only the revision
		}
		if len(out.Entries) == limit {
			out.More = true
			continue
		}
		out.Entries = append(out.Entries, api.Entry{ID: *id, Revision: *rev, Deleted: *deleted, Ciphertext: ct})
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("pull", err)
	}
	return out, nil
}

// Push applies req in one transaction. It first upserts the account's
// vault_state row, which takes its row lock: pushes to one account, from any
// process, run one after another, so the idempotency check, every
// compare-and-swap and the counter are exact. Each accepted change takes the
// next revision. The answer is stored under the key and pg_notify queued in
// the same transaction, so both happen only if it commits. A rejected change
// carries the server's copy in Current (nil when the server has none).
//
// The statements go in two pipelined batches (lock, stored answer and
// current revisions; then every write), plus one more round trip only when
// a change was rejected: a push holds its connection for four round trips
// (with BEGIN and COMMIT) instead of nine. PostgreSQL runs a batch's
// statements in order, so the stored answer is read under the row lock.
func (s *Store) Push(ctx context.Context, accountID string, req *api.PushRequest, now time.Time) (*api.PushResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(req.Changes))
	for _, c := range req.Changes {
		ids = append(ids, c.ID)
	}
	var resp *api.PushResponse
	var grew bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		resp, grew = nil, false
		var rev int64
		var answer []byte
		current := make(map[string]int64, len(ids)) // entry id → revision
		b := &pgx.Batch{}
		// DO UPDATE (not DO NOTHING) so an existing row is locked and
		// returned in the same statement; the foreign key proves the
		// account exists.
		b.Queue(`INSERT INTO vault_state (account_id, revision) VALUES ($1, 0)
			ON CONFLICT (account_id) DO UPDATE SET revision = vault_state.revision
			RETURNING revision`, accountID).QueryRow(func(row pgx.Row) error { return row.Scan(&rev) })
		if req.IdempotencyKey != "" {
			b.Queue(`SELECT answer FROM push_answers WHERE account_id = $1 AND key = $2`,
				accountID, req.IdempotencyKey).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					if err := rows.Scan(&answer); err != nil {
						return err
					}
				}
				return rows.Err()
			})
		}
		b.Queue(`SELECT id, revision FROM entries WHERE account_id = $1 AND id = ANY($2)`, accountID, ids).Query(
			func(rows pgx.Rows) error {
				for rows.Next() {
					var id string
					var r int64
					if err := rows.Scan(&id, &r); err != nil {
						return err
					}
					current[id] = r
				}
				return rows.Err()
			})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if answer != nil {
			resp = new(api.PushResponse)
			if err := json.Unmarshal(answer, resp); err != nil {
				return fmt.Errorf("decode stored answer: %w", err)
			}
			return nil
		}

		resp = &api.PushResponse{Results: make([]api.ChangeResult, 0, len(req.Changes))}
		written := make(map[string]*api.Entry) // final version of each entry this push wrote
		var order []string                     // written ids, first write first
		var stale []int                        // results needing the server's copy
		for _, c := range req.Changes {
			cur := current[c.ID]
			if cur != c.BaseRevision {
				if e, ok := written[c.ID]; ok {
					cp := *e
					resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID, Current: &cp})
				} else {
					stale = append(stale, len(resp.Results))
					resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID})
				}
				continue
			}
			rev++
			e := &api.Entry{ID: c.ID, Revision: rev, Deleted: c.Deleted, Ciphertext: c.Ciphertext}
			if c.Deleted {
				e.Ciphertext = nil // a tombstone keeps no ciphertext
			}
			if _, ok := written[c.ID]; !ok {
				order = append(order, c.ID)
			}
			written[c.ID] = e
			current[c.ID] = rev
			resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID, Accepted: true, Revision: rev})
		}
		resp.Revision = rev

		// Server copies for rejected changes, read before this push's
		// writes (a stale change to an entry this push also wrote got the
		// in-memory copy above).
		if len(stale) > 0 {
			want := make([]string, 0, len(stale))
			for _, i := range stale {
				want = append(want, resp.Results[i].ID)
			}
			copies := make(map[string]*api.Entry, len(want))
			rows, err := tx.Query(ctx, `SELECT id, revision, deleted, ciphertext FROM entries WHERE account_id = $1 AND id = ANY($2)`, accountID, want)
			if err != nil {
				return err
			}
			for rows.Next() {
				var e api.Entry
				if err := rows.Scan(&e.ID, &e.Revision, &e.Deleted, &e.Ciphertext); err != nil {
					rows.Close()
					return err
				}
				copies[e.ID] = &e
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, i := range stale {
				if e, ok := copies[resp.Results[i].ID]; ok {
					cp := *e
					resp.Results[i].Current = &cp
				}
			}
		}

		w := &pgx.Batch{}
		if len(order) > 0 {
			grew = true
			wid := make([]string, len(order))
			wrev := make([]int64, len(order))
			wdel := make([]bool, len(order))
			wct := make([][]byte, len(order))
			for i, id := range order {
				e := written[id]
				wid[i], wrev[i], wdel[i], wct[i] = e.ID, e.Revision, e.Deleted, e.Ciphertext
			}
			// One statement for the whole batch; each id appears once
			// (its final version), as ON CONFLICT DO UPDATE requires.
			w.Queue(`INSERT INTO entries (account_id, id, revision, deleted, ciphertext)
				SELECT $1, u.id, u.rev, u.del, u.ct
				FROM unnest($2::text[], $3::bigint[], $4::boolean[], $5::bytea[]) AS u(id, rev, del, ct)
				ON CONFLICT (account_id, id) DO UPDATE SET revision = excluded.revision,
					deleted = excluded.deleted, ciphertext = excluded.ciphertext`,
				accountID, wid, wrev, wdel, wct)
			w.Queue(`UPDATE vault_state SET revision = $2 WHERE account_id = $1`, accountID, rev)
			// Queued now, delivered by PostgreSQL only when the
			// transaction commits.
			w.Queue(`SELECT pg_notify($1, $2)`, s.channel, notifyPayload(accountID, rev))
		}
		if req.IdempotencyKey != "" {
			answer, err := json.Marshal(resp)
			if err != nil {
				return fmt.Errorf("encode answer: %w", err)
			}
			w.Queue(`INSERT INTO push_answers (account_id, key, answer, created_at) VALUES ($1, $2, $3, $4)`,
				accountID, req.IdempotencyKey, answer, now)
		}
		if w.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, w).Close()
	})
	if err != nil {
		return nil, storeErr("push", err)
	}
	if grew {
		s.watch.Publish(accountID, resp.Revision) // this process hears at once
	}
	return resp, nil
}
