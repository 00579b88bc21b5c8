// Package psl answers public-suffix questions from the same list that
// golang.org/x/net/publicsuffix compiles in, without linking that package.
//
// Why not import golang.org/x/net/publicsuffix directly: it declares a
// net/http/cookiejar.PublicSuffixList, and net/http's initialisers would
// then run in core.wasm, adding about 4.5 MB and most of the start-up time.
// So `go generate` (gen.go) reads x/net's compiled table once, writes the
// rules out as text (../../suffixes/public_suffix_list.txt.gz, in the order
// and syntax of public_suffix_list.dat), and this package implements the
// public suffix algorithm over that text, which the caller hands to [Parse]
// (core.wasm does not embed it: the extension ships it beside the core). A native test compares it with
// golang.org/x/net/publicsuffix on every rule and on derived names, so the
// two cannot drift apart silently.
//
// Call [Parse], then [List.PublicSuffix] or [List.Site].
package psl

//go:generate go run gen.go
