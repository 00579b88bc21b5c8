// Command strength is strength.wasm: the zxcvbn strength meter (see package
// watchword/wasm/bridge/meter), kept out of core.wasm because its
// dictionaries cost 1.4 MB and most of a second of start-up. The popup loads
// it only on its password screens:
//
//	const go = new Go();
//	const {instance} = await WebAssembly.instantiateStreaming(fetch('strength.wasm'), go.importObject);
//	go.run(instance);
//	const s = JSON.parse(globalThis.watchwordStrength.estimate(password, email));
package main

import (
	"log"

	"watchword/wasm/bridge/meter"
)

const globalName = "watchwordStrength"

func main() {
	log.SetFlags(0)
	if err := meter.ServeStrength(globalName); err != nil {
		log.Fatalf("strength: %v", err)
	}
	select {} // serve calls until the page goes away
}
