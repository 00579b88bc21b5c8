package vaultsync

import (
	"context"
	"time"

	"watchword/wasm/api"
)

// Transport carries the sync protocol to the server for one signed-in
// account. The bridge implements it with the browser's fetch; package
// httptransport implements it with net/http for native tests and tools. The
// engine never links net/http.
//
// Errors: a server that could not be reached (or whose answer was lost) is
// an *api.Error with CodeNetwork; a server error answer is the *api.Error it
// carried (CodeNotFound from Header means no vault was uploaded yet). The
// engine validates every answer itself: a Transport need not.
type Transport interface {
	// Header returns the account's vault header (GET /api/v1/vault/header).
	Header(ctx context.Context) (*api.VaultHeader, error)
	// PutHeader uploads the vault header (PUT /api/v1/vault/header).
	PutHeader(ctx context.Context, h api.VaultHeader) error
	// Pull returns one page of changes after revision since
	// (GET /api/v1/vault/entries?since=&limit=).
	Pull(ctx context.Context, since int64, limit int) (*api.PullResponse, error)
	// Push sends a batch of changes (POST /api/v1/vault/entries).
	Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error)
	// Revision returns the account's current revision
	// (GET /api/v1/vault/revision), the cheap "anything new?" probe.
	Revision(ctx context.Context) (int64, error)
}

// Keyring seals and opens entry ciphertexts of one unlocked vault. Seal and
// Open bind the vault id and the entry id (the associated data), so a
// ciphertext moved to another entry or vault does not open. *vault.Key
// implements it.
type Keyring interface {
	VaultID() string
	Seal(entryID string, plaintext []byte) ([]byte, error)
	Open(entryID string, ciphertext []byte) ([]byte, error)
}

// Merger merges entry plaintexts. The engine calls it only when both sides
// hold a live version of an entry that changed on both; base is the last
// version both sides agreed on, or nil when there is none (then every field
// that differs counts as changed on both sides). The result must keep every
// field of every version, known or not, and every losing value (in the
// entry's history); it must not modify its inputs. [EntryMerger] implements
// it for vault entries.
type Merger interface {
	Merge(id string, base, local, remote []byte) ([]byte, error)
}

// Viewer tells whether this build can show an entry (its type is known).
// Entries it cannot show are kept, synced and counted, never altered.
type Viewer interface {
	CanShow(plaintext []byte) bool
}

// Clock is the engine's source of time and timers, injected so that
// debouncing and periodic sync are testable.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d, unless stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a stoppable timer made by Clock.AfterFunc.
type Timer interface {
	Stop() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
