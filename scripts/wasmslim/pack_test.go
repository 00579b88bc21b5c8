package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// packCases are images chosen to reach every path of the decoder: literal
// runs short and long (the 15 in a token's nibble and beyond), repeats near
// and far, overlapping and not, short (eight bytes at a time) and long (one
// memory.copy), zero runs right after a short copy that ran over, and
// images ending in a short literal, a short repeat, and a zero run.
func packCases() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(255) + 1)
		}
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	zeros := func(n int) []byte { return make([]byte, n) }
	rec := random(24)
	var records []byte
	for i := range 500 {
		rec[0], rec[9] = byte(i), byte(i>>8)
		records = append(records, rec...)
		records = append(records, zeros(i%11)...)
	}
	head := random(700)
	words := []byte{}
	for i := range 4000 {
		words = binary.LittleEndian.AppendUint64(words, uint64(0x40000+i*48))
	}
	return map[string][]byte{
		"one byte":                     {7},
		"random":                       random(5000),
		"one byte repeated":            bytes.Repeat([]byte{9}, 3000),
		"short period":                 cat([]byte{1}, bytes.Repeat([]byte("abc"), 700), []byte{2}),
		"records":                      records,
		"pointers":                     words,
		"long literals then repeat":    cat(random(14), random(15), random(16), random(300), head[:20], random(3), head[:20]),
		"short copy then zero run":     cat(random(9), random(5), random(9)[:5], zeros(8), random(9)[:5], zeros(40), []byte{1}),
		"ends in short literal":        cat(random(64), []byte{5, 6}),
		"ends in short repeat":         cat([]byte("0123456789abcdef"), random(20), []byte("0123456")),
		"ends in zero run":             cat(random(30), zeros(100), []byte{3}),
		"far repeat":                   cat(head, random(200_000), head),
		"zero run at the start":        cat(zeros(1), []byte{4}),
		"repeats of every short size":  repeatsOfEverySize(random),
		"long repeat over a long span": cat(random(100), bytes.Repeat(random(100), 50)),
	}
}

func repeatsOfEverySize(random func(int) []byte) []byte {
	base := random(64)
	var b []byte
	for n := 4; n <= 40; n++ {
		b = append(b, base[:n]...)
		b = append(b, random(3)...)
		for d := 1; d <= 9 && d <= n; d++ { // overlapping repeats of period d
			b = append(b, bytes.Repeat(base[:d], n/d+1)...)
			b = append(b, random(1)...)
		}
	}
	return b
}

func TestPackRoundTrips(t *testing.T) {
	for name, src := range packCases() {
		stream := pack(src)
		got := make([]byte, len(src))
		if err := unpack(stream, got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, src) {
			t.Fatalf("%s: unpacked differently", name)
		}
		t.Logf("%s: %d → %d bytes", name, len(src), len(stream))
	}
	// It compresses what repeats: Go's images do.
	for _, name := range []string{"records", "repeats of every short size", "one byte repeated"} {
		if n, s := len(packCases()[name]), len(pack(packCases()[name])); s > n/3 {
			t.Errorf("%s: %d → %d bytes", name, n, s)
		}
	}
}

// TestUnpackRefuses feeds the reference decoder streams that are wrong in
// each way it checks: every one is errBadStream, and none panics.
func TestUnpackRefuses(t *testing.T) {
	good := pack([]byte("hello, hello, hello, world"))
	cases := map[string]struct {
		stream []byte
		out    int
	}{
		"empty stream":                {nil, 4},
		"literals past the stream":    {[]byte{0x30, 'a', 'b'}, 3},
		"literals past the output":    {[]byte{0x30, 'a', 'b', 'c'}, 2},
		"output left short":           {[]byte{0x20, 'a', 'b'}, 3},
		"a repeat before the start":   {[]byte{0x10, 'a', 0x02, 0x00}, 5},
		"a repeat past the output":    {[]byte{0x10, 'a', 0x01, 0x00}, 3},
		"a token missing":             {[]byte{0x10, 'a', 0x00}, 5},
		"a six-byte length":           {[]byte{0xf0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 20},
		"a length past the output":    {[]byte{0xf0, 0xff, 0x7f}, 20},
		"a truncated length":          {[]byte{0xf0, 0x80}, 20},
		"a good stream, one byte off": {good[:len(good)-1], 26},
		"a good stream, one byte on":  {append(append([]byte(nil), good...), 0), 26},
	}
	for name, c := range cases {
		if err := unpack(c.stream, make([]byte, c.out)); !errors.Is(err, errBadStream) {
			t.Errorf("%s: %v, want errBadStream", name, err)
		}
	}
}

func FuzzPack(f *testing.F) {
	for _, src := range packCases() {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		stream := pack(src)
		got := make([]byte, len(src))
		if err := unpack(stream, got); err != nil || !bytes.Equal(got, src) {
			t.Fatalf("%x: %v", src, err)
		}
	})
}

func FuzzUnpack(f *testing.F) {
	for _, src := range packCases() {
		f.Add(pack(src), uint16(len(src)))
	}
	f.Fuzz(func(t *testing.T, stream []byte, n uint16) {
		_ = unpack(stream, make([]byte, n)) // an error or an image, never a panic
	})
}

