package jsvalue

import "syscall/js"

// Value is a JavaScript value. The zero Value is JavaScript's undefined.
type Value struct {
	v js.Value
}

// Type is the type of a Value, as JavaScript's typeof says it (with null
// apart).
type Type = js.Type

// The types a Value can have.
const (
	TypeUndefined = js.TypeUndefined
	TypeNull      = js.TypeNull
	TypeBoolean   = js.TypeBoolean
	TypeNumber    = js.TypeNumber
	TypeString    = js.TypeString
	TypeSymbol    = js.TypeSymbol
	TypeObject    = js.TypeObject
	TypeFunction  = js.TypeFunction
)

// Error is an exception JavaScript threw, or a misuse syscall/js refused
// (a property read on undefined, a number read from a string).
type Error struct {
	// Op is the operation that failed ("get", "call", "new", ...).
	Op string
	// Message is JavaScript's message for an exception, or syscall/js's
	// description of the misuse.
	Message string
}

func (e *Error) Error() string {
	return "javascript " + e.Op + ": " + e.Message
}

// Global is JavaScript's globalThis.
func Global() Value { return Value{js.Global()} }

// Undefined is JavaScript's undefined.
func Undefined() Value { return Value{js.Undefined()} }

// Null is JavaScript's null.
func Null() Value { return Value{js.Null()} }

// ValueOf converts a Go value to JavaScript as js.ValueOf does (nil, bool,
// numbers, string, Value, Func, []any and map[string]any of those); any
// other type is an error.
func ValueOf(x any) (v Value, err error) {
	defer recoverInto("convert", &err)
	return Value{js.ValueOf(unwrap(x))}, nil
}

// recoverInto turns a panic of syscall/js, or of JavaScript behind it, into
// *err. Only the exception's message is kept: other panic values are named
// by kind, never printed, since they may hold anything.
func recoverInto(op string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	msg := "failed"
	switch r := r.(type) {
	case js.Error:
		msg = exceptionMessage(r.Value)
	case *js.ValueError:
		msg = r.Error()
	case error:
		msg = r.Error()
	case string:
		msg = r
	}
	*err = &Error{Op: op, Message: msg}
}

// exceptionMessage reads the message of a thrown value without letting a
// hostile getter throw again.
func exceptionMessage(v js.Value) (msg string) {
	msg = "an exception with no message"
	defer func() { _ = recover() }()
	if v.Type() == js.TypeObject {
		if m := jsReflect.Call("get", v, "message"); m.Type() == js.TypeString {
			return m.String()
		}
	}
	if v.Type() == js.TypeString {
		return v.String()
	}
	return msg
}

// unwrap turns the Values and Funcs in x (and in the slices and maps it
// holds) into syscall/js's own.
func unwrap(x any) any {
	switch x := x.(type) {
	case Value:
		return x.v
	case Func:
		return x.f.Value
	case []Value:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = v.v
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = unwrap(v)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = unwrap(v)
		}
		return out
	}
	return x
}

// Type answers v's type.
func (v Value) Type() Type { return v.v.Type() }

// IsUndefined reports whether v is undefined.
func (v Value) IsUndefined() bool { return v.v.IsUndefined() }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.v.IsNull() }

// Truthy reports whether v is truthy in JavaScript's sense (which runs no
// code of the page's, so it cannot throw).
func (v Value) Truthy() bool { return v.v.Truthy() }

// Equal reports whether v and w are the same value (JavaScript's ===).
func (v Value) Equal(w Value) bool { return v.v.Equal(w.v) }

// jsReflect is JavaScript's Reflect. Property reads and writes go through it
// with a call, because syscall/js calls are the only operations
// wasm_exec.js catches exceptions in: a getter or a Proxy trap that throws
// during a plain property read would unwind through Go's stack and end
// the program.
var jsReflect = js.Global().Get("Reflect")

// reflectCall calls Reflect[m](args...) and turns a throw into an error for
// op. The receiver must be an object (or a function), as Reflect requires.
func reflectCall(op string, v Value, m string, args ...any) (r Value, err error) {
	if t := v.v.Type(); t != js.TypeObject && t != js.TypeFunction {
		return Value{}, &Error{Op: op, Message: "not an object: " + t.String()}
	}
	defer recoverInto(op, &err)
	return Value{jsReflect.Call(m, append([]any{v.v}, args...)...)}, nil
}

// Get reads the property p of v, an object.
func (v Value) Get(p string) (Value, error) {
	return reflectCall("get "+p, v, "get", p)
}

// Set writes x to the property p of v, an object.
func (v Value) Set(p string, x any) error {
	return v.put("set "+p, p, x)
}

// SetIndex writes x to v[i].
func (v Value) SetIndex(i int, x any) error {
	return v.put("set index", i, x)
}

func (v Value) put(op string, key, x any) error {
	ok, err := reflectCall(op, v, "set", key, unwrap(x))
	if err == nil && !ok.v.Truthy() {
		err = &Error{Op: op, Message: "the property cannot be written"}
	}
	return err
}

// Delete removes the property p of v, an object.
func (v Value) Delete(p string) error {
	ok, err := reflectCall("delete "+p, v, "deleteProperty", p)
	if err == nil && !ok.v.Truthy() {
		err = &Error{Op: "delete " + p, Message: "the property cannot be removed"}
	}
	return err
}

// Index reads v[i].
func (v Value) Index(i int) (Value, error) {
	return reflectCall("index", v, "get", i)
}

// Length reads v.length, a whole number.
func (v Value) Length() (int, error) {
	l, err := reflectCall("length", v, "get", "length")
	if err != nil {
		return 0, err
	}
	if l.v.Type() != js.TypeNumber {
		return 0, &Error{Op: "length", Message: "not a number: " + l.v.Type().String()}
	}
	f := l.v.Float()
	if f < 0 || f != float64(int(f)) {
		return 0, &Error{Op: "length", Message: "not a length"}
	}
	return int(f), nil
}

