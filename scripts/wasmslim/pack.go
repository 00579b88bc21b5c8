package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Packing the data (-pack).
//
// Go's data segments hold the module's memory image as it is: type
// descriptors, strings, the pclntab and the stack maps, most of it 64-bit
// words whose upper bytes are zero, cut into segments wherever eight zero
// bytes meet. For core.wasm that is 0.8 MB of the file for 0.5 MB of
// non-zero bytes, and the image repeats itself a great deal (function
// records, type descriptors, names sharing package paths).
//
// With Pack, the image is stored compressed in a single data segment, in
// memory just above the program's data (from the moduledata's end, where the
// heap will start), and the start function decompresses it into place, then
// zeroes the compressed copy before Go's runtime, which takes fresh memory to
// be zero, can see it. Nothing else in the module changes, and the memory
// the program starts with is byte for byte the memory it started with
// before: Slim checks that with the reference decoder below before writing
// anything, and the tests check it by instantiating both modules in Node.
//
// The format is LZ77 with byte-aligned fields, after LZ4's, chosen for a
// decoder a few dozen instructions long that the engine runs once, in its
// baseline tier: a stream of tokens, each
//
//	a byte: L in its high four bits, M-4 in its low four
//	uvarint L-15, when the high bits are 15
//	L literal bytes
//	and unless the stream ends there:
//	uvarint M-19, when the low bits are 15
//	uvarint D
//
// where the literals are copied out, and then M bytes are copied from D
// bytes back in the output (the ranges may overlap: D < M repeats the last D
// bytes), or, when D is 0, M bytes are skipped: they are zero already. The
// uvarints are unsigned LEB128 of at most five bytes. The stream ends right
// after a token's literals, and the output must then be exactly full.

const (
	packMinMatch = 4   // shorter repeats cost about as much as their literals
	packZeroRun  = 8   // zero runs this long are skipped rather than matched
	packHashBits = 17  // of the four-byte hash heads
	packChain    = 256 // candidates tried per position; bounds build time
	maxUvarint   = 5   // bytes of an uvarint the start function reads (32 bits)
)

// errBadStream is the reference decoder's error for a stream that does not
// decode to exactly its output.
var errBadStream = errors.New("malformed packed data")

// pack compresses src in the format above.
func pack(src []byte) []byte {
	out := make([]byte, 0, len(src)/3)
	head := make([]int32, 1<<packHashBits)
	for i := range head {
		head[i] = -1
	}
	prev := make([]int32, len(src))
	hash := func(i int) uint32 {
		return (binary.LittleEndian.Uint32(src[i:]) * 2654435761) >> (32 - packHashBits)
	}
	insert := func(i int) {
		if i+4 <= len(src) {
			h := hash(i)
			prev[i], head[h] = head[h], int32(i)
		}
	}
	// best answers the repeat at i that saves the most bytes, and how many.
	best := func(i int) (m, d, gain int) {
		if i+4 > len(src) {
			return 0, 0, 0
		}
		c := head[hash(i)]
		for tries := 0; c >= 0 && tries < packChain; tries++ {
			n := 0
			for i+n < len(src) && src[int(c)+n] == src[i+n] {
				n++
			}
			if g := n - repeatCost(n, i-int(c)); n >= packMinMatch && g > gain {
				m, d, gain = n, i-int(c), g
			}
			c = prev[c]
		}
		return m, d, gain
	}
	lit := 0 // start of the literals not yet written
	// token writes the literals from lit to at, then the repeat (m, d);
	// m is 0 only for the last token, which ends the stream.
	token := func(at, m, d int) {
		l := at - lit
		out = append(out, byte(min(l, 15)<<4|min(max(m-packMinMatch, 0), 15)))
		if l >= 15 {
			out = binary.AppendUvarint(out, uint64(l-15))
		}
		out = append(out, src[lit:at]...)
		if m == 0 {
			return
		}
		if m-packMinMatch >= 15 {
			out = binary.AppendUvarint(out, uint64(m-packMinMatch-15))
		}
		out = binary.AppendUvarint(out, uint64(d))
	}
	for i := 0; i < len(src); {
		z := 0
		for i+z < len(src) && src[i+z] == 0 {
			z++
		}
		if z >= packZeroRun {
			token(i, z, 0)
			i += z
			lit = i
			continue
		}
		m, d, gain := best(i)
		if gain > 0 {
			// One position on may start a better repeat; then this byte is
			// a literal (the usual lazy step).
			if _, _, next := best(i + 1); next > gain+1 {
				insert(i)
				i++
				continue
			}
			token(i, m, d)
			for k := i; k < i+m; k++ {
				insert(k)
			}
			i += m
			lit = i
			continue
		}
		insert(i)
		i++
	}
	token(len(src), 0, 0)
	return out
}

