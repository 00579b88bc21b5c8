// Package meter is the JavaScript side of strength.wasm (wasm/cmd/strength):
// the zxcvbn strength estimate for the popup's password screens.
//
// It is a program of its own because zxcvbn's dictionaries add 1.4 MB to a
// binary and most of a second of start-up (see package
// watchword/wasm/policy/strength); core.wasm, started whenever the service
// worker wakes, must not pay that. The popup loads strength.wasm lazily, only
// on the screens that show a meter.
//
// Start with [Estimate] (pure, tested natively); [ServeStrength] (GOOS=js
// only) installs the global JavaScript calls it through.
package meter
