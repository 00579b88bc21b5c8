package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	target := flag.String("target", "", "build target: chrome or firefox")
	in := flag.String("in", "manifest.json", "root manifest to read")
	out := flag.String("out", "", "manifest to write (default: standard output)")
	flag.Parse()

	if err := run(Target(*target), *in, *out); err != nil {
		fmt.Fprintf(os.Stderr, "manifest: %v\n", err)
		os.Exit(1)
	}
}

func run(target Target, in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	dst, err := Transform(src, target)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if out == "" {
		_, err = os.Stdout.Write(dst)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, dst, 0o644)
}