// repeatCost is the bytes a repeat of m bytes from d back costs besides
// its share of a token byte.
func repeatCost(m, d int) int {
	c := uvarintLen(d)
	if m-packMinMatch >= 15 {
		c += uvarintLen(m - packMinMatch - 15)
	}
	return c
}

func uvarintLen(v int) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// unpack decodes stream into out, which it must fill exactly; it is the
// reference the start function's decoder is checked against, and refuses
// anything that decoder could not read within bounds.
func unpack(stream, out []byte) error {
	src, dst := 0, 0
	next := func() (int, error) {
		v, n := binary.Uvarint(stream[src:])
		if n <= 0 || n > maxUvarint || v > uint64(len(out)) {
			return 0, fmt.Errorf("%w: a bad length at %d", errBadStream, src)
		}
		src += n
		return int(v), nil
	}
	for {
		if src == len(stream) {
			return fmt.Errorf("%w: no token at %d", errBadStream, src)
		}
		t := stream[src]
		src++
		l, m := int(t>>4), int(t&15)+packMinMatch
		if l == 15 {
			more, err := next()
			if err != nil {
				return err
			}
			l += more
		}
		if l > len(stream)-src || l > len(out)-dst {
			return fmt.Errorf("%w: literals at %d run past the end", errBadStream, src)
		}
		dst += copy(out[dst:], stream[src:src+l])
		src += l
		if src == len(stream) {
			break
		}
		if m == 15+packMinMatch {
			more, err := next()
			if err != nil {
				return err
			}
			m += more
		}
		d, err := next()
		if err != nil {
			return err
		}
		if m > len(out)-dst || d > dst {
			return fmt.Errorf("%w: a repeat at %d reaches outside the output", errBadStream, src)
		}
		if d == 0 {
			clear(out[dst : dst+m])
		} else {
			for k := range m {
				out[dst+k] = out[dst+k-d]
			}
		}
		dst += m
	}
	if dst != len(out) {
		return fmt.Errorf("%w: %d bytes decoded for %d", errBadStream, dst, len(out))
	}
	return nil
}

// packed is where a packed image goes: decoded to [to, to+size), from a
// stream the data segment puts at from.
type packed struct {
	to, size uint32
	from     uint32 // the stream's address
	minPages uint32 // the initial memory the module must now declare
	stream   []byte
}

// n is the stream's length.
func (p *packed) n() uint32 { return uint32(len(p.stream)) }

// The start function's locals when it unpacks (all i32).
const (
	locK = iota // the find-function table loop's (see startBody)
	locAddr
	locSrc
	locEnd
	locDst
	locLit
	locLen
	locDist
	locShift
	locByte
	locToken
	locFrom
	numLocals
)

