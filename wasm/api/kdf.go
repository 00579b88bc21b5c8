package api

import "strconv"

// KDFParams are the Argon2id settings of one vault. They are stored (in the
// clear) next to the wrapped vault key, so every device derives the same
// master key. Memory is in KiB, as in RFC 9106 and golang.org/x/crypto/argon2.
type KDFParams struct {
	Algorithm string `json:"alg"` // always KDFArgon2id in v1
	Salt      []byte `json:"salt"`
	MemoryKiB uint32 `json:"m"`
	Time      uint32 `json:"t"`
	Threads   uint8  `json:"p"`
}

// KDFArgon2id names Argon2id (RFC 9106).
const KDFArgon2id = "argon2id"

// Defaults and floors. The floors are enforced by clients before any work
// (so a hostile server cannot make a client derive with weak settings) and by
// the server on upload. The ceilings stop a hostile server from making a
// client allocate gigabytes or spin for minutes.
const (
	DefaultKDFMemoryKiB = 64 * 1024
	DefaultKDFTime      = 3
	DefaultKDFThreads   = 4

	MinKDFMemoryKiB = 16 * 1024
	MinKDFTime      = 2
	MinKDFThreads   = 1

	MaxKDFMemoryKiB = 1024 * 1024
	MaxKDFTime      = 64
	MaxKDFThreads   = 16

	KDFSaltSize = 16
)

// Validate reports whether p is an Argon2id setting this version accepts.
// It does no work proportional to the parameters.
func (p KDFParams) Validate() error {
	switch {
	case p.Algorithm != KDFArgon2id:
		return NewError(CodeUnsupported, "key derivation "+strconv.Quote(p.Algorithm)+" is not supported")
	case len(p.Salt) != KDFSaltSize:
		return NewError(CodeInvalid, "key derivation salt must be "+strconv.Itoa(KDFSaltSize)+" bytes")
	case p.MemoryKiB < MinKDFMemoryKiB || p.Time < MinKDFTime || p.Threads < MinKDFThreads:
		return NewError(CodeInvalid, "key derivation settings are below the minimum (m="+strconv.Itoa(MinKDFMemoryKiB)+" KiB, t="+strconv.Itoa(MinKDFTime)+", p="+strconv.Itoa(MinKDFThreads)+")")
	case p.MemoryKiB > MaxKDFMemoryKiB || p.Time > MaxKDFTime || p.Threads > MaxKDFThreads:
		return NewError(CodeInvalid, "key derivation settings are above the maximum")
	}
	return nil
}

func (p KDFParams) String() string {
	return p.Algorithm + "(m=" + strconv.Itoa(int(p.MemoryKiB)) + " KiB, t=" + strconv.Itoa(int(p.Time)) + ", p=" + strconv.Itoa(int(p.Threads)) + ")"
}
