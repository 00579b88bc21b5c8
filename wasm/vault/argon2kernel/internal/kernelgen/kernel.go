package kernelgen

// Memory layout of the kernel, in bytes. The first page holds the kernel's
// scratch blocks, so the caller's blocks start at Base and no scratch write
// can land in them.
const (
	scratchT    = 0x0000 // the compression's intermediate block (after the rows)
	scratchAddr = 0x0400 // the current Argon2i address block
	scratchIn   = 0x0800 // the address generator's input block
	scratchZero = 0x0c00 // all zero, never written
	// Base is where block 0 of lane 0 starts.
	Base = 0x1000

	blockSize = 1024
	pageSize  = 65536
	syncs     = 4 // slices per pass
)

// Function indices, in the order Kernel adds them.
const (
	fnCompress = iota
	fnAddresses
	fnSegment
	fnFill
	fnReserve
)

// Kernel returns the kernel module: the scalar build, whose compression
// keeps the 16 words of a BlaMka round in i64 locals.
func Kernel() []byte { return build(compressScalar()) }

// build assembles a kernel around compress, the only function in which the
// builds differ; it must be function fnCompress.
func build(compress *fn) []byte {
	m := &module{minPages: 1}
	m.add(compress)
	m.add(addresses())
	m.add(segment())
	m.exportFunc("fill", m.add(fill()))
	m.exportFunc("reserve", m.add(reserve()))
	m.exportMemory("memory")
	return m.bytes()
}

// compressScalar is compress(dst, x, y, xor i32): with R = X ⊕ Y and P the
// BlaMka permutation applied to the rows and then the columns of R, it sets
// dst to P(R) ⊕ R, or, when xor is not zero, XORs P(R) ⊕ R into dst (RFC
// 9106 §3.5, and §3.1.2 for passes after the first). dst may be x or y: each
// word of dst is written only after the same words of x and y were read.
func compressScalar() *fn {
	f := newFn([]byte{i32, i32, i32, i32}, nil)
	const dst, x, y, xor = 0, 1, 2, 3
	var v [16]uint32
	for i := range v {
		v[i] = f.local(i64)
	}
	px, py, pd, pt := f.local(i32), f.local(i32), f.local(i32), f.local(i32)
	add := func(l uint32, n int32) { f.get(l); f.i32Const(n); f.i32Add(); f.set(l) }

	// Rows: word k of row r is word 16r+k; R is formed as it is loaded and
	// P(rows) goes to scratchT.
	f.get(x)
	f.set(px)
	f.get(y)
	f.set(py)
	f.i32Const(scratchT)
	f.set(pt)
	f.loop()
	for k := range v {
		f.get(px)
		f.i64Load(uint32(8 * k))
		f.get(py)
		f.i64Load(uint32(8 * k))
		f.i64Xor()
		f.set(v[k])
	}
	round(f, v)
	for k := range v {
		f.get(pt)
		f.get(v[k])
		f.i64Store(uint32(8 * k))
	}
	add(px, 128)
	add(py, 128)
	add(pt, 128)
	f.get(pt)
	f.i32Const(scratchT + blockSize)
	f.i32LtU()
	f.brIf(0)
	f.end()

	// Columns: word j of column c is word 2c + 16(j/2) + j%2. The final
	// XOR with R (recomputed from x and y, cheaper than storing it) is
	// folded in, so P(R) is never stored whole.
	colOff := func(j int) uint32 { return uint32(128*(j/2) + 8*(j%2)) }
	f.get(x)
	f.set(px)
	f.get(y)
	f.set(py)
	f.get(dst)
	f.set(pd)
	f.i32Const(scratchT)
	f.set(pt)
	f.loop()
	for j := range v {
		f.get(pt)
		f.i64Load(colOff(j))
		f.set(v[j])
	}
	round(f, v)
	// store writes P(R) ⊕ R to dst, XORed into what dst holds when withDst.
	store := func(withDst bool) {
		for j := range v {
			f.get(pd)
			if withDst {
				f.get(pd)
				f.i64Load(colOff(j))
			}
			f.get(px)
			f.i64Load(colOff(j))
			if withDst {
				f.i64Xor()
			}
			f.get(py)
			f.i64Load(colOff(j))
			f.i64Xor()
			f.get(v[j])
			f.i64Xor()
			f.i64Store(colOff(j))
		}
	}
	f.get(xor)
	f.if_()
	store(true)
	f.else_()
	store(false)
	f.end()
	add(px, 16)
	add(py, 16)
	add(pd, 16)
	add(pt, 16)
	f.get(pt)
	f.i32Const(scratchT + 128)
	f.i32LtU()
	f.brIf(0)
	f.end()
	return f
}

