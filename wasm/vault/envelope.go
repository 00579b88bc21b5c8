package vault

import (
	"crypto/cipher"
	"crypto/rand"

	"golang.org/x/crypto/chacha20poly1305"

	"watchword/wasm/api"
	"watchword/wasm/vault/internal/hook"
	"watchword/wasm/wrap"
)

// The ciphertext encoding, version 1 (see the package documentation for the
// full layout). Every ciphertext starts with a version byte and an algorithm
// byte, followed by one or more boxes; a box is a 24-byte nonce followed by
// the XChaCha20-Poly1305 ciphertext and its 16-byte tag.
const (
	formatV1 byte = 1 // the only version this build writes and reads
	algXC20P byte = 1 // XChaCha20-Poly1305

	headerSize = 2
	nonceSize  = chacha20poly1305.NonceSizeX // 24 bytes: random nonces never collide in practice
	tagSize    = chacha20poly1305.Overhead   // 16-byte Poly1305 tag
	// KeySize is the size of the vault key and of every entry key.
	KeySize = chacha20poly1305.KeySize
	// A key box wraps one 32-byte key.
	keyBoxSize = nonceSize + KeySize + tagSize
	// wrappedKeySize is the size of a wrapped vault key (api.VaultHeader.WrappedKey).
	wrappedKeySize = headerSize + keyBoxSize
	// entryOverhead is what sealing adds to an entry's plaintext.
	entryOverhead = headerSize + keyBoxSize + nonceSize + tagSize
)

// Purposes, bound into the associated data so that a box made for one use
// never opens in another, even under the same key.
const (
	purposeVaultKey byte = 1
	purposeEntryKey byte = 2
	purposeEntry    byte = 3
	purposeLocal    byte = 4 // device-local data (SealLocal), never synced
)

// adSize is the size of every associated-data block:
// version | algorithm | purpose | vault id (16) | entry id (16, zero for the vault key).
const adSize = 3 + 2*api.IDSize

type adBlock [adSize]byte

func makeAD(purpose byte, vaultID, entryID *[api.IDSize]byte) adBlock {
	var ad adBlock
	ad[0], ad[1], ad[2] = formatV1, algXC20P, purpose
	copy(ad[3:], vaultID[:])
	if entryID != nil {
		copy(ad[3+api.IDSize:], entryID[:])
	}
	return ad
}

// randRead fills b from crypto/rand, or from the reader installed by the
// test-vector generator.
func randRead(b []byte) error {
	if r := hook.Rand(); r != nil {
		if _, err := r.Read(b); err != nil {
			return wrap.Error("read random bytes", err)
		}
		return nil
	}
	_, _ = rand.Read(b) // never fails (Go 1.24+): it crashes the program instead
	return nil
}

// parseID decodes a 32-character lowercase hex id.
func parseID(s string) ([api.IDSize]byte, bool) {
	var id [api.IDSize]byte
	if !api.ValidID(s) {
		return id, false
	}
	// ValidID allows only 0-9 and a-f; decoded here rather than with
	// encoding/hex, whose error type formats with package fmt.
	for i := range id {
		id[i] = nibble(s[2*i])<<4 | nibble(s[2*i+1])
	}
	return id, true
}

func nibble(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// sealBox appends nonce | seal(plaintext) to dst.
func sealBox(dst []byte, aead cipher.AEAD, plaintext []byte, ad *adBlock) ([]byte, error) {
	n := len(dst)
	dst = append(dst, make([]byte, nonceSize)...)
	if err := randRead(dst[n : n+nonceSize]); err != nil {
		return dst[:n], err
	}
	return aead.Seal(dst, dst[n:n+nonceSize], plaintext, ad[:]), nil
}

// checkHeader reports whether b starts with a header this build reads.
func checkHeader(b []byte) bool {
	return len(b) >= headerSize && b[0] == formatV1 && b[1] == algXC20P
}

// entryCiphertext is a parsed entry ciphertext: the key box that wraps the
// entry key and the box that holds the content. Both share the input's memory.
type entryCiphertext struct {
	keyBox []byte // nonce | wrapped entry key | tag, keyBoxSize bytes
	box    []byte // nonce | content | tag
}

// parseEntryCiphertext splits an entry ciphertext of a version and algorithm
// this build reads. It checks the structure only; the boxes still have to
// authenticate.
func parseEntryCiphertext(b []byte) (entryCiphertext, bool) {
	if len(b) < entryOverhead || !checkHeader(b) {
		return entryCiphertext{}, false
	}
	return entryCiphertext{
		keyBox: b[headerSize : headerSize+keyBoxSize],
		box:    b[headerSize+keyBoxSize:],
	}, true
}

// appendTo appends the encoding of c to dst; it is the inverse of
// parseEntryCiphertext.
func (c entryCiphertext) appendTo(dst []byte) []byte {
	dst = append(dst, formatV1, algXC20P)
	dst = append(dst, c.keyBox...)
	return append(dst, c.box...)
}

// parseWrappedKey returns the key box of a wrapped vault key.
func parseWrappedKey(b []byte) ([]byte, bool) {
	if len(b) != wrappedKeySize || !checkHeader(b) {
		return nil, false
	}
	return b[headerSize:], true
}

// unwrapKey opens a key box (exactly keyBoxSize bytes) into out. On failure
// out is cleared.
func unwrapKey(out *[KeySize]byte, aead cipher.AEAD, box []byte, ad *adBlock) bool {
	if len(box) != keyBoxSize {
		clear(out[:])
		return false
	}
	_, err := aead.Open(out[:0], box[:nonceSize], box[nonceSize:], ad[:])
	if err != nil {
		clear(out[:]) // Open may have written unauthenticated plaintext
		return false
	}
	return true
}

// newAEAD wraps chacha20poly1305.NewX; it fails only on a wrong key size or
// in FIPS-140-only mode, which this build does not support.
func newAEAD(key []byte) (cipher.AEAD, error) {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, wrap.Error("new cipher", err)
	}
	return a, nil
}
