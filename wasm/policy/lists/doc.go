// Package lists ships the data files the password rules and the passphrase
// generator read: the common-password list and the EFF large word list (see
// ../NOTICE.md for their sources and licences).
//
// They are kept out of package policy so that core.wasm, which the service
// worker starts on every wake, does not carry them: the extension ships the
// same .gz files beside core.wasm, and the bridge asks JavaScript for them
// the first time a check or a passphrase needs one. Native programs and the
// tests read them from here:
//
//	common, err := policy.ParseCommonList(lists.CommonPasswords())
//	words, err := policy.ParseWordlist(lists.EFFWords())
//
// The files are embedded gzip-compressed and decompressed on each call:
// callers parse once and keep the result.
package lists