// round is the BlaMka round P on the 16 words in v (RFC 9106 §3.6): G on
// the columns of the 4×4 matrix, then on its diagonals.
func round(f *fn, v [16]uint32) {
	g(f, v[0], v[4], v[8], v[12])
	g(f, v[1], v[5], v[9], v[13])
	g(f, v[2], v[6], v[10], v[14])
	g(f, v[3], v[7], v[11], v[15])
	g(f, v[0], v[5], v[10], v[15])
	g(f, v[1], v[6], v[11], v[12])
	g(f, v[2], v[7], v[8], v[13])
	g(f, v[3], v[4], v[9], v[14])
}

// g is the BlaMka G function on four i64 locals.
func g(f *fn, a, b, c, d uint32) {
	fBlaMka(f, a, b)
	xorRotr(f, d, a, 32)
	fBlaMka(f, c, d)
	xorRotr(f, b, c, 24)
	fBlaMka(f, a, b)
	xorRotr(f, d, a, 16)
	fBlaMka(f, c, d)
	xorRotr(f, b, c, 63)
}

// fBlaMka sets x to x + y + 2·lo(x)·lo(y) mod 2⁶⁴, lo being the low 32
// bits: the multiplication is what makes BlaMka harder to speed up in
// hardware than BLAKE2b's plain addition.
func fBlaMka(f *fn, x, y uint32) {
	lo := func(l uint32) { f.get(l); f.i32WrapI64(); f.i64ExtendI32U() }
	f.get(x)
	f.get(y)
	f.i64Add()
	lo(x)
	lo(y)
	f.i64Mul()
	f.i64Const(1)
	f.i64Shl()
	f.i64Add()
	f.set(x)
}

// xorRotr sets d to (d ⊕ a) rotated right by n bits.
func xorRotr(f *fn, d, a uint32, n int64) {
	f.get(d)
	f.get(a)
	f.i64Xor()
	f.i64Const(n)
	f.i64Rotr()
	f.set(d)
}

// addresses is addresses(): it increments the counter (word 6) of the input
// block and sets the address block to G(0, G(0, input)) (RFC 9106 §3.4.1.2).
func addresses() *fn {
	f := newFn(nil, nil)
	f.i32Const(0)
	f.i32Const(0)
	f.i64Load(scratchIn + 6*8)
	f.i64Const(1)
	f.i64Add()
	f.i64Store(scratchIn + 6*8)
	for _, src := range []int32{scratchIn, scratchAddr} {
		f.i32Const(scratchAddr)
		f.i32Const(scratchZero)
		f.i32Const(src)
		f.i32Const(0)
		f.call(fnCompress)
	}
	return f
}

