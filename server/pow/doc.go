// Package pow issues and verifies stateless proof-of-work challenges, the
// captcha-equivalent that registration requires: invisible to a person,
// costly for a script registering thousands of accounts.
//
// Start with [New] (with a [Config] whose Key is shared by every server
// instance), hand [Service.Issue]'s [Challenge] to the client, and pass the
// client's answer to [Service.Verify]. Verify is stateless: it returns the
// challenge's ID and expiry so the caller can make each challenge single-use
// (for example with a counter keyed by the ID that lives until ExpiresAt, and
// refusing any count above one).
//
// # The algorithm (what a client implements)
//
// A challenge is an ASCII token of five dot-separated fields:
//
//	v1.<id>.<difficulty>.<expires>.<mac>
//
// id is 32 lowercase hex characters, difficulty a decimal number of bits
// (1 to [MaxDifficulty]), expires the expiry in Unix seconds (decimal), and
// mac the server's signature (unpadded base64url). A client treats the token
// as opaque except for reading difficulty, the third field.
//
// To solve it, find a nonce — a string of 1 to [MaxNonceLen] characters from
// [0-9A-Za-z_-]; counting up in decimal from "0" is the simplest — such that
//
//	SHA-256(token || nonce)
//
// (the token's bytes immediately followed by the nonce's bytes, no
// separator) begins with at least difficulty zero bits, counted from the most
// significant bit of the first byte. For difficulty 16, the first two bytes
// of the digest are zero. On average 2^difficulty hashes are needed; the
// server checks one. testdata/vectors.json holds worked examples.
//
// # Security
//
// mac = HMAC-SHA256(key, "watchword-pow-v1\x00" || "v1.<id>.<difficulty>.<expires>"),
// so a client cannot lower the difficulty, extend the expiry or mint
// challenges; the key must be kept secret and must be the same on every
// instance behind one load balancer. Challenges are short-lived (default
// [DefaultTTL]) so an attacker cannot stockpile solved ones, and the id
// makes each one single-use once the caller records it.
package pow
