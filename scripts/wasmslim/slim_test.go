package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testModule is a module shaped like the Go linker's output: one memory, one
// exported function, and a data section holding some data, a find-function
// table of the given size written as one segment per bucket (zero runs
// skipped), one bucket with a non-zero sub-bucket, and more data after it.
type testModule struct {
	buckets  uint32
	withVoid bool // the type section already has () -> ()
	extra    []section
}

const testTableAt = 0x1000

func (m testModule) segments() []segment {
	segs := []segment{{offset: 0x10, data: []byte("data before the table")}}
	for k := uint32(0); k < m.buckets; k++ {
		idx := k >> 4
		if idx == 0 {
			continue // all zero: the linker writes nothing
		}
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], idx)
		data := bytes.TrimRight(b[:], "\x00")
		if k == m.buckets/2 {
			// A bucket whose sub-buckets are not all zero.
			data = append(b[:], 0, 0, 7, 0, 9)
		}
		segs = append(segs, segment{offset: testTableAt + k*bucketSize, data: data})
	}
	end := testTableAt + m.buckets*bucketSize
	segs = append(segs, segment{offset: end, data: []byte{0xaa, 0xbb, 0, 0, 0, 0xcc}})
	return segs
}

func (m testModule) bytes() []byte {
	out := append([]byte(nil), wasmHeader...)
	types := []byte{1, 0x60, 1, 0x7f, 1, 0x7f} // (i32) -> i32
	if m.withVoid {
		types = []byte{2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 0, 0}
	}
	out = appendSection(out, secType, types)
	out = appendSection(out, secImport, []byte{1, 2, 'g', 'o', 1, 'f', 0x00, 0x00})
	out = appendSection(out, secFunction, []byte{1, 0})
	pages := (testTableAt + m.buckets*bucketSize + 0x10000) / 0x10000
	out = appendSection(out, secMemory, binary.AppendUvarint([]byte{1, 0}, uint64(pages)))
	out = appendSection(out, secExport, []byte{1, 3, 'm', 'e', 'm', 0x02, 0x00})
	for _, s := range m.extra {
		out = appendSection(out, s.id, s.payload)
	}
	segs := m.segments()
	out = appendSection(out, secDataCount, binary.AppendUvarint(nil, uint64(len(segs))))
	body := []byte{0x00, 0x20, 0x00, 0x0b} // no locals; local.get 0; end
	out = appendSection(out, secCode, append([]byte{1, byte(len(body))}, body...))
	return appendSection(out, secData, encodeData(segs))
}

func TestSlimKeepsMemory(t *testing.T) {
	for _, m := range []testModule{{buckets: 4096}, {buckets: 1000, withVoid: true}, {buckets: minBuckets}} {
		src := m.bytes()
		out, rep, err := Slim(src, Options{})
		if err != nil {
			t.Fatalf("%d buckets: %v", m.buckets, err)
		}
		if rep.TableOffset != testTableAt || rep.TableBuckets < m.buckets {
			t.Errorf("%d buckets: found %d at %#x", m.buckets, rep.TableBuckets, rep.TableOffset)
		}
		if len(out) >= len(src) || rep.SegmentsAfter >= rep.SegmentsBefore/4 {
			t.Errorf("%d buckets: %d → %d bytes, %d → %d segments", m.buckets, len(src), len(out), rep.SegmentsBefore, rep.SegmentsAfter)
		}
		checkRewritten(t, src, out)
		// And a real engine agrees: it validates the module, runs the start
		// function and ends with the same memory.
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.wasm"), filepath.Join(dir, "b.wasm")
		os.WriteFile(a, src, 0o644)
		os.WriteFile(b, out, 0o644)
		if ha, hb := nodeMemory(t, a), nodeMemory(t, b); ha != hb {
			t.Errorf("%d buckets: memory after instantiation differs: %s vs %s", m.buckets, ha, hb)
		}
	}
}

