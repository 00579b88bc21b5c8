package bridge

import (
	"context"
	"maps"
	"strings"
	"testing"

	"watchword/wasm/bridge/jsvalue"
)

// scanHost is a storage object whose scan resolves with answer, as the
// extension's background answers.
func scanHost(t *testing.T, answer any) jsStorage {
	t.Helper()
	promise, err := jsvalue.Global().Get("Promise")
	if err != nil {
		t.Fatal(err)
	}
	scan := jsvalue.FuncOf(func(jsvalue.Value, []jsvalue.Value) any {
		p, err := promise.Call("resolve", answer)
		if err != nil {
			panic(err)
		}
		return p
	})
	t.Cleanup(scan.Release)
	obj, err := jsvalue.ValueOf(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.Set("scan", scan.Value()); err != nil {
		t.Fatal(err)
	}
	return jsStorage{obj}
}

func scanAll(t *testing.T, s jsStorage, prefix string) (map[string]string, error) {
	t.Helper()
	got := map[string]string{}
	err := s.Scan(context.Background(), prefix, func(k string, v []byte) error {
		got[k] = string(v)
		return nil
	})
	return got, err
}

// Both forms a host may answer give the same pairs; keys outside the
// prefix are left out, and a value stored in the binary form is decoded.
func TestJSStorageScanForms(t *testing.T) {
	want := map[string]string{"ww/a/e/1": `{"id":"1"}`, "ww/a/meta": "\x00\x01\x02"}
	bin := encodeStored([]byte("\x00\x01\x02"))
	framed := strings.Join([]string{"ww/a/e/1", `{"id":"1"}`, "ww/a/meta", bin, "ww/b/e/2", "other account"}, scanSeparator)
	object := map[string]any{"ww/a/e/1": `{"id":"1"}`, "ww/a/meta": bin, "ww/b/e/2": "other account"}
	for name, answer := range map[string]any{"framed": framed, "object": object} {
		got, err := scanAll(t, scanHost(t, answer), "ww/a/")
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
}

// A host answering nonsense, or a damaged stored value, is a clear error,
// not a partial vault.
func TestJSStorageScanRefusesBadAnswers(t *testing.T) {
	for name, answer := range map[string]any{
		"odd parts":     "ww/a/e/1" + scanSeparator + "v" + scanSeparator + "ww/a/e/2",
		"number":        42,
		"damaged value": "ww/a/e/1" + scanSeparator + "\x00not base64",
		"not strings":   map[string]any{"ww/a/e/1": 7},
	} {
		got, err := scanAll(t, scanHost(t, answer), "ww/a/")
		if err == nil {
			t.Errorf("%s: accepted, gave %q", name, got)
		}
	}
}
