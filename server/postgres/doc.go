// Package postgres is the server.Store for deployments that outgrow one
// machine: several stateless server instances share one PostgreSQL database
// (github.com/jackc/pgx/v5, pgxpool).
//
// Start with [Open]. Run [Store.Prune] periodically (from any instance) to
// drop expired tokens, challenges, counters, sessions and day-old push
// answers. [Store.ListenErr] tells a health check whether cross-instance
// notifications are flowing.
//
// # Connections
//
// Each Store has a pool of DefaultMaxConns() connections (four per CPU, at
// least 16) unless the URL's pool_max_conns parameter says otherwise, and
// one more connection for LISTEN. PostgreSQL's max_connections must cover
// every instance's pool plus that one.
//
// # Concurrency across instances
//
// Every atomic Store method is one statement that takes the row lock it
// needs (DELETE … RETURNING for single-use tokens and recovery codes,
// UPDATE … RETURNING for challenge failures and TOTP steps, INSERT … ON
// CONFLICT DO UPDATE … RETURNING for counters), or a transaction that first
// locks the account's vault_state row (Push). Under READ COMMITTED a
// statement that waited for a lock re-checks its condition against the
// committed row, so racing callers get exactly one winner.
//
// # Sync semantics
//
// Every accepted change in a push takes the next account revision, so an
// entry version is identified by (account, revision) and Pull pages by
// "revision > since" without skipping or repeating. Pushes to one account
// are serialised by the vault_state row lock, so revisions commit in order.
// Pull reads the current revision and the page in one statement (one
// snapshot). A push's answer is stored under its idempotency key in the
// same transaction as its changes; a push without a key is applied and not
// recorded.
//
// # Watch
//
// Each Store keeps one dedicated connection that LISTENs on a channel named
// after the schema, and relays notifications to every Watch of the process.
// Push calls pg_notify inside its transaction, so a notification is sent
// only if the push commits. When the listening connection drops, it
// reconnects with backoff and re-reads the revision of every watched
// account, so nothing missed while it was down is lost.
//
// # Schema
//
// Migrations are embedded (migrations/NNNN_name.sql), recorded in
// schema_migrations and applied at Open, each in its own transaction, under
// a session advisory lock so instances starting together migrate once. A
// schema migrated by a newer build is refused rather than misread. The
// search_path of the connection string selects the schema.
package postgres
