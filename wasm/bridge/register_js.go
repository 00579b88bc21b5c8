package bridge

import (
	"watchword/wasm/api"
	"watchword/wasm/bridge/jsvalue"
	"watchword/wasm/match"
	"watchword/wasm/wrap"
)

// Register installs globalThis[name]: an object with one function per
// method, each returning a Promise. Call it once, then keep the Go program
// running (block forever in main).
func Register(name string) error {
	installJSResources()
	match.UseHostToASCII(browserHostToASCII)
	c := NewCore()
	obj, err := jsvalue.NewObject()
	if err != nil {
		return err
	}
	for _, m := range Methods() {
		fn := jsvalue.FuncOf(promiseFunc(c, m))
		// The functions live as long as the page: never released.
		if err := obj.Set(m, fn.Value()); err != nil {
			return wrap.Error("register "+m, err)
		}
	}
	return jsvalue.Global().Set(name, obj)
}

// promiseFunc returns the JavaScript function for method m. The arguments
// are decoded synchronously (JS values must not be touched after the call
// returns... they may be, but copying now keeps ownership simple); the work
// runs in a goroutine so the callback returns the Promise at once.
func promiseFunc(c *Core, m string) func(this jsvalue.Value, args []jsvalue.Value) any {
	return func(_ jsvalue.Value, args []jsvalue.Value) any {
		promise, resolve, reject, err := jsvalue.NewPromise()
		if err != nil {
			// Nothing sensible can be returned to JavaScript without a
			// Promise constructor; throw.
			panic(err)
		}
		go func() {
			res, apiErr := c.Call(m, jsArgs(args))
			if apiErr != nil {
				jsvalue.Settle(reject, errorValue(apiErr))
				return
			}
			v, err := toJS(res)
			if err != nil {
				jsvalue.Settle(reject, errorValue(&api.Error{Code: api.CodeInternal, Message: internalMessage}))
				return
			}
			jsvalue.Settle(resolve, v)
		}()
		return promise
	}
}

// errorValue is the plain object a Promise rejects with.
func errorValue(e *api.Error) any {
	v := map[string]any{"code": string(e.Code), "message": e.Message}
	if len(e.Details) > 0 {
		d := make([]any, len(e.Details))
		for i, s := range e.Details {
			d[i] = s
		}
		v["details"] = d
	}
	return v
}
