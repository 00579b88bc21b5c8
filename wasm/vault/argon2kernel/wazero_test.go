//go:build !js

package argon2kernel

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"golang.org/x/crypto/argon2"
)

// wazeroRunner runs the kernel in wazero: the native stand-in for the
// browser's runner, driving the kernel only through its documented exports.
type wazeroRunner struct {
	mod           api.Module
	fill, reserve api.Function
}

// kernels are the modules every test runs on.
var kernels = []struct {
	name   string
	module []byte
}{
	{"scalar", Module},
	{"simd", ModuleSIMD},
}

var (
	rtMu     sync.Mutex
	rt       wazero.Runtime
	compiled = map[string]wazero.CompiledModule{}
)

// newWazeroRunner instantiates module in a runtime shared by every test,
// compiling it once.
func newWazeroRunner(t testing.TB, module []byte) *wazeroRunner {
	t.Helper()
	ctx := context.Background()
	rtMu.Lock()
	if rt == nil {
		rt = wazero.NewRuntime(ctx)
	}
	c, ok := compiled[string(module)]
	if !ok {
		var err error
		if c, err = rt.CompileModule(ctx, module); err != nil {
			rtMu.Unlock()
			t.Fatalf("compile kernel: %v", err)
		}
		compiled[string(module)] = c
	}
	rtMu.Unlock()
	mod, err := rt.InstantiateModule(ctx, c, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatalf("instantiate kernel: %v", err)
	}
	t.Cleanup(func() { mod.Close(ctx) })
	return &wazeroRunner{mod: mod, fill: mod.ExportedFunction("fill"), reserve: mod.ExportedFunction("reserve")}
}

// eachKernel runs test once per kernel, as a subtest.
func eachKernel(t *testing.T, test func(t *testing.T, module []byte)) {
	for _, k := range kernels {
		t.Run(k.name, func(t *testing.T) { test(t, k.module) })
	}
}

func (r *wazeroRunner) Fill(blocks []byte, lanes, laneLength, passes uint32) ([]byte, error) {
	ctx := context.Background()
	if len(blocks) != int(lanes)*2*BlockSize {
		return nil, fmt.Errorf("got %d bytes of first blocks for %d lanes", len(blocks), lanes)
	}
	res, err := r.reserve.Call(ctx, uint64(lanes), uint64(laneLength))
	if err != nil {
		return nil, err
	}
	base := uint32(res[0])
	if int32(base) == -1 {
		return nil, fmt.Errorf("reserve: cannot hold %d×%d blocks", lanes, laneLength)
	}
	mem := r.mod.Memory()
	for l := range lanes {
		if !mem.Write(base+l*laneLength*BlockSize, blocks[2*l*BlockSize:][:2*BlockSize]) {
			return nil, fmt.Errorf("write lane %d out of memory", l)
		}
	}
	res, err = r.fill.Call(ctx, uint64(lanes), uint64(laneLength), uint64(passes))
	if err != nil {
		return nil, err
	}
	if int32(res[0]) != 0 {
		return nil, fmt.Errorf("fill returned %d", int32(res[0]))
	}
	last := make([]byte, 0, lanes*BlockSize)
	for l := range lanes {
		b, ok := mem.Read(base+((l+1)*laneLength-1)*BlockSize, BlockSize)
		if !ok {
			return nil, fmt.Errorf("read lane %d out of memory", l)
		}
		last = append(last, b...)
	}
	return last, nil
}

type params struct {
	password, salt []byte
	time, memory   uint32
	threads        uint8
	keyLen         uint32
}

func (p params) String() string {
	return fmt.Sprintf("t=%d,m=%d,p=%d,len=%d,pw=%d,salt=%d", p.time, p.memory, p.threads, p.keyLen, len(p.password), len(p.salt))
}

