package api

import "strconv"

// IDSize is the size in bytes of vault and entry ids; on the wire an id is
// its 32-character lowercase hex form.
const IDSize = 16

// ValidID reports whether s is a well-formed vault or entry id: exactly
// 2*IDSize lowercase hex characters.
func ValidID(s string) bool {
	if len(s) != 2*IDSize {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// VaultHeader is what the server keeps about an account's vault besides its
// entries: the vault id (bound into every entry's associated data), the vault
// key wrapped under the master-password-derived key, and the KDF settings.
// The server validates KDF against the floors and never unwraps anything.
type VaultHeader struct {
	VaultID    string    `json:"vault_id"`
	WrappedKey []byte    `json:"wrapped_key"`
	KDF        KDFParams `json:"kdf"`
}

// Entry is one encrypted entry as the server stores it. Revision is the
// account revision at which this version was written. A deleted entry is a
// tombstone with no ciphertext.
type Entry struct {
	ID         string `json:"id"`
	Revision   int64  `json:"rev"`
	Deleted    bool   `json:"deleted,omitempty"`
	Ciphertext []byte `json:"ct,omitempty"`
}

// Limits shared by client and server.
const (
	MaxEntryCiphertext = 1 << 20 // one entry, documents included
	MaxPushChanges     = 500     // changes in one push
	MaxPullPage        = 1000    // entries in one pull page
	DefaultPullPage    = 500
)

// PullResponse answers GET /api/v1/vault/entries?since=R&limit=N: the entries
// changed after revision Since in increasing revision order, the account's
// current revision, and whether more pages follow (then pull again with
// since = the last entry's revision).
type PullResponse struct {
	Revision int64   `json:"revision"`
	Entries  []Entry `json:"entries"`
	More     bool    `json:"more"`
}

// Change is one entry write in a push: the new ciphertext (or Deleted) and
// the revision the client last saw for this entry (0 for a new entry).
type Change struct {
	ID           string `json:"id"`
	BaseRevision int64  `json:"base_rev"`
	Deleted      bool   `json:"deleted,omitempty"`
	Ciphertext   []byte `json:"ct,omitempty"`
}

// PushRequest is the body of POST /api/v1/vault/entries. IdempotencyKey makes
// a retried push return the first answer without applying anything twice.
type PushRequest struct {
	IdempotencyKey string   `json:"idempotency_key"`
	Changes        []Change `json:"changes"`
}

// ChangeResult says what happened to one Change. When Accepted, Revision is
// the entry's new revision. Otherwise Current is the server's copy (the
// compare-and-swap failed) and the client merges against it.
type ChangeResult struct {
	ID       string `json:"id"`
	Accepted bool   `json:"accepted"`
	Revision int64  `json:"rev,omitempty"`
	Current  *Entry `json:"current,omitempty"`
}

// PushResponse answers a push, one result per change in order.
type PushResponse struct {
	Revision int64          `json:"revision"`
	Results  []ChangeResult `json:"results"`
}

// RevisionResponse answers the cheap probe GET /api/v1/vault/revision.
type RevisionResponse struct {
	Revision int64 `json:"revision"`
}

// MaxIdempotencyKey is the longest idempotency key a push may carry.
const MaxIdempotencyKey = 128

// Validate reports whether the push follows the protocol's rules: an
// idempotency key of printable ASCII, 1 to MaxPushChanges changes, each with
// a well-formed id that appears once, a non-negative base revision, and
// either a ciphertext of at most MaxEntryCiphertext bytes or a deletion
// without one. The server, every store and the in-memory protocol model
// apply these same rules, so they cannot drift apart.
func (r *PushRequest) Validate() error {
	if r == nil {
		return NewError(CodeBadRequest, "empty push")
	}
	k := r.IdempotencyKey
	if k == "" || len(k) > MaxIdempotencyKey {
		return NewError(CodeBadRequest, "idempotency_key is required (1 to "+strconv.Itoa(MaxIdempotencyKey)+" characters)")
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return NewError(CodeBadRequest, "idempotency_key must be printable ASCII without spaces")
		}
	}
	if len(r.Changes) == 0 || len(r.Changes) > MaxPushChanges {
		return NewError(CodeTooLarge, "a push carries 1 to "+strconv.Itoa(MaxPushChanges)+" changes")
	}
	seen := make(map[string]bool, len(r.Changes))
	for i, c := range r.Changes {
		switch {
		case !ValidID(c.ID):
			return NewError(CodeInvalid, "change "+strconv.Itoa(i)+": id must be "+strconv.Itoa(2*IDSize)+" lowercase hex characters")
		case seen[c.ID]:
			return NewError(CodeInvalid, "change "+strconv.Itoa(i)+": entry "+c.ID+" appears twice in one push")
		case c.BaseRevision < 0:
			return NewError(CodeInvalid, "change "+strconv.Itoa(i)+": base_rev must not be negative")
		case c.Deleted && len(c.Ciphertext) != 0:
			return NewError(CodeInvalid, "change "+strconv.Itoa(i)+": a deletion carries no ciphertext")
		case !c.Deleted && len(c.Ciphertext) == 0:
			return NewError(CodeInvalid, "change "+strconv.Itoa(i)+": ciphertext is required")
		case len(c.Ciphertext) > MaxEntryCiphertext:
			return NewError(CodeTooLarge, "change "+strconv.Itoa(i)+": ciphertext is larger than "+strconv.Itoa(MaxEntryCiphertext)+" bytes")
		}
		seen[c.ID] = true
	}
	return nil
}

// PullPage checks a pull's since and clamps its limit to (0, MaxPullPage];
// a limit of 0 or less means DefaultPullPage.
func PullPage(since int64, limit int) (int, error) {
	if since < 0 {
		return 0, NewError(CodeBadRequest, "since must not be negative")
	}
	switch {
	case limit <= 0:
		return DefaultPullPage, nil
	case limit > MaxPullPage:
		return MaxPullPage, nil
	}
	return limit, nil
}
