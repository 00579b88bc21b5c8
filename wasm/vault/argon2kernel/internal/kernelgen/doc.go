// Package kernelgen emits the Argon2 fill kernel of package argon2kernel as
// a WebAssembly binary, from Go, with no external assembler.
//
// [Kernel] and [KernelSIMD] return the two builds' bytes. Package
// argon2kernel commits them as kernel.wasm and kernel_simd.wasm (written by
// its gen.go under go generate) and a test there regenerates them in memory
// and compares, so the committed binaries are always the output of this
// code. wasm.go is a minimal binary encoder (sections, LEB128, the opcodes
// the kernel uses); kernel.go is the kernel, simd.go its vector
// compression.
//
// The kernel's contract, as seen by a caller, is documented in package
// argon2kernel; the memory layout constants here must agree with it.
package kernelgen
