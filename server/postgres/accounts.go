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

const accountCols = `id, email, password_hash, created_at, activated_at, marketing_consent,
	statement_decision, statement_version, statement_at, country, time_zone, date_format,
	totp_secret, totp_enabled, email_codes, phone, sms_codes, last_totp_step`

func scanAccount(row pgx.Row) (*server.Account, error) {
	var a server.Account
	var created, activated, statementAt pgtype.Timestamptz
	err := row.Scan(&a.ID, &a.Email, &a.PasswordHash, &created, &activated, &a.MarketingConsent,
		&a.StatementDecision, &a.StatementVersion, &statementAt, &a.Country, &a.TimeZone, &a.DateFormat,
		&a.TOTPSecret, &a.TOTPEnabled, &a.EmailCodes, &a.Phone, &a.SMSCodes, &a.LastTOTPStep)
	if err != nil {
		return nil, err
	}
	a.CreatedAt, a.ActivatedAt, a.StatementAt = goTime(created), goTime(activated), goTime(statementAt)
	return &a, nil
}

// CreateAccount inserts a; server.ErrConflict if the email or id exists.
func (s *Store) CreateAccount(ctx context.Context, a *server.Account) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO accounts (`+accountCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		a.ID, a.Email, a.PasswordHash, dbTime(a.CreatedAt), dbTime(a.ActivatedAt), a.MarketingConsent,
		a.StatementDecision, a.StatementVersion, dbTime(a.StatementAt), a.Country, a.TimeZone, a.DateFormat,
		a.TOTPSecret, a.TOTPEnabled, a.EmailCodes, a.Phone, a.SMSCodes, a.LastTOTPStep)
	return storeErr("create account", err)
}

// AccountByID returns the account; server.ErrNotFound if there is none.
func (s *Store) AccountByID(ctx context.Context, id string) (*server.Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
	return a, storeErr("account by id", err)
}

// AccountByEmail returns the account with this (normalised) address.
func (s *Store) AccountByEmail(ctx context.Context, email string) (*server.Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE email = $1`, email))
	return a, storeErr("account by email", err)
}

// UpdateAccount writes every field of a except ID and CreatedAt.
func (s *Store) UpdateAccount(ctx context.Context, a *server.Account) error {
	tag, err := s.pool.Exec(ctx, `UPDATE accounts SET email = $1, password_hash = $2, activated_at = $3,
		marketing_consent = $4, statement_decision = $5, statement_version = $6, statement_at = $7,
		country = $8, time_zone = $9, date_format = $10, totp_secret = $11, totp_enabled = $12,
		email_codes = $13, phone = $14, sms_codes = $15, last_totp_step = $16 WHERE id = $17`,
		a.Email, a.PasswordHash, dbTime(a.ActivatedAt), a.MarketingConsent, a.StatementDecision,
		a.StatementVersion, dbTime(a.StatementAt), a.Country, a.TimeZone, a.DateFormat, a.TOTPSecret,
		a.TOTPEnabled, a.EmailCodes, a.Phone, a.SMSCodes, a.LastTOTPStep, a.ID)
	return oneRow("update account", tag, err)
}

// DeleteAccount removes the account; every row it owns goes with it
// (ON DELETE CASCADE).
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM accounts WHERE id = $1`, id)
	return oneRow("delete account", tag, err)
}

// DeleteUnactivatedBefore deletes every never-activated account created
// before t and returns how many.
func (s *Store) DeleteUnactivatedBefore(ctx context.Context, t time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM accounts WHERE activated_at IS NULL AND created_at < $1`, t)
	if err != nil {
		return 0, storeErr("delete unactivated accounts", err)
	}
	return int(tag.RowsAffected()), nil
}

// LinkIdentity binds an external identity to an account. Linking it again to
// the same account is a no-op; to another account, server.ErrConflict.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, accountID string) error {
	var owner string
	// The upsert either inserts or locks and returns the existing link, so
	// two racing links of one identity agree on a single owner.
	err := s.pool.QueryRow(ctx, `INSERT INTO identities (issuer, subject, account_id) VALUES ($1, $2, $3)
		ON CONFLICT (issuer, subject) DO UPDATE SET account_id = identities.account_id
		RETURNING account_id`, issuer, subject, accountID).Scan(&owner)
	if err != nil {
		return storeErr("link identity", err)
	}
	if owner != accountID {
		return fmt.Errorf("link identity: %w", server.ErrConflict)
	}
	return nil
}