// nodeMemory instantiates a test module in Node and returns the SHA-256 of
// its memory.
func nodeMemory(t *testing.T, file string) string {
	t.Helper()
	js := `const b = require('fs').readFileSync(process.argv[1]);
if (!WebAssembly.validate(b)) { console.error('invalid module'); process.exit(1); }
WebAssembly.instantiate(b, { go: { f: (x) => x } }).then(({ instance }) => {
  const mem = new Uint8Array(instance.exports.mem.buffer);
  console.log(require('crypto').createHash('sha256').update(mem).digest('hex'));
}).catch((e) => { console.error(e); process.exit(1); });`
	out, err := exec.Command("node", "-e", js, file).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// checkRewritten parses out and proves, by replaying it, that it leaves
// memory as src does, and that its sections are well formed and in order.
func checkRewritten(t *testing.T, src, out []byte) {
	t.Helper()
	secs, err := parseSections(out)
	if err != nil {
		t.Fatalf("rewritten module: %v", err)
	}
	order := map[byte]int{secType: 1, secImport: 2, secFunction: 3, secMemory: 5, secExport: 7, secStart: 8, secElement: 9, secDataCount: 10, secCode: 11, secData: 12}
	last, hasStart := 0, false
	var data []segment
	var count uint32
	for _, s := range secs {
		if o := order[s.id]; o <= last && s.id != secCustom {
			t.Fatalf("section %d out of order", s.id)
		} else if s.id != secCustom {
			last = o
		}
		switch s.id {
		case secStart:
			hasStart = true
		case secData:
			if data, err = parseData(s.payload); err != nil {
				t.Fatal(err)
			}
		case secDataCount:
			count, _ = vecLen(s.payload)
		}
	}
	if !hasStart {
		t.Fatal("no start section")
	}
	if count != 0 && int(count) != len(data) {
		t.Errorf("data count %d for %d segments", count, len(data))
	}
	srcSecs, _ := parseSections(src)
	var want []byte
	for _, s := range srcSecs {
		if s.id == secData {
			segs, _ := parseData(s.payload)
			want, _ = replay(segs)
		}
	}
	_, rep, _ := Slim(src, Options{})
	if err := sameMemory(want, data, rep.TableOffset, rep.TableBuckets); err != nil {
		t.Error(err)
	}
}

func TestSlimRefuses(t *testing.T) {
	good := testModule{buckets: 1024}.bytes()
	cases := map[string][]byte{
		"empty":          nil,
		"not wasm":       []byte("\x7fELF\x02\x01\x01\x00"),
		"truncated":      good[:len(good)-3],
		"section length": append(append([]byte(nil), wasmHeader...), secType, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"has start":      testModule{buckets: 1024, extra: []section{{id: secStart, payload: []byte{0}}}}.bytes(),
		"passive data":   passiveData(good),
		"no table":       testModule{buckets: 16}.bytes(),
	}
	for name, mod := range cases {
		out, _, err := Slim(mod, Options{})
		if err == nil {
			t.Errorf("%s: rewritten (%d bytes), want an error", name, len(out))
			continue
		}
		if name == "no table" && !errors.Is(err, errNoTable) {
			t.Errorf("%s: %v, want errNoTable", name, err)
		}
		if (name == "truncated" || name == "section length" || name == "not wasm") && !errors.Is(err, errMalformed) {
			t.Errorf("%s: %v, want errMalformed", name, err)
		}
	}
}

// passiveData turns the first data segment of mod into a passive one.
func passiveData(mod []byte) []byte {
	secs, _ := parseSections(mod)
	out := append([]byte(nil), wasmHeader...)
	for _, s := range secs {
		p := s.payload
		if s.id == secData {
			r := &reader{b: p}
			n := r.u32()
			p = append(binary.AppendUvarint(nil, uint64(n)), 0x01)
			// Drop flag 0, the i32.const and its end; keep the rest.
			rest := r.b[1:]
			rr := &reader{b: rest[1:]}
			rr.s32()
			p = append(p, rr.b[1:]...)
		}
		out = appendSection(out, s.id, p)
	}
	return out
}

func FuzzSlim(f *testing.F) {
	f.Add(testModule{buckets: 300}.bytes())
	f.Add(testModule{buckets: 300, withVoid: true}.bytes())
	f.Add(testModule{buckets: 20}.bytes())
	f.Fuzz(func(t *testing.T, mod []byte) {
		// Dropping line tables and packing refuse what they do not
		// understand, and never panic.
		_, _, _ = Slim(mod, Options{DropLines: true})
		_, _, _ = Slim(mod, Options{Pack: true})
		out, _, err := Slim(mod, Options{})
		if err != nil {
			return
		}
		checkRewritten(t, mod, out)
	})
}

// TestSlimGoProgram rewrites a real Go program built for GOOS=js and runs
// both builds in Node with Go's wasm_exec.js: the memory right after
// instantiation (before Go starts) must hash the same, and the program, which
// takes stack traces, panics and recovers, and collects garbage (all of which
// read the find-function table), must print the same.
func TestSlimGoProgram(t *testing.T) {
	dir := t.TempDir()
	prog := `package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func where() string {
	pc, _, _, _ := runtime.Caller(1)
	return runtime.FuncForPC(pc).Name()
}

func main() {
	var keep [][]byte
	for i := 0; i < 2000; i++ {
		keep = append(keep, make([]byte, 4096))
		if i%100 == 0 {
			runtime.GC()
		}
	}
	func() {
		defer func() {
			r := recover()
			stack := string(debug.Stack())
			fmt.Println("recovered:", r, strings.Contains(stack, "main.main"))
		}()
		var m map[string]int
		m["x"] = len(keep)
	}()
	fmt.Println("in", where())
}
`
	src := buildGo(t, dir, prog)
	out, rep, err := Slim(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d → %d bytes, %d → %d segments, %d buckets", rep.BytesBefore, rep.BytesAfter, rep.SegmentsBefore, rep.SegmentsAfter, rep.TableBuckets)
	if rep.BytesAfter > rep.BytesBefore*95/100 {
		t.Errorf("only %d → %d bytes", rep.BytesBefore, rep.BytesAfter)
	}
	a, b := runGo(t, dir, src), runGo(t, dir, out)
	if a != b {
		t.Fatalf("outputs differ:\noriginal:\n%s\nrewritten:\n%s", a, b)
	}
	if !strings.Contains(a, "recovered: assignment to entry in nil map true") || !strings.Contains(a, "in main.main") {
		t.Errorf("unexpected output:\n%s", a)
	}
}

// buildGo builds prog (a main package) for GOOS=js and answers the module.
func buildGo(t *testing.T, dir, prog string) []byte {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module slimtest\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	orig := filepath.Join(dir, "orig.wasm")
	build := exec.Command("go", "build", "-o", orig, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// runGo runs a Go module in Node with Go's wasm_exec.js and answers what it
// printed, after a first line with the SHA-256 of its memory as
// instantiation left it (before Go starts).
func runGo(t *testing.T, dir string, module []byte) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run the rewritten module:", err)
	}
	file, err := os.CreateTemp(dir, "*.wasm")
	if err != nil {
		t.Fatal(err)
	}
	file.Write(module)
	file.Close()
	runner := filepath.Join(dir, "run.js")
	js := `globalThis.require = require; globalThis.fs = require('fs');
require(process.argv[2]);
const go = new Go();
let code = 0;
go.exit = (c) => { code = c; };
// Exit as soon as the program has: a timer the runtime left would
// otherwise resume a finished instance.
WebAssembly.instantiate(fs.readFileSync(process.argv[3]), go.importObject).then(({ instance }) => {
  const mem = new Uint8Array(instance.exports.mem.buffer);
  console.log('memory', require('crypto').createHash('sha256').update(mem).digest('hex'));
  return go.run(instance);
}).then(() => process.exit(code))
  .catch((e) => { console.error(e); process.exit(1); });
`
	if err := os.WriteFile(runner, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	wasmExec := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")
	out, err := exec.Command(node, runner, wasmExec, file.Name()).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return string(out)
}

// linesProgram exercises everything that reads the tables dropLines moves
// (stack growth and the GC's stack scans read pcsp and the stack maps, a
// panic and a traceback read them all) and prints where it is.
const linesProgram = `package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// inlined is small enough to be inlined into main: a traceback names it
// only through main's inline tree.
func inlined() string { return string(debug.Stack()) }

//go:noinline
func deep(n int, pad [64]byte) int {
	if n == 0 {
		runtime.GC()
		return int(pad[0])
	}
	pad[0]++
	return deep(n-1, pad) + 1
}

func main() {
	var wg sync.WaitGroup
	sums := make([]int, 8)
	for g := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var keep [][]byte
			for i := 0; i < 300; i++ {
				keep = append(keep, make([]byte, 2048))
			}
			sums[g] = deep(2000+g, [64]byte{}) + len(keep)
		}()
	}
	wg.Wait()
	fmt.Println("sums", sums)
	func() {
		defer func() {
			r := recover()
			stack := string(debug.Stack())
			fmt.Println("recovered:", r, "names main.main:", strings.Contains(stack, "main.main"))
		}()
		var m map[string]int
		m["x"] = 1
	}()
	fmt.Println("inlined frame named:", strings.Contains(inlined(), "main.inlined"))
	pc, file, line, ok := runtime.Caller(0)
	fmt.Println("caller", runtime.FuncForPC(pc).Name(), file[strings.LastIndex(file, "/")+1:], line > 0, ok)
}
`

// TestDropLinesGoProgram drops the line tables of a real Go program, and
// then its inline trees too: it still grows stacks, collects garbage on
// eight goroutines and recovers panics, and tracebacks name its functions;
// only the file and line are gone, and then the inlined calls.
func TestDropLinesGoProgram(t *testing.T) {
	dir := t.TempDir()
	src := buildGo(t, dir, linesProgram)
	plain, _, err := Slim(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	orig := runGo(t, dir, src)
	wantOrig := "recovered: assignment to entry in nil map names main.main: true\ninlined frame named: true\ncaller main.main main.go true true\n"
	if !strings.HasSuffix(orig, wantOrig) {
		t.Fatalf("the original printed\n%s", orig)
	}
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{DropLines: true}, "recovered: assignment to entry in nil map names main.main: true\ninlined frame named: true\ncaller main.main ? false true\n"},
		{Options{DropLines: true, DropInlining: true}, "recovered: assignment to entry in nil map names main.main: true\ninlined frame named: false\ncaller main.main ? false true\n"},
	} {
		out, rep, err := Slim(src, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v: %d → %d bytes; %+v", c.opts, rep.BytesBefore, rep.BytesAfter, *rep.Trace)
		if len(out) >= len(plain) || rep.Trace.TablesFreed == 0 || rep.Trace.BytesFreed == 0 || (c.opts.DropInlining != (rep.Trace.InlineTrees > 0)) {
			t.Errorf("%+v: %d bytes against %d; %+v", c.opts, len(out), len(plain), *rep.Trace)
		}
		got := runGo(t, dir, out)
		if !strings.HasSuffix(got, c.want) || afterMemory(strings.TrimSuffix(got, c.want)) != afterMemory(strings.TrimSuffix(orig, wantOrig)) {
			t.Fatalf("%+v: the original printed\n%s\nthe rewritten one\n%s", c.opts, orig, got)
		}
		checkTraceTablesDropped(t, src, out, c.opts.DropInlining)
	}
}

// afterMemory is what runGo's output says after its memory line (which
// differs where the memory does).
func afterMemory(out string) string {
	_, rest, _ := strings.Cut(out, "\n")
	return rest
}

// checkTraceTablesDropped reads both modules' pclntabs and checks,
// function by function, that every table but the file and line ones (and
// without inlining, the inline-tree index) decodes to the same values, that
// those are gone, and that the rest of each record is as it was.
func checkTraceTablesDropped(t *testing.T, src, out []byte, noInlining bool) {
	t.Helper()
	image := func(mod []byte) []byte {
		secs, err := parseSections(mod)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secs {
			if s.id == secData {
				segs, err := parseData(s.payload)
				if err != nil {
					t.Fatal(err)
				}
				img, err := replay(segs)
				if err != nil {
					t.Fatal(err)
				}
				return img
			}
		}
		t.Fatal("no data section")
		return nil
	}
	a, b := image(src), image(out)
	ta, err := findPCLnTab(a)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := findPCLnTab(b)
	if err != nil {
		t.Fatalf("the rewritten pclntab: %v", err)
	}
	if ta.nfunc != tb.nfunc || ta.pctab != tb.pctab || ta.pctabLen != tb.pctabLen || ta.gofunc != tb.gofunc {
		t.Fatalf("pclntab moved: %+v → %+v", ta, tb)
	}
	u32 := func(img []byte, at uint64) uint32 { return binary.LittleEndian.Uint32(img[at:]) }
	for i, fa := range ta.funcs {
		fb := tb.funcs[i]
		if u32(b, fb+funcPCFile) != 0 || u32(b, fb+funcPCLn) != 0 {
			t.Fatalf("function %d keeps a file or line table", i)
		}
		npc := uint64(u32(a, fa+funcNPCData))
		for j := uint64(0); j <= npc; j++ {
			field := uint64(funcPCSP)
			if j > 0 {
				field = funcSize + 4*(j-1)
			}
			va := decodeTable(t, a[ta.pctab:ta.pctab+ta.pctabLen], u32(a, fa+field))
			vb := decodeTable(t, b[tb.pctab:tb.pctab+tb.pctabLen], u32(b, fb+field))
			if noInlining && j-1 == pcdataInlTreeIndex && j > 0 {
				va = "none"
			}
			if va != vb {
				t.Fatalf("function %d: the table at field %d reads %q, was %q", i, field, vb, va)
			}
		}
		for k := uint64(0); k < uint64(a[fa+funcNFuncDat]); k++ {
			at := funcSize + 4*npc + 4*k
			want := u32(a, fa+at)
			if noInlining && k == funcdataInlTree {
				want = noFuncdata
			}
			if got := u32(b, fb+at); got != want {
				t.Fatalf("function %d: funcdata %d is %#x, want %#x", i, k, got, want)
			}
		}
		// The rest of the record (entry, name, args, counts) is as it was.
		for _, f := range []uint64{0, 4, 8, 12, funcNPCData, 32, 36, 40} {
			if u32(a, fa+f) != u32(b, fb+f) {
				t.Fatalf("function %d: field at %d changed", i, f)
			}
		}
	}
}

// decodeTable answers the (value, pc) steps of a pc-value table as text.
func decodeTable(t *testing.T, pctab []byte, off uint32) string {
	t.Helper()
	if off == 0 {
		return "none"
	}
	n, err := tableLen(pctab, off)
	if err != nil {
		t.Fatal(err)
	}
	return string(pctab[off : int(off)+n])
}

func TestDropLinesRefuses(t *testing.T) {
	// A module with a find-function table but no pclntab.
	if _, _, err := Slim(testModule{buckets: 1024}.bytes(), Options{DropLines: true}); !errors.Is(err, errNoPCLnTab) {
		t.Errorf("no pclntab: %v, want errNoPCLnTab", err)
	}
	dir := t.TempDir()
	src := buildGo(t, dir, "package main\n\nfunc main() { println(\"hi\") }\n")
	secs, _ := parseSections(src)
	var segs []segment
	for _, s := range secs {
		if s.id == secData {
			segs, _ = parseData(s.payload)
		}
	}
	img, err := replay(segs)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := findPCLnTab(img)
	if err != nil {
		t.Fatal(err)
	}
	// Damage a function's record: its entry no longer matches the functab.
	bad := bytes.Clone(img)
	binary.LittleEndian.PutUint32(bad[tab.funcs[5]:], 0xdead)
	if _, _, _, err := dropTraceTables(bad, true); !errors.Is(err, errNoPCLnTab) {
		t.Errorf("damaged record: %v, want errNoPCLnTab", err)
	}
	// Damage a table: a varint that never ends.
	bad = bytes.Clone(img)
	pcsp := binary.LittleEndian.Uint32(bad[tab.funcs[5]+funcPCSP:])
	for i := uint64(pcsp); i < tab.pctabLen; i++ {
		bad[tab.pctab+i] = 0xff
	}
	if _, _, _, err := dropTraceTables(bad, true); !errors.Is(err, errNoPCLnTab) {
		t.Errorf("damaged table: %v, want errNoPCLnTab", err)
	}
}
