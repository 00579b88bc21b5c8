package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"watchword/server"
)

const accountCols = `id, email, password_hash, created_at, activated_at, marketing_consent,
	statement_decision, statement_version, statement_at, country, time_zone, date_format,
	totp_secret, totp_enabled, email_codes, phone, sms_codes, last_totp_step`

func scanAccount(row interface{ Scan(...any) error }) (*server.Account, error) {
	var a server.Account
	var created, activated, statementAt sql.NullInt64
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
	_, err := s.w.ExecContext(ctx, `INSERT INTO accounts (`+accountCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Email, a.PasswordHash, dbTime(a.CreatedAt), dbTime(a.ActivatedAt), a.MarketingConsent,
		a.StatementDecision, a.StatementVersion, dbTime(a.StatementAt), a.Country, a.TimeZone, a.DateFormat,
		a.TOTPSecret, a.TOTPEnabled, a.EmailCodes, a.Phone, a.SMSCodes, a.LastTOTPStep)
	return storeErr("create account", err)
}

const qAccountByID = `SELECT ` + accountCols + ` FROM accounts WHERE id = ?`

// AccountByID returns the account; server.ErrNotFound if there is none.
func (s *Store) AccountByID(ctx context.Context, id string) (*server.Account, error) {
	a, err := scanAccount(s.queryRow(ctx, s.r, qAccountByID, id))
	return a, storeErr("account by id", err)
}

// AccountByEmail returns the account with this (normalised) address.
func (s *Store) AccountByEmail(ctx context.Context, email string) (*server.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE email = ?`, email))
	return a, storeErr("account by email", err)
}

// UpdateAccount writes every field of a except ID and CreatedAt.
func (s *Store) UpdateAccount(ctx context.Context, a *server.Account) error {
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET email = ?, password_hash = ?, activated_at = ?,
		marketing_consent = ?, statement_decision = ?, statement_version = ?, statement_at = ?,
		country = ?, time_zone = ?, date_format = ?, totp_secret = ?, totp_enabled = ?,
		email_codes = ?, phone = ?, sms_codes = ?, last_totp_step = ? WHERE id = ?`,
		a.Email, a.PasswordHash, dbTime(a.ActivatedAt), a.MarketingConsent, a.StatementDecision,
		a.StatementVersion, dbTime(a.StatementAt), a.Country, a.TimeZone, a.DateFormat, a.TOTPSecret,
		a.TOTPEnabled, a.EmailCodes, a.Phone, a.SMSCodes, a.LastTOTPStep, a.ID)
	return oneRow("update account", res, err)
}

// DeleteAccount removes the account; every row it owns goes with it
// (ON DELETE CASCADE).
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM accounts WHERE id = ?`, id)
	return oneRow("delete account", res, err)
}

// DeleteUnactivatedBefore deletes every never-activated account created
// before t and returns how many.
func (s *Store) DeleteUnactivatedBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM accounts WHERE activated_at IS NULL AND created_at < ?`, t.UnixMicro())
	if err != nil {
		return 0, storeErr("delete unactivated accounts", err)
	}
	n, err := res.RowsAffected()
	return int(n), storeErr("delete unactivated accounts", err)
}

// oneRow turns "no row changed" into server.ErrNotFound.
func oneRow(op string, res sql.Result, err error) error {
	if err != nil {
		return storeErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storeErr(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, server.ErrNotFound)
	}
	return nil
}

