// Package strength estimates password strength with zxcvbn (the Go port
// github.com/ccojocar/zxcvbn-go) for the strength meter of package policy.
// Put an [Estimator] in a policy.Context:
//
//	res := policy.Check(policy.Master(), pw, policy.Context{Email: email, Estimator: strength.Estimator{}})
//	meter := res.Strength // score 0–4, guesses, crack time, warnings, suggestions
//
// It is a package of its own because of what zxcvbn costs. Measured with
// Go 1.26 under GOOS=js GOARCH=wasm: it adds 1.1–1.4 MB to a wasm binary
// (0.54–0.62 MB gzipped), and its package initialisers, which decode its
// dictionaries from JSON and build maps of them, took 0.7–0.95 s and 18 MB of
// allocations at start-up under Node (GODEBUG=inittrace=1), whether or not a
// password is ever estimated. Only binaries that import this package pay
// that.
//
// Known limits of zxcvbn-go: its brute-force part counts bytes, not
// characters, so passwords in non-Latin scripts are rated stronger than they
// are; it does not recognise repeated groups ("abcabc") or dates as the
// JavaScript zxcvbn does.
//
// zxcvbn-go gives a score and an entropy but no feedback; the warnings and
// suggestions here follow zxcvbn's feedback rules, computed from the
// patterns zxcvbn-go matched.
package strength
