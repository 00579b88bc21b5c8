package kdfhost

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"watchword/wasm/api"
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
		val, rejected := await(t, p)
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("ServeKDF: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ServeKDF did not return after its one call")
		}
		if g, _ := safejs.Global().Get(name); !g.IsUndefined() {
			t.Fatalf("%s is still installed after its call", name)
		}
		if rejected {
			return nil, &api.Error{Code: api.Code(stringProp(t, val, "code")), Message: stringProp(t, val, "message")}
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
func waitGlobal(t *testing.T, name string) safejs.Value {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := safejs.Global().Get(name)
		if err == nil && v.Type() == safejs.TypeFunction {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was never installed", name)
		}
		time.Sleep(time.Millisecond)
	}
}

// await waits for a Promise; rejected says which way it settled.
func await(t *testing.T, p safejs.Value) (val safejs.Value, rejected bool) {
	t.Helper()
	type settled struct {
		v        safejs.Value
		rejected bool
	}
	ch := make(chan settled, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{args[0], false}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{args[0], true}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onErr.Release()
	if _, err := p.Call("then", onOK.Value(), onErr.Value()); err != nil {
		t.Fatalf("not a Promise: %v", err)
	}
	select {
	case s := <-ch:
		return s.v, s.rejected
	case <-time.After(30 * time.Second):
		t.Fatal("the Promise never settled")
		return safejs.Value{}, false
	}
}

func stringProp(t *testing.T, v safejs.Value, name string) string {
	t.Helper()
	p, err := v.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.String()
	if err != nil {
		t.Fatalf("%s is not a string: %v", name, err)
	}
	return s
}
