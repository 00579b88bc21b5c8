package bridge

import (
	"testing"

	"watchword/wasm/bridge/internal/jstest"
	"watchword/wasm/bridge/jsvalue"
)

// callJS calls globalThis[obj][method](args...) the way JavaScript does and
// waits for its Promise. It returns the resolved value, or the rejection.
func callJS(t *testing.T, obj, method string, args ...any) (val jsvalue.Value, rejected jsvalue.Value, ok bool) {
	t.Helper()
	o, err := jsvalue.Global().Get(obj)
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.Call(method, args...)
	if err != nil {
		t.Fatalf("%s.%s threw: %v", obj, method, err)
	}
	v, ok := jstest.Await(t, p)
	if ok {
		return v, jsvalue.Undefined(), true
	}
	return jsvalue.Undefined(), v, false
}

func prop(t *testing.T, v jsvalue.Value, name string) string {
	t.Helper()
	return jstest.Prop(t, v, name)
}

const testGlobal = "watchwordCoreTest"

func init() {
	if err := Register(testGlobal); err != nil {
		panic(err)
	}
}

func TestJSResolvesObjects(t *testing.T) {
	v, _, ok := callJS(t, testGlobal, "testEcho", `{"s":"x"}`)
	if !ok {
		t.Fatal("testEcho rejected")
	}
	if got := prop(t, v, "s"); got != "x" {
		t.Fatalf("result.s = %q, want x", got)
	}
}

func TestJSAcceptsUint8Array(t *testing.T) {
	u8, _ := jsvalue.Global().Get("Uint8Array")
	arr, err := u8.New(len(`{"s":"y"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jsvalue.CopyBytesToJS(arr, []byte(`{"s":"y"}`)); err != nil {
		t.Fatal(err)
	}
	v, _, ok := callJS(t, testGlobal, "testEcho", arr)
	if !ok || prop(t, v, "s") != "y" {
		t.Fatal("testEcho with a Uint8Array did not echo")
	}
}

func TestJSRejections(t *testing.T) {
	tests := []struct {
		name, method string
		args         []any
		code         string
	}{
		{"panic", "testPanic", nil, "internal"},
		{"bad argument", "testEcho", []any{42}, "bad_request"},
		{"missing argument", "testEcho", nil, "bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rej, ok := callJS(t, testGlobal, tt.method, tt.args...)
			if ok {
				t.Fatal("resolved, want a rejection")
			}
			if got := prop(t, rej, "code"); got != tt.code {
				t.Fatalf("code = %q, want %q", got, tt.code)
			}
			if msg := prop(t, rej, "message"); msg == "" || msg == secret {
				t.Fatalf("message = %q", msg)
			}
		})
	}
}