// WebAssembly opcodes the start function uses.
const (
	opBlock    = 0x02
	opLoop     = 0x03
	opIf       = 0x04
	opElse     = 0x05
	opEnd      = 0x0b
	opBr       = 0x0c
	opBrIf     = 0x0d
	opLocalGet = 0x20
	opLocalSet = 0x21
	opLocalTee = 0x22
	opI32Store = 0x36
	opLoad8U   = 0x2d
	opStore8   = 0x3a
	opI32Const = 0x41
	opI64Load  = 0x29
	opI64Store = 0x37
	opI64Const = 0x42
	opEqz      = 0x45
	opEq       = 0x46
	opGtS      = 0x4a
	opLeU      = 0x4d
	opGeU      = 0x4f
	opAdd      = 0x6a
	opSub      = 0x6b
	opAnd      = 0x71
	opOr       = 0x72
	opShl      = 0x74
	opShrU     = 0x76
	opPrefixFC = 0xfc
	subMemCopy = 0x0a
	subMemFill = 0x0b
	blockVoid  = 0x40
)

// asm appends WebAssembly instructions.
type asm []byte

func (a asm) op(b ...byte) asm       { return append(a, b...) }
func (a asm) get(l byte) asm         { return append(a, opLocalGet, l) }
func (a asm) set(l byte) asm         { return append(a, opLocalSet, l) }
func (a asm) tee(l byte) asm         { return append(a, opLocalTee, l) }
func (a asm) i32(v uint32) asm       { return appendS32(append(a, opI32Const), int32(v)) }
func (a asm) memCopy() asm           { return append(a, opPrefixFC, subMemCopy, 0, 0) }
func (a asm) memFill() asm           { return append(a, opPrefixFC, subMemFill, 0) }
func (a asm) load8() asm             { return append(a, opLoad8U, 0, 0) }
func (a asm) store8() asm            { return append(a, opStore8, 0, 0) }
func (a asm) addTo(l, by byte) asm   { return a.get(l).get(by).op(opAdd).set(l) }
func (a asm) incr(l byte, v int) asm { return a.get(l).i32(uint32(v)).op(opAdd).set(l) }

// uvarint reads an unsigned LEB128 at src into local v, advancing src.
func (a asm) uvarint(v byte) asm {
	a = a.i32(0).set(v).i32(0).set(locShift)
	a = a.op(opLoop, blockVoid)
	a = a.get(locSrc).load8().set(locByte).incr(locSrc, 1)
	a = a.get(v).get(locByte).i32(0x7f).op(opAnd).get(locShift).op(opShl).op(opOr).set(v)
	a = a.incr(locShift, 7)
	a = a.get(locByte).i32(0x80).op(opAnd).op(opBrIf, 0)
	return a.op(opEnd)
}

// unpackCode is the start function's decoder of p (the format above), then
// the zeroing of the stream's copy.
func unpackCode(p *packed) asm {
	var a asm
	a = a.i32(p.to).set(locDst).i32(p.from).set(locSrc).i32(p.from + p.n()).set(locEnd)
	a = a.op(opBlock, blockVoid, opLoop, blockVoid)
	a = a.get(locSrc).load8().set(locToken).incr(locSrc, 1)
	// Literals.
	a = a.get(locToken).i32(4).op(opShrU).set(locLit)
	a = a.get(locLit).i32(15).op(opEq, opIf, blockVoid).uvarint(locDist).addTo(locLit, locDist).op(opEnd)
	a = a.copyRun(locLit, locSrc, p.to+p.size)
	a = a.get(locSrc).get(locEnd).op(opGeU, opBrIf, 1) // the stream ends after literals
	// A repeat, or a zero run to skip.
	a = a.get(locToken).i32(15).op(opAnd).i32(packMinMatch).op(opAdd).set(locLen)
	a = a.get(locLen).i32(15+packMinMatch).op(opEq, opIf, blockVoid).uvarint(locDist).addTo(locLen, locDist).op(opEnd)
	a = a.uvarint(locDist)
	a = a.get(locDist).op(opIf, blockVoid)
	a = a.get(locDst).get(locDist).op(opSub).set(locFrom).copyRun(locLen, locFrom, p.to+p.size)
	// A zero run: the bytes are zero already, but for up to eight a wide
	// copy may have run over (see copyRun).
	a = a.op(opElse).get(locDst).op(opI64Const, 0).op(opI64Store, 3, 0).addTo(locDst, locLen).op(opEnd)
	a = a.op(opBr, 0, opEnd, opEnd)
	// The heap starts here: Go takes it to be zero.
	return a.i32(p.from).i32(0).i32(p.n()).memFill()
}

