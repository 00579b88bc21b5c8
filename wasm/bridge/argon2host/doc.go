// Package argon2host runs the master-password derivation's memory fill in
// the browser's own WebAssembly engine: it instantiates package
// argon2kernel's module next to the Go program and drives it through the
// module's exports.
//
// Install (under GOOS=js) makes every vault derivation of the program use
// it (vault.UseArgon2ID). Each derivation gets a fresh kernel instance whose
// blocks are zeroed once the last ones are read; the instance, and its
// 64 MiB at the default cost, then belong to the garbage collector, so
// neither the core nor kdf.wasm grows by Argon2's memory. The SIMD kernel is
// used where the engine validates it, the scalar one elsewhere.
//
// The driving logic (Runner) is plain Go over the small Instance interface,
// so it is tested natively against the real kernel in wazero, including
// kernels that misbehave; only the adapter to JavaScript is js-only.
package argon2host
