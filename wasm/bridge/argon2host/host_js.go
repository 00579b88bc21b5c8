package argon2host

import (
	"errors"
	"strconv"
	"sync"

	"golang.org/x/crypto/argon2"

	"watchword/wasm/bridge/jsvalue"
	"watchword/wasm/vault"
	"watchword/wasm/vault/argon2kernel"
	"watchword/wasm/wrap"
)

// Install makes every vault derivation of this program run through the
// kernel (the SIMD one where the engine validates it), compiled on the
// first derivation, so starting a program costs nothing. Where the kernel
// does not compile (no WebAssembly in the context, which no browser we
// support lacks), derivations run in Go's x/crypto as before: slower, and
// growing the program's memory, but the same keys.
func Install() {
	vault.UseArgon2ID(func(password, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error) {
		m, err := compiled()
		if err != nil {
			return argon2.IDKey(password, salt, time, memoryKiB, threads, keyLen), nil
		}
		r := Runner{Start: func() (Instance, error) { return newJSInstance(m) }}
		return r.Argon2ID()(password, salt, time, memoryKiB, threads, keyLen)
	})
}

var (
	compileOnce sync.Once
	module      jsvalue.Value
	compileErr  error
)

// compiled compiles the kernel once per program. The module is a few
// kilobytes, so compiling it synchronously is allowed everywhere, the
// browser's main threads included.
func compiled() (jsvalue.Value, error) {
	compileOnce.Do(func() {
		module, compileErr = compile()
	})
	return module, compileErr
}

func compile() (jsvalue.Value, error) {
	wa, err := jsvalue.Global().Get("WebAssembly")
	if err != nil || wa.Type() != jsvalue.TypeObject {
		return jsvalue.Undefined(), errors.New("argon2host: no WebAssembly in this context")
	}
	ctor, err := wa.Get("Module")
	if err != nil {
		return jsvalue.Undefined(), wrap.Error("argon2host", err)
	}
	src := argon2kernel.Module
	if simd, err := bytesToJS(argon2kernel.ModuleSIMD); err == nil {
		if ok, err := wa.Call("validate", simd); err == nil {
			if valid, _ := ok.Bool(); valid {
				src = argon2kernel.ModuleSIMD
			}
		}
	}
	b, err := bytesToJS(src)
	if err != nil {
		return jsvalue.Undefined(), err
	}
	m, err := ctor.New(b)
	if err != nil {
		return jsvalue.Undefined(), wrap.Error("argon2host: compile the kernel", err)
	}
	return m, nil
}

func bytesToJS(b []byte) (jsvalue.Value, error) {
	u8, err := jsvalue.Global().Get("Uint8Array")
	if err != nil {
		return jsvalue.Undefined(), err
	}
	v, err := u8.New(len(b))
	if err != nil {
		return jsvalue.Undefined(), err
	}
	if _, err := jsvalue.CopyBytesToJS(v, b); err != nil {
		return jsvalue.Undefined(), err
	}
	return v, nil
}

// jsInstance is one kernel instance in the browser.
type jsInstance struct {
	exports jsvalue.Value
	u8      jsvalue.Value // the Uint8Array constructor
}

func newJSInstance(m jsvalue.Value) (Instance, error) {
	wa, err := jsvalue.Global().Get("WebAssembly")
	if err != nil {
		return nil, err
	}
	ctor, err := wa.Get("Instance")
	if err != nil {
		return nil, err
	}
	in, err := ctor.New(m)
	if err != nil {
		return nil, err
	}
	ex, err := in.Get("exports")
	if err != nil {
		return nil, err
	}
	u8, err := jsvalue.Global().Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	return &jsInstance{exports: ex, u8: u8}, nil
}

func (j *jsInstance) call(name string, args ...any) (int64, error) {
	v, err := j.exports.Call(name, args...)
	if err != nil {
		return 0, err
	}
	if v.Type() != jsvalue.TypeNumber {
		return 0, errors.New(name + " answered a " + v.Type().String())
	}
	n, err := v.Int()
	return int64(n), err
}

func (j *jsInstance) Reserve(lanes, laneLength uint32) (int64, error) {
	return j.call("reserve", lanes, laneLength)
}

func (j *jsInstance) Fill(lanes, laneLength, passes uint32) (int64, error) {
	return j.call("fill", lanes, laneLength, passes)
}

// view is n bytes of the kernel's memory at off. The buffer is taken anew
// each time: growing the memory detaches the old one.
func (j *jsInstance) view(off, n int64) (jsvalue.Value, error) {
	mem, err := j.exports.Get("memory")
	if err != nil {
		return jsvalue.Undefined(), err
	}
	buf, err := mem.Get("buffer")
	if err != nil {
		return jsvalue.Undefined(), err
	}
	return j.u8.New(buf, off, n)
}

func (j *jsInstance) Write(off int64, b []byte) error {
	v, err := j.view(off, int64(len(b)))
	if err != nil {
		return err
	}
	_, err = jsvalue.CopyBytesToJS(v, b)
	return err
}

func (j *jsInstance) Read(off int64, b []byte) error {
	v, err := j.view(off, int64(len(b)))
	if err != nil {
		return err
	}
	n, err := jsvalue.CopyBytesToGo(b, v)
	if err == nil && n != len(b) {
		err = errors.New("read " + strconv.Itoa(n) + " of " + strconv.Itoa(len(b)) + " bytes")
	}
	return err
}

func (j *jsInstance) Zero(off, n int64) error {
	v, err := j.view(off, n)
	if err != nil {
		return err
	}
	_, err = v.Call("fill", 0)
	return err
}
