-- Initial schema. Times are timestamptz (microseconds), NULL for "never".
-- Every row that belongs to an account references it with ON DELETE CASCADE,
-- so deleting the account deletes everything it holds.

CREATE TABLE accounts (
	id                 text PRIMARY KEY,
	email              text NOT NULL UNIQUE,
	password_hash      text NOT NULL,
	created_at         timestamptz NOT NULL,
	activated_at       timestamptz,
	marketing_consent  boolean NOT NULL DEFAULT false,
	statement_decision text NOT NULL DEFAULT '',
	statement_version  text NOT NULL DEFAULT '',
	statement_at       timestamptz,
	country            text NOT NULL DEFAULT '',
	time_zone          text NOT NULL DEFAULT '',
	date_format        text NOT NULL DEFAULT '',
	totp_secret        text NOT NULL DEFAULT '',
	totp_enabled       boolean NOT NULL DEFAULT false,
	email_codes        boolean NOT NULL DEFAULT false,
	phone              text NOT NULL DEFAULT '',
	sms_codes          boolean NOT NULL DEFAULT false,
	last_totp_step     bigint NOT NULL DEFAULT 0
);
CREATE INDEX accounts_unactivated ON accounts (created_at) WHERE activated_at IS NULL;

CREATE TABLE identities (
	issuer     text NOT NULL,
	subject    text NOT NULL,
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_account ON identities (account_id);

CREATE TABLE tokens (
	hash       bytea PRIMARY KEY,
	account_id text REFERENCES accounts (id) ON DELETE CASCADE,
	purpose    text NOT NULL,
	data       text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	seq        bigserial -- breaks ties between tokens created in the same microsecond
);
CREATE INDEX tokens_account ON tokens (account_id, purpose, created_at);
CREATE INDEX tokens_expiry ON tokens (expires_at);

CREATE TABLE challenges (
	id          text PRIMARY KEY,
	account_id  text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	method      text NOT NULL,
	code_hash   bytea,
	failures    integer NOT NULL DEFAULT 0,
	sent_at     timestamptz,
	created_at  timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	device_name text NOT NULL DEFAULT ''
);
CREATE INDEX challenges_account ON challenges (account_id);
CREATE INDEX challenges_expiry ON challenges (expires_at);

CREATE TABLE recovery_codes (
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	hash       bytea NOT NULL,
	PRIMARY KEY (account_id, hash)
);

CREATE TABLE counters (
	key        text PRIMARY KEY,
	value      bigint NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX counters_expiry ON counters (expires_at);

-- refresh_hash is NULL for sessions without a refresh token (NULLs never
-- collide under UNIQUE).
CREATE TABLE sessions (
	id                 text PRIMARY KEY,
	account_id         text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device_name        text NOT NULL DEFAULT '',
	access_hash        bytea NOT NULL UNIQUE,
	access_expires_at  timestamptz NOT NULL,
	refresh_hash       bytea UNIQUE,
	prev_refresh_hash  bytea,
	refresh_expires_at timestamptz,
	created_at         timestamptz NOT NULL,
	last_seen_at       timestamptz,
	portal             boolean NOT NULL DEFAULT false
);
CREATE INDEX sessions_account ON sessions (account_id, created_at);
CREATE INDEX sessions_prev_refresh ON sessions (prev_refresh_hash);
CREATE INDEX sessions_expiry ON sessions ((COALESCE(refresh_expires_at, access_expires_at)));

CREATE TABLE vault_headers (
	account_id     text PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	vault_id       text NOT NULL,
	wrapped_key    bytea NOT NULL,
	kdf_alg        text NOT NULL,
	kdf_salt       bytea NOT NULL,
	kdf_memory_kib bigint NOT NULL,
	kdf_time       bigint NOT NULL,
	kdf_threads    integer NOT NULL
);

-- The account's revision counter. A push locks this row for its whole
-- transaction, so pushes to one account commit one after another and the
-- revisions a reader can see never have a gap that fills in later.
CREATE TABLE vault_state (
	account_id text PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	revision   bigint NOT NULL
);

-- Every accepted change takes the next account revision, so
-- (account_id, revision) identifies one entry version.
CREATE TABLE entries (
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	id         text NOT NULL,
	revision   bigint NOT NULL,
	deleted    boolean NOT NULL DEFAULT false,
	ciphertext bytea,
	PRIMARY KEY (account_id, id),
	UNIQUE (account_id, revision)
);

CREATE TABLE push_answers (
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	key        text NOT NULL,
	answer     bytea NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (account_id, key)
);
CREATE INDEX push_answers_age ON push_answers (created_at);
