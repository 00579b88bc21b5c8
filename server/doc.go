// Package server holds the sync server's domain: accounts, one-time tokens,
// two-step sign-in challenges, device sessions, throttling counters and the
// encrypted vault store, and the Store interface every storage adapter
// implements.
//
// The server stores only ciphertext of vaults: nothing under server/ imports
// the vault packages, so it cannot read entries by construction (a test of
// the import graph keeps this true).
//
// Layout (arrows point inward):
//
//	server/            domain types, Store, sentinel errors
//	server/sqlite      Store on modernc.org/sqlite (the embedded default)
//	server/postgres    Store on PostgreSQL via pgx (several instances, one database)
//	server/storetest   the conformance suite both adapters pass
//	server/httpapi     the JSON API under /api/v1 and the portal pages
//	cmd/watchword-server  wiring: flags, configuration, start-up, shutdown
//
// Start with [Store].
package server