// segment is segment(pass, slice, lane, lanes, laneLength, passes): it
// fills one segment of one lane (RFC 9106 §3.4), choosing each reference
// block as x/crypto's indexAlpha and phi do.
func segment() *fn {
	f := newFn([]byte{i32, i32, i32, i32, i32, i32}, nil)
	const pass, slice, lane, lanes, laneLength, passes = 0, 1, 2, 3, 4, 5
	segLen, indep := f.local(i32), f.local(i32)
	index, offset, prev := f.local(i32), f.local(i32), f.local(i32)
	refLane, m, s, ref := f.local(i32), f.local(i32), f.local(i32), f.local(i32)
	rand, p := f.local(i64), f.local(i64)

	// firstSlice pushes pass == 0 && slice == 0.
	firstSlice := func() { f.get(pass); f.get(slice); f.i32Or(); f.i32Eqz() }
	storeIn := func(word uint32, push func()) {
		f.i32Const(0)
		push()
		f.i64Store(scratchIn + 8*word)
	}
	u64 := func(l uint32) func() { return func() { f.get(l); f.i64ExtendI32U() } }

	f.get(laneLength)
	f.i32Const(2)
	f.i32ShrU()
	f.set(segLen)

	// Argon2id is data-independent (Argon2i) for the first half of the
	// first pass only.
	f.get(pass)
	f.i32Eqz()
	f.get(slice)
	f.i32Const(syncs / 2)
	f.i32LtU()
	f.i32And()
	f.tee(indep)
	f.if_()
	storeIn(0, u64(pass))
	storeIn(1, u64(lane))
	storeIn(2, u64(slice))
	storeIn(3, func() { f.get(lanes); f.get(laneLength); f.i32Mul(); f.i64ExtendI32U() })
	storeIn(4, u64(passes))
	storeIn(5, func() { f.i64Const(2) }) // type: Argon2id
	storeIn(6, func() { f.i64Const(0) }) // counter, incremented before use
	f.end()

	// Blocks 0 and 1 of each lane come from the caller.
	f.i32Const(0)
	f.set(index)
	firstSlice()
	f.if_()
	f.i32Const(2)
	f.set(index)
	f.call(fnAddresses) // indep is true in this slice
	f.end()

	f.get(lane)
	f.get(laneLength)
	f.i32Mul()
	f.get(slice)
	f.get(segLen)
	f.i32Mul()
	f.i32Add()
	f.get(index)
	f.i32Add()
	f.set(offset)

	f.block()
	f.loop()
	f.get(index)
	f.get(segLen)
	f.i32GeU()
	f.brIf(1)

	// The previous block; the first block of a lane follows its last.
	f.get(offset)
	f.i32Const(1)
	f.i32Sub()
	f.set(prev)
	f.get(index)
	f.get(slice)
	f.i32Or()
	f.i32Eqz()
	f.if_()
	f.get(prev)
	f.get(laneLength)
	f.i32Add()
	f.set(prev)
	f.end()

	// The pseudo-random word: from the address block (a new one every 128
	// blocks), or the first word of the previous block.
	f.get(indep)
	f.if_()
	f.get(index)
	f.i32Const(127)
	f.i32And()
	f.i32Eqz()
	f.if_()
	f.call(fnAddresses)
	f.end()
	f.get(index)
	f.i32Const(127)
	f.i32And()
	f.i32Const(3)
	f.i32Shl()
	f.i64Load(scratchAddr)
	f.set(rand)
	f.else_()
	f.get(prev)
	f.i32Const(10)
	f.i32Shl()
	f.i64Load(Base)
	f.set(rand)
	f.end()

	// The reference lane: J2 mod lanes, except in the very first slice.
	f.get(rand)
	f.i64Const(32)
	f.i64ShrU()
	f.i32WrapI64()
	f.get(lanes)
	f.i32RemU()
	f.set(refLane)
	firstSlice()
	f.if_()
	f.get(lane)
	f.set(refLane)
	f.end()

	// The reference area: m blocks ending before the current one, starting
	// at s (RFC 9106 §3.4.2).
	sameLane := func() { f.get(lane); f.get(refLane); f.i32Eq() }
	addIndex := func() { f.get(m); f.get(index); f.i32Add(); f.set(m) }
	f.get(pass)
	f.i32Eqz()
	f.if_()
	f.get(slice)
	f.get(segLen)
	f.i32Mul()
	f.set(m)
	f.i32Const(0)
	f.set(s)
	f.get(slice)
	f.i32Eqz()
	sameLane()
	f.i32Or()
	f.if_()
	addIndex()
	f.end()
	f.else_()
	f.get(segLen)
	f.i32Const(3)
	f.i32Mul()
	f.set(m)
	f.get(slice)
	f.i32Const(1)
	f.i32Add()
	f.i32Const(syncs - 1)
	f.i32And()
	f.get(segLen)
	f.i32Mul()
	f.set(s)
	sameLane()
	f.if_()
	addIndex()
	f.end()
	f.end()
	// The block just before the current one is excluded when it is in
	// the area (same lane), and so is the last block of the previous
	// segment of another lane when this is a segment's first block.
	f.get(index)
	f.i32Eqz()
	sameLane()
	f.i32Or()
	f.if_()
	f.get(m)
	f.i32Const(1)
	f.i32Sub()
	f.set(m)
	f.end()

	// φ: the position in the area, from J1, biased towards recent blocks.
	f.get(rand)
	f.i32WrapI64()
	f.i64ExtendI32U()
	f.tee(p)
	f.get(p)
	f.i64Mul()
	f.i64Const(32)
	f.i64ShrU()
	f.get(m)
	f.i64ExtendI32U()
	f.i64Mul()
	f.i64Const(32)
	f.i64ShrU()
	f.set(p)
	// ref = refLane·laneLength + (s + m − (p+1)) mod laneLength
	f.get(refLane)
	f.get(laneLength)
	f.i32Mul()
	f.get(s)
	f.i64ExtendI32U()
	f.get(m)
	f.i64ExtendI32U()
	f.i64Add()
	f.get(p)
	f.i64Const(1)
	f.i64Add()
	f.i64Sub()
	f.get(laneLength)
	f.i64ExtendI32U()
	f.i64RemU()
	f.i32WrapI64()
	f.i32Add()
	f.set(ref)

	// B[offset] = G(B[prev], B[ref]), XORed into the old block after the
	// first pass (Argon2 v1.3).
	blockAddr := func(l uint32) { f.get(l); f.i32Const(10); f.i32Shl(); f.i32Const(Base); f.i32Add() }
	blockAddr(offset)
	blockAddr(prev)
	blockAddr(ref)
	f.get(pass)
	f.i32Const(0)
	f.i32Ne()
	f.call(fnCompress)

	f.get(index)
	f.i32Const(1)
	f.i32Add()
	f.set(index)
	f.get(offset)
	f.i32Const(1)
	f.i32Add()
	f.set(offset)
	f.br(0)
	f.end()
	f.end()
	return f
}

