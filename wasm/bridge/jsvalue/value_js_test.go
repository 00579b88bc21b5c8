package jsvalue

import (
	"errors"
	"strings"
	"testing"
)

// fn builds a JavaScript function from its body, as new Function does.
func fn(t *testing.T, params []any, body string) Value {
	t.Helper()
	ctor, err := Global().Get("Function")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ctor.New(append(params, body)...)
	if err != nil {
		t.Fatalf("new Function(%q): %v", body, err)
	}
	return f
}

// wantError checks that err is an *Error for op whose message holds msg.
func wantError(t *testing.T, err error, op, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want an *Error", err, err)
	}
	if e.Op != op || !strings.Contains(e.Message, msg) {
		t.Fatalf("err = {Op: %q, Message: %q}, want op %q and a message with %q", e.Op, e.Message, op, msg)
	}
}

func TestExceptionsBecomeErrors(t *testing.T) {
	throws := fn(t, nil, "throw new TypeError('boom')")
	_, err := throws.Invoke()
	wantError(t, err, "invoke", "boom")

	obj, err := NewObject()
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.Set("m", throws); err != nil {
		t.Fatal(err)
	}
	_, err = obj.Call("m")
	wantError(t, err, "call m", "boom")
	_, err = obj.Call("missing")
	wantError(t, err, "call missing", "")

	// A getter that throws, and a thrown value whose message getter throws
	// again: an error each time, and the program goes on.
	define := fn(t, []any{"o"}, "Object.defineProperty(o, 'trap', {get() { throw {get message() { throw 1; }}; }})")
	if _, err := define.Invoke(obj); err != nil {
		t.Fatal(err)
	}
	_, err = obj.Get("trap")
	wantError(t, err, "get trap", "no message")

	// Thrown values that are not Error objects.
	_, err = fn(t, nil, "throw 'plain string'").Invoke()
	wantError(t, err, "invoke", "plain string")
	_, err = fn(t, nil, "throw 42").Invoke()
	wantError(t, err, "invoke", "no message")

	// A Proxy whose every trap throws: reads, writes, deletes, lengths and
	// instanceof all answer errors.
	proxy, err := fn(t, nil, "const trap = () => { throw new Error('trapped'); }; return new Proxy({}, {get: trap, set: trap, deleteProperty: trap, getPrototypeOf: trap});").Invoke()
	if err != nil {
		t.Fatal(err)
	}
	_, err = proxy.Get("x")
	wantError(t, err, "get x", "trapped")
	wantError(t, proxy.Set("x", 1), "set x", "trapped")
	wantError(t, proxy.SetIndex(0, 1), "set index", "trapped")
	wantError(t, proxy.Delete("x"), "delete x", "trapped")
	_, err = proxy.Index(0)
	wantError(t, err, "index", "trapped")
	_, err = proxy.Length()
	wantError(t, err, "length", "trapped")
	objectCtor, _ := Global().Get("Object")
	_, err = proxy.InstanceOf(objectCtor)
	wantError(t, err, "instanceof", "trapped")

	// Writes the object refuses without throwing.
	frozen, err := fn(t, nil, "return Object.freeze({x: 1})").Invoke()
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, frozen.Set("x", 2), "set x", "cannot be written")
	wantError(t, frozen.Delete("x"), "delete x", "cannot be removed")

	// A constructor that throws.
	_, err = throws.New()
	wantError(t, err, "new", "boom")
}

func TestMisuseBecomesErrors(t *testing.T) {
	undef := Undefined()
	_, err := undef.Get("x")
	wantError(t, err, "get x", "")
	if err := Null().Set("x", 1); err == nil {
		t.Fatal("Set on null succeeded")
	}
	str, err := ValueOf("text")
	if err != nil {
		t.Fatal(err)
	}
	_, err = str.Int()
	wantError(t, err, "int", "")
	_, err = str.Bool()
	wantError(t, err, "bool", "")
	num, _ := ValueOf(7)
	_, err = num.String()
	wantError(t, err, "string", "not a string: number")
	_, err = num.Length()
	if err != nil {
		// (7).length is undefined, and undefined is not a number.
		wantError(t, err, "length", "")
	} else {
		t.Fatal("Length of a number succeeded")
	}
	_, err = ValueOf(struct{}{})
	wantError(t, err, "convert", "")
	_, err = str.InstanceOf(str)
	wantError(t, err, "instanceof", "not a constructor")
	_, err = CopyBytesToGo(make([]byte, 4), str)
	wantError(t, err, "copy bytes to Go", "")
	_, err = CopyBytesToJS(str, []byte("abcd"))
	wantError(t, err, "copy bytes to JavaScript", "")
}

