// Command gofloor is the floor under core.wasm's start-up: the smallest Go
// program that does what the core's start has to do before it can answer,
// installing one global (globalThis.watchwordCore, an empty object), built
// with the same steps (wasm-opt, wasmslim). ./build.sh bench builds it and
// times it beside core.wasm in the same page, so core-ready-ms can be read
// against what Go's runtime alone costs on the same machine at the same
// moment. It is never shipped.
package main

import "syscall/js"

func main() {
	js.Global().Set("watchwordCore", js.Global().Get("Object").New())
	select {}
}
