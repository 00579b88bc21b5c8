// Package jsvalue is syscall/js with errors: every operation that can throw
// in JavaScript (a getter, a call, a constructor) or panic in syscall/js (a
// value of the wrong type) returns an error instead, so hostile or broken
// input from the page or the browser can never crash the Go program.
//
// It is the bridge's only way into JavaScript (GOOS=js only). Start from
// [Global], read and call with [Value.Get], [Value.Call] and [Value.New],
// and hand Go functions to JavaScript with [FuncOf].
//
// It does what github.com/hack-pad/safejs does, without package fmt: safejs
// formats the values it recovers with fmt, and fmt (with the reflection it
// brings) was 0.33 MB of core.wasm. A recovered panic here becomes an
// [Error] whose message says what failed, never what the value held (a
// panic value may carry a secret).
package jsvalue
