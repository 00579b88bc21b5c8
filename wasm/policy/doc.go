// Package policy holds password policies as data, the checks that apply
// them, the common-password check, and the password and passphrase generator.
// It is pure Go: the server uses it to enforce the account-password policy
// and the extension (through the wasm bridge) to render a live checklist, so
// it builds natively and under GOOS=js GOARCH=wasm.
//
// Start with [Check] and a policy: [Account] (the account password, enforced
// by the server and published for clients) or [Master] (the master password,
// checked only on the device), or one decoded with [Parse] from what the
// server published:
//
//	res := policy.Check(policy.Account(), password, policy.Context{Email: email})
//	for _, r := range res.Rules { /* one checklist line: r.Label, r.Status */ }
//
// For a strength meter, put an [Estimator] in the [Context]; the
// zxcvbn-based one is strength.Estimator in the strength subpackage. It is a
// separate package because linking zxcvbn adds over 1 MB to a wasm binary
// and its dictionaries take the better part of a second to load at start-up.
// Without an Estimator, Check still checks every rule except min_strength.
// The not_common rule needs the common-password list in the Context:
// [ParseCommonList] reads it from package lists (native programs) or from
// the copy the extension ships (the wasm bridge loads it on first use, so
// core.wasm does not carry it); without one that rule is Unchecked.
//
// To make passwords, call [GeneratePassword], or make a [Generator] with the
// word list from [ParseWordlist] for passphrases, and
// [Generator.PasswordFor] to get one that passes a given policy.
//
// # Compatibility
//
// A policy is published by the server and checked by clients of other
// versions. Rule ids and kinds are stable strings. A client that meets a
// rule it cannot interpret (an unknown kind or class, or an unknown member)
// keeps it, reports it as [Unchecked], and never counts it as passed:
// [Result.OK] is false, and [Result.Err] says [api.CodeUnsupported]. The UI
// shows such a rule's label, says it is checked on submit, and lets the
// server, which knows the rule, be the judge. Silently passing it would let
// an old client promise a password the server will refuse.
//
// # Security
//
// The generator reads crypto/rand and picks every character and word by
// rejection sampling, so no choice is more likely than another (see
// [Generator]). [Check] does work linear in the password's length for the
// rules, and the strength estimate looks at no more than
// [MaxEstimateLength] characters, so it is safe on hostile input. Nothing
// here logs or keeps a password.
package policy