// fill is fill(lanes, laneLength, passes i32) → i32: every pass, slice and
// lane in order, after checking the parameters and that memory holds all
// the blocks. It returns 0, or −1 (having written nothing) when a
// parameter is out of range.
func fill() *fn {
	f := newFn([]byte{i32, i32, i32}, []byte{i32})
	const lanes, laneLength, passes = 0, 1, 2
	n, slice, lane := f.local(i32), f.local(i32), f.local(i32)

	fail := func() { f.if_(); f.i32Const(-1); f.return_(); f.end() }
	f.get(lanes)
	f.i32Eqz()
	fail()
	f.get(passes)
	f.i32Eqz()
	fail()
	// A lane is four segments of at least two blocks.
	f.get(laneLength)
	f.i32Const(2 * syncs)
	f.i32LtU()
	f.get(laneLength)
	f.i32Const(syncs - 1)
	f.i32And()
	f.i32Or()
	fail()
	// lanes·laneLength > (memory size − Base)/1024, in 64 bits, where
	// the product of two u32 cannot overflow (shifting it could).
	f.get(lanes)
	f.i64ExtendI32U()
	f.get(laneLength)
	f.i64ExtendI32U()
	f.i64Mul()
	f.memorySize()
	f.i64ExtendI32U()
	f.i64Const(16)
	f.i64Shl()
	f.i64Const(Base)
	f.i64Sub()
	f.i64Const(10)
	f.i64ShrU()
	f.i64GtU()
	fail()

	// The words of the address input block after the counter and the zero
	// block must be zero, and the caller may have written anything below
	// Base: clear them (they are contiguous) rather than trust them.
	f.i32Const(scratchIn + 7*8)
	f.set(n)
	f.loop()
	f.get(n)
	f.i64Const(0)
	f.i64Store(0)
	f.get(n)
	f.i32Const(8)
	f.i32Add()
	f.tee(n)
	f.i32Const(Base)
	f.i32LtU()
	f.brIf(0)
	f.end()

	loopUpTo := func(counter uint32, limit func(), body func()) {
		f.i32Const(0)
		f.set(counter)
		f.loop()
		body()
		f.get(counter)
		f.i32Const(1)
		f.i32Add()
		f.tee(counter)
		limit()
		f.i32LtU()
		f.brIf(0)
		f.end()
	}
	loopUpTo(n, func() { f.get(passes) }, func() {
		loopUpTo(slice, func() { f.i32Const(syncs) }, func() {
			loopUpTo(lane, func() { f.get(lanes) }, func() {
				for _, l := range []uint32{n, slice, lane, lanes, laneLength, passes} {
					f.get(l)
				}
				f.call(fnSegment)
			})
		})
	})
	f.i32Const(0)
	return f
}

// reserve is reserve(lanes, laneLength i32) → i32: it grows memory, if
// needed, to hold Base + lanes·laneLength·1024 bytes and returns Base, or
// −1 when that is more than 4 GiB or the memory cannot grow.
func reserve() *fn {
	f := newFn([]byte{i32, i32}, []byte{i32})
	const lanes, laneLength = 0, 1
	need, pages := f.local(i64), f.local(i32)

	// More blocks than fit in 4 GiB above Base? (The product of two u32
	// cannot overflow an i64; the byte count could.)
	f.get(lanes)
	f.i64ExtendI32U()
	f.get(laneLength)
	f.i64ExtendI32U()
	f.i64Mul()
	f.tee(need)
	f.i64Const((1<<32 - Base) / blockSize)
	f.i64GtU()
	f.if_()
	f.i32Const(-1)
	f.return_()
	f.end()
	f.get(need)
	f.i64Const(10)
	f.i64Shl()
	f.i64Const(Base)
	f.i64Add()
	f.set(need)

	f.get(need)
	f.i64Const(pageSize - 1)
	f.i64Add()
	f.i64Const(16)
	f.i64ShrU()
	f.i32WrapI64()
	f.tee(pages)
	f.memorySize()
	f.i32GtU()
	f.if_()
	f.get(pages)
	f.memorySize()
	f.i32Sub()
	f.memoryGrow()
	f.i32Const(-1)
	f.i32Eq()
	f.if_()
	f.i32Const(-1)
	f.return_()
	f.end()
	f.end()
	f.i32Const(Base)
	return f
}
