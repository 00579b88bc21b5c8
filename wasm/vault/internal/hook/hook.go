// Package hook holds the two seams through which tests and the test-vector
// generator make package vault cheap and deterministic without changing its
// code path: the Argon2id cost and the source of randomness.
//
// Only tests (through package vaulttest) and the generator of testdata/ set
// them; production code never does. Both are read atomically, so setting one
// while vault code runs elsewhere is safe, if unwise.
package hook

import (
	"io"
	"sync/atomic"
)

// Cost replaces the memory and time of every Argon2id derivation. The
// parameters a vault stores (and their validation against the floors) are
// unchanged; only the work done is smaller.
type Cost struct {
	MemoryKiB uint32
	Time      uint32
}

var (
	kdfCost atomic.Pointer[Cost]
	random  atomic.Pointer[io.Reader]
)

// SetKDFCost installs c (nil restores the real cost) and returns the previous
// setting.
func SetKDFCost(c *Cost) *Cost { return kdfCost.Swap(c) }

// KDFCost returns the installed cost, or nil.
func KDFCost() *Cost { return kdfCost.Load() }

// SetRand installs r as the source of keys, ids, salts and nonces (nil
// restores crypto/rand) and returns the previous reader, or nil.
func SetRand(r io.Reader) io.Reader {
	var p *io.Reader
	if r != nil {
		p = &r
	}
	old := random.Swap(p)
	if old == nil {
		return nil
	}
	return *old
}

// Rand returns the installed reader, or nil.
func Rand() io.Reader {
	if p := random.Load(); p != nil {
		return *p
	}
	return nil
}
