// Command core is the Watchword core compiled to WebAssembly (core.wasm).
//
// It installs globalThis.watchwordCore (see package watchword/wasm/bridge for
// the methods and their contracts) and then keeps running, serving calls, for
// as long as the page or service worker that loaded it lives. JavaScript
// starts it with wasm_exec.js:
//
//	const go = new Go();
//	const {instance} = await WebAssembly.instantiate(bytes, go.importObject);
//	go.run(instance); // returns a Promise that settles only if the core exits
//	// globalThis.watchwordCore is ready now.
//
// It must not link net/http: the sync transport is JavaScript's fetch,
// handed in through the bridge (a test in internal/importrules keeps it so).
package main

import (
	"os"
	"runtime/debug"

	"watchword/wasm/bridge"
)

// globalName is the one global the core installs.
const globalName = "watchwordCore"

func main() {
	// A WebAssembly memory only grows: every byte the Go heap ever reaches
	// stays allocated to the worker until it stops. Collecting at half the
	// live heap instead of all of it, and harder near 32 MiB, keeps the peak
	// of opening a large vault close to what it really holds, for a little
	// more time spent collecting.
	debug.SetGCPercent(50)
	debug.SetMemoryLimit(32 << 20)
	if err := bridge.Register(globalName); err != nil {
		os.Stderr.WriteString("core: " + err.Error() + "\n")
		os.Exit(1)
	}
	select {} // serve calls until the page or worker goes away
}
