package vault

import (
	"crypto/cipher"
	"strconv"

	"watchword/wasm/api"
	"watchword/wasm/wrap"
)

// An export is a copy of a vault's entries sealed under a key derived from
// a password chosen for the file, not under the vault key: it opens in any
// vault, on any device, for whoever knows that password, and it holds the
// entries in their own encoding, so types and fields this version does not
// know travel in it unchanged.
//
// Encoding: version | algorithm | nonce (24) | ciphertext | tag (16). The
// associated data is version | algorithm | purposeExport followed by the
// caller's header (the file's format and KDF settings, salt included), so
// a file whose settings were altered does not open.
//
// The key comes from [DeriveExportKey], which runs Argon2id: in the
// extension, only kdf.wasm calls it, and the core is handed the key.

// purposeExport joins the purposes of envelope.go: a box of an export file.
const purposeExport byte = 5

// exportKeyInfo is the HKDF info label of an export file's key.
const exportKeyInfo = "watchword v1 export"

// MaxExportPlaintext bounds an export: ten thousand entries take a few
// megabytes.
const MaxExportPlaintext = 256 << 20

// exportOverhead is what sealing adds to an export's payload.
const exportOverhead = headerSize + nonceSize + tagSize

// DeriveExportKey derives the key of an export file from its password and
// Argon2id settings, as a master password is (NFKC, never truncated, the
// same floors). The key must be kept secret and dropped after the export or
// import it is for.
func DeriveExportKey(password string, kdf api.KDFParams) ([]byte, error) {
	if password == "" {
		return nil, api.NewError(api.CodeInvalid, "the export password is empty")
	}
	k, err := deriveKey(password, kdf, exportKeyInfo)
	if err != nil {
		return nil, wrap.Error("derive export key", err)
	}
	return k[:], nil
}

// ExportKey seals and opens one export file.
type ExportKey struct{ aead cipher.AEAD }

// NewExportKey takes a key DeriveExportKey made.
func NewExportKey(raw []byte) (*ExportKey, error) {
	if len(raw) != KeySize {
		return nil, api.NewError(api.CodeInvalid, "an export key is "+strconv.Itoa(KeySize)+" bytes, not "+strconv.Itoa(len(raw)))
	}
	a, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	return &ExportKey{a}, nil
}

func exportAD(header []byte) []byte {
	return append([]byte{formatV1, algXC20P, purposeExport}, header...)
}

// Seal seals payload, binding header.
func (k *ExportKey) Seal(header, payload []byte) ([]byte, error) {
	if len(payload) > MaxExportPlaintext {
		return nil, api.NewError(api.CodeTooLarge, "the export is larger than "+strconv.Itoa(MaxExportPlaintext>>20)+" MB")
	}
	dst := make([]byte, 0, len(payload)+exportOverhead)
	dst = append(dst, formatV1, algXC20P)
	n := len(dst)
	dst = append(dst, make([]byte, nonceSize)...)
	if err := randRead(dst[n:]); err != nil {
		return nil, err
	}
	return k.aead.Seal(dst, dst[n:], payload, exportAD(header)), nil
}

// ErrExportPassword is returned by [ExportKey.Open] for a file its key does
// not open.
var ErrExportPassword error = &api.Error{Code: api.CodeWrongPassword, Message: "this password does not open the export file"}

// Open opens what Seal sealed with the same header. Anything that does not
// open — another password, an altered header or payload, a truncated file —
// is [ErrExportPassword]: to a person they all mean this password does not
// open this file. A file of a version this build does not read says so.
func (k *ExportKey) Open(header, sealed []byte) ([]byte, error) {
	if len(sealed) >= headerSize && sealed[0] != formatV1 {
		return nil, api.NewError(api.CodeUnsupported, "export format "+strconv.Itoa(int(sealed[0]))+" is not supported by this version")
	}
	if len(sealed) < exportOverhead || len(sealed) > MaxExportPlaintext+exportOverhead || !checkHeader(sealed) {
		return nil, ErrExportPassword
	}
	box := sealed[headerSize:]
	out, err := k.aead.Open(make([]byte, 0, len(box)-nonceSize-tagSize), box[:nonceSize], box[nonceSize:], exportAD(header))
	if err != nil {
		return nil, ErrExportPassword
	}
	return out, nil
}
