package vault

import (
	"errors"
	"strconv"

	"watchword/wasm/wrap"
)

// Device-local data is what a client keeps about a vault on one device to
// start faster, never sent anywhere: the list index shown at unlock before
// the entries themselves are open, for one. It is sealed under the vault key
// directly (one box; no per-item key, since it is rewritten whole) with
// associated data that names the purpose and the vault, so it opens only
// as device-local data of this vault: never as an entry or a wrapped key,
// and no entry ciphertext opens as it.
//
// Encoding: version | algorithm | nonce (24) | ciphertext | tag (16).

// localOverhead is what sealing adds to device-local data.
const localOverhead = headerSize + nonceSize + tagSize

// MaxLocalPlaintext bounds device-local data: it is held whole in memory on
// both sides of the bridge, and a list index of 100,000 entries is well
// under it.
const MaxLocalPlaintext = 64 << 20

// SealLocal seals device-local data of this vault.
func (k *Key) SealLocal(plaintext []byte) ([]byte, error) {
	if k.aead == nil {
		return nil, errLocked
	}
	if len(plaintext) > MaxLocalPlaintext {
		return nil, errors.New("seal local data: " + strconv.Itoa(len(plaintext)) + " bytes, over the limit of " + strconv.Itoa(MaxLocalPlaintext))
	}
	ad := makeAD(purposeLocal, &k.id, nil)
	dst := make([]byte, 0, len(plaintext)+localOverhead)
	dst = append(dst, formatV1, algXC20P)
	return sealBox(dst, k.aead, plaintext, &ad)
}

// OpenLocal opens data made by [Key.SealLocal] for this vault. Every failure
// to parse or authenticate it returns an error wrapping [ErrDecrypt].
func (k *Key) OpenLocal(ciphertext []byte) ([]byte, error) {
	if k.aead == nil {
		return nil, errLocked
	}
	if len(ciphertext) < localOverhead || len(ciphertext) > MaxLocalPlaintext+localOverhead || !checkHeader(ciphertext) {
		return nil, wrap.Error("open local data", ErrDecrypt)
	}
	box := ciphertext[headerSize:]
	ad := makeAD(purposeLocal, &k.id, nil)
	out, err := k.aead.Open(make([]byte, 0, len(box)-nonceSize-tagSize), box[:nonceSize], box[nonceSize:], ad[:])
	if err != nil {
		return nil, wrap.Error("open local data", ErrDecrypt)
	}
	return out, nil
}
