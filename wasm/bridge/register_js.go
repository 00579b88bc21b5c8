package bridge

import (
	"fmt"

	"github.com/hack-pad/safejs"

	"watchword/wasm/api"
	"watchword/wasm/match"
)

// Register installs globalThis[name]: an object with one function per
// method, each returning a Promise. Call it once, then keep the Go program
// running (block forever in main).
func Register(name string) error {
	installJSResources()
	match.UseHostToASCII(browserHostToASCII)
	c := NewCore()
	obj, err := newObject()
	if err != nil {
		return err
	}
	for _, m := range Methods() {
		fn, err := safejs.FuncOf(promiseFunc(c, m))
		if err != nil {
			return fmt.Errorf("register %s: %w", m, err)
		}
		// The functions live as long as the page: never released.
		if err := obj.Set(m, fn.Value()); err != nil {
			return fmt.Errorf("register %s: %w", m, err)
		}
	}
	return safejs.Global().Set(name, obj)
}

func newObject() (safejs.Value, error) {
	object, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	return object.New()
}

// promiseFunc returns the JavaScript function for method m. The arguments
// are decoded synchronously (JS values must not be touched after the call
// returns... they may be, but copying now keeps ownership simple); the work
// runs in a goroutine so the callback returns the Promise at once.
func promiseFunc(c *Core, m string) func(this safejs.Value, args []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) any {
		promise, resolve, reject, err := newPromise()
		if err != nil {
			// Nothing sensible can be returned to JavaScript without a
			// Promise constructor; throw.
			panic(err)
		}
		go func() {
			res, apiErr := c.Call(m, jsArgs(args))
			if apiErr != nil {
				settle(reject, errorValue(apiErr))
				return
			}
			v, err := toJS(res)
			if err != nil {
				settle(reject, errorValue(&api.Error{Code: api.CodeInternal, Message: internalMessage}))
				return
			}
			settle(resolve, v)
		}()
		return promise
	}
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
