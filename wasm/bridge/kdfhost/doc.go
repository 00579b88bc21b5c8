// Package kdfhost is the JavaScript side of kdf.wasm (wasm/cmd/kdf): one
// master-password derivation — create a vault, unlock it, or change its
// password — in a WebAssembly instance of its own that exits after the call.
//
// It exists so that core.wasm, the long-lived instance in the service
// worker, never grows: Go's wasm memory never shrinks, and one Argon2id call
// at the default 64 MiB grows an instance by about 65 MB. Run in an instance
// that is dropped after the call, that memory goes back to the browser with
// it, and the core stays small. It links only package vault and its
// dependencies, so it compiles and starts quickly.
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
