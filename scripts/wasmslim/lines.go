package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Dropping what only tracebacks read (-lines=false, -inlining=false).
//
// Go's runtime keeps, for every function, tables mapping program counters to
// the stack pointer's offset and to the GC's stack maps (which the program
// needs), and to the source file and line and to the calls inlined there
// (which only tracebacks, runtime.Caller and runtime.Callers read). The
// tables live in one region of the pclntab, the pctab, and each function's
// _func record names its tables by offset into it; the inlined calls
// themselves (the inline tree: name, caller and line of each) are funcdata,
// in the go:func region, named by offset from the record too.
//
// dropTraceTables rewrites the pctab with only the tables the program
// needs, packed from where the first one started, and sets each function's
// file and line offsets to 0 and, without inlining, its inline-tree index
// table to 0 and its inline tree to ^0: the runtime reads each as "none".
// A traceback then names every function it passes through and the offset
// in it, with "?:0" for the file and line, and without inlining the
// functions inlined into it are not named. The freed bytes are zeros, which
// no data segment needs to write.
//
// Nothing else in memory refers to the pctab or the inline trees but the
// _func records and the moduledata's slices (whose lengths are kept, so the
// runtime's bounds are unchanged).

// The pclntab layout of Go 1.20 and later (runtime/symtab.go,
// runtime/runtime2.go, internal/abi/symtab.go) on a 64-bit target.
const (
	pcHeaderMagic = 0xfffffff1
	pcHeaderSize  = 72 // magic, pads, minLC, ptrSize, nfunc, nfiles, unused, five offsets
	funcSize      = 44 // _func up to and including nfuncdata
	maxPCData     = 16 // far more than the runtime's five kinds

	pcdataInlTreeIndex = 2 // abi.PCDATA_InlTreeIndex
	funcdataInlTree    = 3 // abi.FUNCDATA_InlTree
	inlinedCallSize    = 16
	noFuncdata         = ^uint32(0)

	// Offsets in the moduledata of findfunctab and gofunc.
	mdFindFuncTab = 8 + 6*24
	mdEnd         = 272
	mdGoFunc      = 320
)

// Offsets of _func's fields.
const (
	funcEntryOff = 0
	funcPCSP     = 16
	funcPCFile   = 20
	funcPCLn     = 24
	funcNPCData  = 28
	funcNFuncDat = 43
)

// errNoPCLnTab means no pclntab of a layout this tool knows was found.
var errNoPCLnTab = errors.New("no Go pclntab of a known layout in the module's data")

// TraceReport says what dropTraceTables changed.
type TraceReport struct {
	Functions   int
	TablesKept  int
	TablesFreed int
	BytesFreed  int // of the pctab, now zero
	InlineTrees int // dropped with their bytes, InlineBytes
	InlineBytes int
}

// pclntab locates the parts of a module's pclntab in its memory image.
type pclntab struct {
	nfunc             int
	pctab, pctabLen   uint64
	pcln, pclnLen     uint64   // the functab, then the _func records
	funcs             []uint64 // address of each _func
	gofunc, gofuncEnd uint64   // the funcdata region, up to the find-function table
	end               uint64   // of the program's data and bss: where the heap starts
}

