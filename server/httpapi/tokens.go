package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
)

// tokenBytes is the size of every opaque secret the server hands out (link
// tokens, access and refresh tokens, hand-off codes): 256 bits, so guessing
// is hopeless and only the SHA-256 need be stored (a preimage search is as
// hard as guessing).
const tokenBytes = 32

// newToken returns a random URL-safe token and the SHA-256 hash that is
// stored in its place. The token must be kept secret.
func newToken() (token string, hash []byte) {
	var b [tokenBytes]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

// hashToken is the stored form of a token. Tokens are random, so a plain
// SHA-256 (no salt, no stretching) is enough.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// validTokenSyntax rejects anything that is not the shape newToken makes,
// before touching the store.
func validTokenSyntax(t string) bool {
	if len(t) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}

// newID returns 16 random bytes as 32 lowercase hex characters.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newCode returns a uniformly random 6-digit code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // crypto/rand never fails on supported systems
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// codeHash binds a short code to its challenge, so the same digits hash
// differently for every challenge and a stored hash cannot be matched
// against another challenge's code.
func codeHash(challengeID, code string) []byte {
	h := sha256.Sum256([]byte("watchword code\x00" + challengeID + "\x00" + code))
	return h[:]
}

func equalHash(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}

// recoveryCodeHash binds a recovery code to its account.
func recoveryCodeHash(accountID, code string) []byte {
	h := sha256.Sum256([]byte("watchword recovery\x00" + accountID + "\x00" + code))
	return h[:]
}

// newRecoveryCode returns a code like "k3p9-x7mq-2vdr": 60 bits from an
// alphabet without look-alike characters.
func newRecoveryCode() string {
	const alphabet = "23456789abcdefghjkmnpqrstuvwxyz" // 31 letters, no 0/o/1/l/i
	var out []byte
	for i := 0; i < 12; i++ {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err))
		}
		out = append(out, alphabet[n.Int64()])
	}
	return string(out)
}
