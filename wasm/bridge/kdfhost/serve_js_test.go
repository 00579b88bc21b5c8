package kdfhost

import (
	"encoding/json"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/bridge/internal/jstest"
	"watchword/wasm/bridge/jsvalue"
)

// TestVectorsThroughJS replays the vault-key vectors through the global
// ServeKDF installs, as kdf.js calls it: one instance per call, a JSON
// string in, a Promise of [resultJSON, opened] or of a {code, message}
// rejection out. Each vector gets a ServeKDF of its own, which must return
// once its one call has settled.
func TestVectorsThroughJS(t *testing.T) {
	replayVaultKeys(t, func(t *testing.T, req []byte) ([]byte, *api.Error) {
		t.Helper()
		const name = "watchwordKDFVectorsTest"
		served := make(chan error, 1)
		go func() { served <- ServeKDF(name) }()
		fn := waitGlobal(t, name)
		p, err := fn.Invoke(string(req))
		if err != nil {
			t.Fatalf("calling %s: %v", name, err)
		}
		val, resolved := jstest.Await(t, p)
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("ServeKDF: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ServeKDF did not return after its one call")
		}
		if g, _ := jsvalue.Global().Get(name); !g.IsUndefined() {
			t.Fatalf("%s is still installed after its call", name)
		}
		if !resolved {
			return nil, &api.Error{Code: api.Code(jstest.Prop(t, val, "code")), Message: jstest.Prop(t, val, "message")}
		}
		first, err := val.Index(0)
		if err != nil {
			t.Fatal(err)
		}
		s, err := first.String()
		if err != nil {
			t.Fatalf("the result's first element is not a string: %v", err)
		}
		if !json.Valid([]byte(s)) {
			t.Fatalf("the result %q is not JSON", s)
		}
		return []byte(s), nil
	})
}

// waitGlobal waits for ServeKDF's goroutine to install globalThis[name].
func waitGlobal(t *testing.T, name string) jsvalue.Value {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := jsvalue.Global().Get(name)
		if err == nil && v.Type() == jsvalue.TypeFunction {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was never installed", name)
		}
		time.Sleep(time.Millisecond)
	}
}