func checkIDKey(t *testing.T, r Runner, p params) {
	t.Helper()
	want := argon2.IDKey(p.password, p.salt, p.time, p.memory, p.threads, p.keyLen)
	got, err := IDKey(r, p.password, p.salt, p.time, p.memory, p.threads, p.keyLen)
	if err != nil {
		t.Fatalf("IDKey(%v): %v", p, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("IDKey(%v)\n got %x\nwant %x", p, got, want)
	}
}

func TestIDKeyMatchesXCrypto(t *testing.T) {
	eachKernel(t, testIDKeyMatchesXCrypto)
}

func testIDKeyMatchesXCrypto(t *testing.T, module []byte) {
	// One instance for every case: its memory is left dirty by the one
	// before, as it is when the browser reuses an instance.
	r := newWazeroRunner(t, module)
	pw, salt := []byte("correct horse battery staple"), []byte("sixteen byte slt")
	var cases []params
	for _, threads := range []uint8{1, 2, 3, 4, 8} {
		for _, time := range []uint32{1, 2, 3, 4} {
			for _, memory := range []uint32{
				0, 1, // below the minimum: 8·threads blocks
				8 * uint32(threads),     // the minimum
				8*uint32(threads) + 3,   // rounded down to the minimum
				64, 256 + 5, 1000, 1031, // not multiples of 4·threads
				4096, // more than one address block per segment
			} {
				cases = append(cases, params{pw, salt, time, memory, threads, 32})
			}
		}
	}
	for _, keyLen := range []uint32{1, 3, 4, 16, 31, 32, 33, 63, 64, 65, 96, 100, 128, 129, 1024} {
		cases = append(cases, params{pw, salt, 2, 64, 2, keyLen})
	}
	cases = append(cases,
		params{nil, nil, 1, 16, 1, 32},
		params{[]byte{}, []byte("salt"), 3, 32, 4, 16},
		params{[]byte("p"), nil, 1, 128, 1, 64},
		params{bytes.Repeat([]byte{0xff}, 1000), bytes.Repeat([]byte{1}, 300), 2, 200, 3, 100},
		// RFC 9106 §5.3's inputs without its secret and associated data
		// (x/crypto takes neither): password 32×0x01, salt 16×0x02, t=3,
		// m=32, p=4, tag 32.
		params{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16), 3, 32, 4, 32},
	)
	for _, p := range cases {
		t.Run(p.String(), func(t *testing.T) { checkIDKey(t, r, p) })
	}
}

// TestIDKeyFreshInstance runs on a kernel nobody has used.
func TestIDKeyFreshInstance(t *testing.T) {
	eachKernel(t, func(t *testing.T, module []byte) {
		checkIDKey(t, newWazeroRunner(t, module), params{[]byte("pw"), []byte("saltsalt"), 3, 512, 4, 32})
	})
}

// TestIDKeyDirtyScratch fills the kernel's scratch, below Base, with junk
// before each derivation: fill must not depend on what it held.
func TestIDKeyDirtyScratch(t *testing.T) {
	eachKernel(t, func(t *testing.T, module []byte) {
		r := newWazeroRunner(t, module)
		for _, p := range []params{
			{[]byte("pw"), []byte("saltsalt"), 1, 64, 1, 32},
			{[]byte("pw"), []byte("saltsalt"), 3, 1024, 4, 32},
		} {
			if !r.mod.Memory().Write(0, bytes.Repeat([]byte{0xa5}, Base)) {
				t.Fatal("cannot write scratch")
			}
			checkIDKey(t, r, p)
		}
	})
}

// TestIDKeyDefaultCost is the vault's default: m=64 MiB, t=3, p=4.
func TestIDKeyDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB, three passes")
	}
	eachKernel(t, func(t *testing.T, module []byte) {
		checkIDKey(t, newWazeroRunner(t, module), params{[]byte("master password"), []byte("0123456789abcdef"), 3, 64 * 1024, 4, 32})
	})
}

// knownVectors are the Argon2id vectors of golang.org/x/crypto/argon2's
// argon2_test.go (password "password", salt "somesalt", 24-byte tags):
// fixed outputs, so this test does not lean on the x/crypto under test.
var knownVectors = []struct {
	time, memory uint32
	threads      uint8
	hash         string
}{
	{1, 64, 1, "655ad15eac652dc59f7170a7332bf49b8469be1fdb9c28bb"},
	{2, 64, 1, "068d62b26455936aa6ebe60060b0a65870dbfa3ddf8d41f7"},
	{2, 64, 2, "350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362"},
	{3, 256, 2, "4668d30ac4187e6878eedeacf0fd83c5a0a30db2cc16ef0b"},
	{4, 4096, 4, "145db9733a9f4ee43edf33c509be96b934d505a4efb33c5a"},
	{4, 1024, 8, "8dafa8e004f8ea96bf7c0f93eecf67a6047476143d15577f"},
	{2, 64, 3, "4a15b31aec7c2590b87d1f520be7d96f56658172deaa3079"},
	{3, 1024, 6, "1640b932f4b60e272f5d2207b9a9c626ffa1bd88d2349016"},
}

func TestKnownVectors(t *testing.T) {
	eachKernel(t, func(t *testing.T, module []byte) {
		r := newWazeroRunner(t, module)
		for _, v := range knownVectors {
			t.Run(fmt.Sprintf("t=%d,m=%d,p=%d", v.time, v.memory, v.threads), func(t *testing.T) {
				got, err := IDKey(r, []byte("password"), []byte("somesalt"), v.time, v.memory, v.threads, 24)
				if err != nil {
					t.Fatal(err)
				}
				if h := hex.EncodeToString(got); h != v.hash {
					t.Fatalf("got %s, want %s", h, v.hash)
				}
			})
		}
	})
}

