package vault

import (
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"strconv"

	"golang.org/x/crypto/hkdf"
	"golang.org/x/text/unicode/norm"

	"watchword/wasm/api"
	"watchword/wasm/vault/internal/hook"
	"watchword/wasm/wrap"
)

// wrappingKeyInfo is the HKDF info label of the key that wraps the vault key.
// Other keys derived from the master key later get their own labels.
const wrappingKeyInfo = "watchword v1 vault key wrapping"

// Key is an unlocked vault: the vault key together with the id of the vault
// it belongs to (which every entry's associated data binds). The vault key
// must be kept secret. A Key is safe for concurrent use.
type Key struct {
	vaultID string
	id      [api.IDSize]byte
	key     [KeySize]byte
	aead    cipher.AEAD
}

// NewKDFParams returns the default Argon2id settings with a fresh random salt.
func NewKDFParams() (api.KDFParams, error) {
	p := api.KDFParams{
		Algorithm: api.KDFArgon2id,
		Salt:      make([]byte, api.KDFSaltSize),
		MemoryKiB: api.DefaultKDFMemoryKiB,
		Time:      api.DefaultKDFTime,
		Threads:   api.DefaultKDFThreads,
	}
	if err := randRead(p.Salt); err != nil {
		return api.KDFParams{}, wrap.Error("new kdf params", err)
	}
	return p, nil
}