// TestUnpackCodeInEngine runs the start function's decoder in a real engine
// (Node's V8) on every case: each image, placed in a module of its own as
// Slim places a Go program's, must come out byte for byte, with the memory
// around it (the stream's copy included) zero.
func TestUnpackCodeInEngine(t *testing.T) {
	dir := t.TempDir()
	var files, want []string
	var names []string
	for name, img := range packCases() {
		const at = 0x1238 // not aligned: nor are Go's images' first bytes
		image := append(make([]byte, at), img...)
		p, err := packImage(image, uint64(len(image)+5), 1)
		if err != nil {
			t.Fatal(err)
		}
		mem := make([]byte, int(p.minPages)<<16)
		copy(mem, image)
		sum := sha256.Sum256(mem)
		file := filepath.Join(dir, fmt.Sprintf("%d.wasm", len(files)))
		if err := os.WriteFile(file, unpackModule(p), 0o644); err != nil {
			t.Fatal(err)
		}
		files, want, names = append(files, file), append(want, hex.EncodeToString(sum[:])), append(names, name)
	}
	js := `const fs = require('fs');
(async () => {
  for (const f of process.argv.slice(1)) {
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(f));
    const mem = new Uint8Array(instance.exports.mem.buffer);
    console.log(require('crypto').createHash('sha256').update(mem).digest('hex'));
  }
})().catch((e) => { console.error(e); process.exit(1); });`
	out, err := exec.Command("node", append([]string{"-e", js}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	if len(got) != len(want) {
		t.Fatalf("node printed %q", out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: the engine's memory differs from the image", names[i])
		}
	}
}

// unpackModule is a module whose start function is unpackCode(p) alone,
// with p's stream as its one data segment.
func unpackModule(p *packed) []byte {
	out := append([]byte(nil), wasmHeader...)
	out = appendSection(out, secType, []byte{1, 0x60, 0, 0})
	out = appendSection(out, secFunction, []byte{1, 0})
	out = appendSection(out, secMemory, binary.AppendUvarint([]byte{1, 0}, uint64(p.minPages)))
	out = appendSection(out, secExport, []byte{1, 3, 'm', 'e', 'm', 0x02, 0x00})
	out = appendSection(out, secStart, []byte{0})
	body := append([]byte{1, numLocals, 0x7f}, unpackCode(p)...)
	body = append(body, opEnd)
	out = appendSection(out, secCode, append(binary.AppendUvarint([]byte{1}, uint64(len(body))), body...))
	return appendSection(out, secData, encodeData([]segment{{offset: p.from, data: p.stream}}))
}

// TestPackGoProgram packs a real Go program: the memory right after
// instantiation hashes the same as the unpacked module's, and the program
// prints the same.
func TestPackGoProgram(t *testing.T) {
	dir := t.TempDir()
	src := buildGo(t, dir, linesProgram)
	opts := Options{DropLines: true, DropInlining: true}
	plain, _, err := Slim(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Pack = true
	packedMod, rep, err := Slim(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d → %d bytes; %+v", len(plain), len(packedMod), *rep.Pack)
	if len(packedMod) > len(plain)*9/10 || rep.SegmentsAfter != 1 {
		t.Errorf("packing made %d bytes of %d, %d segments", len(packedMod), len(plain), rep.SegmentsAfter)
	}
	if a, b := runGo(t, dir, plain), runGo(t, dir, packedMod); a != b {
		t.Fatalf("the unpacked module printed\n%s\nthe packed one\n%s", a, b)
	}
}

// TestPackRaisesMemory puts the stream where it reaches past the module's
// initial memory: the rebuilt module declares enough pages, and an engine
// ends with the image, the find-function table and nothing else.
func TestPackRaisesMemory(t *testing.T) {
	src := testModule{buckets: 1024}.bytes()
	_, rep, err := Slim(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	secs, _ := parseSections(src)
	idx := map[byte]int{}
	for i, s := range secs {
		idx[s.id] = i
	}
	segs, _ := parseData(secs[idx[secData]].payload)
	image, _ := replay(segs)
	pages, _ := minPages(secs[idx[secMemory]].payload)
	p, err := packImage(image, uint64(pages)<<16-16, pages)
	if err != nil {
		t.Fatal(err)
	}
	if p.minPages != pages+1 {
		t.Fatalf("%d pages for a stream at %#x..%#x, had %d", p.minPages, p.from, p.from+p.n(), pages)
	}
	out, err := rebuild(secs, idx, []segment{{offset: p.from, data: p.stream}}, rep.TableOffset, rep.TableBuckets, p)
	if err != nil {
		t.Fatal(err)
	}
	outSecs, _ := parseSections(out)
	for _, s := range outSecs {
		if s.id == secMemory {
			if got, _ := minPages(s.payload); got != p.minPages {
				t.Errorf("the rebuilt module declares %d pages, want %d", got, p.minPages)
			}
		}
	}
	mem := fill(append(image, make([]byte, int(p.minPages)<<16-len(image))...), rep.TableOffset, rep.TableBuckets)
	sum := sha256.Sum256(mem)
	file := filepath.Join(t.TempDir(), "m.wasm")
	os.WriteFile(file, out, 0o644)
	if got := nodeMemory(t, file); got != hex.EncodeToString(sum[:]) {
		t.Errorf("the engine's memory is not the image and the table")
	}
}
