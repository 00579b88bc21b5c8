package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The layout of Go's find-function table (runtime.findfuncbucket): a uint32
// function index then sixteen one-byte sub-bucket offsets per bucket, and on
// WebAssembly sixteen buckets per function.
const (
	bucketSize      = 20
	bucketsPerShift = 4 // index = bucket >> 4
)

// minBuckets is the shortest table worth a start function: below it the
// segments saved are fewer bytes than the loop costs to read.
const minBuckets = 256

// maxImage bounds the memory image replayed from a module's data segments
// (Go's modules start well under it); a larger one is refused rather than
// allocated.
const maxImage = 64 << 20

// mergeGap is how many equal bytes two kept differences may have between
// them and still share a data segment: about what a segment header costs.
const mergeGap = 8

// errNoTable means the module has no find-function table to rewrite.
var errNoTable = errors.New("no find-function table in the module's data")

// Options says what Slim may change besides the find-function table.
type Options struct {
	// DropLines drops the file and line tables of every function (see
	// lines.go): tracebacks then name functions without their source line.
	DropLines bool
	// DropInlining, with DropLines, drops the inline trees too:
	// tracebacks then leave out the functions inlined into another.
	DropInlining bool
	// Pack stores the data compressed, for the start function to unpack
	// (see pack.go).
	Pack bool
}

// Report says what Slim changed.
type Report struct {
	Trace          *TraceReport // when Options.DropLines
	TableOffset    uint32       // where the table starts in memory
	TableBuckets   uint32
	SegmentsBefore int
	SegmentsAfter  int // including the ones kept for bytes the loop does not write
	BytesBefore    int
	BytesAfter     int
	Pack           *PackReport // when Options.Pack
}

// PackReport says what packing did.
type PackReport struct {
	Image    int // bytes unpacked, from the first non-zero to the last
	Segments int // bytes of data segments (payload) that the stream replaces
	Stream   int // bytes of the stream
	Pages    uint32
}

// Slim returns module with the data segments of its find-function table
// replaced by a start function that writes the same bytes.
func Slim(module []byte, opts Options) ([]byte, Report, error) {
	rep := Report{BytesBefore: len(module)}
	secs, err := parseSections(module)
	if err != nil {
		return nil, rep, err
	}
	idx := map[byte]int{}
	for i, s := range secs {
		if s.id == secCustom {
			continue
		}
		if _, dup := idx[s.id]; dup {
			return nil, rep, fmt.Errorf("%w: two sections with id %d", errMalformed, s.id)
		}
		idx[s.id] = i
	}
	if _, ok := idx[secStart]; ok {
		return nil, rep, errors.New("the module already has a start function")
	}
	for _, id := range []byte{secType, secFunction, secMemory, secCode, secData} {
		if _, ok := idx[id]; !ok {
			return nil, rep, fmt.Errorf("the module has no section %d", id)
		}
	}

	segs, err := parseData(secs[idx[secData]].payload)
	if err != nil {
		return nil, rep, err
	}
	rep.SegmentsBefore = len(segs)
	image, err := replay(segs)
	if err != nil {
		return nil, rep, err
	}
	// want is the memory the new module must leave: the same as image, or
	// without the line tables.
	want := image
	var rewritten [][2]uint64
	if opts.DropLines {
		stripped, ranges, tr, err := dropTraceTables(image, !opts.DropInlining)
		if err != nil {
			return nil, rep, err
		}
		want, rep.Trace, rewritten = stripped, &tr, ranges
	}
	start, n := findTable(want)
	if n < minBuckets {
		return nil, rep, errNoTable
	}
	rep.TableOffset, rep.TableBuckets = start, n
	end := uint64(start) + uint64(n)*bucketSize

	// Keep every segment not wholly inside the table, then add back, as
	// segments of their own, the bytes the loop does not reproduce.
	var kept []segment
	for _, s := range segs {
		if uint64(s.offset) >= uint64(start) && uint64(s.offset)+uint64(len(s.data)) <= end {
			continue
		}
		kept = append(kept, s)
	}
	// The rewritten ranges are written again from want, below.
	for _, r := range rewritten {
		kept = cut(kept, r[0], r[1])
	}
	after, err := replay(kept)
	if err != nil {
		return nil, rep, err
	}
	after = fill(after, start, n)
	kept = append(kept, differences(want, after)...)
	if err := sameMemory(want, kept, start, n); err != nil {
		return nil, rep, err
	}
	var p *packed
	if opts.Pack {
		rep.Pack = &PackReport{}
		for _, s := range kept {
			rep.Pack.Segments += len(s.data)
		}
		if p, kept, err = packData(want, kept, secs[idx[secMemory]].payload, start, n); err != nil {
			return nil, rep, err
		}
		rep.Pack.Image, rep.Pack.Stream, rep.Pack.Pages = int(p.size), int(p.n()), p.minPages
	}
	rep.SegmentsAfter = len(kept)

	out, err := rebuild(secs, idx, kept, start, n, p)
	if err != nil {
		return nil, rep, err
	}
	rep.BytesAfter = len(out)
	return out, rep, nil
}

