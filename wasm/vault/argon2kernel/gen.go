//go:build ignore

// gen writes kernel.wasm and kernel_simd.wasm, the output of
// kernelgen.Kernel and kernelgen.KernelSIMD. Run it with go generate;
// TestKernelIsGenerated fails when a committed file is stale.
package main

import (
	"log"
	"os"

	"watchword/wasm/vault/argon2kernel/internal/kernelgen"
)

func main() {
	for name, b := range map[string][]byte{
		"kernel.wasm":      kernelgen.Kernel(),
		"kernel_simd.wasm": kernelgen.KernelSIMD(),
	} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
