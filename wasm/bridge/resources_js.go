package bridge

import (
	"errors"

	"watchword/wasm/bridge/jsvalue"
)

// resourceGlobal is the host function that serves shipped resources:
//
//	globalThis.watchwordResource(name) → Promise<Uint8Array>  // the file, decompressed
const resourceGlobal = "watchwordResource"

// jsResource fetches a shipped resource from the host.
func jsResource(name string) ([]byte, error) {
	fn, err := jsvalue.Global().Get(resourceGlobal)
	if err != nil || fn.Type() != jsvalue.TypeFunction {
		return nil, errors.New("the host has no " + resourceGlobal + " function")
	}
	p, err := fn.Invoke(name)
	if err != nil {
		return nil, err
	}
	v, err := await(p)
	if err != nil {
		return nil, err
	}
	if v.Type() == jsvalue.TypeString {
		return nil, errors.New("the host answered " + resourceGlobal + " with a string, not a Uint8Array")
	}
	b, err := jsArgs{v}.Bytes(0)
	if err != nil {
		return nil, errors.New("the host answered " + resourceGlobal + " with something other than a Uint8Array")
	}
	return b, nil
}

// installJSResources makes JavaScript the source of shipped resources unless
// a program (a test) has set another.
func installJSResources() {
	shipped.mu.Lock()
	defer shipped.mu.Unlock()
	if shipped.fetch == nil {
		shipped.fetch = jsResource
	}
}
