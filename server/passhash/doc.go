// Package passhash hashes and verifies account passwords with Argon2id
// (RFC 9106), stored as PHC strings:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// where salt and hash are unpadded standard base64 and m is in KiB.
//
// Start with [New] and a [Params] (usually [Default]); then call
// [Hasher.Hash] when an account password is set, [Hasher.Verify] at sign-in
// followed by [Hasher.NeedsRehash] to upgrade old hashes after a successful
// sign-in, and [Hasher.Dummy] when the address is unknown, so that sign-in
// takes the same time whether or not an account exists.
//
// # Security
//
// This is the account password, an ordinary login credential; the master
// password never reaches the server. The default follows the OWASP Password
// Storage Cheat Sheet's Argon2id minimum (m=19 MiB, t=2, p=1), which keeps a
// sign-in around tens of milliseconds and 19 MiB per concurrent sign-in;
// raise it with the hardware. [Cheap] exists only for tests.
//
// A stored hash is parsed strictly and its parameters are bounded (see
// [MaxMemoryKiB], [MaxTime], [MaxThreads]) before any work, so a corrupted or
// planted row is refused with an error instead of allocating gigabytes or
// panicking. The computed hash is compared in constant time.
//
// Passwords are hashed as the bytes given; normalisation (if any) is the
// caller's policy and must be the same at registration and sign-in.
package passhash