// findPCLnTab finds the pcHeader in image and the moduledata that points at
// it, and checks that every offset they hold lies where it should.
func findPCLnTab(image []byte) (*pclntab, error) {
	u64 := func(at uint64) uint64 { return binary.LittleEndian.Uint64(image[at:]) }
	var found []*pclntab
	for h := uint64(0); h+pcHeaderSize <= uint64(len(image)); h += 8 {
		if binary.LittleEndian.Uint32(image[h:]) != pcHeaderMagic || image[h+4] != 0 || image[h+5] != 0 || image[h+6] != 1 || image[h+7] != 8 {
			continue
		}
		t, err := readPCLnTab(image, h, u64)
		if err == nil {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("%w (%d candidates)", errNoPCLnTab, len(found))
	}
	return found[0], nil
}

func readPCLnTab(image []byte, h uint64, u64 func(uint64) uint64) (*pclntab, error) {
	size := uint64(len(image))
	nfunc := u64(h + 8)
	if nfunc == 0 || nfunc > 1<<20 {
		return nil, errNoPCLnTab
	}
	off := func(k uint64) uint64 { return u64(h + 32 + 8*k) }
	funcname, cu, file, pctab, pcln := off(0), off(1), off(2), off(3), off(4)
	if !(pcHeaderSize <= funcname && funcname <= cu && cu <= file && file <= pctab && pctab <= pcln && h+pcln < size) {
		return nil, errNoPCLnTab
	}
	// The moduledata: pcHeader, then the slices funcnametab, cutab, filetab,
	// pctab, pclntable and ftab, each {ptr, len, cap}.
	var md uint64
	for a := uint64(0); a+8*19 <= size; a += 8 {
		if u64(a) != h {
			continue
		}
		slice := func(k uint64) (ptr, n uint64) { return u64(a + 8 + 24*k), u64(a + 8 + 24*k + 8) }
		ok := true
		for k, want := range []uint64{funcname, cu, file, pctab, pcln, pcln} {
			if p, _ := slice(uint64(k)); p != h+want {
				ok = false
			}
		}
		if _, n := slice(5); n != nfunc+1 {
			ok = false
		}
		if ok {
			if md != 0 {
				return nil, errNoPCLnTab // two moduledatas: not a layout known here
			}
			md = a
		}
	}
	if md == 0 {
		return nil, errNoPCLnTab
	}
	t := &pclntab{nfunc: int(nfunc), gofunc: u64(md + mdGoFunc), gofuncEnd: u64(md + mdFindFuncTab), end: u64(md + mdEnd)}
	t.pctab, t.pctabLen = h+pctab, u64(md+8+24*3+8)
	t.pcln, t.pclnLen = h+pcln, u64(md+8+24*4+8)
	// (Compared by subtraction: a hostile length must not wrap around.)
	if t.pctabLen > t.pcln-t.pctab || t.pclnLen > size-t.pcln || (nfunc+1)*8 > t.pclnLen {
		return nil, errNoPCLnTab
	}
	if t.gofunc < t.pcln+t.pclnLen || t.gofuncEnd < t.gofunc || t.gofuncEnd > size {
		return nil, fmt.Errorf("%w: the funcdata region is not after the function records", errNoPCLnTab)
	}
	if t.end < size || t.end > maxImage {
		return nil, fmt.Errorf("%w: the program's data ends at %#x, inside what its segments write", errNoPCLnTab, t.end)
	}
	functab := func(i, k int) uint32 { return binary.LittleEndian.Uint32(image[t.pcln+8*uint64(i)+4*uint64(k):]) }
	for i := 0; i < int(nfunc); i++ {
		entry, fo := functab(i, 0), uint64(functab(i, 1))
		if i > 0 && entry < functab(i-1, 0) {
			return nil, fmt.Errorf("%w: functab entries out of order", errNoPCLnTab)
		}
		f := t.pcln + fo
		if fo < (nfunc+1)*8 || f+funcSize > t.pcln+t.pclnLen || binary.LittleEndian.Uint32(image[f+funcEntryOff:]) != entry {
			return nil, fmt.Errorf("%w: function %d's record is not where its functab entry says", errNoPCLnTab, i)
		}
		npc := uint64(binary.LittleEndian.Uint32(image[f+funcNPCData:]))
		nfd := uint64(image[f+funcNFuncDat])
		if npc > maxPCData || f+funcSize+4*(npc+nfd) > t.pcln+t.pclnLen {
			return nil, fmt.Errorf("%w: function %d has %d pcdata tables", errNoPCLnTab, i, npc)
		}
		t.funcs = append(t.funcs, f)
	}
	return t, nil
}

// tableLen answers the length of the pc-value table at off in pctab: pairs of
// varints (value delta, pc delta) ended by a zero value delta after the
// first pair, the ending byte included.
func tableLen(pctab []byte, off uint32) (int, error) {
	p := int(off)
	for first := true; ; first = false {
		if p >= len(pctab) {
			return 0, fmt.Errorf("%w: a pc-value table at %d runs past the pctab", errNoPCLnTab, off)
		}
		v, n := binary.Uvarint(pctab[p:])
		if n <= 0 || v > 1<<32 {
			return 0, fmt.Errorf("%w: a bad varint in the pc-value table at %d", errNoPCLnTab, off)
		}
		p += n
		if v == 0 && !first {
			return p - int(off), nil
		}
		if _, n = binary.Uvarint(pctab[p:]); n <= 0 {
			return 0, fmt.Errorf("%w: a bad varint in the pc-value table at %d", errNoPCLnTab, off)
		}
		p += n
	}
}

// dropTraceTables answers a copy of image without every function's file
// and line tables and, unless keepInlining, its inline tree and index, and
// the address ranges it rewrote (the pctab, the _func records, and each
// inline tree dropped).
func dropTraceTables(image []byte, keepInlining bool) ([]byte, [][2]uint64, TraceReport, error) {
	var rep TraceReport
	t, err := findPCLnTab(image)
	if err != nil {
		return nil, nil, rep, err
	}
	rep.Functions = t.nfunc
	pctab := image[t.pctab : t.pctab+t.pctabLen]
	u32 := func(at uint64) uint32 { return binary.LittleEndian.Uint32(image[at:]) }
	pcdataAt := func(f uint64, j uint32) uint64 { return f + funcSize + 4*uint64(j) }
	funcdataAt := func(f uint64, k uint32) uint64 { return f + funcSize + 4*uint64(u32(f+funcNPCData)) + 4*uint64(k) }
	dropsIndex := func(f uint64, j uint32) bool {
		return !keepInlining && j == pcdataInlTreeIndex && image[f+funcNFuncDat] > funcdataInlTree && u32(funcdataAt(f, funcdataInlTree)) != noFuncdata
	}

	// Every table by offset and length: those a function needs, and those
	// dropped. Inline trees dropped, by offset from gofunc: as many entries
	// as the largest index their index tables name.
	lengths := map[uint32]int{} // every table
	needed := map[uint32]bool{}
	trees := map[uint32]int{}
	var keptFuncdata []uint32
	for _, f := range t.funcs {
		table := func(o uint32, need bool) error {
			if o == 0 {
				return nil
			}
			n, err := tableLen(pctab, o)
			lengths[o] = n
			needed[o] = needed[o] || need
			return err
		}
		if err := table(u32(f+funcPCSP), true); err != nil {
			return nil, nil, rep, err
		}
		for _, field := range []uint64{funcPCFile, funcPCLn} {
			if err := table(u32(f+field), false); err != nil {
				return nil, nil, rep, err
			}
		}
		for j := uint32(0); j < u32(f+funcNPCData); j++ {
			drops := dropsIndex(f, j)
			if drops {
				o := u32(pcdataAt(f, j))
				tree := u32(funcdataAt(f, funcdataInlTree))
				if o != 0 {
					top, err := maxValue(pctab, o)
					if err != nil {
						return nil, nil, rep, err
					}
					trees[tree] = max(trees[tree], int(top+1)*inlinedCallSize)
				}
			}
			if err := table(u32(pcdataAt(f, j)), !drops); err != nil {
				return nil, nil, rep, err
			}
		}
		for k := uint32(0); k < uint32(image[f+funcNFuncDat]); k++ {
			o := u32(funcdataAt(f, k))
			if o == noFuncdata || (k == funcdataInlTree && !keepInlining) {
				continue
			}
			keptFuncdata = append(keptFuncdata, o)
		}
	}
	if len(needed) == 0 || !slices.Contains(slices.Collect(maps.Values(needed)), false) {
		return nil, nil, rep, fmt.Errorf("%w: no tables to drop", errNoPCLnTab)
	}
	// Tables are laid out one after another; none may overlap another
	// (identical tables share one offset).
	all := slices.Sorted(maps.Keys(lengths))
	for i := 1; i < len(all); i++ {
		if uint64(all[i-1])+uint64(lengths[all[i-1]]) > uint64(all[i]) {
			return nil, nil, rep, fmt.Errorf("%w: pc-value tables at %d and %d overlap", errNoPCLnTab, all[i-1], all[i])
		}
	}
	// An inline tree dropped must lie in the funcdata region and hold no
	// funcdata that is kept.
	treeAt := slices.Sorted(maps.Keys(trees))
	for _, o := range treeAt {
		if uint64(o)+uint64(trees[o]) > t.gofuncEnd-t.gofunc {
			return nil, nil, rep, fmt.Errorf("%w: an inline tree at %d runs past the funcdata region", errNoPCLnTab, o)
		}
	}
	for _, k := range keptFuncdata {
		i, _ := slices.BinarySearch(treeAt, k+1) // the first tree after k
		if i > 0 && uint64(k) < uint64(treeAt[i-1])+uint64(trees[treeAt[i-1]]) {
			return nil, nil, rep, fmt.Errorf("%w: funcdata at %d lies in an inline tree", errNoPCLnTab, k)
		}
	}

	// Pack the needed tables from the first table's offset on, in their
	// old order.
	out := slices.Clone(image)
	newPC := out[t.pctab : t.pctab+t.pctabLen]
	at := all[0]
	clear(newPC[at:])
	moved := map[uint32]uint32{}
	for _, o := range all {
		if !needed[o] {
			rep.TablesFreed++
			continue
		}
		n := lengths[o]
		copy(newPC[at:], pctab[o:int(o)+n])
		moved[o] = at
		at += uint32(n)
		rep.TablesKept++
	}
	rep.BytesFreed = len(pctab) - int(at)
	ranges := [][2]uint64{{t.pctab, t.pctab + t.pctabLen}, {t.pcln, t.pcln + t.pclnLen}}
	for _, o := range treeAt {
		a := t.gofunc + uint64(o)
		clear(out[a : a+uint64(trees[o])])
		ranges = append(ranges, [2]uint64{a, a + uint64(trees[o])})
		rep.InlineTrees++
		rep.InlineBytes += trees[o]
	}
	for _, f := range t.funcs {
		put := func(at uint64, v uint32) { binary.LittleEndian.PutUint32(out[at:], v) }
		if o := u32(f + funcPCSP); o != 0 {
			put(f+funcPCSP, moved[o])
		}
		for j := uint32(0); j < u32(f+funcNPCData); j++ {
			switch o := u32(pcdataAt(f, j)); {
			case dropsIndex(f, j):
				put(pcdataAt(f, j), 0)
			case o != 0:
				put(pcdataAt(f, j), moved[o])
			}
		}
		if !keepInlining && image[f+funcNFuncDat] > funcdataInlTree {
			put(funcdataAt(f, funcdataInlTree), noFuncdata)
		}
		put(f+funcPCFile, 0)
		put(f+funcPCLn, 0)
	}
	return out, ranges, rep, nil
}

// maxValue answers the largest value the pc-value table at off takes.
func maxValue(pctab []byte, off uint32) (int32, error) {
	if _, err := tableLen(pctab, off); err != nil {
		return 0, err
	}
	val, top := int32(-1), int32(-1)
	p := int(off)
	for first := true; ; first = false {
		uv, n := binary.Uvarint(pctab[p:])
		p += n
		if uv == 0 && !first {
			return top, nil
		}
		val += int32(-(uint32(uv) & 1) ^ (uint32(uv) >> 1))
		top = max(top, val)
		_, n = binary.Uvarint(pctab[p:])
		p += n
	}
}

// cut answers segs without the bytes in [lo, hi): a segment across an end
// of the range keeps its part outside.
func cut(segs []segment, lo, hi uint64) []segment {
	var out []segment
	for _, s := range segs {
		start, end := uint64(s.offset), uint64(s.offset)+uint64(len(s.data))
		if end <= lo || start >= hi {
			out = append(out, s)
			continue
		}
		if start < lo {
			out = append(out, segment{offset: s.offset, data: s.data[:lo-start]})
		}
		if end > hi {
			out = append(out, segment{offset: uint32(hi), data: s.data[hi-start:]})
		}
	}
	return out
}