// NewVaultID returns a fresh random vault or entry id in its wire form
// (32 lowercase hex characters).
func NewVaultID() (string, error) {
	var b [api.IDSize]byte
	if err := randRead(b[:]); err != nil {
		return "", wrap.Error("new id", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// NewEntryID returns a fresh random entry id; see [NewVaultID].
func NewEntryID() (string, error) { return NewVaultID() }

// Create makes a new vault: a fresh vault id and random vault key, wrapped
// under the master password with the Argon2id settings kdf (use
// [NewKDFParams] for the defaults). It returns the header to store and the
// unlocked key.
func Create(password string, kdf api.KDFParams) (api.VaultHeader, *Key, error) {
	if password == "" {
		return api.VaultHeader{}, nil, api.NewError(api.CodeInvalid, "the master password is empty")
	}
	vaultID, err := NewVaultID()
	if err != nil {
		return api.VaultHeader{}, nil, wrap.Error("create vault", err)
	}
	var raw [KeySize]byte
	defer clear(raw[:])
	if err := randRead(raw[:]); err != nil {
		return api.VaultHeader{}, nil, wrap.Error("create vault", err)
	}
	k, err := NewKey(vaultID, raw[:])
	if err != nil {
		return api.VaultHeader{}, nil, wrap.Error("create vault", err)
	}
	h, err := k.Wrap(password, kdf)
	if err != nil {
		return api.VaultHeader{}, nil, wrap.Error("create vault", err)
	}
	return h, k, nil
}

// NewKey rebuilds an unlocked key from its parts, as returned by
// [Key.VaultID] and [Key.Bytes] (for example after a restart, from session
// storage). vaultKey must be kept secret; NewKey copies it.
func NewKey(vaultID string, vaultKey []byte) (*Key, error) {
	id, ok := parseID(vaultID)
	if !ok {
		return nil, api.NewError(api.CodeInvalid, "vault id "+strconv.Quote(vaultID)+" is not valid")
	}
	if len(vaultKey) != KeySize {
		return nil, api.NewError(api.CodeInvalid, "a vault key is "+strconv.Itoa(KeySize)+" bytes, not "+strconv.Itoa(len(vaultKey)))
	}
	k := &Key{vaultID: vaultID, id: id}
	copy(k.key[:], vaultKey)
	aead, err := newAEAD(k.key[:])
	if err != nil {
		return nil, err
	}
	k.aead = aead
	return k, nil
}

// Unlock derives the wrapping key from the master password and the header's
// Argon2id settings and unwraps the vault key. Settings outside the floors
// and ceilings of api.KDFParams.Validate are refused before any work. A
// password that does not open the key returns [ErrWrongPassword].
func Unlock(h api.VaultHeader, password string) (*Key, error) {
	id, ok := parseID(h.VaultID)
	if !ok {
		return nil, api.NewError(api.CodeInvalid, "vault id "+strconv.Quote(h.VaultID)+" is not valid")
	}
	if err := h.KDF.Validate(); err != nil {
		return nil, wrap.Error("unlock vault", err)
	}
	// A malformed wrapped key is reported as a wrong password: to the user
	// both mean that this password does not open this vault.
	b := h.WrappedKey
	box, ok := parseWrappedKey(b)
	if !ok {
		if len(b) >= headerSize && b[0] != formatV1 {
			return nil, api.NewError(api.CodeUnsupported, "vault key format "+strconv.Itoa(int(b[0]))+" is not supported by this version")
		}
		return nil, ErrWrongPassword
	}
	wk, err := deriveWrappingKey(password, h.KDF)
	if err != nil {
		return nil, wrap.Error("unlock vault", err)
	}
	defer clear(wk[:])
	aead, err := newAEAD(wk[:])
	if err != nil {
		return nil, err
	}
	var raw [KeySize]byte
	defer clear(raw[:])
	ad := makeAD(purposeVaultKey, &id, nil)
	if !unwrapKey(&raw, aead, box, &ad) {
		return nil, ErrWrongPassword
	}
	return NewKey(h.VaultID, raw[:])
}

// ChangePassword opens the vault with oldPassword and returns a new header
// in which the same vault key is wrapped under newPassword, with the same
// Argon2id cost and a fresh salt. Entries are untouched: only the wrapped
// vault key changes.
func ChangePassword(h api.VaultHeader, oldPassword, newPassword string) (api.VaultHeader, error) {
	k, err := Unlock(h, oldPassword)
	if err != nil {
		return api.VaultHeader{}, wrap.Error("change password", err)
	}
	defer k.Destroy()
	kdf := h.KDF
	kdf.Salt = make([]byte, api.KDFSaltSize)
	if err := randRead(kdf.Salt); err != nil {
		return api.VaultHeader{}, wrap.Error("change password", err)
	}
	nh, err := k.Wrap(newPassword, kdf)
	if err != nil {
		return api.VaultHeader{}, wrap.Error("change password", err)
	}
	return nh, nil
}

// Wrap returns a header in which k is wrapped under password with the
// Argon2id settings kdf. Use a fresh salt for every new password.
func (k *Key) Wrap(password string, kdf api.KDFParams) (api.VaultHeader, error) {
	if password == "" {
		return api.VaultHeader{}, api.NewError(api.CodeInvalid, "the master password is empty")
	}
	wk, err := deriveWrappingKey(password, kdf)
	if err != nil {
		return api.VaultHeader{}, wrap.Error("wrap vault key", err)
	}
	defer clear(wk[:])
	aead, err := newAEAD(wk[:])
	if err != nil {
		return api.VaultHeader{}, err
	}
	ad := makeAD(purposeVaultKey, &k.id, nil)
	out := make([]byte, 0, wrappedKeySize)
	out = append(out, formatV1, algXC20P)
	out, err = sealBox(out, aead, k.key[:], &ad)
	if err != nil {
		return api.VaultHeader{}, wrap.Error("wrap vault key", err)
	}
	kdf.Salt = append([]byte(nil), kdf.Salt...)
	return api.VaultHeader{VaultID: k.vaultID, WrappedKey: out, KDF: kdf}, nil
}

// VaultID returns the id of the vault this key belongs to.
func (k *Key) VaultID() string { return k.vaultID }

// Bytes returns a copy of the vault key. It must be kept secret.
func (k *Key) Bytes() []byte { return append([]byte(nil), k.key[:]...) }

// Equal reports, in constant time, whether k and o are the same key of the
// same vault.
func (k *Key) Equal(o *Key) bool {
	return k.vaultID == o.vaultID && subtle.ConstantTimeCompare(k.key[:], o.key[:]) == 1
}

// Destroy clears the key. It is best effort: the Go runtime may have copied
// the bytes elsewhere (the cipher keeps its own copy until it is collected).
// A destroyed key seals and opens nothing.
func (k *Key) Destroy() {
	clear(k.key[:])
	k.aead = nil
}

// deriveWrappingKey runs Argon2id on the NFKC-normalised password (never
// truncated) and derives the wrapping key from the master key with HKDF.
// NFKC makes the same password typed on different keyboards or systems
// (composed or decomposed accents, full-width forms) derive the same key.
func deriveWrappingKey(password string, p api.KDFParams) ([KeySize]byte, error) {
	return deriveKey(password, p, wrappingKeyInfo)
}

// deriveKey is Argon2id on the NFKC-normalised password, then HKDF-SHA256
// with info, which names what the key is for.
func deriveKey(password string, p api.KDFParams, info string) ([KeySize]byte, error) {
	var wk [KeySize]byte
	if err := p.Validate(); err != nil {
		return wk, err
	}
	mem, t := p.MemoryKiB, p.Time
	if c := hook.KDFCost(); c != nil {
		mem, t = c.MemoryKiB, c.Time
	}
	pw := []byte(norm.NFKC.String(password))
	master, err := idKey(pw, p.Salt, t, mem, p.Threads, KeySize)
	clear(pw)
	if err != nil {
		return wk, wrap.Error("derive master key", err)
	}
	defer clear(master)
	if len(master) != KeySize {
		return wk, errors.New("derive master key: Argon2id answered " + strconv.Itoa(len(master)) + " bytes, want " + strconv.Itoa(KeySize))
	}
	r := hkdf.New(sha256.New, master, nil, []byte(info))
	if _, err := io.ReadFull(r, wk[:]); err != nil {
		return wk, wrap.Error("derive wrapping key", err)
	}
	return wk, nil
}