// AccountByIdentity returns the account an external identity is linked to.
func (s *Store) AccountByIdentity(ctx context.Context, issuer, subject string) (*server.Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE id = (SELECT account_id FROM identities WHERE issuer = $1 AND subject = $2)`, issuer, subject))
	return a, storeErr("account by identity", err)
}

const tokenCols = `hash, account_id, purpose, data, created_at, expires_at`

func scanToken(row pgx.Row) (*server.Token, error) {
	var t server.Token
	var account pgtype.Text
	var created, expires pgtype.Timestamptz
	if err := row.Scan(&t.Hash, &account, &t.Purpose, &t.Data, &created, &expires); err != nil {
		return nil, err
	}
	t.AccountID, t.CreatedAt, t.ExpiresAt = account.String, goTime(created), goTime(expires)
	return &t, nil
}

// PutToken stores a one-time token (by hash); server.ErrConflict if the
// hash exists.
func (s *Store) PutToken(ctx context.Context, t *server.Token) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO tokens (hash, account_id, purpose, data, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.Hash, nullString(t.AccountID), t.Purpose, t.Data, dbTime(t.CreatedAt), dbTime(t.ExpiresAt))
	return storeErr("put token", err)
}

// ConsumeToken deletes and returns the unexpired token with this hash and
// purpose in one statement: a concurrent second DELETE waits for the row
// lock, then finds the row gone.
func (s *Store) ConsumeToken(ctx context.Context, hash []byte, purpose string, now time.Time) (*server.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `DELETE FROM tokens
		WHERE hash = $1 AND purpose = $2 AND expires_at > $3 RETURNING `+tokenCols, hash, purpose, now))
	return t, storeErr("consume token", err)
}

// DeleteTokens deletes every token of an account and purpose.
func (s *Store) DeleteTokens(ctx context.Context, accountID, purpose string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE account_id = $1 AND purpose = $2`, accountID, purpose)
	return storeErr("delete tokens", err)
}

// LatestToken returns the newest token of an account and purpose, expired or
// not.
func (s *Store) LatestToken(ctx context.Context, accountID, purpose string) (*server.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens
		WHERE account_id = $1 AND purpose = $2 ORDER BY created_at DESC, seq DESC LIMIT 1`, accountID, purpose))
	return t, storeErr("latest token", err)
}

const challengeCols = `id, account_id, method, code_hash, failures, sent_at, created_at, expires_at, device_name`

// PutChallenge stores a new two-step challenge.
func (s *Store) PutChallenge(ctx context.Context, c *server.Challenge) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO challenges (`+challengeCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.AccountID, c.Method, dbBytes(c.CodeHash), c.Failures, dbTime(c.SentAt), dbTime(c.CreatedAt), dbTime(c.ExpiresAt), c.DeviceName)
	return storeErr("put challenge", err)
}

// Challenge returns the challenge by id, expired or not (the caller checks
// ExpiresAt against its clock).
func (s *Store) Challenge(ctx context.Context, id string) (*server.Challenge, error) {
	var c server.Challenge
	var sent, created, expires pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `SELECT `+challengeCols+` FROM challenges WHERE id = $1`, id).Scan(
		&c.ID, &c.AccountID, &c.Method, &c.CodeHash, &c.Failures, &sent, &created, &expires, &c.DeviceName)
	if err != nil {
		return nil, storeErr("challenge", err)
	}
	c.SentAt, c.CreatedAt, c.ExpiresAt = goTime(sent), goTime(created), goTime(expires)
	return &c, nil
}

// FailChallenge adds one failure in a single UPDATE (which takes the row
// lock) and returns the new count.
func (s *Store) FailChallenge(ctx context.Context, id string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `UPDATE challenges SET failures = failures + 1 WHERE id = $1 RETURNING failures`, id).Scan(&n)
	return n, storeErr("fail challenge", err)
}

