// Package sqlite is the embedded server.Store: one SQLite file (the default
// deployment, a file under ./data), on the pure-Go modernc.org/sqlite driver.
//
// Start with [Open]; tests use [OpenTemp]. Run [Store.Prune] periodically to
// drop expired tokens, challenges, counters, sessions and day-old push
// answers.
//
// # Durability
//
// The file runs in WAL mode with synchronous=NORMAL. A transaction is in the
// WAL before COMMIT returns, so an acknowledged push survives the process
// being killed (kill -9, a crash, an OOM kill); only a power loss or an OS
// crash can lose the last transactions not yet checkpointed. FULL would fsync
// on every commit to close that window; clients keep unsent changes in their
// own journal until the server acknowledges them, so NORMAL is the trade.
//
// # Concurrency
//
// All writes of a process go through a single connection whose transactions
// begin with BEGIN IMMEDIATE: the write lock is taken before the first read,
// so compare-and-swap, counters and single-use tokens are exact, and a
// second process waits (busy_timeout, 5s) instead of failing the deferred
// read-to-write upgrade with SQLITE_BUSY. Reads use a separate pool of
// query-only connections; in WAL mode they see the last commit and never
// block the writer. The queries of the hot paths (authentication, pull,
// revision probe, push) are prepared once per connection at Open rather than
// parsed on every call. Several processes may share the file: Watch notices
// their writes by polling PRAGMA data_version on the writer connection once
// a second while anyone is watching (it changes only for other connections'
// commits, so this process's own pushes never cause a re-read).
//
// # Sync semantics
//
// Every accepted change in a push takes the next account revision, so an
// entry version is identified by (account, revision) and Pull pages by
// "revision > since" without skipping or repeating entries. A push's answer
// is stored under its idempotency key in the same transaction as its
// changes; a push without a key is applied and not recorded.
//
// # Schema
//
// Migrations are embedded (migrations/NNNN_name.sql), recorded in
// schema_migrations, and applied at Open, each in its own transaction. A
// database migrated by a newer build is refused rather than misread.
package sqlite
