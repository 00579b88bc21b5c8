// Package kdfhost is the JavaScript side of kdf.wasm (wasm/cmd/kdf): one
// master-password derivation — create a vault, unlock it, or change its
// password — in a WebAssembly instance of its own that exits after the call.
//
// It exists so that an unlock does not wait for core.wasm to start: it links
// only package vault and its dependencies, so it compiles and starts sooner,
// and the core starts once the unlock has answered. Argon2id's memory is in
// neither: the fill runs in argon2kernel's own instance (package
// argon2host), dropped after each derivation. Before that, kdf.wasm also
// kept the 64 MiB out of the core, whose memory never shrinks.
//
// Start with [KDF], the pure function the program serves (tested natively);
// [ServeKDF] (GOOS=js only) installs the global JavaScript calls it through.
//
// # Wire form
//
// kdf.wasm is called once, with the JSON of a [KDFRequest], and resolves
// with the JSON of a [KDFResult] or rejects with {code, message} whose code
// is one of api.Codes, as core.wasm's methods do. The vault key in a result
// is the raw key in standard base64 and must be kept secret
// (chrome.storage.session only).
//
// # Security
//
// The password and the derived keys live in the instance's memory until the
// browser collects it; Go gives no way to wipe a string, so the instance is
// the unit that is thrown away.
package kdfhost