// LinkIdentity binds an external identity to an account. Linking it again to
// the same account is a no-op; to another account, server.ErrConflict.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, accountID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT account_id FROM identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&owner)
		switch {
		case err == nil && owner == accountID:
			return nil
		case err == nil:
			return fmt.Errorf("link identity: %w", server.ErrConflict)
		case !errors.Is(err, sql.ErrNoRows):
			return storeErr("link identity", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO identities (issuer, subject, account_id) VALUES (?, ?, ?)`, issuer, subject, accountID)
		return storeErr("link identity", err)
	})
}

// AccountByIdentity returns the account an external identity is linked to.
func (s *Store) AccountByIdentity(ctx context.Context, issuer, subject string) (*server.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, `SELECT `+prefixed("a.", accountCols)+`
		FROM identities i JOIN accounts a ON a.id = i.account_id WHERE i.issuer = ? AND i.subject = ?`, issuer, subject))
	return a, storeErr("account by identity", err)
}

// PutToken stores a one-time token (by hash); server.ErrConflict if the
// hash exists.
func (s *Store) PutToken(ctx context.Context, t *server.Token) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tokens (hash, account_id, purpose, data, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.Hash, nullString(t.AccountID), t.Purpose, t.Data, dbTime(t.CreatedAt), dbTime(t.ExpiresAt))
	return storeErr("put token", err)
}

const tokenCols = `hash, account_id, purpose, data, created_at, expires_at`

func scanToken(row interface{ Scan(...any) error }) (*server.Token, error) {
	var t server.Token
	var account sql.NullString
	var created, expires sql.NullInt64
	if err := row.Scan(&t.Hash, &account, &t.Purpose, &t.Data, &created, &expires); err != nil {
		return nil, err
	}
	t.AccountID, t.CreatedAt, t.ExpiresAt = account.String, goTime(created), goTime(expires)
	return &t, nil
}

// ConsumeToken deletes and returns the unexpired token with this hash and
// purpose in one statement, so only one of any concurrent callers gets it.
func (s *Store) ConsumeToken(ctx context.Context, hash []byte, purpose string, now time.Time) (*server.Token, error) {
	t, err := scanToken(s.w.QueryRowContext(ctx, `DELETE FROM tokens
		WHERE hash = ? AND purpose = ? AND expires_at > ? RETURNING `+tokenCols, hash, purpose, now.UnixMicro()))
	return t, storeErr("consume token", err)
}

// DeleteTokens deletes every token of an account and purpose.
func (s *Store) DeleteTokens(ctx context.Context, accountID, purpose string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE account_id = ? AND purpose = ?`, accountID, purpose)
	return storeErr("delete tokens", err)
}

// LatestToken returns the newest token of an account and purpose, expired or
// not.
func (s *Store) LatestToken(ctx context.Context, accountID, purpose string) (*server.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens
		WHERE account_id = ? AND purpose = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, accountID, purpose))
	return t, storeErr("latest token", err)
}

const challengeCols = `id, account_id, method, code_hash, failures, sent_at, created_at, expires_at, device_name`

// PutChallenge stores a new two-step challenge.
func (s *Store) PutChallenge(ctx context.Context, c *server.Challenge) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO challenges (`+challengeCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.AccountID, c.Method, dbBytes(c.CodeHash), c.Failures, dbTime(c.SentAt), dbTime(c.CreatedAt), dbTime(c.ExpiresAt), c.DeviceName)
	return storeErr("put challenge", err)
}

// Challenge returns the challenge by id, expired or not (the caller checks
// ExpiresAt against its clock).
func (s *Store) Challenge(ctx context.Context, id string) (*server.Challenge, error) {
	var c server.Challenge
	var sent, created, expires sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT `+challengeCols+` FROM challenges WHERE id = ?`, id).Scan(
		&c.ID, &c.AccountID, &c.Method, &c.CodeHash, &c.Failures, &sent, &created, &expires, &c.DeviceName)
	if err != nil {
		return nil, storeErr("challenge", err)
	}
	c.SentAt, c.CreatedAt, c.ExpiresAt = goTime(sent), goTime(created), goTime(expires)
	return &c, nil
}

// FailChallenge adds one failure in a single statement and returns the new
// count.
func (s *Store) FailChallenge(ctx context.Context, id string) (int, error) {
	var n int
	err := s.w.QueryRowContext(ctx, `UPDATE challenges SET failures = failures + 1 WHERE id = ? RETURNING failures`, id).Scan(&n)
	return n, storeErr("fail challenge", err)
}

