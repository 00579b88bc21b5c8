package vaultsync

import (
	"time"

	"watchword/wasm/api"
)

// Storage keys inside an account's namespace.
const (
	keyMeta         = "meta"
	keyOutbox       = "outbox"
	keyRecordPrefix = "e/"
	keyProblemPfx   = "p/"
)

// meta is the engine's per-account state besides entries.
type meta struct {
	VaultID  string           `json:"vault_id"`
	Cursor   int64            `json:"cursor,omitempty"` // every server change up to here is applied
	Seq      uint64           `json:"seq,omitempty"`    // sequence of the last local change
	Paused   bool             `json:"paused,omitempty"` // sync switched off by the user
	SyncedAt time.Time        `json:"synced_at,omitzero"`
	HeaderOK bool             `json:"header_ok,omitempty"` // the account's header is this vault's
	Header   *api.VaultHeader `json:"header,omitempty"`    // uploaded when the account has none
}

// record is one entry as this device knows it: the server's version it last
// saw (the base of any merge) and, while a local change is unsent, the
// local version. Pending records are the journal: they are written before
// Put or Delete returns and stay until the server acknowledges them.
type record struct {
	ID string `json:"id"`

	Rev         int64  `json:"rev,omitempty"`  // server revision of Base; 0: never seen on the server
	Base        []byte `json:"base,omitempty"` // server ciphertext at Rev (none for a tombstone)
	BaseDeleted bool   `json:"bdel,omitempty"`

	Pending      bool   `json:"pend,omitempty"`
	Local        []byte `json:"local,omitempty"`
	LocalDeleted bool   `json:"ldel,omitempty"`
	Seq          uint64 `json:"seq,omitempty"` // journal position of the last local change

	// Trash is the last ciphertext of a deleted entry. A tombstone carries
	// no ciphertext and so cannot be authenticated: keeping the data means
	// a server that invents deletions cannot destroy anything on the device.
	Trash []byte `json:"trash,omitempty"`
}

// current returns the ciphertext the device shows and whether the entry is
// live.
func (r *record) current() ([]byte, bool) {
	if r.Pending {
		return r.Local, !r.LocalDeleted
	}
	return r.Base, r.Rev > 0 && !r.BaseDeleted
}

func (r *record) clone() *record {
	c := *r
	return &c
}

// problem is an integrity failure: the server's version Rev of an entry did
// not open (damaged, forged, or moved from another entry or vault). The
// local data is left as it was; the entry is reported, never shown or merged.
type problem struct {
	ID     string `json:"id"`
	Rev    int64  `json:"rev"`
	Reason string `json:"reason"`
}

// outbox is one push in flight. It is written before it is sent and removed
// in the same write that applies its answer, so after a crash the very same
// request (same idempotency key) is sent again and the server applies it
// once.
type outbox struct {
	Req  api.PushRequest `json:"req"`
	Seqs []uint64        `json:"seqs"` // the journal position each change was taken at
}
