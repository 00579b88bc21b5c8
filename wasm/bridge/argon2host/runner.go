package argon2host

import (
	"errors"
	"strconv"

	"watchword/wasm/vault"
	"watchword/wasm/vault/argon2kernel"
	"watchword/wasm/wrap"
)

// Instance is one instantiated kernel as its host exposes it: the two
// exports and its memory. Offsets and lengths are in bytes.
type Instance interface {
	Reserve(lanes, laneLength uint32) (int64, error)
	Fill(lanes, laneLength, passes uint32) (int64, error)
	Write(off int64, b []byte) error
	Read(off int64, b []byte) error
	Zero(off, n int64) error
}

// Runner is an argon2kernel.Runner that starts a fresh Instance for each
// derivation.
type Runner struct {
	Start func() (Instance, error)
}

// Fill implements argon2kernel.Runner. Whatever the kernel answers is
// checked: an unexpected base or a failed call is an error, never a key.
func (r Runner) Fill(blocks []byte, lanes, laneLength, passes uint32) ([]byte, error) {
	const bs = argon2kernel.BlockSize
	if uint64(len(blocks)) != uint64(lanes)*2*bs {
		return nil, errors.New("argon2host: " + strconv.Itoa(len(blocks)) + " bytes of first blocks for " + strconv.Itoa(int(lanes)) + " lanes")
	}
	in, err := r.Start()
	if err != nil {
		return nil, wrap.Error("argon2host: start the kernel", err)
	}
	base, err := in.Reserve(lanes, laneLength)
	if err != nil {
		return nil, wrap.Error("argon2host: reserve", err)
	}
	if base != argon2kernel.Base {
		return nil, errors.New("argon2host: the kernel could not reserve " + strconv.FormatUint(uint64(lanes)*uint64(laneLength), 10) + " blocks (answered " + strconv.Itoa(int(base)) + ")")
	}
	size := int64(lanes) * int64(laneLength) * bs
	// The blocks are secret: cleared whatever happens after they exist.
	defer in.Zero(base, size)
	lane := func(l uint32, j uint32) int64 { return base + (int64(l)*int64(laneLength)+int64(j))*bs }
	for l := range lanes {
		if err := in.Write(lane(l, 0), blocks[2*bs*l:2*bs*(l+1)]); err != nil {
			return nil, wrap.Error("argon2host: write lane "+strconv.Itoa(int(l)), err)
		}
	}
	rc, err := in.Fill(lanes, laneLength, passes)
	if err != nil {
		return nil, wrap.Error("argon2host: fill", err)
	}
	if rc != 0 {
		return nil, errors.New("argon2host: the kernel refused to fill (answered " + strconv.Itoa(int(rc)) + ")")
	}
	last := make([]byte, int(lanes)*bs)
	for l := range lanes {
		if err := in.Read(lane(l, laneLength-1), last[bs*l:bs*(l+1)]); err != nil {
			return nil, wrap.Error("argon2host: read lane "+strconv.Itoa(int(l)), err)
		}
	}
	return last, nil
}

// Argon2ID is vault's Argon2id over r.
func (r Runner) Argon2ID() vault.Argon2ID {
	return func(password, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error) {
		return argon2kernel.IDKey(r, password, salt, time, memoryKiB, threads, keyLen)
	}
}
