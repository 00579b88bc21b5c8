package kernelgen

// KernelSIMD returns the kernel module built with WebAssembly's 128-bit
// SIMD: its compression holds a BlaMka round's 16 words as eight i64x2
// vectors and does two G functions at once. It has the same exports and
// layout as Kernel's; only compress differs.
func KernelSIMD() []byte { return build(compressSIMD()) }

// compressSIMD is compressScalar with vectors: the same function of the
// same memory.
func compressSIMD() *fn {
	f := newFn([]byte{i32, i32, i32, i32}, nil)
	const dst, x, y, xor = 0, 1, 2, 3
	// V[j] holds words 2j and 2j+1 of a row, or words 2c+16j and 2c+16j+1
	// of column c.
	var V [8]uint32
	for i := range V {
		V[i] = f.local(v128)
	}
	tmp := f.local(v128)
	px, py, pd, pt := f.local(i32), f.local(i32), f.local(i32), f.local(i32)
	add := func(l uint32, n int32) { f.get(l); f.i32Const(n); f.i32Add(); f.set(l) }

	// Rows: row r is 128 contiguous bytes, loaded as R = X ⊕ Y.
	f.get(x)
	f.set(px)
	f.get(y)
	f.set(py)
	f.i32Const(scratchT)
	f.set(pt)
	f.loop()
	for j := range V {
		f.get(px)
		f.v128Load(uint32(16 * j))
		f.get(py)
		f.v128Load(uint32(16 * j))
		f.v128Xor()
		f.set(V[j])
	}
	roundSIMD(f, V, tmp)
	for j := range V {
		f.get(pt)
		f.get(V[j])
		f.v128Store(uint32(16 * j))
	}
	add(px, 128)
	add(py, 128)
	add(pt, 128)
	f.get(pt)
	f.i32Const(scratchT + blockSize)
	f.i32LtU()
	f.brIf(0)
	f.end()

	// Columns: column c's pairs are 16 bytes at 16c + 128j; the final XOR
	// with R and, after the first pass, with dst is folded in.
	f.get(x)
	f.set(px)
	f.get(y)
	f.set(py)
	f.get(dst)
	f.set(pd)
	f.i32Const(scratchT)
	f.set(pt)
	f.loop()
	for j := range V {
		f.get(pt)
		f.v128Load(uint32(128 * j))
		f.set(V[j])
	}
	roundSIMD(f, V, tmp)
	// store writes P(R) ⊕ R to dst, XORed into what dst holds when withDst.
	store := func(withDst bool) {
		for j := range V {
			off := uint32(128 * j)
			f.get(pd)
			if withDst {
				f.get(pd)
				f.v128Load(off)
			}
			f.get(px)
			f.v128Load(off)
			if withDst {
				f.v128Xor()
			}
			f.get(py)
			f.v128Load(off)
			f.v128Xor()
			f.get(V[j])
			f.v128Xor()
			f.v128Store(off)
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

// roundSIMD is round on vectors. With v0…v15 the 4×4 matrix of words and
// V[j] = (v2j, v2j+1), the column step is G on (V0, V2, V4, V6) and
// (V1, V3, V5, V7). The diagonal step needs b = (v5, v6), (v7, v4) and
// d = (v15, v12), (v13, v14): the halves are exchanged between V2 and V3
// and between V6 and V7 before, and back after; c is V5 and V4 as they are.
func roundSIMD(f *fn, V [8]uint32, tmp uint32) {
	gSIMD(f, V[0], V[2], V[4], V[6], tmp)
	gSIMD(f, V[1], V[3], V[5], V[7], tmp)
	// (V2, V3) ← (V2.hi V3.lo, V3.hi V2.lo); (V6, V7) ← (V7.hi V6.lo, V6.hi V7.lo)
	exchange(f, V[2], V[3], tmp, false)
	exchange(f, V[6], V[7], tmp, true)
	gSIMD(f, V[0], V[2], V[5], V[6], tmp)
	gSIMD(f, V[1], V[3], V[4], V[7], tmp)
	// Back: (V2, V3) ← (V3.hi V2.lo, V2.hi V3.lo); (V6, V7) ← (V6.hi V7.lo, V7.hi V6.lo)
	exchange(f, V[2], V[3], tmp, true)
	exchange(f, V[6], V[7], tmp, false)
}

// hiLo is the shuffle (a.hi, b.lo) of two i64x2 vectors a and b.
var hiLo = [16]byte{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}

// exchange sets (p, q) to (p.hi q.lo, q.hi p.lo), or when swap is true to
// (q.hi p.lo, p.hi q.lo).
func exchange(f *fn, p, q, tmp uint32, swap bool) {
	first, second := p, q
	if swap {
		first, second = q, p
	}
	f.get(first)
	f.get(second)
	f.i8x16Shuffle(hiLo)
	f.set(tmp)
	f.get(second)
	f.get(first)
	f.i8x16Shuffle(hiLo)
	f.set(q)
	f.get(tmp)
	f.set(p)
}

// gSIMD is g on both lanes of four vectors.
func gSIMD(f *fn, a, b, c, d, tmp uint32) {
	fBlaMkaSIMD(f, a, b)
	xorRotrSIMD(f, d, a, 32)
	fBlaMkaSIMD(f, c, d)
	xorRotrSIMD(f, b, c, 24)
	fBlaMkaSIMD(f, a, b)
	xorRotrSIMD(f, d, a, 16)
	fBlaMkaSIMD(f, c, d)
	xorRotrSIMD(f, b, c, 63)
}

// lo32 gathers the low 32 bits of both i64 lanes into i32 lanes 0 and 1,
// where i64x2.extmul_low_i32x4_u multiplies them into full 64-bit products.
// (Masking and i64x2.mul would do a 64×64-bit multiply, which x86 has no
// instruction for.)
var lo32 = [16]byte{0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}

// fBlaMkaSIMD sets x to x + y + 2·lo(x)·lo(y) in each lane.
func fBlaMkaSIMD(f *fn, x, y uint32) {
	f.get(x)
	f.get(y)
	f.i64x2Add()
	f.get(x)
	f.get(x)
	f.i8x16Shuffle(lo32)
	f.get(y)
	f.get(y)
	f.i8x16Shuffle(lo32)
	f.i64x2ExtMulLowI32x4U()
	f.i32Const(1)
	f.i64x2Shl()
	f.i64x2Add()
	f.set(x)
}

// rotations by whole bytes are shuffles: byte k of the result is byte
// k+n/8 (mod 8) of the same lane.
func rotrBytes(n int) [16]byte {
	var s [16]byte
	for k := range s {
		s[k] = byte(k&^7 + (k+n/8)&7)
	}
	return s
}

// xorRotrSIMD sets d to (d ⊕ a) rotated right by n bits in each lane.
func xorRotrSIMD(f *fn, d, a uint32, n int) {
	f.get(d)
	f.get(a)
	f.v128Xor()
	f.tee(d)
	f.get(d)
	if n%8 == 0 {
		f.i8x16Shuffle(rotrBytes(n))
		f.set(d)
		return
	}
	// n = 63: a rotation left by one, (d + d) | d >> 63.
	if n != 63 {
		panic("kernelgen: unsupported rotation")
	}
	f.i64x2Add()
	f.get(d)
	f.i32Const(63)
	f.i64x2ShrU()
	f.v128Or()
	f.set(d)
}
