package kernelgen

// A minimal WebAssembly binary encoder: just the sections, types and
// instructions the kernel needs (WebAssembly Core Specification 2.0, §5).

// Value types.
const (
	i32  byte = 0x7f
	i64  byte = 0x7e
	v128 byte = 0x7b
)

// Section ids.
const (
	secType     = 1
	secFunction = 3
	secMemory   = 5
	secExport   = 7
	secCode     = 10
)

// Export kinds.
const (
	exportFunc   = 0x00
	exportMemory = 0x02
)

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7 // arithmetic: keeps the sign
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendName(b []byte, s string) []byte {
	b = appendULEB(b, uint64(len(s)))
	return append(b, s...)
}

func appendVec(b []byte, items ...[]byte) []byte {
	b = appendULEB(b, uint64(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func appendSection(b []byte, id byte, body []byte) []byte {
	b = append(b, id)
	b = appendULEB(b, uint64(len(body)))
	return append(b, body...)
}

// module is a module with one memory, no imports, and functions in index
// order.
type module struct {
	funcs   []*fn
	exports [][]byte
	// minPages is the memory's initial size in 64 KiB pages; it has no
	// maximum.
	minPages uint32
}

func (m *module) add(f *fn) uint32 {
	m.funcs = append(m.funcs, f)
	return uint32(len(m.funcs) - 1)
}

func (m *module) exportFunc(name string, idx uint32) {
	e := appendName(nil, name)
	e = append(e, exportFunc)
	m.exports = append(m.exports, appendULEB(e, uint64(idx)))
}

func (m *module) exportMemory(name string) {
	e := appendName(nil, name)
	m.exports = append(m.exports, append(e, exportMemory, 0))
}

func (m *module) bytes() []byte {
	b := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

	// One type per function: simpler than deduplicating, and a few bytes
	// is all it costs.
	var types, funcs, codes [][]byte
	for i, f := range m.funcs {
		t := []byte{0x60}
		t = appendVec(t, singles(f.params)...)
		t = appendVec(t, singles(f.results)...)
		types = append(types, t)
		funcs = append(funcs, appendULEB(nil, uint64(i)))
		codes = append(codes, f.body())
	}
	b = appendSection(b, secType, appendVec(nil, types...))
	b = appendSection(b, secFunction, appendVec(nil, funcs...))
	mem := appendULEB([]byte{0x00}, uint64(m.minPages)) // limits: min only
	b = appendSection(b, secMemory, appendVec(nil, mem))
	b = appendSection(b, secExport, appendVec(nil, m.exports...))
	b = appendSection(b, secCode, appendVec(nil, codes...))
	return b
}

func singles(ts []byte) [][]byte {
	out := make([][]byte, len(ts))
	for i, t := range ts {
		out[i] = []byte{t}
	}
	return out
}

// fn is a function being assembled. Its locals are numbered after its
// parameters, in the order local allocated them.
type fn struct {
	params, results []byte
	locals          []byte
	code            []byte
}

func newFn(params, results []byte) *fn {
	return &fn{params: params, results: results}
}

// local declares a new local of type t and returns its index.
func (f *fn) local(t byte) uint32 {
	f.locals = append(f.locals, t)
	return uint32(len(f.params) + len(f.locals) - 1)
}

func (f *fn) body() []byte {
	// Locals are declared as runs of one type.
	var decls [][]byte
	for i := 0; i < len(f.locals); {
		j := i
		for j < len(f.locals) && f.locals[j] == f.locals[i] {
			j++
		}
		decls = append(decls, append(appendULEB(nil, uint64(j-i)), f.locals[i]))
		i = j
	}
	b := appendVec(nil, decls...)
	b = append(b, f.code...)
	b = append(b, 0x0b) // end
	return append(appendULEB(nil, uint64(len(b))), b...)
}

// Instructions. Each method appends one instruction; the names follow the
// text format with dots dropped (i64.add → i64Add) so the kernel reads like
// the WebAssembly it emits.

func (f *fn) op(b ...byte) { f.code = append(f.code, b...) }

// Control. Blocks have no parameters or results (block type 0x40).
func (f *fn) block()            { f.op(0x02, 0x40) }
func (f *fn) loop()             { f.op(0x03, 0x40) }
func (f *fn) if_()              { f.op(0x04, 0x40) }
func (f *fn) else_()            { f.op(0x05) }
func (f *fn) end()              { f.op(0x0b) }
func (f *fn) br(depth uint32)   { f.code = appendULEB(append(f.code, 0x0c), uint64(depth)) }
func (f *fn) brIf(depth uint32) { f.code = appendULEB(append(f.code, 0x0d), uint64(depth)) }
func (f *fn) return_()          { f.op(0x0f) }
func (f *fn) call(idx uint32)   { f.code = appendULEB(append(f.code, 0x10), uint64(idx)) }

// Variables.
func (f *fn) get(l uint32) { f.code = appendULEB(append(f.code, 0x20), uint64(l)) }
func (f *fn) set(l uint32) { f.code = appendULEB(append(f.code, 0x21), uint64(l)) }
func (f *fn) tee(l uint32) { f.code = appendULEB(append(f.code, 0x22), uint64(l)) }

// Memory. align is the log2 of the natural alignment; offset is added to
// the address on the stack.
func (f *fn) memarg(op byte, align, offset uint32) {
	f.code = append(f.code, op)
	f.code = appendULEB(f.code, uint64(align))
	f.code = appendULEB(f.code, uint64(offset))
}
func (f *fn) i64Load(offset uint32)  { f.memarg(0x29, 3, offset) }
func (f *fn) i64Store(offset uint32) { f.memarg(0x37, 3, offset) }
func (f *fn) memorySize()            { f.op(0x3f, 0x00) }
func (f *fn) memoryGrow()            { f.op(0x40, 0x00) }

// Constants.
func (f *fn) i32Const(v int32) { f.code = appendSLEB(append(f.code, 0x41), int64(v)) }
func (f *fn) i64Const(v int64) { f.code = appendSLEB(append(f.code, 0x42), v) }

// i32 arithmetic and comparisons (unsigned where it matters).
func (f *fn) i32Eqz()  { f.op(0x45) }
func (f *fn) i32Eq()   { f.op(0x46) }
func (f *fn) i32Ne()   { f.op(0x47) }
func (f *fn) i32LtU()  { f.op(0x49) }
func (f *fn) i32GeU()  { f.op(0x4f) }
func (f *fn) i32Add()  { f.op(0x6a) }
func (f *fn) i32Sub()  { f.op(0x6b) }
func (f *fn) i32Mul()  { f.op(0x6c) }
func (f *fn) i32RemU() { f.op(0x70) }
func (f *fn) i32And()  { f.op(0x71) }
func (f *fn) i32Or()   { f.op(0x72) }
func (f *fn) i32Shl()  { f.op(0x74) }
func (f *fn) i32ShrU() { f.op(0x76) }

// i64 arithmetic and comparisons.
func (f *fn) i64GtU()  { f.op(0x56) }
func (f *fn) i64Add()  { f.op(0x7c) }
func (f *fn) i64Sub()  { f.op(0x7d) }
func (f *fn) i64Mul()  { f.op(0x7e) }
func (f *fn) i64RemU() { f.op(0x82) }
func (f *fn) i64And()  { f.op(0x83) }
func (f *fn) i64Xor()  { f.op(0x85) }
func (f *fn) i64Shl()  { f.op(0x86) }
func (f *fn) i64ShrU() { f.op(0x88) }
func (f *fn) i64Rotr() { f.op(0x8a) }

// Conversions.
func (f *fn) i32WrapI64()    { f.op(0xa7) }
func (f *fn) i64ExtendI32U() { f.op(0xad) }

// SIMD (the 0xfd prefix, then the opcode as a LEB128 u32).
func (f *fn) simd(op uint32) { f.code = appendULEB(append(f.code, 0xfd), uint64(op)) }
func (f *fn) v128Load(offset uint32) {
	f.simd(0x00)
	f.code = appendULEB(appendULEB(f.code, 4), uint64(offset))
}
func (f *fn) v128Store(offset uint32) {
	f.simd(0x0b)
	f.code = appendULEB(appendULEB(f.code, 4), uint64(offset))
}

// i8x16Shuffle picks 16 bytes from the concatenation of the two operands
// (lanes 0–15 from the first, 16–31 from the second).
func (f *fn) i8x16Shuffle(lanes [16]byte) {
	f.simd(0x0d)
	f.op(lanes[:]...)
}
func (f *fn) v128And()              { f.simd(0x4e) }
func (f *fn) v128Or()               { f.simd(0x50) }
func (f *fn) v128Xor()              { f.simd(0x51) }
func (f *fn) i64x2Shl()             { f.simd(0xcb) }
func (f *fn) i64x2ShrU()            { f.simd(0xcd) }
func (f *fn) i64x2Add()             { f.simd(0xce) }
func (f *fn) i64x2Mul()             { f.simd(0xd5) }
func (f *fn) i64x2ExtMulLowI32x4U() { f.simd(0xde) }
func (f *fn) i32GtU()               { f.op(0x4b) }
