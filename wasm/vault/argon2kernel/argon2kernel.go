package argon2kernel

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"strconv"

	"golang.org/x/crypto/blake2b"

	"watchword/wasm/wrap"
)

// Module is the kernel's WebAssembly binary (kernel.wasm), using only
// WebAssembly 1.0 instructions. Instantiate it once per derivation or reuse
// the instance; see the package documentation for its exports.
//
//go:embed kernel.wasm
var Module []byte

// ModuleSIMD is the kernel built with 128-bit SIMD (kernel_simd.wasm): the
// same exports, layout and results as [Module], for engines with
// WebAssembly SIMD (Chrome 91, Firefox 89 and later). Which of the two is
// faster is for the host to measure.
//
//go:embed kernel_simd.wasm
var ModuleSIMD []byte

// Base is the byte offset in the kernel's memory of block 0 of lane 0;
// reserve returns it too.
const Base = 4096

const (
	// BlockSize is the size of an Argon2 block in bytes.
	BlockSize = 1024
	version   = 0x13 // Argon2 v1.3
	argon2id  = 2    // the type word of H0 and of the address input
	syncs     = 4    // slices per pass
)

// A Runner runs the kernel's fill. blocks holds the first two blocks of
// every lane, lane-major (lane l's block j at (2l+j)·1024); Fill copies them
// to the kernel's memory, calls fill, and returns the last block of each
// lane, lane-major (lanes·1024 bytes). Fill need not keep blocks; its
// result must not alias the kernel's memory if the kernel may run again.
type Runner interface {
	Fill(blocks []byte, lanes, laneLength, passes uint32) (last []byte, err error)
}

// IDKey derives a key of keyLen bytes from password and salt with Argon2id
// v1.3 (RFC 9106) at time passes over memoryKiB KiB with threads lanes,
// running the memory fill in r. For every input it returns what
// golang.org/x/crypto/argon2.IDKey returns; where that panics (time,
// threads or keyLen zero) IDKey returns an error, as it does when r fails.
//
// As in x/crypto, memoryKiB is rounded down to a multiple of 4·threads
// blocks, with a minimum of 8·threads, and H0 uses the value as given.
func IDKey(r Runner, password, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error) {
	switch {
	case time < 1:
		return nil, errors.New("argon2kernel: time must be at least 1")
	case threads < 1:
		return nil, errors.New("argon2kernel: threads must be at least 1")
	case keyLen < 1:
		return nil, errors.New("argon2kernel: keyLen must be at least 1")
	}
	lanes := uint32(threads)
	h0 := initHash(password, salt, time, memoryKiB, lanes, keyLen)

	memory := memoryKiB / (syncs * lanes) * (syncs * lanes)
	memory = max(memory, 2*syncs*lanes)
	laneLength := memory / lanes

	// H' of H0 ‖ LE32(j) ‖ LE32(lane) for the first two blocks of each lane.
	blocks := make([]byte, lanes*2*BlockSize)
	defer clear(blocks)
	var in [blake2b.Size + 8]byte
	copy(in[:], h0[:])
	for l := range lanes {
		binary.LittleEndian.PutUint32(in[blake2b.Size+4:], l)
		for j := range uint32(2) {
			binary.LittleEndian.PutUint32(in[blake2b.Size:], j)
			hPrime(blocks[(2*l+j)*BlockSize:][:BlockSize], in[:])
		}
	}
	clear(in[:])
	clear(h0[:])

	last, err := r.Fill(blocks, lanes, laneLength, time)
	if err != nil {
		return nil, wrap.Error("argon2kernel: fill", err)
	}
	defer clear(last)
	if len(last) != int(lanes)*BlockSize {
		return nil, errors.New("argon2kernel: fill returned " + strconv.Itoa(len(last)) + " bytes, want " + strconv.Itoa(int(lanes)*BlockSize))
	}
	// The final block is the XOR of the lanes' last blocks.
	var final [BlockSize]byte
	defer clear(final[:])
	for l := range lanes {
		for i, b := range last[l*BlockSize:][:BlockSize] {
			final[i] ^= b
		}
	}
	key := make([]byte, keyLen)
	hPrime(key, final[:])
	return key, nil
}

// initHash is H0 (RFC 9106 §3.2) with no secret and no associated data.
func initHash(password, salt []byte, time, memoryKiB, lanes, keyLen uint32) [blake2b.Size]byte {
	h, _ := blake2b.New512(nil) // cannot fail without a key
	var w [4]byte
	put := func(v uint32) {
		binary.LittleEndian.PutUint32(w[:], v)
		h.Write(w[:])
	}
	put(lanes)
	put(keyLen)
	put(memoryKiB)
	put(time)
	put(version)
	put(argon2id)
	put(uint32(len(password)))
	h.Write(password)
	put(uint32(len(salt)))
	h.Write(salt)
	put(0) // secret
	put(0) // associated data
	var h0 [blake2b.Size]byte
	h.Sum(h0[:0])
	return h0
}

// hPrime is the variable-length hash H' (RFC 9106 §3.3): it fills out,
// which must not be empty, from in.
func hPrime(out, in []byte) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(out)))
	if len(out) <= blake2b.Size {
		h, _ := blake2b.New(len(out), nil) // 1 ≤ len(out) ≤ 64
		h.Write(n[:])
		h.Write(in)
		h.Sum(out[:0])
		return
	}
	// V1 = H(LE32(len) ‖ in), V(i+1) = H(Vi); the first 32 bytes of each Vi
	// go out, until at most 64 bytes are left, which are one last hash of
	// exactly that size.
	var v [blake2b.Size]byte
	h, _ := blake2b.New512(nil)
	h.Write(n[:])
	h.Write(in)
	h.Sum(v[:0])
	for len(out) > blake2b.Size {
		copy(out, v[:32])
		out = out[32:]
		if len(out) > blake2b.Size {
			v = blake2b.Sum512(v[:])
		}
	}
	h, _ = blake2b.New(len(out), nil)
	h.Write(v[:])
	h.Sum(out[:0])
	clear(v[:])
}
