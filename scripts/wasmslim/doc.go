// Command wasmslim shrinks a WebAssembly module built by the Go toolchain
// without changing what its memory holds when it starts.
//
// Go's linker keeps a find-function table in the module's data: one 20-byte
// bucket per 4096 program-counter values, each holding the index of the
// function that starts there (a little-endian uint32) and sixteen sub-bucket
// offsets. On WebAssembly a program counter is the function's number times
// 65536, so the table has sixteen buckets per function, the index in bucket k
// is k/16, and almost every other byte is zero. The linker writes it as one
// data segment per bucket (the zero runs between them are skipped), which
// costs about ten bytes of segment header and payload per bucket: for
// core.wasm's 3,200 functions, 50,000 segments and half a megabyte of the
// file, for a table that follows from a single number.
//
// wasmslim finds that run (any region where the uint32 at every 20th byte is
// its bucket number divided by 16), drops the data segments that lie wholly
// inside it, and adds a start function that writes the indices back. A
// WebAssembly start function runs during instantiation, after the data
// segments are copied in and before any export (Go's run) can be called, so
// the program sees the same memory. Bytes of the table that the loop does not
// reproduce (the rare non-zero sub-bucket) are kept as data segments of their
// own. Before writing anything, wasmslim replays the new module's data
// segments and loop over an empty memory and compares the result with the
// original's, byte for byte; any difference, or a module it does not
// understand (a start function already, passive data segments, offsets that
// are not constants), is an error and the module is left as it was.
//
//	go run ./scripts/wasmslim -in dist/core.wasm -out dist/core.wasm
//
// It runs after wasm-opt, which leaves the table's segments as they are.
//
// With -lines=false it also drops what only tracebacks read: the tables
// mapping each function's program counters to source files and lines, and
// with -inlining=false the inline trees, which name the calls inlined into
// a function (together 0.33 MB of core.wasm, 0.15 MB of its gzip). This
// changes memory, on purpose and in two places (see lines.go): the
// pclntab's pctab is packed with the tables the program needs (stack-
// pointer offsets, stack maps), each function's record points at them anew
// and says it has no file, line or inlining tables, which the runtime
// answers with "?:0" and no inlined frames; the inline trees themselves are
// zeroed. Every other byte is checked to be as it was, and the tables kept
// to decode as they did. A traceback still names every function it passes
// through and the offset in it; the code is unchanged, so a build with the
// tables (the default) reads the same offsets as the same lines. A pclntab
// of a layout it does not know (another Go version's) is reported, and the
// tables are kept.
//
// With -pack it stores the whole data image compressed, in one data segment
// just above the program's data, and the start function unpacks it into
// place and zeroes the compressed copy before Go's runtime starts (see
// pack.go): for core.wasm, 0.74 MB of segments become a 0.32 MB stream, for
// about 2 ms more at instantiation. The memory the program starts with is
// the same, byte for byte; wasmslim checks that with its own decoder before
// writing the module, and its tests run the start function in Node.
package main