func TestValuesRoundTrip(t *testing.T) {
	obj, _ := NewObject()
	inner, _ := NewObject()
	if err := inner.Set("n", 3); err != nil {
		t.Fatal(err)
	}
	// Values nested in slices and maps cross as themselves.
	if err := obj.Set("list", []any{inner, "s", true, nil}); err != nil {
		t.Fatal(err)
	}
	if err := obj.Set("map", map[string]any{"inner": inner}); err != nil {
		t.Fatal(err)
	}
	check := fn(t, []any{"o"}, "return o.list[0] === o.map.inner && o.list[0].n === 3 && o.list[1] === 's' && o.list[2] === true && o.list[3] === null")
	ok, err := check.Invoke(obj)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := ok.Bool(); err != nil || !b {
		t.Fatalf("nested values did not round-trip: %v %v", b, err)
	}
	list, _ := obj.Get("list")
	if n, err := list.Length(); err != nil || n != 4 {
		t.Fatalf("length = %d, %v", n, err)
	}
	first, err := list.Index(0)
	if err != nil || !first.Equal(inner) {
		t.Fatalf("list[0] is not the object set: %v", err)
	}
	if err := list.SetIndex(1, "t"); err != nil {
		t.Fatal(err)
	}
	if s, _ := list.Index(1); !s.Truthy() {
		t.Fatal("list[1] not set")
	}
	if err := obj.Delete("map"); err != nil {
		t.Fatal(err)
	}
	if m, _ := obj.Get("map"); !m.IsUndefined() {
		t.Fatal("map not deleted")
	}
	ctor, _ := Global().Get("Object")
	if ok, err := obj.InstanceOf(ctor); err != nil || !ok {
		t.Fatalf("InstanceOf(Object) = %v, %v", ok, err)
	}

	u8, _ := Global().Get("Uint8Array")
	arr, err := u8.New(3)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := CopyBytesToJS(arr, []byte{1, 2, 3}); err != nil || n != 3 {
		t.Fatalf("CopyBytesToJS = %d, %v", n, err)
	}
	got := make([]byte, 3)
	if n, err := CopyBytesToGo(got, arr); err != nil || n != 3 || string(got) != "\x01\x02\x03" {
		t.Fatalf("CopyBytesToGo = %d, %v, %v", n, err, got)
	}
}

func TestFuncOf(t *testing.T) {
	var seen []Value
	f := FuncOf(func(this Value, args []Value) any {
		seen = args
		if len(args) == 1 {
			return args[0] // a Value goes back as itself
		}
		return struct{}{} // cannot cross: undefined
	})
	defer f.Release()
	obj, _ := NewObject()
	back, err := f.Value().Invoke(obj)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(obj) || len(seen) != 1 {
		t.Fatalf("the function did not hand back its argument")
	}
	r, err := f.Value().Invoke(1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsUndefined() {
		t.Fatalf("a result that cannot cross gave %v, want undefined", r.Type())
	}
}

func TestNewPromise(t *testing.T) {
	p, resolve, reject, err := NewPromise()
	if err != nil {
		t.Fatal(err)
	}
	if resolve.Type() != TypeFunction || reject.Type() != TypeFunction {
		t.Fatal("resolve and reject are not functions")
	}
	ctor, _ := Global().Get("Promise")
	if ok, err := p.InstanceOf(ctor); err != nil || !ok {
		t.Fatal("not a Promise")
	}
	if _, err := resolve.Invoke("done"); err != nil {
		t.Fatal(err)
	}
}
