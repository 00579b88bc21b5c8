package vault

import (
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Argon2ID computes Argon2id (RFC 9106, version 0x13) exactly as
// golang.org/x/crypto/argon2.IDKey does for the same arguments. Memory is in
// KiB.
type Argon2ID func(password, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error)

var argon2ID atomic.Pointer[Argon2ID]

// UseArgon2ID makes every master-password derivation run f instead of
// golang.org/x/crypto/argon2 (nil restores it) and returns the previous one,
// or nil. In the browser the bridge installs one whose memory filling runs
// in a small WebAssembly module of its own (package argon2kernel): Go's
// wasm code for that loop is half as fast as it can be, and its memory
// would stay in Go's heap, which never shrinks. A result of the wrong
// length is refused, so a broken f fails an unlock instead of deriving a
// different key.
func UseArgon2ID(f Argon2ID) Argon2ID {
	var p *Argon2ID
	if f != nil {
		p = &f
	}
	if old := argon2ID.Swap(p); old != nil {
		return *old
	}
	return nil
}

// idKey runs the installed Argon2id, or x/crypto's.
func idKey(password, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error) {
	if f := argon2ID.Load(); f != nil {
		return (*f)(password, salt, time, memoryKiB, threads, keyLen)
	}
	return argon2.IDKey(password, salt, time, memoryKiB, threads, keyLen), nil
}