// packData answers the packed form of the memory kept leaves (see pack.go)
// and the one data segment that replaces kept, after checking that
// unpacking it and filling the find-function table leaves want.
func packData(want []byte, kept []segment, memory []byte, start, n uint32) (*packed, []segment, error) {
	t, err := findPCLnTab(want)
	if err != nil {
		return nil, nil, err
	}
	pages, err := minPages(memory)
	if err != nil {
		return nil, nil, err
	}
	image, err := replay(kept)
	if err != nil {
		return nil, nil, err
	}
	p, err := packImage(image, t.end, pages)
	if err != nil {
		return nil, nil, err
	}
	got := make([]byte, p.to+p.size)
	if err := unpack(p.stream, got[p.to:]); err != nil {
		return nil, nil, err
	}
	got = fill(got, start, n)
	if d := differences(want, got); len(d) != 0 {
		return nil, nil, fmt.Errorf("the packed module's memory differs from the original's at %#x", d[0].offset)
	}
	return p, []segment{{offset: p.from, data: p.stream}}, nil
}

// replay copies segments, in order, into a zeroed memory as instantiation
// does, and returns the memory up to the last byte any segment writes.
func replay(segs []segment) ([]byte, error) {
	var size uint64
	for _, s := range segs {
		size = max(size, uint64(s.offset)+uint64(len(s.data)))
	}
	if size > maxImage {
		return nil, fmt.Errorf("data segments reach %d bytes of memory, over the %d this tool replays", size, maxImage)
	}
	mem := make([]byte, size)
	for _, s := range segs {
		copy(mem[s.offset:], s.data)
	}
	return mem, nil
}

// fill writes what the start function writes: bucket k's index, k >> 4, at
// start + 20k for k < n. It grows mem as needed.
func fill(mem []byte, start, n uint32) []byte {
	end := int(start) + int(n)*bucketSize
	if len(mem) < end {
		mem = append(mem, make([]byte, end-len(mem))...)
	}
	for k := uint32(0); k < n; k++ {
		binary.LittleEndian.PutUint32(mem[int(start)+int(k)*bucketSize:], k>>bucketsPerShift)
	}
	return mem
}

// findTable returns the longest run of buckets in mem whose index fields are
// their bucket number >> 4: bucket 0 must hold 0, bucket 16 hold 1, and so
// on. Sub-bucket bytes are not looked at; whatever differs there is kept.
func findTable(mem []byte) (start, n uint32) {
	one := []byte{1, 0, 0, 0}
	first := 16 * bucketSize // bucket 16 is the first to hold index 1
	for from := first; ; {
		i := bytes.Index(mem[from:], one)
		if i < 0 {
			return start, n
		}
		at := from + i
		from = at + 1
		a := at - first
		if a < 0 {
			continue
		}
		var k uint32
		for p := a; p+4 <= len(mem) && binary.LittleEndian.Uint32(mem[p:]) == k>>bucketsPerShift; p += bucketSize {
			k++
		}
		if k > n {
			start, n = uint32(a), k
		}
	}
}

// differences returns, as data segments, the ranges where want and got
// differ, with the bytes of want. got is never shorter than want's meaningful
// part: where got ends early the rest of want is compared against zero.
func differences(want, got []byte) []segment {
	var segs []segment
	size := max(len(want), len(got))
	at := func(b []byte, i int) byte {
		if i < len(b) {
			return b[i]
		}
		return 0
	}
	for i := 0; i < size; {
		if at(want, i) == at(got, i) {
			i++
			continue
		}
		j, last := i, i
		for j < size && j-last <= mergeGap {
			if at(want, j) != at(got, j) {
				last = j
			}
			j++
		}
		data := make([]byte, last+1-i)
		for k := range data {
			data[k] = at(want, i+k)
		}
		segs = append(segs, segment{offset: uint32(i), data: data})
		i = last + 1
	}
	return segs
}

// sameMemory checks that segs followed by the start function leave memory
// exactly as want: the proof that the rewrite changes nothing the program sees.
func sameMemory(want []byte, segs []segment, start, n uint32) error {
	got, err := replay(segs)
	if err != nil {
		return err
	}
	got = fill(got, start, n)
	if d := differences(want, got); len(d) != 0 {
		return fmt.Errorf("the rewritten module's memory differs from the original's at %#x", d[0].offset)
	}
	return nil
}

