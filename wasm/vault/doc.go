// Package vault holds the keys of a Watchword vault, seals and opens its
// entries, and defines the vault schema with its forward-compatibility rules.
//
// Start with [Create] (a new vault) or [Unlock] (an existing one, from its
// api.VaultHeader and the master password); both return a [Key]. Use
// [Key.OpenEntries] to open a whole vault in one call and
// [Schema.AppendVaultJSON] to hand it to the popup; [Key.SealEntry] seals an
// edited [Entry]. [DefaultSchema] says what this build knows.
//
// # Keys
//
// The master password is normalised to Unicode NFKC (never truncated) and
// stretched with Argon2id (RFC 9106) using the vault's api.KDFParams, which
// are checked against the floors and ceilings of api.KDFParams.Validate
// before any work, so a hostile server can neither weaken nor inflate the
// derivation. HKDF-SHA256 (RFC 5869) turns the 32-byte master key into the
// wrapping key, with a purpose label as info. The vault key is 32 random
// bytes wrapped by the wrapping key; changing the master password
// ([ChangePassword]) re-wraps only the vault key. Each entry has its own
// random 32-byte key, wrapped by the vault key.
//
// All encryption is XChaCha20-Poly1305: its 24-byte nonces can be random
// without any risk of collision, and in WebAssembly (no AES instructions) it
// is faster than AES-GCM.
//
// # Ciphertext encoding (version 1)
//
// Every ciphertext starts with a version byte and an algorithm byte, followed
// by boxes. A box is a 24-byte random nonce, then the XChaCha20-Poly1305
// ciphertext with its 16-byte tag. A key box wraps a 32-byte key and is
// always 24+32+16 = 72 bytes.
//
//	wrapped vault key (api.VaultHeader.WrappedKey), 74 bytes:
//	  [0]      version   = 0x01
//	  [1]      algorithm = 0x01 (XChaCha20-Poly1305)
//	  [2:26]   nonce
//	  [26:74]  vault key sealed under the wrapping key, with tag
//
//	entry ciphertext, 98 + 16 + len(plaintext) bytes:
//	  [0]      version   = 0x01
//	  [1]      algorithm = 0x01
//	  [2:26]   entry key nonce
//	  [26:74]  entry key sealed under the vault key, with tag
//	  [74:98]  content nonce
//	  [98:]    entry plaintext sealed under the entry key, with tag
//
//	device-local data (Key.SealLocal), 42 + len(plaintext) bytes:
//	  [0]      version   = 0x01
//	  [1]      algorithm = 0x01
//	  [2:26]   nonce
//	  [26:]    plaintext sealed under the vault key, with tag
//
// Device-local data is what a client keeps on one device only, never synced
// (the extension's list cache). The associated data of every box is 35
// bytes: version, algorithm, a purpose byte (1 vault key, 2 entry key, 3
// entry content, 4 device-local data), the 16-byte vault id and the 16-byte
// entry id (zero for the vault key and device-local data). So the server cannot
// move a ciphertext to another entry or vault, swap an entry's key box for
// another's, or replay a box for another purpose without the open failing.
//
// Every failure to open an entry — wrong key, a flipped bit, another entry or
// vault id, truncation, an unknown version or algorithm — is the one opaque
// error [ErrDecrypt]. A wrapped vault key that does not open is
// [ErrWrongPassword].
//
// # Entry encoding
//
// An entry's plaintext is a type number followed by fields, each a tag,
// a length and raw value bytes (see [Entry]); lists (URLs, history) are one
// field whose value is a sequence of length-prefixed items encoded the same
// way. The encoding is canonical, so decoding and encoding again is
// byte-identical.
//
// # Compatibility
//
// Devices with different versions share one vault. An entry of a type this
// build does not know is kept and synced untouched but not shown; a field it
// does not know is kept, byte for byte, when the entry is edited; a retired
// type is archived (read-only). [Schema.Status] and [Schema.Report] say what a
// device cannot show. Field-level access by tag ([Entry.Tags], [Entry.Raw],
// [Entry.SetRaw]) lets the sync engine merge fields it does not understand.
//
// Test vectors for the ciphertext encoding are in package vaulttest/vectors
// (embedded, so browser tests replay them too), made by gen_vectors.go (go
// generate).
//
// # Security
//
// Keys must be kept secret. [Key.Destroy] clears the vault key as far as Go
// allows; the runtime may keep copies until they are collected.
package vault

//go:generate go run gen_vectors.go
