package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// exitNoTable is the exit status when the module has no table to rewrite:
// build.sh then ships the module as wasm-opt left it, with a warning.
const exitNoTable = 3

func main() {
	in := flag.String("in", "", "module to read")
	out := flag.String("out", "", "module to write (may be the same file)")
	lines := flag.Bool("lines", true, "keep the tables of source files and lines that tracebacks print")
	inlining := flag.Bool("inlining", true, "with -lines=false, keep the inline trees tracebacks name inlined calls from")
	packFlag := flag.Bool("pack", false, "store the data compressed, for the start function to unpack")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: wasmslim [-lines=false [-inlining=false]] [-pack] -in module.wasm -out module.wasm")
		os.Exit(2)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmslim: %v\n", err)
		os.Exit(1)
	}
	dst, rep, err := Slim(src, Options{DropLines: !*lines, DropInlining: !*lines && !*inlining, Pack: *packFlag})
	if errors.Is(err, errNoPCLnTab) {
		// Another Go version's layout: ship the tables rather than guess.
		fmt.Fprintf(os.Stderr, "wasmslim: %s: %v; its line tables are kept and its data is not packed\n", *in, err)
		dst, rep, err = Slim(src, Options{})
	}
	if errors.Is(err, errNoTable) {
		fmt.Fprintf(os.Stderr, "wasmslim: %s: %v; left as it is\n", *in, err)
		os.Exit(exitNoTable)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmslim: %s: %v\n", *in, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, dst, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "wasmslim: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "wasmslim: %s: %d → %d bytes; %d data segments → %d; a %d-bucket find-function table at %#x is written at start\n",
		*out, rep.BytesBefore, rep.BytesAfter, rep.SegmentsBefore, rep.SegmentsAfter, rep.TableBuckets, rep.TableOffset)
	if tr := rep.Trace; tr != nil {
		fmt.Fprintf(os.Stderr, "wasmslim: %s: traceback tables of %d functions dropped: %d of the pctab's tables kept, %d dropped (%d bytes); %d inline trees dropped (%d bytes)\n",
			*out, tr.Functions, tr.TablesKept, tr.TablesFreed, tr.BytesFreed, tr.InlineTrees, tr.InlineBytes)
	}
	if pr := rep.Pack; pr != nil {
		fmt.Fprintf(os.Stderr, "wasmslim: %s: data packed: %d bytes of segments for a %d-byte image → a %d-byte stream, unpacked at start (%d pages)\n",
			*out, pr.Segments, pr.Image, pr.Stream, pr.Pages)
	}
}
