package pow

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	// KeySize is the minimum HMAC key size in bytes (the SHA-256 output size).
	KeySize = 32
	// DefaultDifficulty is 2^16 hashes on average: well under a second in
	// the wasm core, a few seconds with WebCrypto in a loop.
	DefaultDifficulty = 16
	// MaxDifficulty bounds what Solve will attempt and Issue will sign.
	MaxDifficulty = 32
	// DefaultTTL is how long a challenge may be answered.
	DefaultTTL = 5 * time.Minute
	// MaxNonceLen bounds the client's nonce.
	MaxNonceLen = 64
	// MaxTokenLen bounds a token before any parsing.
	MaxTokenLen = 128

	version = "v1"
	idSize  = 16
	macLen  = 43 // unpadded base64url of 32 bytes
	domain  = "watchword-pow-v1\x00"
)

// Errors returned (possibly wrapped) by Verify.
var (
	// ErrInvalid: the token is malformed or its signature is not ours.
	ErrInvalid = errors.New("invalid challenge")
	// ErrExpired: the token was ours but has expired.
	ErrExpired = errors.New("challenge expired")
	// ErrNoWork: the nonce does not solve the challenge.
	ErrNoWork = errors.New("challenge not solved")
)

// Config configures a Service.
type Config struct {
	// Key signs challenges: at least KeySize random bytes, the same on every
	// instance. Must be kept secret. See GenerateKey.
	Key []byte
	// Difficulty in leading zero bits; 0 means DefaultDifficulty.
	Difficulty int
	// TTL is the challenge lifetime; 0 means DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// GenerateKey returns a new random key, for a single instance that has no
// configured key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// Challenge is one issued or verified challenge.
type Challenge struct {
	Token      string    // what the client hashes; opaque to it except for Difficulty
	ID         string    // 32 hex chars, unique per challenge
	Difficulty int       // leading zero bits required
	ExpiresAt  time.Time // whole seconds
}

// Service issues and verifies challenges. It is safe for concurrent use.
type Service struct {
	key        []byte
	difficulty int
	ttl        time.Duration
	now        func() time.Time
}

// New returns a Service.
func New(c Config) (*Service, error) {
	s := &Service{key: append([]byte(nil), c.Key...), difficulty: c.Difficulty, ttl: c.TTL, now: c.Now}
	if len(s.key) < KeySize {
		return nil, fmt.Errorf("proof-of-work key: %d bytes, want at least %d", len(s.key), KeySize)
	}
	if s.difficulty == 0 {
		s.difficulty = DefaultDifficulty
	}
	if s.difficulty < 1 || s.difficulty > MaxDifficulty {
		return nil, fmt.Errorf("proof-of-work difficulty %d: want 1..%d", s.difficulty, MaxDifficulty)
	}
	if s.ttl == 0 {
		s.ttl = DefaultTTL
	}
	if s.ttl < time.Second {
		return nil, fmt.Errorf("proof-of-work lifetime %v: want at least 1s", s.ttl)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Issue returns a new challenge.
func (s *Service) Issue() Challenge {
	var raw [idSize]byte
	rand.Read(raw[:])
	// Round the expiry up so a challenge never lives shorter than the TTL.
	exp := s.now().Add(s.ttl + time.Second - 1).Truncate(time.Second)
	return s.sign(hex.EncodeToString(raw[:]), s.difficulty, exp)
}

func (s *Service) sign(id string, difficulty int, exp time.Time) Challenge {
	payload := fmt.Sprintf("%s.%s.%d.%d", version, id, difficulty, exp.Unix())
	return Challenge{
		Token:      payload + "." + s.mac(payload),
		ID:         id,
		Difficulty: difficulty,
		ExpiresAt:  exp,
	}
}

func (s *Service) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(domain))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks the token's signature, its expiry and the work, in that
// order, and returns the challenge. The caller must still make sure the ID
// is used only once.
func (s *Service) Verify(token, nonce string) (Challenge, error) {
	c, mac, err := parse(token)
	if err != nil {
		return Challenge{}, err
	}
	payload := token[:len(token)-len(mac)-1]
	// hmac.Equal is constant time, so the check leaks nothing about how
	// close a forged signature is.
	if !hmac.Equal([]byte(mac), []byte(s.mac(payload))) {
		return Challenge{}, fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	if !s.now().Before(c.ExpiresAt) {
		return Challenge{}, fmt.Errorf("%w at %s", ErrExpired, c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if !validNonce(nonce) {
		return Challenge{}, fmt.Errorf("%w: malformed nonce", ErrNoWork)
	}
	if !Check(token, nonce, c.Difficulty) {
		return Challenge{}, ErrNoWork
	}
	return c, nil
}

// parse splits a token without checking its signature.
func parse(token string) (c Challenge, mac string, err error) {
	if len(token) > MaxTokenLen {
		return c, "", fmt.Errorf("%w: too long", ErrInvalid)
	}
	f := strings.Split(token, ".")
	if len(f) != 5 || f[0] != version {
		return c, "", fmt.Errorf("%w: not a %s token", ErrInvalid, version)
	}
	if len(f[1]) != 2*idSize || strings.ToLower(f[1]) != f[1] {
		return c, "", fmt.Errorf("%w: bad id", ErrInvalid)
	}
	if _, err := hex.DecodeString(f[1]); err != nil {
		return c, "", fmt.Errorf("%w: bad id", ErrInvalid)
	}
	d, err := parseDecimal(f[2], 2)
	if err != nil || d < 1 || d > MaxDifficulty {
		return c, "", fmt.Errorf("%w: bad difficulty", ErrInvalid)
	}
	exp, err := parseDecimal(f[3], 12)
	if err != nil {
		return c, "", fmt.Errorf("%w: bad expiry", ErrInvalid)
	}
	if len(f[4]) != macLen {
		return c, "", fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	return Challenge{Token: token, ID: f[1], Difficulty: int(d), ExpiresAt: time.Unix(exp, 0)}, f[4], nil
}

// parseDecimal accepts up to max digits, no sign, no leading zero.
func parseDecimal(s string, max int) (int64, error) {
	if s == "" || len(s) > max || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("bad number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("bad number")
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

func validNonce(n string) bool {
	if n == "" || len(n) > MaxNonceLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Difficulty reads the difficulty field of a token without checking its
// signature: what a client needs to know before solving.
func Difficulty(token string) (int, error) {
	c, _, err := parse(token)
	if err != nil {
		return 0, err
	}
	return c.Difficulty, nil
}

// Check reports whether SHA-256(token || nonce) starts with at least
// difficulty zero bits. It checks the work only, not the token.
func Check(token, nonce string, difficulty int) bool {
	h := sha256.New()
	h.Write([]byte(token))
	h.Write([]byte(nonce))
	return leadingZeros(h.Sum(nil)) >= difficulty
}

func leadingZeros(sum []byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			for b&0x80 == 0 {
				n++
				b <<= 1
			}
			return n
		}
		n += 8
	}
	return n
}

// Solve finds a nonce for token by counting up in decimal from "0", as a
// client does. It stops with ctx's error when ctx ends.
func Solve(ctx context.Context, token string) (string, error) {
	d, err := Difficulty(token)
	if err != nil {
		return "", fmt.Errorf("solve: %w", err)
	}
	buf := make([]byte, 0, len(token)+20)
	buf = append(buf, token...)
	for i := uint64(0); ; i++ {
		if i%(1<<14) == 0 {
			if err := ctx.Err(); err != nil {
				return "", fmt.Errorf("solve: %w", err)
			}
		}
		b := strconv.AppendUint(buf[:len(token)], i, 10)
		sum := sha256.Sum256(b)
		if leadingZeros(sum[:]) >= d {
			return string(b[len(token):]), nil
		}
	}
}
