//go:build !js

package argon2host

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	wapi "github.com/tetratelabs/wazero/api"
	"golang.org/x/crypto/argon2"

	"watchword/wasm/vault/argon2kernel"
)

// wazeroInstance is the real kernel in wazero, the native stand-in for the
// browser's engine.
type wazeroInstance struct{ mod wapi.Module }

func startWazero(t *testing.T, module []byte) func() (Instance, error) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	c, err := rt.CompileModule(ctx, module)
	if err != nil {
		t.Fatal(err)
	}
	return func() (Instance, error) {
		mod, err := rt.InstantiateModule(ctx, c, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			return nil, err
		}
		return wazeroInstance{mod}, nil
	}
}

func (w wazeroInstance) call(name string, args ...uint32) (int64, error) {
	a := make([]uint64, len(args))
	for i, v := range args {
		a[i] = uint64(v)
	}
	res, err := w.mod.ExportedFunction(name).Call(context.Background(), a...)
	if err != nil {
		return 0, err
	}
	return int64(int32(res[0])), nil
}

func (w wazeroInstance) Reserve(lanes, laneLength uint32) (int64, error) {
	return w.call("reserve", lanes, laneLength)
}

func (w wazeroInstance) Fill(lanes, laneLength, passes uint32) (int64, error) {
	return w.call("fill", lanes, laneLength, passes)
}

func (w wazeroInstance) Write(off int64, b []byte) error {
	if !w.mod.Memory().Write(uint32(off), b) {
		return errors.New("out of range")
	}
	return nil
}

func (w wazeroInstance) Read(off int64, b []byte) error {
	got, ok := w.mod.Memory().Read(uint32(off), uint32(len(b)))
	if !ok {
		return errors.New("out of range")
	}
	copy(b, got)
	return nil
}

func (w wazeroInstance) Zero(off, n int64) error {
	return w.Write(off, make([]byte, n))
}

// Both kernels, driven by Runner, derive what x/crypto derives, and leave
// no block behind in the instance's memory.
func TestRunner(t *testing.T) {
	for name, module := range map[string][]byte{"scalar": argon2kernel.Module, "simd": argon2kernel.ModuleSIMD} {
		t.Run(name, func(t *testing.T) {
			start := startWazero(t, module)
			var last wazeroInstance
			r := Runner{Start: func() (Instance, error) {
				in, err := start()
				if err == nil {
					last = in.(wazeroInstance)
				}
				return in, err
			}}
			pw, salt := []byte("correct horse battery staple"), []byte("watchword salt 16")
			for _, c := range [][3]uint32{{1, 8, 1}, {2, 64, 2}, {3, 1000, 4}, {1, 257, 3}} {
				got, err := r.Argon2ID()(pw, salt, c[0], c[1], uint8(c[2]), 32)
				if err != nil {
					t.Fatal(err)
				}
				if want := argon2.IDKey(pw, salt, c[0], c[1], uint8(c[2]), 32); !bytes.Equal(got, want) {
					t.Fatalf("%v: %x, x/crypto %x", c, got, want)
				}
				mem, _ := last.mod.Memory().Read(argon2kernel.Base, last.mod.Memory().Size()-argon2kernel.Base)
				if i := bytes.IndexFunc(mem, func(r rune) bool { return r != 0 }); i >= 0 {
					t.Fatalf("%v: the kernel's memory still holds block data at %d", c, argon2kernel.Base+i)
				}
			}
		})
	}
}

// lying wraps a real instance and changes one answer.
type lying struct {
	Instance
	reserve, fill *int64
	writeErr      error
}

func (l lying) Reserve(lanes, laneLength uint32) (int64, error) {
	if l.reserve != nil {
		return *l.reserve, nil
	}
	return l.Instance.Reserve(lanes, laneLength)
}

func (l lying) Fill(lanes, laneLength, passes uint32) (int64, error) {
	if l.fill != nil {
		return *l.fill, nil
	}
	return l.Instance.Fill(lanes, laneLength, passes)
}

func (l lying) Write(off int64, b []byte) error {
	if l.writeErr != nil {
		return l.writeErr
	}
	return l.Instance.Write(off, b)
}

// A kernel that cannot start, cannot reserve, reserves elsewhere, refuses
// to fill or fails a copy gives an error, never a key.
func TestRunnerFailures(t *testing.T) {
	start := startWazero(t, argon2kernel.Module)
	minus, other := int64(-1), int64(argon2kernel.Base+64)
	cases := map[string]func(Instance) Instance{
		"reserve fails": func(in Instance) Instance { return lying{Instance: in, reserve: &minus} },
		"reserve moves": func(in Instance) Instance { return lying{Instance: in, reserve: &other} },
		"fill refuses":  func(in Instance) Instance { return lying{Instance: in, fill: &minus} },
		"write fails":   func(in Instance) Instance { return lying{Instance: in, writeErr: errors.New("detached")} },
		"start fails":   nil,
	}
	for name, wrap := range cases {
		r := Runner{Start: func() (Instance, error) {
			if wrap == nil {
				return nil, errors.New("no WebAssembly")
			}
			in, err := start()
			if err != nil {
				return nil, err
			}
			return wrap(in), nil
		}}
		key, err := r.Argon2ID()([]byte("pw"), []byte("salt salt salt 16"), 1, 64, 1, 32)
		if err == nil || key != nil {
			t.Errorf("%s: key %x, error %v", name, key, err)
		} else if !strings.HasPrefix(err.Error(), "argon2host: ") && !strings.Contains(err.Error(), "argon2host: ") {
			t.Errorf("%s: %v does not say where it failed", name, err)
		}
	}
	// First blocks of the wrong size never reach the kernel.
	if _, err := (Runner{Start: start}).Fill(make([]byte, 100), 1, 8, 1); err == nil {
		t.Error("100 bytes of first blocks for one lane were accepted")
	}
}
