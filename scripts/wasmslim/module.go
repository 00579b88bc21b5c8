package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The section ids of the WebAssembly binary format that wasmslim reads or
// writes (https://webassembly.github.io/spec/core/binary/modules.html).
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secMemory    = 5
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
)

var wasmHeader = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// errMalformed is the error of every module wasmslim cannot parse.
var errMalformed = errors.New("malformed WebAssembly module")

// section is one section of a module, its payload as stored.
type section struct {
	id      byte
	payload []byte
}

// segment is one active data segment of memory 0 at a constant offset.
type segment struct {
	offset uint32
	data   []byte
}

// reader reads the binary format's LEB128 integers and byte runs, failing
// with errMalformed instead of panicking on a short or overlong input.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errMalformed, what)
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// u32 reads an unsigned LEB128 integer, which is the encoding of Go's
// binary.Uvarint, limited to 32 bits as every count and size in the format is.
func (r *reader) u32() uint32 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > 1<<32-1 {
		r.fail("bad unsigned integer")
		return 0
	}
	r.b = r.b[n:]
	return uint32(v)
}

// s32 reads a signed LEB128 integer of at most 32 bits.
func (r *reader) s32() int32 {
	var v int64
	var shift uint
	for i := 0; i < 5; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if c&0x40 != 0 {
				v |= -1 << shift
			}
			if v < -1<<31 || v > 1<<31-1 {
				r.fail("signed integer out of range")
				return 0
			}
			return int32(v)
		}
	}
	r.fail("signed integer too long")
	return 0
}

func (r *reader) bytes(n uint32) []byte {
	if uint64(n) > uint64(len(r.b)) {
		r.fail("length past the end")
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

// parseSections splits a module into its sections.
func parseSections(module []byte) ([]section, error) {
	if len(module) < len(wasmHeader) || string(module[:len(wasmHeader)]) != string(wasmHeader) {
		return nil, fmt.Errorf("%w: not a version 1 WebAssembly binary", errMalformed)
	}
	r := &reader{b: module[len(wasmHeader):]}
	var secs []section
	for len(r.b) > 0 && r.err == nil {
		id := r.byte()
		payload := r.bytes(r.u32())
		secs = append(secs, section{id: id, payload: payload})
	}
	return secs, r.err
}

// appendSection appends a section with its id and size.
func appendSection(dst []byte, id byte, payload []byte) []byte {
	dst = append(dst, id)
	dst = binary.AppendUvarint(dst, uint64(len(payload)))
	return append(dst, payload...)
}

// appendS32 appends v as a signed LEB128 integer.
func appendS32(dst []byte, v int32) []byte {
	x := int64(v)
	for {
		c := byte(x & 0x7f)
		x >>= 7
		if (x == 0 && c&0x40 == 0) || (x == -1 && c&0x40 != 0) {
			return append(dst, c)
		}
		dst = append(dst, c|0x80)
	}
}

// parseData reads a data section made only of active segments for memory 0
// with an i32.const offset, which is what the Go linker and wasm-opt write.
func parseData(payload []byte) ([]segment, error) {
	r := &reader{b: payload}
	n := r.u32()
	segs := make([]segment, 0, min(n, uint32(len(payload))))
	for i := uint32(0); i < n && r.err == nil; i++ {
		if flag := r.u32(); flag != 0 {
			return nil, fmt.Errorf("data segment %d is not an active segment of memory 0 (flag %d)", i, flag)
		}
		if op := r.byte(); op != 0x41 { // i32.const
			return nil, fmt.Errorf("data segment %d: offset is not an i32.const", i)
		}
		off := r.s32()
		if end := r.byte(); end != 0x0b {
			return nil, fmt.Errorf("data segment %d: offset is not a single constant", i)
		}
		data := r.bytes(r.u32())
		segs = append(segs, segment{offset: uint32(off), data: data})
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("bytes after the last data segment")
	}
	return segs, r.err
}

func encodeData(segs []segment) []byte {
	var out []byte
	out = binary.AppendUvarint(out, uint64(len(segs)))
	for _, s := range segs {
		out = append(out, 0x00, 0x41)
		out = appendS32(out, int32(s.offset))
		out = append(out, 0x0b)
		out = binary.AppendUvarint(out, uint64(len(s.data)))
		out = append(out, s.data...)
	}
	return out
}

// countImportedFunctions reads how many of the module's imports are
// functions: they come first in the function index space.
func countImportedFunctions(payload []byte) (uint32, error) {
	r := &reader{b: payload}
	n := r.u32()
	var funcs uint32
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.bytes(r.u32()) // module name
		r.bytes(r.u32()) // field name
		switch kind := r.byte(); kind {
		case 0x00: // function: type index
			r.u32()
			funcs++
		case 0x01: // table: reference type, limits
			r.byte()
			readLimits(r)
		case 0x02: // memory: limits
			readLimits(r)
		case 0x03: // global: value type, mutability
			r.byte()
			r.byte()
		case 0x04: // tag: attribute, type index
			r.byte()
			r.u32()
		default:
			r.fail(fmt.Sprintf("import of unknown kind %d", kind))
		}
	}
	return funcs, r.err
}

func readLimits(r *reader) {
	flags := r.byte()
	r.u32()
	if flags&1 != 0 {
		r.u32()
	}
}

// vecLen reads the element count at the start of a vector section.
func vecLen(payload []byte) (uint32, error) {
	r := &reader{b: payload}
	n := r.u32()
	return n, r.err
}

// appendToVec returns a vector section's payload with one more element.
func appendToVec(payload []byte, elem []byte) ([]byte, uint32, error) {
	r := &reader{b: payload}
	n := r.u32()
	if r.err != nil {
		return nil, 0, r.err
	}
	out := binary.AppendUvarint(nil, uint64(n)+1)
	out = append(out, r.b...)
	return append(out, elem...), n, nil
}

// findVoidType returns the index of a () -> () function type in a type
// section, or -1.
func findVoidType(payload []byte) (int, error) {
	r := &reader{b: payload}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		if form := r.byte(); form != 0x60 {
			return -1, fmt.Errorf("type %d is not a function type (form %#x)", i, form)
		}
		params := readValueTypes(r)
		results := readValueTypes(r)
		if r.err != nil {
			return -1, r.err
		}
		if params == 0 && results == 0 {
			return int(i), nil
		}
	}
	return -1, r.err
}

// readValueTypes reads a result type: a vector of one-byte value types
// (numbers, vectors, and the two abstract references; the typed references
// of later proposals would need more, and Go does not use them).
func readValueTypes(r *reader) uint32 {
	n := r.u32()
	for _, t := range r.bytes(n) {
		switch t {
		case 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
		default:
			r.fail(fmt.Sprintf("value type %#x", t))
		}
	}
	return n
}
