//go:build !js

package bridge

import (
	"watchword/wasm/match"
	"watchword/wasm/match/goidna"
)

// Natively there is no browser to map internationalised host names:
// goidna, the same mapping in Go, stands in (under GOOS=js, Register
// installs the browser's).
func init() { match.UseHostToASCII(goidna.ToASCII) }
