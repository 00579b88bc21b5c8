package argon2kernel

import (
	"bytes"
	"errors"
	"testing"

	"watchword/wasm/vault/argon2kernel/internal/kernelgen"
)

func TestKernelIsGenerated(t *testing.T) {
	if !bytes.Equal(Module, kernelgen.Kernel()) {
		t.Error("kernel.wasm is not what kernelgen emits: run go generate")
	}
	if !bytes.Equal(ModuleSIMD, kernelgen.KernelSIMD()) {
		t.Error("kernel_simd.wasm is not what kernelgen emits: run go generate")
	}
}

func TestBase(t *testing.T) {
	if Base != kernelgen.Base {
		t.Fatalf("Base = %d, kernelgen.Base = %d", Base, kernelgen.Base)
	}
}

// badRunner returns a fixed result without running anything.
type badRunner struct {
	last []byte
	err  error
}

func (r badRunner) Fill(blocks []byte, lanes, laneLength, passes uint32) ([]byte, error) {
	return r.last, r.err
}

func TestBadRunner(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    badRunner
	}{
		{"nil", badRunner{}},
		{"short", badRunner{last: make([]byte, 2*BlockSize-1)}},
		{"one lane of two", badRunner{last: make([]byte, BlockSize)}},
		{"long", badRunner{last: make([]byte, 3*BlockSize)}},
		{"error", badRunner{last: make([]byte, 2*BlockSize), err: errors.New("trap")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := IDKey(tc.r, []byte("pw"), []byte("saltsalt"), 1, 64, 2, 32)
			if err == nil || key != nil {
				t.Fatalf("IDKey = %x, %v; want an error", key, err)
			}
		})
	}
}

func TestBadParams(t *testing.T) {
	r := badRunner{last: make([]byte, BlockSize)}
	for _, tc := range []struct {
		name         string
		time, keyLen uint32
		threads      uint8
	}{
		{"time 0", 0, 32, 1},
		{"threads 0", 1, 32, 0},
		{"keyLen 0", 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if key, err := IDKey(r, nil, nil, tc.time, 64, tc.threads, tc.keyLen); err == nil {
				t.Fatalf("IDKey = %x, want an error", key)
			}
		})
	}
}
