// Package bridge exposes the Watchword core to JavaScript. It is the only
// package that touches syscall/js, and it does so through its package
// jsvalue (where every JavaScript exception is a Go error), only in *_js.go
// files.
//
// Call [Register] (GOOS=js only) once from package main: it installs one
// global object whose methods each return a Promise. A method resolves with a
// string, a Uint8Array, or a plain object (built from JSON that Go encodes in
// one piece and JavaScript parses with one JSON.parse call — a JS↔Go call costs
// microseconds, so results never cross field by field). A method rejects with
// a plain object {code, message[, details]} whose code is one of api.Codes;
// a panic rejects with code "internal" and a fixed message, so no secret that
// might sit in a panic value reaches JavaScript.
//
// Everything that decides something lives in untagged files and in the core
// packages: the method table ([Methods]), argument decoding ([Args]), the
// state of the unlocked vault ([Core]) and the error mapping ([Core.Call]) are
// tested natively and again in the browser. The *_js.go files only convert
// values and settle Promises.
//
// # Security
//
// The unlocked vault key is held by [Core]. It comes from kdf.wasm (package
// kdfhost, which derives it from the master password in an instance of its
// own), base64-encoded, through chrome.storage.session, so a restarted
// service worker can re-arm the core with vaultLoad without asking for the
// master password again. It must never be written to
// storage.local or sent anywhere.
package bridge