// startBody is the start function: for k := 0; k < n; k++ { store32(start +
// 20k, k >> 4) }, with local 0 as k and local 1 as the address.
//
// With p, it first unpacks the data (unpackCode) and has more locals.
func startBody(start, n uint32, p *packed) []byte {
	var b []byte
	if p == nil {
		b = append(b, 0x01, 0x02, 0x7f) // one run of locals: two i32
	} else {
		b = append(b, 0x01, numLocals, 0x7f)
		b = append(b, unpackCode(p)...)
	}
	b = append(b, 0x41) // i32.const start
	b = appendS32(b, int32(start))
	b = append(b,
		0x21, 0x01, // local.set 1
		0x03, 0x40, // loop (no result)
		0x20, 0x01, // local.get 1
		0x20, 0x00, // local.get 0
		0x41, bucketsPerShift, // i32.const 4
		0x76,             // i32.shr_u
		0x36, 0x02, 0x00, // i32.store align=4 offset=0
		0x20, 0x01, // local.get 1
		0x41, bucketSize, // i32.const 20
		0x6a,       // i32.add
		0x21, 0x01, // local.set 1
		0x20, 0x00, // local.get 0
		0x41, 0x01, // i32.const 1
		0x6a,       // i32.add
		0x22, 0x00, // local.tee 0
		0x41, // i32.const n
	)
	b = appendS32(b, int32(n))
	b = append(b,
		0x49,       // i32.lt_u
		0x0d, 0x00, // br_if 0 (the loop)
		0x0b, // end loop
		0x0b, // end function
	)
	return b
}

// rebuild writes the module back with the new data segments, the start
// function (its type, declaration, body and the start section) and, when
// present, the data count updated. Every other section is copied as it was.
func rebuild(secs []section, idx map[byte]int, segs []segment, start, n uint32, p *packed) ([]byte, error) {
	imported := uint32(0)
	var memory []byte // the memory section, when it changes
	if i, ok := idx[secImport]; ok {
		var err error
		if imported, err = countImportedFunctions(secs[i].payload); err != nil {
			return nil, err
		}
	}
	// (Slim has checked that the module defines its memory.)
	mem := secs[idx[secMemory]].payload
	pages, err := minPages(mem)
	if err != nil {
		return nil, err
	}
	if uint64(start)+uint64(n)*bucketSize > uint64(pages)*65536 {
		return nil, fmt.Errorf("the table ends past the module's initial memory")
	}
	if p != nil && p.minPages > pages {
		// The stream reaches past the initial memory: declare more.
		if mem[1] != 0 {
			return nil, errors.New("the module's memory has a maximum size: not packed")
		}
		memory = binary.AppendUvarint([]byte{1, 0}, uint64(p.minPages))
	}

	types := secs[idx[secType]].payload
	typeIdx, err := findVoidType(types)
	if err != nil {
		return nil, err
	}
	if typeIdx < 0 {
		var count uint32
		if types, count, err = appendToVec(types, []byte{0x60, 0x00, 0x00}); err != nil {
			return nil, err
		}
		typeIdx = int(count)
	}
	funcs, defined, err := appendToVec(secs[idx[secFunction]].payload, binary.AppendUvarint(nil, uint64(typeIdx)))
	if err != nil {
		return nil, err
	}
	if codeCount, err := vecLen(secs[idx[secCode]].payload); err != nil {
		return nil, err
	} else if codeCount != defined {
		return nil, fmt.Errorf("%w: %d function bodies for %d functions", errMalformed, codeCount, defined)
	}
	body := startBody(start, n, p)
	code, _, err := appendToVec(secs[idx[secCode]].payload, append(binary.AppendUvarint(nil, uint64(len(body))), body...))
	if err != nil {
		return nil, err
	}
	startSec := binary.AppendUvarint(nil, uint64(imported)+uint64(defined))

	out := append([]byte(nil), wasmHeader...)
	startWritten := false
	for _, s := range secs {
		switch s.id {
		case secElement, secDataCount, secCode, secData:
			// The start section comes after exports and before these.
			if !startWritten {
				out = appendSection(out, secStart, startSec)
				startWritten = true
			}
		}
		payload := s.payload
		switch s.id {
		case secType:
			payload = types
		case secFunction:
			payload = funcs
		case secCode:
			payload = code
		case secData:
			payload = encodeData(segs)
		case secMemory:
			if memory != nil {
				payload = memory
			}
		case secDataCount:
			payload = binary.AppendUvarint(nil, uint64(len(segs)))
		}
		out = appendSection(out, s.id, payload)
	}
	return out, nil
}

// minPages reads the initial size, in 64 KiB pages, of the one memory a
// memory section declares.
func minPages(payload []byte) (uint32, error) {
	r := &reader{b: payload}
	if n := r.u32(); n != 1 && r.err == nil {
		return 0, fmt.Errorf("the module declares %d memories", n)
	}
	flags := r.byte()
	if flags&^1 != 0 && r.err == nil {
		return 0, fmt.Errorf("memory limits flags %#x (shared or 64-bit memory)", flags)
	}
	pages := r.u32()
	return pages, r.err
}
