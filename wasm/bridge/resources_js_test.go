package bridge

import (
	"bytes"
	"testing"

	"watchword/wasm/bridge/jsvalue"
	"watchword/wasm/policy/lists"
)

// setResourceGlobal installs globalThis.watchwordResource as answer for the
// test, and removes it afterwards.
func setResourceGlobal(t *testing.T, answer func(name string) any) {
	t.Helper()
	fn := jsvalue.FuncOf(func(_ jsvalue.Value, args []jsvalue.Value) any {
		name, _ := args[0].String()
		return answer(name)
	})
	if err := jsvalue.Global().Set(resourceGlobal, fn.Value()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = jsvalue.Global().Delete(resourceGlobal)
		fn.Release()
	})
}

func uint8ArrayOf(t *testing.T, b []byte) jsvalue.Value {
	t.Helper()
	ctor, _ := jsvalue.Global().Get("Uint8Array")
	a, err := ctor.New(len(b))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jsvalue.CopyBytesToJS(a, b); err != nil {
		t.Fatal(err)
	}
	return a
}

func promiseOf(t *testing.T, how string, v any) jsvalue.Value {
	t.Helper()
	ctor, _ := jsvalue.Global().Get("Promise")
	p, err := ctor.Call(how, v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The JavaScript side of shipped resources: a Promise of a Uint8Array is
// read byte for byte; a missing host function, a rejection, a string or a
// number is an error, never an empty list.
func TestJSResource(t *testing.T) {
	want := lists.EFFWords()
	t.Run("a promise of the bytes", func(t *testing.T) {
		var asked string
		setResourceGlobal(t, func(name string) any { asked = name; return promiseOf(t, "resolve", uint8ArrayOf(t, want)) })
		got, err := jsResource(resourceWords)
		if err != nil || !bytes.Equal(got, want) || asked != resourceWords {
			t.Fatalf("jsResource = %d bytes, %v (asked for %q); want %d bytes", len(got), err, asked, len(want))
		}
	})
	t.Run("the core loads the list through it", func(t *testing.T) {
		setResourceGlobal(t, func(string) any { return promiseOf(t, "resolve", uint8ArrayOf(t, want)) })
		withFetcher(t, jsResource)
		if _, err := wordlist(); err != nil {
			t.Fatal(err)
		}
	})
	for name, answer := range map[string]func(string) any{
		"a rejection": func(string) any { return promiseOf(t, "reject", "no such file") },
		"a string":    func(string) any { return promiseOf(t, "resolve", string(want)) },
		"a number":    func(string) any { return 42 },
		"nothing":     func(string) any { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			setResourceGlobal(t, answer)
			if got, err := jsResource(resourceWords); err == nil {
				t.Fatalf("jsResource = %d bytes, want an error", len(got))
			}
		})
	}
	t.Run("no host function", func(t *testing.T) {
		if got, err := jsResource(resourceWords); err == nil {
			t.Fatalf("jsResource = %d bytes, want an error", len(got))
		}
	})
}
