// Package kernelgen emits the Argon2 fill kernel of package argon2kernel as
// a WebAssembly binary, from Go, with no external assembler.
//
// [Kernel] returns the module's bytes. Package argon2kernel commits them as
// kernel.wasm (written by its gen.go under go generate) and a test there
// regenerates them in memory and compares, so the committed binary is always
// the output of this code. wasm.go is a minimal binary encoder (sections,
// LEB128, the opcodes the kernel uses); kernel.go is the kernel itself.
//
// The kernel's contract, as seen by a caller, is documented in package
// argon2kernel; the memory layout constants here must agree with it.
package kernelgen
