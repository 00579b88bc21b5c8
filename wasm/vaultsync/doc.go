// Package vaultsync keeps a device's encrypted vault in step with the sync
// server (DESIGN "Sync protocol"): a local-first store of sealed entries, a
// durable journal of unsent changes, delta pulls and compare-and-swap pushes,
// and a field-by-field three-way merge that never drops an edit.
//
// Start with [Open]: give it the device's [Storage] (chrome.storage.local
// through the bridge; [MemoryStorage] or package filestore natively), the
// account id (or [LocalAccount] for a vault with no account), the unlocked
// vault key as a [Keyring] (*vault.Key), [EntryMerger] as the [Merger], and a
// [Transport] (the bridge's fetch; package httptransport natively). Then:
//
//   - [Engine.Put] and [Engine.Delete] record a local change; it is in
//     storage when they return, so the UI may say "saved".
//   - [Engine.Sync] syncs now; [Engine.Start] syncs automatically (at start,
//     after a change, periodically) and [Engine.Notify] on a server
//     notification; [Engine.SetSyncEnabled] pauses and resumes.
//   - [Engine.View] and [Engine.Get] return what the device shows;
//     [Engine.Status] what the popup's corner says.
//   - [ConnectLocalVault], [RemoveAccountData] and [HasAccountData] handle
//     connecting a local vault, switching accounts and signing out.
//
// # Accounts
//
// Every key the engine writes lives under its account's namespace. An engine
// opened for one account can neither read nor write another's keys, and it
// refuses a namespace or a server account that holds another vault: two
// vaults are never merged. Signing out leaves the data sealed under the vault
// key in its namespace (closed, key dropped), or removes it on request.
// Entries are bound to the vault id, not to the account, so connecting a
// local vault moves its keys and uploads the ciphertexts as they are.
//
// # Journal and exactly-once delivery
//
// A local change marks the entry's record pending (with its journal
// position) in one atomic storage write. A sync takes pending changes into
// an outbox with a fresh idempotency key and writes the outbox before
// sending it; the write that applies the answer removes it. After a crash the
// same outbox is sent again first: the server answers a repeated key with its
// first answer and applies nothing twice.
//
// # Merging
//
// Each record keeps the server's version it last saw (the base). When the
// server's copy moved on (a pull, or a rejected compare-and-swap), the local
// version is merged three-way against the base by the [Merger] and stays in
// the journal to be pushed on top of the server's version. An edit against a
// delete restores the entry with the edit; a delete against an edit gives way
// to the edit. Creates never collide: entry ids are random.
//
// # Security
//
// The server is not trusted. Every answer is validated as a whole before
// anything is applied (ids, revisions increasing and within the account's,
// one result per change in order, sizes); a malformed answer changes nothing
// and returns an error with code api.CodeBadServerAnswer. Every ciphertext
// from the server is opened before use: one that fails (damaged, forged, or
// moved from another entry or vault — the associated data binds both ids) is
// recorded as a problem, never shown or merged, and the local copy is kept.
// A tombstone cannot be authenticated, so a deleted entry's last ciphertext
// stays on the device.
//
// # Testing
//
// The main proof is a model-based property test (pgregory.net/rapid): three
// devices, each this engine on its own storage, share one account on the
// real server — the real HTTP handler on 127.0.0.1 over a real SQLite file,
// in process — through package httptransport and a transport wrapper that
// injects faults (request lost, answer lost after the server committed,
// request duplicated), with offline spells, engine crashes and server
// restarts between random creates, field edits, deletes and syncs. After the
// final syncs all devices and the server must hold the same decrypted vault,
// and every acknowledged value must be current or in its entry's history
// unless a device that saw it replaced it or deleted the entry. The normal
// run is 1,000 schedules; -vaultsync.schedules=10000 runs more.
//
// The same tests also run under GOOS=js GOARCH=wasm in Chromium, where no
// HTTP server can run in the page. There the property test (100 schedules)
// syncs against package memserver, an in-memory implementation of the
// server's side of the protocol. That is not a mock standing in for the real
// server in the proof: the browser run exercises this package's own code
// paths (journal, merge, validation, status) as compiled to wasm, while the
// native run is the proof against the real server, and
// TestModelMatchesServer holds the model to the real server by sending both
// the same random requests and requiring identical answers.
//
// # Portability
//
// The package imports neither net/http nor os nor syscall/js: the transport
// and storage are injected, so it builds into core.wasm without the 7 MB of
// net/http, and its tests run natively and under GOOS=js GOARCH=wasm.
package vaultsync
