package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id settings used for new hashes.
type Params struct {
	MemoryKiB uint32 // m, in KiB
	Time      uint32 // t, passes over memory
	Threads   uint8  // p, lanes
	SaltLen   int    // bytes of random salt
	KeyLen    int    // bytes of output
}

// Default is the OWASP minimum for Argon2id: m=19 MiB, t=2, p=1, with a
// 16-byte salt (RFC 9106 recommends 128 bits) and a 32-byte output.
var Default = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Cheap is a setting for tests only: the real code path at a fraction of
// the cost. Never use it for real accounts.
var Cheap = Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters, both for configuration and for stored hashes. The
// ceilings stop a corrupted or planted hash from making one sign-in allocate
// gigabytes or spin for minutes; the floors are Argon2's own minimums (memory
// at least 8 KiB per lane) and RFC 9106's advice on salt and output size
// (salts shorter than 8 bytes are refused to accept legacy hashes no weaker
// than the reference implementation's test vectors).
const (
	MaxMemoryKiB = 1 << 20 // 1 GiB
	MaxTime      = 64
	MaxThreads   = 16
	MinSaltLen   = 8
	MaxSaltLen   = 64
	MinKeyLen    = 16
	MaxKeyLen    = 64

	// Version is the only Argon2 version accepted (0x13, "v=19").
	Version = argon2.Version

	// MaxPasswordLen bounds the password accepted by Hash, in bytes. It is
	// far above any policy's needs and keeps one request's work bounded.
	MaxPasswordLen = 4096
)

var (
	// ErrMalformed is returned (wrapped) for a stored hash that is not a
	// well-formed Argon2id PHC string within the bounds.
	ErrMalformed = errors.New("malformed password hash")
	// ErrTooLong is returned by Hash for a password over MaxPasswordLen.
	ErrTooLong = errors.New("password too long")
)

// Validate reports whether p is a usable setting.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1 || p.Threads > MaxThreads:
		return fmt.Errorf("argon2id threads %d: want 1..%d", p.Threads, MaxThreads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > MaxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB: want %d..%d", p.MemoryKiB, 8*uint32(p.Threads), MaxMemoryKiB)
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("argon2id time %d: want 1..%d", p.Time, MaxTime)
	case p.SaltLen < MinSaltLen || p.SaltLen > MaxSaltLen:
		return fmt.Errorf("argon2id salt length %d: want %d..%d", p.SaltLen, MinSaltLen, MaxSaltLen)
	case p.KeyLen < MinKeyLen || p.KeyLen > MaxKeyLen:
		return fmt.Errorf("argon2id key length %d: want %d..%d", p.KeyLen, MinKeyLen, MaxKeyLen)
	}
	return nil
}

// Hash is a parsed PHC string.
type Hash struct {
	Params
	Salt []byte
	Key  []byte
}

// Parse parses an Argon2id PHC string strictly: the fields in the order
// "$argon2id$v=19$m=M,t=T,p=P$salt$hash", decimal numbers without signs or
// leading zeros, canonical unpadded base64, and every value within bounds.
// Parsing does no work proportional to the parameters.
func Parse(encoded string) (*Hash, error) {
	f := strings.Split(encoded, "$")
	// "" argon2id v=19 params salt hash
	if len(f) != 6 || f[0] != "" {
		return nil, fmt.Errorf("%w: want 5 fields", ErrMalformed)
	}
	if f[1] != "argon2id" {
		return nil, fmt.Errorf("%w: algorithm %.20q is not argon2id", ErrMalformed, f[1])
	}
	v, ok := strings.CutPrefix(f[2], "v=")
	if !ok {
		return nil, fmt.Errorf("%w: missing version", ErrMalformed)
	}
	if n, err := parseDecimal(v); err != nil || n != Version {
		return nil, fmt.Errorf("%w: unsupported version %.20q", ErrMalformed, v)
	}
	ps := strings.Split(f[3], ",")
	if len(ps) != 3 {
		return nil, fmt.Errorf("%w: want parameters m,t,p", ErrMalformed)
	}
	var h Hash
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(ps[i], name)
		if !ok {
			return nil, fmt.Errorf("%w: parameter %d is not %s", ErrMalformed, i+1, name[:1])
		}
		n, err := parseDecimal(s)
		if err != nil {
			return nil, fmt.Errorf("%w: parameter %s: %v", ErrMalformed, name[:1], err)
		}
		vals[i] = n
	}
	if vals[0] > MaxMemoryKiB || vals[1] > MaxTime || vals[2] > MaxThreads {
		return nil, fmt.Errorf("%w: parameters m=%d,t=%d,p=%d over the limits", ErrMalformed, vals[0], vals[1], vals[2])
	}
	h.MemoryKiB, h.Time, h.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	var err error
	if h.Salt, err = decodeB64(f[4]); err != nil {
		return nil, fmt.Errorf("%w: salt: %v", ErrMalformed, err)
	}
	if h.Key, err = decodeB64(f[5]); err != nil {
		return nil, fmt.Errorf("%w: hash: %v", ErrMalformed, err)
	}
	h.SaltLen, h.KeyLen = len(h.Salt), len(h.Key)
	if err := h.Params.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return &h, nil
}

