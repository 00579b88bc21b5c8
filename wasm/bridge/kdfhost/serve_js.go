package kdfhost

import (
	"fmt"

	"github.com/hack-pad/safejs"

	"watchword/wasm/api"
)

// ServeKDF installs globalThis[name], a function that takes one JSON
// [KDFRequest] string and returns a Promise of the JSON [KDFResult] string
// (or rejects with {code, message}). It serves exactly one call: it returns
// once that call has settled and the global is removed, and package main
// then exits, so JavaScript can drop the whole instance and its memory.
func ServeKDF(name string) error {
	done := make(chan struct{})
	var fn safejs.Func
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		promise, resolve, reject, err := newPromise()
		if err != nil {
			panic(err) // no Promise constructor: nothing sensible to return
		}
		var req string
		if len(args) == 1 && args[0].Type() == safejs.TypeString {
			req, err = args[0].String()
		} else {
			err = fmt.Errorf("want one JSON string")
		}
		go func() {
			defer close(done)
			if err != nil {
				settle(reject, errorValue(api.Errorf(api.CodeBadRequest, "kdf: %v", err)))
				return
			}
			out, kerr := runKDF([]byte(req))
			if kerr != nil {
				settle(reject, errorValue(asAPIError(kerr)))
				return
			}
			settle(resolve, string(out))
		}()
		return promise
	})
	if err != nil {
		return fmt.Errorf("kdf: %w", err)
	}
	if err := safejs.Global().Set(name, fn.Value()); err != nil {
		return fmt.Errorf("kdf: install %s: %w", name, err)
	}
	<-done
	_ = safejs.Global().Delete(name)
	fn.Release()
	return nil
}

// runKDF is KDF with a recover: a panic in a dependency must reject the
// call, not leave JavaScript waiting on an instance that died.
func runKDF(req []byte) (out []byte, err error) {
	defer func() {
		if recover() != nil {
			out, err = nil, &api.Error{Code: api.CodeInternal, Message: internalMessage}
		}
	}()
	return KDF(req)
}

func settle(fn safejs.Value, v any) {
	// A failure to call resolve/reject leaves nothing to report to.
	_, _ = fn.Invoke(v)
}

// newPromise returns a new Promise and its resolve and reject functions.
func newPromise() (promise, resolve, reject safejs.Value, err error) {
	ctor, err := safejs.Global().Get("Promise")
	if err != nil {
		return
	}
	var executor safejs.Func
	executor, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	if err != nil {
		return
	}
	defer executor.Release()
	// The executor runs synchronously inside the constructor.
	promise, err = ctor.New(executor.Value())
	return
}

// errorValue is the plain object a Promise rejects with.
func errorValue(e *api.Error) any {
	return map[string]any{"code": string(e.Code), "message": e.Message}
}
