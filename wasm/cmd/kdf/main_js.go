// Command kdf is kdf.wasm: one master-password derivation in an instance of
// its own (see package watchword/wasm/bridge/kdfhost). JavaScript starts it,
// makes one call, and drops the instance when the program exits:
//
//	const go = new Go();
//	const {instance} = await WebAssembly.instantiateStreaming(fetch('kdf.wasm'), go.importObject);
//	const exited = go.run(instance);
//	const [json, list] = await globalThis.watchwordKDF(JSON.stringify(request), sealedList);
//	const result = JSON.parse(json); // list: sealedList opened, or ""
//	await exited; // the instance and its memory can now be collected
//
// Only one instance may wait at a time, since they share the global's name.
package main

import (
	"os"

	"watchword/wasm/bridge/kdfhost"
)

const globalName = "watchwordKDF"

func main() {
	if err := kdfhost.ServeKDF(globalName); err != nil {
		// Not package log: it would be the only reason to link it.
		os.Stderr.WriteString("kdf: " + err.Error() + "\n")
		os.Exit(1)
	}
}
