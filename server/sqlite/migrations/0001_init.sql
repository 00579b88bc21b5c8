-- Initial schema. Times are INTEGER microseconds since the Unix epoch (UTC),
-- NULL for "never". Every row that belongs to an account references it with
-- ON DELETE CASCADE, so deleting the account deletes everything it holds.

CREATE TABLE accounts (
	id                 TEXT PRIMARY KEY,
	email              TEXT NOT NULL UNIQUE,
	password_hash      TEXT NOT NULL,
	created_at         INTEGER NOT NULL,
	activated_at       INTEGER,
	marketing_consent  INTEGER NOT NULL DEFAULT 0,
	statement_decision TEXT NOT NULL DEFAULT '',
	statement_version  TEXT NOT NULL DEFAULT '',
	statement_at       INTEGER,
	country            TEXT NOT NULL DEFAULT '',
	time_zone          TEXT NOT NULL DEFAULT '',
	date_format        TEXT NOT NULL DEFAULT '',
	totp_secret        TEXT NOT NULL DEFAULT '',
	totp_enabled       INTEGER NOT NULL DEFAULT 0,
	email_codes        INTEGER NOT NULL DEFAULT 0,
	phone              TEXT NOT NULL DEFAULT '',
	sms_codes          INTEGER NOT NULL DEFAULT 0,
	last_totp_step     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX accounts_unactivated ON accounts (created_at) WHERE activated_at IS NULL;

CREATE TABLE identities (
	issuer     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	PRIMARY KEY (issuer, subject)
) STRICT;
CREATE INDEX identities_account ON identities (account_id);

CREATE TABLE tokens (
	hash       BLOB PRIMARY KEY,
	account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL,
	data       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_account ON tokens (account_id, purpose, created_at);
CREATE INDEX tokens_expiry ON tokens (expires_at);

CREATE TABLE challenges (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	method      TEXT NOT NULL,
	code_hash   BLOB,
	failures    INTEGER NOT NULL DEFAULT 0,
	sent_at     INTEGER,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	device_name TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX challenges_account ON challenges (account_id);
CREATE INDEX challenges_expiry ON challenges (expires_at);

CREATE TABLE recovery_codes (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	hash       BLOB NOT NULL,
	PRIMARY KEY (account_id, hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE counters (
	key        TEXT PRIMARY KEY,
	value      INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX counters_expiry ON counters (expires_at);

-- refresh_hash is NULL for sessions without a refresh token (NULLs never
-- collide under UNIQUE).
CREATE TABLE sessions (
	id                 TEXT PRIMARY KEY,
	account_id         TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device_name        TEXT NOT NULL DEFAULT '',
	access_hash        BLOB NOT NULL UNIQUE,
	access_expires_at  INTEGER NOT NULL,
	refresh_hash       BLOB UNIQUE,
	prev_refresh_hash  BLOB,
	refresh_expires_at INTEGER,
	created_at         INTEGER NOT NULL,
	last_seen_at       INTEGER,
	portal             INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id, created_at);
CREATE INDEX sessions_prev_refresh ON sessions (prev_refresh_hash);
CREATE INDEX sessions_expiry ON sessions (refresh_expires_at, access_expires_at);

CREATE TABLE vault_headers (
	account_id     TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	vault_id       TEXT NOT NULL,
	wrapped_key    BLOB NOT NULL,
	kdf_alg        TEXT NOT NULL,
	kdf_salt       BLOB NOT NULL,
	kdf_memory_kib INTEGER NOT NULL,
	kdf_time       INTEGER NOT NULL,
	kdf_threads    INTEGER NOT NULL
) STRICT;

-- The account's revision counter. Every accepted change takes the next value,
-- so (account_id, revision) identifies one entry version.
CREATE TABLE vault_state (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	revision   INTEGER NOT NULL
) STRICT;

CREATE TABLE entries (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	id         TEXT NOT NULL,
	revision   INTEGER NOT NULL,
	deleted    INTEGER NOT NULL DEFAULT 0,
	ciphertext BLOB,
	PRIMARY KEY (account_id, id),
	UNIQUE (account_id, revision)
) STRICT;

CREATE TABLE push_answers (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	key        TEXT NOT NULL,
	answer     BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, key)
) STRICT;
CREATE INDEX push_answers_age ON push_answers (created_at);