// ResendChallenge replaces the code, method and SentAt; Failures stays.
func (s *Store) ResendChallenge(ctx context.Context, id, method string, codeHash []byte, sentAt time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE challenges SET method = $1, code_hash = $2, sent_at = $3 WHERE id = $4`,
		method, dbBytes(codeHash), dbTime(sentAt), id)
	return oneRow("resend challenge", tag, err)
}

// DeleteChallenge deletes the challenge; deleting a missing one is not an
// error.
func (s *Store) DeleteChallenge(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM challenges WHERE id = $1`, id)
	return storeErr("delete challenge", err)
}

// UseTOTPStep records step if it is greater than the account's last used
// step. The conditional UPDATE re-checks its condition after waiting for a
// concurrent one, so of racing uses of one step exactly one wins.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE accounts SET last_totp_step = $1 WHERE id = $2 AND last_totp_step < $1`, step, accountID)
	if err != nil {
		return false, storeErr("use totp step", err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	var one int
	if err := s.pool.QueryRow(ctx, `SELECT 1 FROM accounts WHERE id = $1`, accountID).Scan(&one); err != nil {
		return false, storeErr("use totp step", err)
	}
	return false, nil
}

// SetRecoveryCodes replaces the account's recovery codes.
func (s *Store) SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock the account: concurrent replacements apply one after the
		// other, and a missing account is reported as such.
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, accountID).Scan(&one); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE account_id = $1`, accountID); err != nil {
			return err
		}
		if len(hashes) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO recovery_codes (account_id, hash)
			SELECT $1, h FROM unnest($2::bytea[]) AS h ON CONFLICT DO NOTHING`, accountID, hashes)
		return err
	})
	return storeErr("set recovery codes", err)
}

// UseRecoveryCode deletes the code; false when it was not there.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM recovery_codes WHERE account_id = $1 AND hash = $2`, accountID, hash)
	if err != nil {
		return false, storeErr("use recovery code", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Hit adds one to the counter in a single upsert, atomic across processes.
// A counter whose time is up starts again at one with the new expiry.
func (s *Store) Hit(ctx context.Context, key string, now, expiresAt time.Time) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `INSERT INTO counters (key, value, expires_at) VALUES ($1, 1, $3)
		ON CONFLICT (key) DO UPDATE SET
			value      = CASE WHEN counters.expires_at <= $2 THEN 1 ELSE counters.value + 1 END,
			expires_at = CASE WHEN counters.expires_at <= $2 THEN excluded.expires_at ELSE counters.expires_at END
		RETURNING value`, key, now, expiresAt).Scan(&v)
	return v, storeErr("hit counter", err)
}

// Count returns the counter's value at now (0 if absent or expired).
func (s *Store) Count(ctx context.Context, key string, now time.Time) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT value FROM counters WHERE key = $1 AND expires_at > $2`, key, now).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return v, storeErr("count", err)
}

// ResetCounter deletes the counter.
func (s *Store) ResetCounter(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM counters WHERE key = $1`, key)
	return storeErr("reset counter", err)
}

// Prune deletes what has expired by now: tokens, challenges, counters,
// sessions whose refresh (or, without one, access) token expired, and stored
// push answers older than a day. Run it periodically (from one instance or
// several: the deletes are idempotent); it returns how many rows it removed.
func (s *Store) Prune(ctx context.Context, now time.Time) (int64, error) {
	stmts := []struct {
		q   string
		arg time.Time
	}{
		{`DELETE FROM tokens WHERE expires_at <= $1`, now},
		{`DELETE FROM challenges WHERE expires_at <= $1`, now},
		{`DELETE FROM counters WHERE expires_at <= $1`, now},
		{`DELETE FROM sessions WHERE COALESCE(refresh_expires_at, access_expires_at) <= $1`, now},
		{`DELETE FROM push_answers WHERE created_at <= $1`, now.Add(-idempotencyTTL)},
	}
	var total int64
	for _, st := range stmts {
		tag, err := s.pool.Exec(ctx, st.q, st.arg)
		if err != nil {
			return total, storeErr("prune", err)
		}
		total += tag.RowsAffected()
	}
	return total, nil
}
