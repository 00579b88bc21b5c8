package kdfhost

import (
	"fmt"

	"github.com/hack-pad/safejs"

	"watchword/wasm/api"
	"watchword/wasm/bridge/argon2host"
)

// ServeKDF installs globalThis[name], a function that takes one JSON
// [KDFRequest] string and, optionally, the vault's sealed device-local data
// (base64, see [KDFLocal]), and returns a Promise of [resultJSON, opened]:
// the JSON [KDFResult] string and the device-local data opened, or "" (or
// rejects with {code, message}). It serves exactly one call: it returns
// once that call has settled and the global is removed, and package main
// then exits, so JavaScript can drop the whole instance and its memory.
func ServeKDF(name string) error {
	argon2host.Install()
	done := make(chan struct{})
	var fn safejs.Func
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		promise, resolve, reject, err := newPromise()
		if err != nil {
			panic(err) // no Promise constructor: nothing sensible to return
		}
		var req, local string
		if len(args) == 0 || len(args) > 2 || args[0].Type() != safejs.TypeString {
			err = fmt.Errorf("want a JSON string and, optionally, a base64 string")
		} else {
			req, err = args[0].String()
		}
		if err == nil && len(args) == 2 {
			switch args[1].Type() {
			case safejs.TypeString:
				local, err = args[1].String()
			case safejs.TypeUndefined: // no device-local data
			default:
				err = fmt.Errorf("the device-local data is not a string")
			}
		}
		go func() {
			defer close(done)
			if err != nil {
				settle(reject, errorValue(api.Errorf(api.CodeBadRequest, "kdf: %v", err)))
				return
			}
			out, opened, kerr := runKDF([]byte(req), local)
			if kerr != nil {
				settle(reject, errorValue(asAPIError(kerr)))
				return
			}
			settle(resolve, []any{string(out), opened})
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
func runKDF(req []byte, local string) (out []byte, opened string, err error) {
	defer func() {
		if recover() != nil {
			out, opened, err = nil, "", &api.Error{Code: api.CodeInternal, Message: internalMessage}
		}
	}()
	return KDFLocal(req, local)
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
