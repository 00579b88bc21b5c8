package kdfhost

import (
	"errors"

	"watchword/wasm/api"
	"watchword/wasm/bridge/argon2host"
	"watchword/wasm/bridge/jsvalue"
	"watchword/wasm/wrap"
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
	fn := jsvalue.FuncOf(func(_ jsvalue.Value, args []jsvalue.Value) any {
		promise, resolve, reject, err := jsvalue.NewPromise()
		if err != nil {
			panic(err) // no Promise constructor: nothing sensible to return
		}
		var req, local string
		if len(args) == 0 || len(args) > 2 || args[0].Type() != jsvalue.TypeString {
			err = errors.New("want a JSON string and, optionally, a base64 string")
		} else {
			req, err = args[0].String()
		}
		if err == nil && len(args) == 2 {
			switch args[1].Type() {
			case jsvalue.TypeString:
				local, err = args[1].String()
			case jsvalue.TypeUndefined: // no device-local data
			default:
				err = errors.New("the device-local data is not a string")
			}
		}
		go func() {
			defer close(done)
			if err != nil {
				jsvalue.Settle(reject, errorValue(api.NewError(api.CodeBadRequest, "kdf: "+err.Error())))
				return
			}
			out, opened, kerr := runKDF([]byte(req), local)
			if kerr != nil {
				jsvalue.Settle(reject, errorValue(asAPIError(kerr)))
				return
			}
			jsvalue.Settle(resolve, []any{string(out), opened})
		}()
		return promise
	})
	if err := jsvalue.Global().Set(name, fn.Value()); err != nil {
		return wrap.Error("kdf: install "+name, err)
	}
	<-done
	_ = jsvalue.Global().Delete(name)
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

// errorValue is the plain object a Promise rejects with.
func errorValue(e *api.Error) any {
	return map[string]any{"code": string(e.Code), "message": e.Message}
}
