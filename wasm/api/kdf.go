package api

import "fmt"

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
		return Errorf(CodeUnsupported, "key derivation %q is not supported", p.Algorithm)
	case len(p.Salt) != KDFSaltSize:
		return Errorf(CodeInvalid, "key derivation salt must be %d bytes", KDFSaltSize)
	case p.MemoryKiB < MinKDFMemoryKiB || p.Time < MinKDFTime || p.Threads < MinKDFThreads:
		return Errorf(CodeInvalid, "key derivation settings are below the minimum (m=%d KiB, t=%d, p=%d)", MinKDFMemoryKiB, MinKDFTime, MinKDFThreads)
	case p.MemoryKiB > MaxKDFMemoryKiB || p.Time > MaxKDFTime || p.Threads > MaxKDFThreads:
		return Errorf(CodeInvalid, "key derivation settings are above the maximum")
	}
	return nil
}

func (p KDFParams) String() string {
	return fmt.Sprintf("%s(m=%d KiB, t=%d, p=%d)", p.Algorithm, p.MemoryKiB, p.Time, p.Threads)
}
