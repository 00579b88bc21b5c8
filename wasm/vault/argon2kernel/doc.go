// Package argon2kernel runs the memory-filling part of Argon2id in a small
// hand-built WebAssembly module, the kernel, and does the rest of the
// derivation in Go.
//
// Under GOOS=js GOARCH=wasm, golang.org/x/crypto/argon2 is about 1.5× slower
// than C compiled to WebAssembly: Go's wasm backend keeps the 16 live words
// of a BlaMka round in linear memory, not in locals. The kernel's round keeps
// them in wasm locals, which the browser's compiler puts in registers. It
// has its own memory, so the 64 MiB of blocks never grow Go's heap (which
// never shrinks).
//
// Call [IDKey] with a [Runner] that instantiates [Module] or [ModuleSIMD] in
// the host (in the browser, a syscall/js runner elsewhere; in this
// package's tests, wazero). IDKey computes H0 and the first two blocks of every lane, Fill
// runs the kernel, and IDKey XORs the last blocks and computes the tag. The
// result is byte for byte that of argon2.IDKey.
//
// # The kernel's contract
//
// There are two kernels with one contract: kernel.wasm ([Module]) uses only
// WebAssembly 1.0 instructions; kernel_simd.wasm ([ModuleSIMD]) also uses
// 128-bit SIMD (i64x2) in its compression, and fails
// WebAssembly.validate where SIMD is missing. Their results are identical;
// which is faster is for the browser to measure. Each imports nothing and
// exports:
//
//   - memory: its linear memory, initially one 64 KiB page, with no
//     maximum. The caller writes and reads blocks in it. When it grows, a
//     JavaScript caller must take memory.buffer again: the old ArrayBuffer
//     is detached.
//   - reserve(lanes i32, laneLength i32) → i32: grows memory, if needed, to
//     at least Base + lanes·laneLength·1024 bytes (rounded up to whole
//     pages; it never shrinks) and returns Base, 4096. It returns −1, having
//     changed nothing, when that size is over 4 GiB or memory.grow fails.
//   - fill(lanes i32, laneLength i32, passes i32) → i32: the whole Argon2id
//     v1.3 fill (RFC 9106 §3.4, with x/crypto's reference-block rules) of
//     lanes·laneLength blocks over passes passes: pass by pass, slice by
//     slice, lane by lane; data-independent addressing in slices 0 and 1 of
//     pass 0 (address blocks G(0, G(0, input)), input words pass, lane,
//     slice, lanes·laneLength, passes, 2, counter), data-dependent
//     otherwise; blocks overwritten in pass 0 and XORed into after. It
//     returns 0, or −1 without touching memory when lanes or passes is 0,
//     laneLength is not a multiple of 4 of at least 8, or memory is smaller
//     than Base + lanes·laneLength·1024 bytes.
//
// All arguments are read as unsigned. lanes·laneLength is the total number
// of blocks m′ (x/crypto's memory after rounding), not the KiB given to H0.
//
// Memory layout: block j of lane l is at byte Base + (l·laneLength + j)·1024,
// as 128 little-endian uint64 words. Bytes below Base are the kernel's
// scratch (the compression's intermediate block, the current address block
// and its input, a zero block); fill sets what it needs there itself, so
// whatever they held before does not matter. Blocks beyond
// lanes·laneLength are never touched.
//
// fill runs to completion synchronously (about 0.3 s for m = 64 MiB, t = 3,
// p = 4 in Node 20's V8 on the machine this was written on); the lanes are
// filled one after another, not in parallel.
//
// One derivation is: reserve; write blocks 0 and 1 of every lane (H′ of
// H0 ‖ j ‖ lane, 1024 bytes each); fill; read block laneLength−1 of every
// lane. fill needs nothing else from earlier calls, so an instance can be
// reused for the next derivation.
//
// # Security
//
// After fill the kernel's memory holds every block of the derivation, from
// which the key can be recomputed: it must be kept secret. A caller that
// keeps the instance should zero the blocks (or drop the instance) as soon
// as it has read the last ones. The kernel does no I/O and calls nothing
// outside itself; its memory accesses depend on the password only in the
// data-dependent half, exactly as Argon2id's do.
//
// # Building
//
// kernel.wasm and kernel_simd.wasm are emitted by package
// internal/kernelgen, a small wasm binary encoder in Go (no external
// assembler): run go generate. A test fails when a committed file differs
// from what kernelgen emits. The tests run both kernels under wazero
// against golang.org/x/crypto/argon2.
package argon2kernel

//go:generate go run gen.go
