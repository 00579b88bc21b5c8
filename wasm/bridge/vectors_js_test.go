package bridge

import (
	"encoding/json"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/bridge/jsvalue"
)

// vectorsGlobal is a global object of its own, so the vault the replay
// loads never meets the state of other tests' calls.
const vectorsGlobal = "watchwordCoreVectorsTest"

func init() {
	if err := Register(vectorsGlobal); err != nil {
		panic(err)
	}
}

// jsCall calls globalThis[global][method] the way the extension does: a Go
// string becomes a JS string, a []byte a Uint8Array. What the Promise
// resolves with comes back through JSON.stringify, so the replay checks the
// value JavaScript holds, not what Go meant to send; a rejection comes back
// as the {code, message} object JavaScript receives.
func jsCall(global string) bridgeCall {
	return func(t *testing.T, method string, args ...any) (json.RawMessage, *api.Error) {
		t.Helper()
		in := make([]any, len(args))
		for i, a := range args {
			switch a := a.(type) {
			case string:
				in[i] = a
			case []byte:
				in[i] = jsBytes(t, a)
			default:
				t.Fatalf("%s: argument %d is a %T; pass a string or []byte", method, i+1, a)
			}
		}
		val, rej, ok := callJS(t, global, method, in...)
		if !ok {
			return nil, &api.Error{Code: api.Code(prop(t, rej, "code")), Message: prop(t, rej, "message")}
		}
		if val.IsUndefined() {
			return nil, nil
		}
		j, err := jsvalue.Global().Get("JSON")
		if err != nil {
			t.Fatal(err)
		}
		s, err := j.Call("stringify", val)
		if err != nil {
			t.Fatalf("%s: JSON.stringify of the result: %v", method, err)
		}
		str, err := s.String()
		if err != nil {
			t.Fatalf("%s: the result does not stringify: %v", method, err)
		}
		return json.RawMessage(str), nil
	}
}

// jsBytes copies b into a new Uint8Array.
func jsBytes(t *testing.T, b []byte) jsvalue.Value {
	t.Helper()
	ctor, err := jsvalue.Global().Get("Uint8Array")
	if err != nil {
		t.Fatal(err)
	}
	arr, err := ctor.New(len(b))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jsvalue.CopyBytesToJS(arr, b); err != nil {
		t.Fatal(err)
	}
	return arr
}

// TestVectorsThroughJS replays every vector through the global object's
// Promise-returning functions: the arguments cross from JavaScript values,
// the results cross back as JavaScript objects.
func TestVectorsThroughJS(t *testing.T) {
	for _, v := range entryVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			replayEntry(t, v, jsCall(vectorsGlobal))
		})
	}
}
