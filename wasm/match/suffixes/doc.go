// Package suffixes ships the public suffix list the matcher reads (written
// by ../internal/psl/gen.go from golang.org/x/net/publicsuffix's table).
//
// It is kept out of package match so that core.wasm does not carry it: the
// extension ships the same file beside core.wasm, and the bridge asks
// JavaScript for it the first time a match needs it. Native programs and
// the tests read it from here:
//
//	l, err := match.ParseSuffixList(suffixes.Rules())
//	match.UseSuffixList(l)
package suffixes
