// Package weburl splits absolute URLs and reads IP addresses the way
// net/url and net/netip do, for the core's few needs: the origin autofill
// matches on, the host a list row shows, the query of an otpauth:// link.
//
// It exists because of what those two packages cost core.wasm, which every
// wake of the extension's service worker reads and starts: about 170 KB of
// code and tables between them, with net/netip's package initialisation
// (interning through package unique) run at every start, and net/url's
// error strings pulling formatting in. Nothing here allocates at start.
//
// It is held to the standard library's answers, not merely modelled on
// them: weburl_test.go parses a corpus of ordinary and hostile URLs and
// addresses with both and requires the same fields and the same refusals,
// and FuzzParse keeps doing so on whatever the fuzzer finds. Where the two
// could differ, weburl refuses: a bracketed IPv6 host with a zone ("%25…")
// is an error here (net/url accepts it; the core has no use for one).
package weburl
