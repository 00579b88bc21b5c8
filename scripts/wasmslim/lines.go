package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Dropping the line tables (-lines=false).
//
// Go's runtime keeps, for every function, tables mapping program counters to
// the stack pointer's offset and to the GC's stack maps (which the program
// needs), and to the source file and line (which only tracebacks and
// runtime.Caller read). All of them live in one region of the pclntab, the
// pctab, and each function's _func record names its tables by offset into
// it. dropLines rewrites the pctab with only the tables the program needs,
// packed from where the first one started, and sets each function's file and
// line offsets to 0, which the runtime reads as "no table": a traceback then
// names every function and its offset, with "?:0" for the file and line. The
// freed end of the pctab is zeros, which no data segment needs to write.
//
// Nothing else in memory refers to the pctab but the _func records and the
// moduledata's slice of it (whose length is kept, so the runtime's bounds
// are unchanged).

// The pclntab layout of Go 1.20 and later (runtime/symtab.go and
// runtime/runtime2.go) on a 64-bit target.
const (
	pcHeaderMagic = 0xfffffff1
	pcHeaderSize  = 72 // magic, pads, minLC, ptrSize, nfunc, nfiles, unused, five offsets
	funcSize      = 44 // _func up to and including nfuncdata
	maxPCData     = 16 // far more than the runtime's four kinds
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

// LinesReport says what dropLines changed.
type LinesReport struct {
	Functions   int
	TablesKept  int
	TablesFreed int
	BytesFreed  int // of the pctab, now zero
}

// pclntab locates the parts of a module's pclntab in its memory image.
type pclntab struct {
	nfunc           int
	pctab, pctabLen uint64
	pcln, pclnLen   uint64   // the functab, then the _func records
	funcs           []uint64 // address of each _func
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
	t := &pclntab{nfunc: int(nfunc)}
	t.pctab, t.pctabLen = h+pctab, u64(md+8+24*3+8)
	t.pcln, t.pclnLen = h+pcln, u64(md+8+24*4+8)
	// (Compared by subtraction: a hostile length must not wrap around.)
	if t.pctabLen > t.pcln-t.pctab || t.pclnLen > size-t.pcln || (nfunc+1)*8 > t.pclnLen {
		return nil, errNoPCLnTab
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

// dropLines answers a copy of image whose pctab holds only the tables the
// program needs, with every function's file and line tables gone, and the
// two address ranges it rewrote (the pctab, and the _func records).
func dropLines(image []byte) ([]byte, [2][2]uint64, LinesReport, error) {
	var rep LinesReport
	var ranges [2][2]uint64
	t, err := findPCLnTab(image)
	if err != nil {
		return nil, ranges, rep, err
	}
	rep.Functions = t.nfunc
	pctab := image[t.pctab : t.pctab+t.pctabLen]

	// Every table a function needs, by offset, and its length.
	need := map[uint32]int{}
	lines := map[uint32]int{}
	for _, f := range t.funcs {
		offs := []uint32{binary.LittleEndian.Uint32(image[f+funcPCSP:])}
		npc := binary.LittleEndian.Uint32(image[f+funcNPCData:])
		for j := uint32(0); j < npc; j++ {
			offs = append(offs, binary.LittleEndian.Uint32(image[f+funcSize+4*uint64(j):]))
		}
		for _, o := range offs {
			if o == 0 {
				continue
			}
			n, err := tableLen(pctab, o)
			if err != nil {
				return nil, ranges, rep, err
			}
			need[o] = n
		}
		for _, at := range []uint64{funcPCFile, funcPCLn} {
			if o := binary.LittleEndian.Uint32(image[f+at:]); o != 0 {
				n, err := tableLen(pctab, o)
				if err != nil {
					return nil, ranges, rep, err
				}
				lines[o] = n
			}
		}
	}
	if len(need) == 0 || len(lines) == 0 {
		return nil, ranges, rep, fmt.Errorf("%w: no line tables to drop", errNoPCLnTab)
	}
	// Tables are laid out one after another; none may overlap another
	// (identical tables share one offset).
	all := slices.Sorted(func(yield func(uint32) bool) {
		for o := range need {
			if !yield(o) {
				return
			}
		}
		for o := range lines {
			if _, ok := need[o]; !ok && !yield(o) {
				return
			}
		}
	})
	for i := 1; i < len(all); i++ {
		prev := all[i-1]
		n := need[prev]
		if _, ok := need[prev]; !ok {
			n = lines[prev]
		}
		if uint64(prev)+uint64(n) > uint64(all[i]) {
			return nil, ranges, rep, fmt.Errorf("%w: pc-value tables at %d and %d overlap", errNoPCLnTab, prev, all[i])
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
		n, ok := need[o]
		if !ok {
			rep.TablesFreed++
			continue
		}
		copy(newPC[at:], pctab[o:int(o)+n])
		moved[o] = at
		at += uint32(n)
		rep.TablesKept++
	}
	rep.BytesFreed = len(pctab) - int(at)
	for _, f := range t.funcs {
		rec := out[f:]
		put := func(field uint64) {
			if o := binary.LittleEndian.Uint32(rec[field:]); o != 0 {
				binary.LittleEndian.PutUint32(rec[field:], moved[o])
			}
		}
		put(funcPCSP)
		npc := binary.LittleEndian.Uint32(rec[funcNPCData:])
		for j := uint32(0); j < npc; j++ {
			put(funcSize + 4*uint64(j))
		}
		binary.LittleEndian.PutUint32(rec[funcPCFile:], 0)
		binary.LittleEndian.PutUint32(rec[funcPCLn:], 0)
	}
	ranges = [2][2]uint64{{t.pctab, t.pctab + t.pctabLen}, {t.pcln, t.pcln + t.pclnLen}}
	return out, ranges, rep, nil
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