// String returns the PHC string; Parse(h.String()) gives h back.
func (h *Hash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", Version,
		h.MemoryKiB, h.Time, h.Threads,
		base64.RawStdEncoding.EncodeToString(h.Salt),
		base64.RawStdEncoding.EncodeToString(h.Key))
}

// parseDecimal accepts 1 to 10 ASCII digits without a leading zero (except
// "0" itself), so every number has exactly one spelling.
func parseDecimal(s string) (uint64, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("bad number %.20q", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("bad number %.20q", s)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

func decodeB64(s string) ([]byte, error) {
	if len(s) > base64.RawStdEncoding.EncodedLen(MaxKeyLen+MaxSaltLen) {
		return nil, errors.New("too long")
	}
	// The decoder skips CR and LF; refuse them (and anything outside the
	// alphabet) here so a stored value has exactly one spelling.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, fmt.Errorf("bad base64 character %q", c)
		}
	}
	// Strict refuses non-zero trailing bits, so each value has one encoding.
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

// Hasher hashes and verifies passwords with one configured setting. It is
// safe for concurrent use.
type Hasher struct {
	params Params
	dummy  *Hash
}

// New returns a Hasher that makes new hashes with p.
func New(p Params) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("password hash parameters: %w", err)
	}
	// The dummy hash has the configured cost and a random salt and key that
	// no password is known to match.
	d := &Hash{Params: p, Salt: make([]byte, p.SaltLen), Key: make([]byte, p.KeyLen)}
	rand.Read(d.Salt)
	rand.Read(d.Key)
	return &Hasher{params: p, dummy: d}, nil
}

// Params returns the setting used for new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password with a fresh random salt.
func (h *Hasher) Hash(password string) (string, error) {
	if len(password) > MaxPasswordLen {
		return "", fmt.Errorf("hash password: %w (over %d bytes)", ErrTooLong, MaxPasswordLen)
	}
	salt := make([]byte, h.params.SaltLen)
	// crypto/rand.Read never returns an error (it crashes the program if the
	// system's randomness fails), so there is nothing to handle here.
	rand.Read(salt)
	x := &Hash{Params: h.params, Salt: salt}
	x.Key = derive(password, x)
	return x.String(), nil
}

// Verify reports whether password matches the stored hash. The error is
// non-nil only when encoded is malformed or out of bounds (wrapping
// [ErrMalformed]); ok is then false. Verification uses the parameters stored
// in the hash, not the Hasher's.
func (h *Hasher) Verify(encoded, password string) (ok bool, err error) {
	x, err := Parse(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLen {
		// No such password was ever hashed.
		return false, nil
	}
	return check(password, x), nil
}

// Dummy does the work of verifying password against a hash with the
// Hasher's setting, and always reports false. Call it when the account does
// not exist, so sign-in costs the same either way.
func (h *Hasher) Dummy(password string) bool {
	check(password, h.dummy)
	return false
}

// NeedsRehash reports whether encoded was made with a setting other than
// the Hasher's (or is malformed). Call it after a successful Verify and, if
// true, store Hash(password) in place of the old hash.
func (h *Hasher) NeedsRehash(encoded string) bool {
	x, err := Parse(encoded)
	if err != nil {
		return true
	}
	return x.Params != h.params
}

func derive(password string, x *Hash) []byte {
	return argon2.IDKey([]byte(password), x.Salt, x.Time, x.MemoryKiB, x.Threads, uint32(x.KeyLen))
}

func check(password string, x *Hash) bool {
	got := derive(password, x)
	// Constant time, so the comparison does not reveal how many leading
	// bytes of a guess's hash are right.
	return subtle.ConstantTimeCompare(got, x.Key) == 1
}