func call(t *testing.T, f api.Function, args ...uint64) int32 {
	t.Helper()
	res, err := f.Call(context.Background(), args...)
	if err != nil {
		t.Fatalf("%s%v: %v", f.Definition().Name(), args, err)
	}
	return int32(res[0])
}

func TestKernelRejects(t *testing.T) {
	eachKernel(t, testKernelRejects)
}

func testKernelRejects(t *testing.T, module []byte) {
	r := newWazeroRunner(t, module)
	if got := call(t, r.reserve, 4, 64); got != Base {
		t.Fatalf("reserve(4, 64) = %d, want %d", got, Base)
	}
	pages := r.mod.Memory().Size() / 65536
	if want := uint32((Base + 4*64*BlockSize + 65535) / 65536); pages != want {
		t.Fatalf("memory is %d pages after reserve, want %d", pages, want)
	}
	for _, tc := range []struct {
		name                      string
		lanes, laneLength, passes uint64
	}{
		{"no lanes", 0, 64, 1},
		{"no passes", 4, 64, 0},
		{"lane too short", 1, 4, 1},
		{"lane length not a multiple of 4", 1, 10, 1},
		{"memory too small", 4, 80, 1},
		{"overflow", 1 << 31, 1 << 31, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := call(t, r.fill, tc.lanes, tc.laneLength, tc.passes); got != -1 {
				t.Fatalf("fill = %d, want -1", got)
			}
		})
	}
	t.Run("reserve over 4 GiB", func(t *testing.T) {
		if got := call(t, r.reserve, 1<<22, 1); got != -1 {
			t.Fatalf("reserve = %d, want -1", got)
		}
		if got := call(t, r.reserve, 0xffffffff, 0xffffffff); got != -1 {
			t.Fatalf("reserve = %d, want -1", got)
		}
	})
	t.Run("fits", func(t *testing.T) {
		if got := call(t, r.fill, 4, 64, 1); got != 0 {
			t.Fatalf("fill = %d, want 0", got)
		}
	})
	// One lane as long as memory allows fits; one segment more does not.
	full := uint64(pages*65536-Base) / BlockSize / 4 * 4
	t.Run("fits exactly", func(t *testing.T) {
		if got := call(t, r.fill, 1, full, 1); got != 0 {
			t.Fatalf("fill(1, %d, 1) = %d, want 0", full, got)
		}
	})
	t.Run("one segment too many", func(t *testing.T) {
		if got := call(t, r.fill, 1, full+4, 1); got != -1 {
			t.Fatalf("fill(1, %d, 1) = %d, want -1", full+4, got)
		}
	})
}

func FuzzIDKey(f *testing.F) {
	f.Add([]byte("password"), []byte("somesalt"), uint8(1), uint16(8), uint8(1), uint16(32))
	f.Add([]byte{}, []byte{}, uint8(3), uint16(100), uint8(4), uint16(64))
	f.Add([]byte("x"), []byte("saltsaltsalt"), uint8(2), uint16(300), uint8(3), uint16(100))
	f.Add([]byte("abc"), []byte("def"), uint8(4), uint16(17), uint8(8), uint16(4))
	var runners []Runner
	for _, k := range kernels {
		runners = append(runners, newWazeroRunner(f, k.module))
	}
	f.Fuzz(func(t *testing.T, password, salt []byte, time uint8, memory uint16, threads uint8, keyLen uint16) {
		p := params{password, salt, uint32(time%4) + 1, uint32(memory % 1024), threads%8 + 1, uint32(keyLen%200) + 1}
		for _, r := range runners {
			checkIDKey(t, r, p)
		}
	})
}

// BenchmarkIDKey is the vault's default cost under wazero's compiler, next
// to x/crypto natively. wazero is not a browser: the numbers compare the
// two kernels with each other, not with what Chromium will do.
func BenchmarkIDKey(b *testing.B) {
	pw, salt := []byte("master password"), []byte("0123456789abcdef")
	for _, k := range kernels {
		b.Run(k.name, func(b *testing.B) {
			r := newWazeroRunner(b, k.module)
			for b.Loop() {
				if _, err := IDKey(r, pw, salt, 3, 64*1024, 4, 32); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("x/crypto native", func(b *testing.B) {
		for b.Loop() {
			argon2.IDKey(pw, salt, 3, 64*1024, 4, 32)
		}
	})
}
