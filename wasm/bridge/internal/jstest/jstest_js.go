package jstest

import (
	"testing"
	"time"

	"watchword/wasm/bridge/jsvalue"
)

// Await waits for the Promise p to settle and returns what it settled with;
// ok is false when it rejected. A Promise still pending after 30 s fails
// the test.
func Await(t testing.TB, p jsvalue.Value) (v jsvalue.Value, ok bool) {
	t.Helper()
	type outcome struct {
		v  jsvalue.Value
		ok bool
	}
	done := make(chan outcome, 1)
	onOK := jsvalue.FuncOf(func(_ jsvalue.Value, a []jsvalue.Value) any { done <- outcome{a[0], true}; return nil })
	defer onOK.Release()
	onErr := jsvalue.FuncOf(func(_ jsvalue.Value, a []jsvalue.Value) any { done <- outcome{a[0], false}; return nil })
	defer onErr.Release()
	if _, err := p.Call("then", onOK.Value(), onErr.Value()); err != nil {
		t.Fatalf("not a Promise: %v", err)
	}
	select {
	case r := <-done:
		return r.v, r.ok
	case <-time.After(30 * time.Second):
		t.Fatal("the Promise never settled")
		return jsvalue.Value{}, false
	}
}

// Prop reads the string property name of v.
func Prop(t testing.TB, v jsvalue.Value, name string) string {
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