// ResendChallenge replaces the code, method and SentAt; Failures stays.
func (s *Store) ResendChallenge(ctx context.Context, id, method string, codeHash []byte, sentAt time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE challenges SET method = ?, code_hash = ?, sent_at = ? WHERE id = ?`,
		method, dbBytes(codeHash), dbTime(sentAt), id)
	return oneRow("resend challenge", res, err)
}

// DeleteChallenge deletes the challenge; deleting a missing one is not an
// error (a finished sign-in deletes it once, a racing one finds it gone).
func (s *Store) DeleteChallenge(ctx context.Context, id string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM challenges WHERE id = ?`, id)
	return storeErr("delete challenge", err)
}

// UseTOTPStep records step as the account's last used TOTP step if it is
// greater than the one recorded, in one conditional UPDATE.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	var used bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET last_totp_step = ? WHERE id = ? AND last_totp_step < ?`, step, accountID, step)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			used = true
			return nil
		}
		var one int
		return tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = ?`, accountID).Scan(&one)
	})
	return used, storeErr("use totp step", err)
}

// SetRecoveryCodes replaces the account's recovery codes.
func (s *Store) SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (account_id, hash) VALUES (?, ?)`, accountID, h); err != nil {
				return err
			}
		}
		return nil
	})
	return storeErr("set recovery codes", err)
}

// UseRecoveryCode deletes the code; false when it was not there.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (bool, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM recovery_codes WHERE account_id = ? AND hash = ?`, accountID, hash)
	if err != nil {
		return false, storeErr("use recovery code", err)
	}
	n, err := res.RowsAffected()
	return n == 1, storeErr("use recovery code", err)
}

// Hit adds one to the counter in a single upsert. A counter whose time is up
// starts again at one with the new expiry.
func (s *Store) Hit(ctx context.Context, key string, now, expiresAt time.Time) (int64, error) {
	var v int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO counters (key, value, expires_at) VALUES (?1, 1, ?3)
		ON CONFLICT (key) DO UPDATE SET
			value      = CASE WHEN counters.expires_at <= ?2 THEN 1 ELSE counters.value + 1 END,
			expires_at = CASE WHEN counters.expires_at <= ?2 THEN excluded.expires_at ELSE counters.expires_at END
		RETURNING value`, key, now.UnixMicro(), expiresAt.UnixMicro()).Scan(&v)
	return v, storeErr("hit counter", err)
}

// Count returns the counter's value at now (0 if absent or expired).
func (s *Store) Count(ctx context.Context, key string, now time.Time) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, `SELECT value FROM counters WHERE key = ? AND expires_at > ?`, key, now.UnixMicro()).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, storeErr("count", err)
}

// ResetCounter deletes the counter.
func (s *Store) ResetCounter(ctx context.Context, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM counters WHERE key = ?`, key)
	return storeErr("reset counter", err)
}

// Prune deletes what has expired by now: tokens, challenges, counters,
// sessions whose refresh (or, without one, access) token expired, and stored
// push answers older than a day. Run it periodically; it returns how many
// rows it removed.
func (s *Store) Prune(ctx context.Context, now time.Time) (int64, error) {
	n := now.UnixMicro()
	stmts := []struct {
		q    string
		args []any
	}{
		{`DELETE FROM tokens WHERE expires_at <= ?`, []any{n}},
		{`DELETE FROM challenges WHERE expires_at <= ?`, []any{n}},
		{`DELETE FROM counters WHERE expires_at <= ?`, []any{n}},
		{`DELETE FROM sessions WHERE COALESCE(refresh_expires_at, access_expires_at) <= ?`, []any{n}},
		{`DELETE FROM push_answers WHERE created_at <= ?`, []any{now.Add(-idempotencyTTL).UnixMicro()}},
	}
	var total int64
	for _, st := range stmts {
		res, err := s.w.ExecContext(ctx, st.q, st.args...)
		if err != nil {
			return total, storeErr("prune", err)
		}
		k, _ := res.RowsAffected()
		total += k
	}
	return total, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, cols string) string {
	out := make([]byte, 0, len(cols)*2)
	start := true
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		if start && c != ' ' && c != '\n' && c != '\t' {
			out = append(out, alias...)
			start = false
		}
		if c == ',' {
			start = true
		}
		out = append(out, c)
	}
	return string(out)
}