// copyRun copies n bytes from the address in local from to dst, advancing
// both and leaving n 0 or less. A run of 16 or more whose source ends before
// dst is one memory.copy. Shorter runs (most tokens') whose source is at
// least eight bytes back go eight bytes at a time, which may write up to
// eight bytes past the run (eight for an empty one): the next token writes
// them again, or, when it is a zero run, clears them. A wide copy is only
// taken when it ends eight bytes before the image does, so no write lands
// past the image. (Without that guard the last run would spill the zero
// bytes after the stream past the image, which is zero already: the guard is
// there so that the argument stays this short.) The rest, overlapping
// repeats, go byte by byte, as the format means.
func (a asm) copyRun(n, from byte, end uint32) asm {
	a = a.get(n).i32(16).op(opGeU).get(locDst).get(from).op(opSub).get(n).op(opGeU).op(opAnd, opIf, blockVoid)
	a = a.get(locDst).get(from).get(n).memCopy().addTo(locDst, n).addTo(from, n)
	a = a.op(opElse)
	a = a.get(locDst).get(from).op(opSub).i32(8).op(opGeU).get(locDst).get(n).op(opAdd).i32(end-8).op(opLeU).op(opAnd, opIf, blockVoid)
	a = a.op(opLoop, blockVoid)
	a = a.get(locDst).get(from).op(opI64Load, 3, 0).op(opI64Store, 3, 0).incr(locDst, 8).incr(from, 8)
	a = a.get(n).i32(8).op(opSub).tee(n).i32(0).op(opGtS, opBrIf, 0)
	a = a.op(opEnd).addTo(locDst, n).addTo(from, n) // n <= 0: back to the run's end
	a = a.op(opElse, opBlock, blockVoid, opLoop, blockVoid)
	a = a.get(n).op(opEqz, opBrIf, 1)
	a = a.get(locDst).get(from).load8().store8().incr(locDst, 1).incr(from, 1)
	a = a.get(n).i32(1).op(opSub).set(n).op(opBr, 0)
	return a.op(opEnd, opEnd, opEnd, opEnd)
}

// packImage compresses image (memory as the data segments leave it, before
// the start function) into a stream at from, the first aligned address at or
// after heapStart that leaves the slack the decoder needs. packData checks
// that the stream decodes back.
func packImage(image []byte, heapStart uint64, pages uint32) (*packed, error) {
	lo, hi := 0, len(image)
	for lo < hi && image[lo] == 0 {
		lo++
	}
	for hi > lo && image[hi-1] == 0 {
		hi--
	}
	if lo == hi {
		return nil, errors.New("no data to pack")
	}
	if heapStart < uint64(hi) {
		return nil, fmt.Errorf("the program's data ends at %#x, before its last initialised byte at %#x", heapStart, hi)
	}
	stream := pack(image[lo:hi])
	// Eight bytes clear of the image, which a zero run at its end clears;
	// eight past the stream, which the last wide copy of literals reads.
	from := (max(heapStart, uint64(hi)+8) + 7) &^ 7
	end := from + uint64(len(stream)) + 8
	if end > maxImage {
		return nil, fmt.Errorf("packed data would end at %#x, past %#x", end, maxImage)
	}
	p := &packed{to: uint32(lo), size: uint32(hi - lo), from: uint32(from), minPages: pages, stream: stream}
	if need := uint32((end + 0xffff) >> 16); need > pages {
		p.minPages = need
	}
	return p, nil
}