// Call calls v's method m with args.
func (v Value) Call(m string, args ...any) (r Value, err error) {
	defer recoverInto("call "+m, &err)
	return Value{v.v.Call(m, unwrap(args).([]any)...)}, nil
}

// Invoke calls v, a function, with args and undefined as this.
func (v Value) Invoke(args ...any) (r Value, err error) {
	defer recoverInto("invoke", &err)
	return Value{v.v.Invoke(unwrap(args).([]any)...)}, nil
}

// New calls v as a constructor with args.
func (v Value) New(args ...any) (r Value, err error) {
	defer recoverInto("new", &err)
	return Value{v.v.New(unwrap(args).([]any)...)}, nil
}

// InstanceOf reports whether v is an instance of the constructor t: whether
// t.prototype is on v's prototype chain (what instanceof asks, through a
// call so a Proxy that throws is an error like any other).
func (v Value) InstanceOf(t Value) (bool, error) {
	if t.v.Type() != js.TypeFunction {
		return false, &Error{Op: "instanceof", Message: "not a constructor"}
	}
	proto, err := t.Get("prototype")
	if err != nil {
		return false, err
	}
	if proto.v.Type() != js.TypeObject {
		return false, &Error{Op: "instanceof", Message: "the constructor has no prototype object"}
	}
	is, err := reflectCall("instanceof", Value{isPrototypeOf}, "apply", proto.v, []any{v.v})
	if err != nil {
		return false, err
	}
	return is.v.Truthy(), nil
}

// Object.prototype.isPrototypeOf, taken at start, before any script could
// replace it.
var isPrototypeOf = js.Global().Get("Object").Get("prototype").Get("isPrototypeOf")

// Bool reads v, a boolean.
func (v Value) Bool() (b bool, err error) {
	defer recoverInto("bool", &err)
	return v.v.Bool(), nil
}

// Int reads v, a number, truncated towards zero.
func (v Value) Int() (n int, err error) {
	defer recoverInto("int", &err)
	return v.v.Int(), nil
}

// Float reads v, a number.
func (v Value) Float() (f float64, err error) {
	defer recoverInto("float", &err)
	return v.v.Float(), nil
}

// String reads v, a string. (Unlike syscall/js, it refuses every other
// type instead of describing it.)
func (v Value) String() (s string, err error) {
	if v.v.Type() != js.TypeString {
		return "", &Error{Op: "string", Message: "not a string: " + v.v.Type().String()}
	}
	defer recoverInto("string", &err)
	return v.v.String(), nil
}

// CopyBytesToGo copies src, a Uint8Array or Uint8ClampedArray, into dst and
// answers how many bytes it copied.
func CopyBytesToGo(dst []byte, src Value) (n int, err error) {
	defer recoverInto("copy bytes to Go", &err)
	return js.CopyBytesToGo(dst, src.v), nil
}

// CopyBytesToJS copies src into dst, a Uint8Array or Uint8ClampedArray,
// and answers how many bytes it copied.
func CopyBytesToJS(dst Value, src []byte) (n int, err error) {
	defer recoverInto("copy bytes to JavaScript", &err)
	return js.CopyBytesToJS(dst.v, src), nil
}

// Func is a Go function JavaScript can call. It must be released with
// Release once JavaScript no longer calls it.
type Func struct {
	f js.Func
}

// FuncOf wraps fn as a JavaScript function. fn's result is converted as
// ValueOf converts (a Value, a Func, nil and Go's basic values); any
// other result is handed to JavaScript as undefined.
//
// JavaScript's call waits for fn: fn must not block on anything that only
// another JavaScript event would release (start a goroutine instead).
func FuncOf(fn func(this Value, args []Value) any) Func {
	return Func{js.FuncOf(func(this js.Value, args []js.Value) any {
		wrapped := make([]Value, len(args))
		for i, a := range args {
			wrapped[i] = Value{a}
		}
		r, err := ValueOf(fn(Value{this}, wrapped))
		if err != nil {
			return js.Undefined()
		}
		return r.v
	})}
}

// Value is the JavaScript function.
func (f Func) Value() Value { return Value{f.f.Value} }

// Release frees the function's resources; JavaScript must not call it after.
func (f Func) Release() { f.f.Release() }

// NewObject answers a new, empty JavaScript object.
func NewObject() (Value, error) {
	ctor, err := Global().Get("Object")
	if err != nil {
		return Value{}, err
	}
	return ctor.New()
}

// NewPromise answers a new Promise and the functions that resolve and
// reject it.
func NewPromise() (promise, resolve, reject Value, err error) {
	ctor, err := Global().Get("Promise")
	if err != nil {
		return Value{}, Value{}, Value{}, err
	}
	// The executor runs synchronously inside the constructor.
	executor := FuncOf(func(_ Value, args []Value) any {
		if len(args) >= 2 {
			resolve, reject = args[0], args[1]
		}
		return nil
	})
	defer executor.Release()
	if promise, err = ctor.New(executor); err != nil {
		return Value{}, Value{}, Value{}, err
	}
	if resolve.Type() != TypeFunction || reject.Type() != TypeFunction {
		return Value{}, Value{}, Value{}, &Error{Op: "new Promise", Message: "the executor was not given resolve and reject"}
	}
	return promise, resolve, reject, nil
}

// Settle calls a Promise's resolve or reject with v. A failure to call it
// leaves nothing to report to, so it is dropped.
func Settle(fn Value, v any) {
	_, _ = fn.Invoke(v)
}
