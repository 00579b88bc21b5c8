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
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: wasmslim -in module.wasm -out module.wasm")
		os.Exit(2)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmslim: %v\n", err)
		os.Exit(1)
	}
	dst, rep, err := Slim(src)
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
}
