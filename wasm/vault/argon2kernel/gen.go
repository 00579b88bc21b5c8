//go:build ignore

// gen writes kernel.wasm, the output of kernelgen.Kernel. Run it with go
// generate; TestKernelIsGenerated fails when the committed file is stale.
package main

import (
	"log"
	"os"

	"watchword/wasm/vault/argon2kernel/internal/kernelgen"
)

func main() {
	if err := os.WriteFile("kernel.wasm", kernelgen.Kernel(), 0o644); err != nil {
		log.Fatal(err)
	}
}
